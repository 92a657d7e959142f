"""Read a `.txt`/`.md` source file into one `Document`: text byte-exact, metadata header parsed, date checked."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import time

from ..dates.days import read_day
from .document import Document, FileRead, SourceFile

# A file larger than this is not an article; it is skipped rather than embedded for minutes.
# 1 MB is ~8,000 sentences, 1-2 minutes of embedding on two cores; the longest news feature
# is a few dozen kB.
MAX_FILE_BYTES = 1_000_000

# ` date 2022-01-04 First sentence...`: a date header (a time after it is read past) may share its line with the text.
_DATE_INLINE = re.compile(
    r"[ \t]*date:?[ \t]+(\d{4}-\d{2}-\d{2})(?:T\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b[ \t]*\n?",
    re.IGNORECASE,
)
# `title: ...`, `source: ...`, `url: ...`, `author: ...` on lines of their own; `published:` is a `date:`.
_FIELD_LINE = re.compile(
    r"[ \t]*(title|source|url|date|author|published):[ \t]*(\S[^\n]*?)[ \t]*(?:\n|$)", re.IGNORECASE
)
_SAME_FIELD = {"published": "date"}
_BLANK = re.compile(r"\s*")
# Markdown front matter (static sites, note apps): `---` lines around `key: value` lines.
_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", re.DOTALL)
_FRONT_MATTER_MAX = 4000
# Every line of it is `key: value`, a list item or a continuation: a text between two rules is no front matter.
_YAML_LINE = re.compile(r"\s*$|[A-Za-z_][\w-]*[ \t]*:|[ \t]+\S|-[ \t]")
_NAME_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?!\d)")


def parse_header(text: str) -> tuple[dict[str, str], int]:
    """Parse the optional metadata header at the top of `text`.

    Returns the fields found (lower-case keys) and the offset where the body starts.
    """
    meta: dict[str, str] = {}
    # a UTF-8 byte order mark (Windows editors) is kept in the text but is not a header
    pos = _BLANK.match(text, 1 if text.startswith("\ufeff") else 0).end()  # type: ignore[union-attr]
    front = _FRONT_MATTER.match(text[: pos + _FRONT_MATTER_MAX], pos)
    if front and all(_YAML_LINE.match(line) for line in front.group(1).splitlines()):
        return _front_matter(front.group(1)), _BLANK.match(text, front.end()).end()  # type: ignore[union-attr]
    while True:
        m = _DATE_INLINE.match(text, pos) if "date" not in meta else None
        if m:
            meta["date"] = m.group(1)
            pos = m.end()
            continue
        m = _FIELD_LINE.match(text, pos)
        key = _SAME_FIELD.get(m.group(1).lower(), m.group(1).lower()) if m else ""
        if m and key not in meta:
            value = m.group(2)
            if key == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and read_day(value) is None:
                break  # "Date: to be confirmed" opens the text; "date: 2022-02-30" is a bad header date
            meta[key] = value
            pos = m.end()
            continue
        break
    if not meta:
        return meta, 0
    return meta, _BLANK.match(text, pos).end()  # type: ignore[union-attr]


def _front_matter(block: str) -> dict[str, str]:
    """The fields this reader knows among the `key: value` lines of a front matter block (quotes dropped)."""
    meta: dict[str, str] = {}
    for line in block.splitlines():
        m = _FIELD_LINE.fullmatch(line.strip() + "\n")
        if m is None:
            continue
        key = _SAME_FIELD.get(m.group(1).lower(), m.group(1).lower())
        value = m.group(2).strip().strip("\"'").strip()
        if value and key not in meta:
            meta[key] = value
    return meta


def open_regular(path: str | os.PathLike[str]) -> int | None:
    """A read-only descriptor of the regular file `path`, or None when it is anything else.

    Opened without following a symlink (OSError ELOOP) and without blocking (a FIFO swapped
    in after listing must not hang the build); the type is checked on the open descriptor.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def open_error(exc: OSError) -> str:
    """Why a source file could not be opened, for a skip reason."""
    if exc.errno == errno.ELOOP:
        return "symbolic link, not followed"
    return f"unreadable ({exc.strerror or exc})"


