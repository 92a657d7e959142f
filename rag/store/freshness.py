"""Tell when an index no longer matches its source folder or settings (checked before every answer)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from ..chunking import UNITS_VERSION
from ..config import Settings
from ..dates import EVENTS_VERSION
from ..documents import SourceFile, list_sources, sha256_file
from ..errors import SourceError
from ..lexical import TERMS_VERSION
from ..sources import READING_VERSION

# sha256 of each source file by path, with the (size, mtime, ctime, inode) it had when hashed.
_verified: dict[str, tuple[tuple[int, int, int, int], str]] = {}
# A file changed this recently may change again within the same timestamp tick, unseen by
# stat: its hash is not cached (git's "racily clean" rule).
_RACY_NS = 2_000_000_000


def stale_reason(manifest: dict[str, Any], sources: str | os.PathLike[str], settings: Settings) -> str | None:
    """Why an index no longer matches `sources` and `settings`, or None when it is fresh."""
    if manifest.get("model", {}).get("name") != settings.model_name:
        return "the embedding model changed"
    stored = Settings.from_dict(manifest.get("settings", {}))
    if stored.index_key() != settings.index_key():
        return "the index settings changed"
    known: dict[str, Any] = manifest.get("sources", {})
    try:
        listed = list_sources(sources)
    except SourceError:
        if Path(sources).is_dir() and known:
            # the folder is there but its articles are gone: do not quote deleted files
            return "every source file was removed"
        return None  # no source folder to compare with: the index is all there is
    if not units_current(manifest):
        # its sentences were cut by older rules: cut and embedded again when there are sources to read
        return "the sentence rules changed (rag.chunking.UNITS_VERSION)"
    if not terms_current(manifest):
        # its BM25 postings hold the terms of older word rules: rebuilt when there are sources to read
        return "the word rules changed (rag.lexical.TERMS_VERSION)"
    if not events_current(manifest):
        # its sentences' event dates were resolved by older rules: resolved again, vectors reused
        return "the date rules changed (rag.dates.EVENTS_VERSION)"
    if not reading_current(manifest):
        # its articles' dates and headers were read by older rules: read again when there are sources
        return "the reading rules changed (rag.sources.READING_VERSION)"
    names = {s.doc_id for s in listed}
    if names != set(known):
        added = sorted(names - set(known))
        gone = sorted(set(known) - names)
        return f"source files added {added} or removed {gone}" if added or gone else "sources changed"
    for src in listed:
        if sha256_cached(src) != known[src.doc_id].get("sha256"):
            return f"{src.doc_id} changed"
    return None


def terms_current(manifest: dict[str, Any]) -> bool:
    """True when the index's BM25 postings were made by today's word rules (`rag.lexical.TERMS_VERSION`)."""
    return manifest.get("terms_version") == TERMS_VERSION


def units_current(manifest: dict[str, Any]) -> bool:
    """True when the index's sentences were cut by today's rules (`rag.chunking.UNITS_VERSION`; 1 before it)."""
    return manifest.get("units_version", 1) == UNITS_VERSION


def events_current(manifest: dict[str, Any]) -> bool:
    """True when the index's event dates were resolved by today's rules (`rag.dates.EVENTS_VERSION`; 1 before it)."""
    return manifest.get("events_version", 1) == EVENTS_VERSION


def reading_current(manifest: dict[str, Any]) -> bool:
    """True when the index's articles were read by today's reading rules (`rag.sources.READING_VERSION`; 1 before it)."""
    return manifest.get("reading_version", 1) == READING_VERSION


def sha256_cached(src: SourceFile) -> str:
    """sha256 of a listed source file, hashed again whenever its stat signature changed."""
    key = os.path.abspath(src.path)  # no syscalls: this runs for every file before every answer
    signature = (src.size, src.mtime_ns, src.ctime_ns, src.inode)
    cached = _verified.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        digest = sha256_file(src.path)
    except OSError:
        return ""  # gone or unreadable since it was listed: stale, and the rebuild says why
    if time.time_ns() - max(src.mtime_ns, src.ctime_ns) > _RACY_NS:
        _verified[key] = (signature, digest)
    return digest
