"""List the article files of a source folder, and wait for files still being written to settle."""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from ..errors import SourceError
from .document import SourceFile

# Read byte for byte: the text of the file is the text of the article.
TEXT_SUFFIXES = (".txt", ".md")
# Read through `rag.ingest` (saved pages, RSS/Atom feeds, JSONL exports). Spelled here and not
# imported: importing rag.ingest loads trafilatura and feedparser (~0.4 s), and listing runs
# before every answer in processes that may never read a page. A test checks both lists agree.
ARTICLE_SUFFIXES = (".html", ".htm", ".xml", ".rss", ".atom", ".jsonl")
SUFFIXES = TEXT_SUFFIXES + ARTICLE_SUFFIXES

# A file modified within this much of "now" may still be in the middle of being written. A
# clock tick of the file system may date a write a little ahead of `time.time_ns()`; a file
# dated further ahead than this is not being written now (touch -d, a copied timestamp).
_FUTURE_TOLERANCE_NS = 1_000_000_000


def is_source_name(name: str) -> bool:
    """True for a file name a source folder lists: not hidden, with an article suffix."""
    return not name.startswith(".") and name.lower().endswith(SUFFIXES)


def list_sources(folder: str | os.PathLike[str]) -> list[SourceFile]:
    """The article files under `folder` (`SUFFIXES`), recursively, sorted by id.

    Hidden names (a leading dot) are left out: that is where a producer writes a file before
    renaming it into place. Symlinks are not followed (a link could point outside the
    folder), and only regular files are listed (a FIFO named `x.txt` would block the
    reader); each one left out is named in a warning. Raises `SourceError` when the folder
    is missing or holds no such file.
    """
    root = Path(folder)
    if not root.is_dir():
        raise SourceError(f"source folder not found: {folder!s} (pass a folder of .txt/.md articles)")
    found = sorted(_walk(root, ""), key=lambda s: s.doc_id)
    if not found:
        raise SourceError(f"no .txt or .md files (nor {', '.join(ARTICLE_SUFFIXES)}) in source folder {folder!s}")
    return found


def _walk(folder: Path, prefix: str) -> Iterator[SourceFile]:
    """Source files under `folder`, one `lstat` each: this runs before every answer.

    A file or folder removed while it is being listed is left out, as if listed a moment later.
    """
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except FileNotFoundError:
        return  # removed since its parent folder was listed
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
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed since the folder was listed
            yield SourceFile(rel, entry.path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        else:
            warnings.warn(f"skipped {rel}: not a regular file", stacklevel=4)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def young(listed: list[SourceFile], settle: float, now_ns: int | None = None) -> frozenset[str]:
    """Ids of the files of `listed` written less than `settle` seconds ago: perhaps still being written."""
    if settle <= 0:
        return frozenset()
    now_ns = time.time_ns() if now_ns is None else now_ns
    window = int(settle * 1e9)
    return frozenset(s.doc_id for s in listed if -_FUTURE_TOLERANCE_NS < now_ns - s.mtime_ns < window)


def settled_sources(folder: str | os.PathLike[str], settle: float) -> tuple[list[SourceFile], frozenset[str]]:
    """List `folder`, waiting up to `settle` seconds for files written within the last `settle` seconds.

    A writer that appends keeps its file's mtime fresh, so a file whose size and mtime have
    not moved for `settle` seconds is taken as complete. Returns the listing and the ids of
    the files still being written when the wait ends: the caller holds those back for now.
    A file renamed into place after being written elsewhere is complete at once (its mtime
    is that of its last write), so it is never waited for unless it was written just now.
    """
    listed = list_sources(folder)
    deadline = time.monotonic() + settle
    while True:
        now_ns = time.time_ns()
        pending = young(listed, settle, now_ns)
        left = deadline - time.monotonic()
        if not pending or left <= 0:
            return listed, pending
        # sleep until the newest of them would be `settle` old, then look again
        newest = max(s.mtime_ns for s in listed if s.doc_id in pending)
        time.sleep(min(left, max(0.01, (newest + settle * 1e9 - now_ns) / 1e9)))
        listed = list_sources(folder)