def being_written(before: os.stat_result, after: os.stat_result, settle: float) -> str | None:
    """Why a file read between the `before` and `after` stats may be incomplete, or None."""
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return "changed while it was read"
    age = time.time_ns() - after.st_mtime_ns
    if settle > 0 and 0 <= age < settle * 1e9:
        return f"written {age / 1e9:.1f}s ago, less than the {settle:g}s settle time"
    return None


def read_text_file(source: SourceFile, settle: float = 0.0) -> FileRead:
    """Read one `.txt`/`.md` file; see `read_document` for what is checked.

    A header date that is not a real day (2022-02-30) or not a plausible publication date
    (before 1990, after the day after tomorrow) is dropped with one warning: the article is
    indexed without a date. With `settle`, a file written less than `settle` seconds ago is
    held back.
    """
    if source.size > MAX_FILE_BYTES:
        return FileRead(skipped=f"{source.size:,} bytes, larger than the {MAX_FILE_BYTES:,}-byte limit for an article")
    try:
        fd = open_regular(source.path)
    except OSError as exc:
        return FileRead(skipped=open_error(exc))
    if fd is None:
        return FileRead(skipped="not a regular file")
    try:
        before = os.fstat(fd)
        data = _read_capped(fd)
        after = os.fstat(fd)
    except OSError as exc:
        return FileRead(skipped=open_error(exc))
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        return FileRead(skipped=f"larger than the {MAX_FILE_BYTES:,}-byte limit for an article")
    writing = being_written(before, after, settle)
    if writing:
        return FileRead(held_back=writing)
    digest = hashlib.sha256(data).hexdigest()
    if b"\x00" in data:
        return FileRead(skipped="binary file (contains NUL bytes)", sha256=digest)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FileRead(skipped=f"not UTF-8 (byte {exc.start})", sha256=digest)
    if not text.strip():
        return FileRead(skipped="empty file", sha256=digest)
    meta, body_start = parse_header(text)
    if not text[body_start:].strip():
        return FileRead(skipped="header only, no text", sha256=digest)
    written = meta.get("date")
    if written is None:  # "2022-03-05-talks.txt": a name that starts with a day dates an article without a header
        named = _NAME_DAY.match(source.doc_id.rsplit("/", 1)[-1])
        written = named[1] if named else None
    date, problem = _checked_date(written, source.doc_id)
    doc = Document(
        doc_id=source.doc_id,
        text=text,
        sha256=digest,
        date=date,
        title=meta.get("title"),
        source=meta.get("source"),
        url=meta.get("url"),
        body_start=body_start,
        author=meta.get("author"),
    )
    return FileRead(documents=(doc,), warnings=(problem,) if problem else (), sha256=digest)


def read_document(source: SourceFile) -> Document | str:
    """Read one `.txt`/`.md` file into a `Document`, or return why it must be skipped.

    The file may have changed since it was listed: it is opened without following a
    symlink and without blocking, its type and size are checked on the open descriptor,
    and no more than `MAX_FILE_BYTES` + 1 bytes are ever read.
    """
    read = read_text_file(source)
    return read.documents[0] if read.documents else (read.skipped or read.held_back or "no article")


def _checked_date(value: str | None, doc_id: str) -> tuple[str | None, str | None]:
    """The header date if it is a plausible publication day, else None and a warning saying why."""
    if value is None:
        return None, None
    from ..ingest.dates import checked_date  # the one rule for every format; imported when a date is read

    return checked_date(value, doc_id)


def _read_capped(fd: int) -> bytes:
    """The bytes of the open file `fd`, at most `MAX_FILE_BYTES` + 1 of them."""
    chunks: list[bytes] = []
    left = MAX_FILE_BYTES + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
