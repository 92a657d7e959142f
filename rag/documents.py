"""Read a source folder into `Document`s: text kept byte-exact, metadata header parsed."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError

SUFFIXES = (".txt", ".md")
# A file larger than this is not an article; it is skipped rather than embedded for minutes.
# 1 MB is ~8,000 sentences, 1-2 minutes of embedding on two cores; the longest news feature
# is a few dozen kB.
MAX_FILE_BYTES = 1_000_000

# ` date 2022-01-04 First sentence...`: a date header may share its line with the text.
_DATE_INLINE = re.compile(r"[ \t]*date:?[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*\n?", re.IGNORECASE)
# `title: ...`, `source: ...`, `url: ...` on lines of their own.
_FIELD_LINE = re.compile(r"[ \t]*(title|source|url|date):[ \t]*(\S[^\n]*?)[ \t]*(?:\n|$)", re.IGNORECASE)
_BLANK = re.compile(r"\s*")


@dataclass(frozen=True)
class Document:
    """One article. `text` is the file's content, unchanged; `body_start` is where the header ends."""

    doc_id: str
    text: str
    sha256: str
    date: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    body_start: int = 0

    @property
    def label(self) -> str:
        """What a reader calls this document: its title, else its id."""
        return self.title or self.doc_id


@dataclass(frozen=True)
class SourceFile:
    """A candidate file of a source folder, before it is read."""

    doc_id: str
    path: str  # a plain string: a Path per file costs more than the stat, before every answer
    size: int
    mtime_ns: int
    # with size and mtime, what tells a rewritten file from an untouched one without reading it
    ctime_ns: int = 0
    inode: int = 0


def parse_header(text: str) -> tuple[dict[str, str], int]:
    """Parse the optional metadata header at the top of `text`.

    Returns the fields found (lower-case keys) and the offset where the body starts.
    """
    meta: dict[str, str] = {}
    # a UTF-8 byte order mark (Windows editors) is kept in the text but is not a header
    pos = _BLANK.match(text, 1 if text.startswith("\ufeff") else 0).end()  # type: ignore[union-attr]
    while True:
        m = _DATE_INLINE.match(text, pos) if "date" not in meta else None
        if m:
            meta["date"] = m.group(1)
            pos = m.end()
            continue
        m = _FIELD_LINE.match(text, pos)
        if m and m.group(1).lower() not in meta:
            key, value = m.group(1).lower(), m.group(2)
            if key == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                break
            meta[key] = value
            pos = m.end()
            continue
        break
    if not meta:
        return meta, 0
    return meta, _BLANK.match(text, pos).end()  # type: ignore[union-attr]


def list_sources(folder: str | os.PathLike[str]) -> list[SourceFile]:
    """The `.txt`/`.md` files under `folder`, recursively, sorted by id.

    Symlinks are not followed (a link could point outside the folder), and only regular
    files are listed (a FIFO named `x.txt` would block the reader); each one left out is
    named in a warning. Raises `SourceError` when the folder is missing or holds no such file.
    """
    root = Path(folder)
    if not root.is_dir():
        raise SourceError(f"source folder not found: {folder!s} (pass a folder of .txt/.md articles)")
    found = sorted(_walk(root, ""), key=lambda s: s.doc_id)
    if not found:
        raise SourceError(f"no .txt or .md files in source folder {folder!s}")
    return found


def _walk(folder: Path, prefix: str) -> Iterator[SourceFile]:
    """Source files under `folder`, one `lstat` each: this runs before every answer."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            if not is_dir and not entry.name.lower().endswith(SUFFIXES):
                if entry.is_symlink() and entry.is_dir():
                    warnings.warn(f"skipped {rel}/: symbolic link, not followed", stacklevel=4)
                continue
            if entry.is_symlink():
                warnings.warn(f"skipped {rel}: symbolic link, not followed", stacklevel=4)
            elif is_dir:
                yield from _walk(Path(entry.path), rel + "/")
            elif entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                yield SourceFile(rel, entry.path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            else:
                warnings.warn(f"skipped {rel}: not a regular file", stacklevel=4)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_document(source: SourceFile) -> Document | str:
    """Read one file into a `Document`, or return why it must be skipped.

    The file may have changed since it was listed: it is opened without following a
    symlink and without blocking, its type and size are checked on the open descriptor,
    and no more than `MAX_FILE_BYTES` + 1 bytes are ever read.
    """
    if source.size > MAX_FILE_BYTES:
        return f"{source.size:,} bytes, larger than the {MAX_FILE_BYTES:,}-byte limit for an article"
    try:
        data = _read_capped(source.path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link, not followed"
        return f"unreadable ({exc.strerror or exc})"
    if data is None:
        return "not a regular file"
    if len(data) > MAX_FILE_BYTES:
        return f"larger than the {MAX_FILE_BYTES:,}-byte limit for an article"
    if b"\x00" in data:
        return "binary file (contains NUL bytes)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (byte {exc.start})"
    if not text.strip():
        return "empty file"
    meta, body_start = parse_header(text)
    if not text[body_start:].strip():
        return "header only, no text"
    return Document(
        doc_id=source.doc_id,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        date=meta.get("date"),
        title=meta.get("title"),
        source=meta.get("source"),
        url=meta.get("url"),
        body_start=body_start,
    )


def _read_capped(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of the regular file `path` (at most `MAX_FILE_BYTES` + 1), or None for anything else."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class SourceRead:
    """What reading a list of source files gave: the articles, and why the others were skipped."""

    documents: tuple[Document, ...]
    skipped: dict[str, str]
    # sha256 of every file read whole (articles and duplicates), by id
    sha256: dict[str, str]


def read_files(listed: Sequence[SourceFile]) -> SourceRead:
    """Read `listed`; each skipped file is named in one warning line.

    Files with identical bytes are indexed once (the first id wins) and reported as
    duplicates.
    """
    docs: list[Document] = []
    skipped: dict[str, str] = {}
    hashes: dict[str, str] = {}
    seen: dict[str, str] = {}
    for source in listed:
        doc = read_document(source)
        if isinstance(doc, str):
            skipped[source.doc_id] = doc
        else:
            hashes[source.doc_id] = doc.sha256
            if doc.sha256 in seen:
                skipped[source.doc_id] = f"duplicate of {seen[doc.sha256]}"
            else:
                seen[doc.sha256] = doc.doc_id
                docs.append(doc)
        if source.doc_id in skipped:
            warnings.warn(f"skipped {source.doc_id}: {skipped[source.doc_id]}", stacklevel=3)
    return SourceRead(tuple(docs), skipped, hashes)


def read_sources(folder: str | os.PathLike[str]) -> list[Document]:
    """Read every article of `folder` (see `read_files`).

    Raises `SourceError` when the folder is missing or nothing readable remains.
    """
    docs = list(read_files(list_sources(folder)).documents)
    if not docs:
        raise SourceError(f"no readable article in {folder!s} (every file was skipped; see warnings)")
    return docs
