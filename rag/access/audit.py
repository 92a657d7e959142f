"""The audit log: one JSON line per change to the articles (who, when, which file, its sha256), appended and fsynced.

The log (`<data>/audit.jsonl`) is only ever appended to: each event is one `os.write` of one
line to a file opened with O_APPEND, under an exclusive `flock`, then fsynced; nothing here
truncates or rewrites it. `audit_trail(doc_id, log, index)` traces an indexed article (a quote's
citation) back to the line that brought the version of its file that is indexed now.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..jsonlines import append_line, json_line

if TYPE_CHECKING:
    from ..index import Index

AUDIT_FILE = "audit.jsonl"
# add: a new file; replace: a file of the same name and other content; remove: a file taken out;
# refuse: a file an editor sent that was not added, and why
ACTIONS = ("add", "replace", "remove", "refuse")
BRINGS_IN = ("add", "replace")


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit log: what `user` did to the source file `file` at `time`, and what came of it."""

    time: str  # ISO time, UTC
    user: str
    action: str  # one of ACTIONS
    file: str  # its name in the source folder
    sha256: str | None = None  # of the file's bytes (what the index manifest records for it)
    size: int | None = None  # bytes
    result: str = ""  # for this file: the articles it gave, or why it was refused or skipped
    articles: tuple[str, ...] = ()  # ids of the indexed articles that came from it
    build: str | None = None  # the summary line of the build that followed
    address: str | None = None  # the client address of the request

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown audit action {self.action!r}: use one of {', '.join(ACTIONS)}")

    def to_dict(self) -> dict[str, Any]:
        """The event as one JSON object (the articles as a list)."""
        return {**asdict(self), "articles": list(self.articles)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEvent:
        """The event of one parsed line; ValueError when a field is missing or of the wrong type."""
        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data}
        for name in ("time", "user", "action", "file"):
            if not isinstance(known.get(name), str):
                raise ValueError(f"audit line without a text field {name!r}")
        articles = known.pop("articles", ())
        if not isinstance(articles, list | tuple) or not all(isinstance(a, str) for a in articles):
            raise ValueError("audit line whose 'articles' is not a list of ids")
        return cls(**known, articles=tuple(articles))


@dataclass(frozen=True)
class AuditTrail:
    """What the audit log says about one article's file: every event, and the one that brought the indexed version."""

    doc_id: str
    file: str
    events: tuple[AuditEvent, ...] = ()
    # the add/replace whose sha256 is the indexed file's (None: it came in another way, e.g. the seeds or `rag add`)
    source: AuditEvent | None = None
    indexed_sha256: str | None = None
    skipped_lines: int = field(default=0, compare=False)


def append_event(log: str | os.PathLike[str], event: AuditEvent) -> Path:
    """Append `event` as one line to the audit log `log` (created 0600 with its folder), fsynced; return the path.

    Safe under concurrent writers, threads or processes (`rag.jsonlines.append_line`).
    """
    return append_line(log, json_line(event.to_dict()), mode=0o600, sync=True)


def read_events(log: str | os.PathLike[str]) -> tuple[list[AuditEvent], int]:
    """The events of the audit log in order, and how many lines could not be read (torn or edited); none if no log."""
    events: list[AuditEvent] = []
    bad = 0
    for line in _lines(Path(log)):
        try:
            data = json.loads(line)
            events.append(AuditEvent.from_dict(data if isinstance(data, dict) else {}))
        except (ValueError, TypeError):
            bad += 1
    return events, bad


def file_of(doc_id: str, files: Mapping[str, Any]) -> str:
    """The source file an article id comes from: the id itself, or for a feed/JSONL article the part before a '#'.

    `files` holds the source file ids (an index manifest's "sources"); a file name may contain
    '#' itself, so the first prefix that is a known file wins.
    """
    if doc_id in files:
        return doc_id
    cut = doc_id.find("#")
    while cut != -1:
        if doc_id[:cut] in files:
            return doc_id[:cut]
        cut = doc_id.find("#", cut + 1)
    return doc_id.split("#", 1)[0]


def audit_trail(doc_id: str, log: str | os.PathLike[str], index: Index | None = None) -> AuditTrail:
    """The audit events of the file `doc_id` came from, and the one that brought its indexed version in.

    With `index`, the file's sha256 is the one its manifest records (the bytes that were indexed)
    and `source` is the latest add/replace of exactly those bytes; without it, `source` is the
    latest add/replace of the file not followed by a removal.
    """
    files: Mapping[str, Any] = index.manifest.get("sources", {}) if index is not None else {}
    name = file_of(doc_id, files)
    row = files.get(name)
    indexed = row.get("sha256") if isinstance(row, Mapping) else None
    events, bad = read_events(log)
    mine = tuple(e for e in events if e.file == name)
    source = None
    for event in mine:
        if event.action in BRINGS_IN and (indexed is None or event.sha256 == indexed):
            source = event
        elif event.action == "remove" and indexed is None:
            source = None
    return AuditTrail(doc_id, name, mine, source, indexed, bad)


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open("r", encoding="utf-8", errors="replace", newline="\n") as fh:
            for line in fh:
                if line.endswith("\n") and line.strip():  # a torn last line (a crash mid-write) is not an event
                    yield line
    except FileNotFoundError:
        return
