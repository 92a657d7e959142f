"""QA suites: a folder of articles (`docs/`) and its questions (`qa.jsonl`), validated.

A row is `{"q": ..., "gold": [phrase, ...]}` or `{"q": ..., "unanswerable": true}`, with
optional `doc`, `part` and `id`; see `load_suite`. Gold phrases are compared with
`normalize`, which the scorer uses too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

QA_FILE = "qa.jsonl"
DOCS_DIR = "docs"
_ROW_KEYS = frozenset({"q", "gold", "doc", "unanswerable", "part", "id", "as_of", "kind", "date"})
# Parts listed in this order first (tuning on "fit", reading "held-out"), any other after.
_PART_ORDER = ("fit", "held-out")
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»″"} | {c: "'" for c in "‘’‚‛′`"})


def normalize(text: str) -> str:
    """`text` for gold matching: NFKC, curly quotes made straight, whitespace collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split()).casefold()


@dataclass(frozen=True)
class QARow:
    """One question of a suite; `gold` is empty exactly when the question is unanswerable."""

    id: str
    q: str
    gold: tuple[str, ...] = ()
    doc: str | None = None
    part: str | None = None
    line: int = 0
    as_of: str | None = None  # the day the question is asked (ISO): later articles may not be quoted
    kind: str | None = None  # what it tests (e.g. "latest", "when"); reported separately
    date: str | None = None  # the day of the event asked about (ISO), checked against the answer's dates

    @property
    def answerable(self) -> bool:
        """True when the articles answer the question (it has gold phrases)."""
        return bool(self.gold)


@dataclass(frozen=True)
class Suite:
    """A loaded suite: where its articles are and its validated questions."""

    name: str
    path: Path
    rows: tuple[QARow, ...]

    @property
    def docs_dir(self) -> Path:
        """The folder of articles (`<suite>/docs`)."""
        return self.path / DOCS_DIR

    @property
    def parts(self) -> tuple[str, ...]:
        """The distinct parts of the rows: "fit", "held-out", then any other by name."""
        found = dict.fromkeys(r.part for r in self.rows if r.part is not None)
        return tuple(sorted(found, key=lambda p: (_PART_ORDER.index(p) if p in _PART_ORDER else len(_PART_ORDER), p)))

    def only_part(self, part: str) -> Suite:
        """The same suite restricted to the rows of `part`; `ValueError` if it has none."""
        rows = tuple(r for r in self.rows if r.part == part)
        if not rows:
            known = ", ".join(self.parts) or "none"
            raise ValueError(f"suite {self.name} has no question of part {part!r} (parts: {known})")
        return replace(self, rows=rows)


def load_suite(path: str | os.PathLike[str]) -> Suite:
    """Load and validate the suite folder `path` (`docs/` and `qa.jsonl`).

    Each non-blank line of `qa.jsonl` is a JSON object: `{"q": str, "gold": [str, ...]}`
    for an answerable question or `{"q": str, "unanswerable": true}`, optionally with
    `doc` (path under `docs/` of the answering article), `part` (e.g. "fit", "held-out"),
    `id` (unique; default `L<line>`), `as_of` (the day it is asked: YYYY-MM-DD), `kind` (what
    it tests, reported separately) and `date` (the day of the event asked about). Raises
    `ValueError` naming the file and line of the first bad row, and `FileNotFoundError` when
    the folder lacks `docs/` or `qa.jsonl`.
    """
    root = Path(path)
    qa_path = root / QA_FILE
    if not (root / DOCS_DIR).is_dir() or not qa_path.is_file():
        raise FileNotFoundError(f"{root} is not a QA suite: it needs a {DOCS_DIR}/ folder and a {QA_FILE} file")
    rows: list[QARow] = []
    ids: set[str] = set()
    for lineno, line in enumerate(qa_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = _parse_row(line, lineno, root)
        if row.id in ids:
            raise ValueError(f"{qa_path}:{lineno}: duplicate id {row.id!r}")
        ids.add(row.id)
        rows.append(row)
    if not rows:
        raise ValueError(f"{qa_path}: no questions")
    return Suite(root.name or str(root), root, tuple(rows))


def _parse_row(line: str, lineno: int, root: Path) -> QARow:
    where = f"{root / QA_FILE}:{lineno}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{where}: a row must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - _ROW_KEYS)
    if unknown:  # a misspelt key ("answers", "gold_phrases") would silently drop the gold
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_ROW_KEYS))}")
    q = data.get("q")
    if not isinstance(q, str) or not q.strip():
        raise ValueError(f'{where}: "q" must be a non-empty string')
    gold = data.get("gold")
    unanswerable = data.get("unanswerable", False)
    if unanswerable not in (True, False):
        raise ValueError(f'{where}: "unanswerable" must be true or false')
    if unanswerable and gold is not None:
        raise ValueError(f'{where}: a row has either "gold" or "unanswerable": true, not both')
    if not unanswerable:
        if not isinstance(gold, list) or not gold:
            raise ValueError(f'{where}: give "gold": [phrase, ...] (non-empty) or "unanswerable": true')
        if not all(isinstance(g, str) and normalize(g) for g in gold):
            raise ValueError(f'{where}: every "gold" phrase must be a non-empty string')
    doc = data.get("doc")
    if doc is not None:
        if not isinstance(doc, str) or not doc:
            raise ValueError(f'{where}: "doc" must be a path under {DOCS_DIR}/')
        if not (root / DOCS_DIR / doc).is_file():
            raise ValueError(f'{where}: "doc" {doc!r} is not a file under {root / DOCS_DIR}')
    part = data.get("part")
    if part is not None and (not isinstance(part, str) or not part):
        raise ValueError(f'{where}: "part" must be a non-empty string such as "fit" or "held-out"')
    row_id = data.get("id", f"L{lineno}")
    if not isinstance(row_id, str | int) or isinstance(row_id, bool) or row_id == "":
        raise ValueError(f'{where}: "id" must be a non-empty string or an integer')
    for key in ("as_of", "date"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not _is_iso_day(value)):
            raise ValueError(f'{where}: "{key}" must be a day as YYYY-MM-DD, got {value!r}')
    kind = data.get("kind")
    if kind is not None and (not isinstance(kind, str) or not kind):
        raise ValueError(f'{where}: "kind" must be a non-empty string such as "latest" or "when"')
    gold_phrases = tuple(dict.fromkeys(gold or ()))
    return QARow(str(row_id), q, gold_phrases, doc, part, lineno, data.get("as_of"), kind, data.get("date"))


def _is_iso_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
