"""Tell when an index no longer matches its source folder or settings (checked before every answer)."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..chunking import UNITS_VERSION
from ..config import Settings
from ..dates import EVENTS_VERSION
from ..documents import SourceFile, list_sources, sha256_file
from ..errors import SourceError
from ..lexical import TERMS_VERSION
from ..sources import READING_VERSION


@dataclass(frozen=True)
class RuleVersion:
    """Today's version of rules whose output an index stores, and what a manifest without it counts as."""

    version: int
    missing: int | None  # the version of an index written before the manifest recorded it (None: stale)
    changed: str  # why an index made under another version is stale


# Manifest key -> the rules it records (in the manifest's order). Bump a version whenever its rules
# change: an index made under another is stale, and `rag.build` redoes what those rules made
# (when there are sources to read).
RULE_VERSIONS: Mapping[str, RuleVersion] = {
    # the terms of its BM25 postings: the postings are made again
    "terms_version": RuleVersion(TERMS_VERSION, None, "the word rules changed (rag.lexical.TERMS_VERSION)"),
    # its articles' dates and headers: read again
    "reading_version": RuleVersion(READING_VERSION, 1, "the reading rules changed (rag.sources.READING_VERSION)"),
    # its sentences: cut and embedded again
    "units_version": RuleVersion(UNITS_VERSION, 1, "the sentence rules changed (rag.chunking.UNITS_VERSION)"),
    # its sentences' event dates: resolved again, the vectors reused
    "events_version": RuleVersion(EVENTS_VERSION, 1, "the date rules changed (rag.dates.EVENTS_VERSION)"),
}

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
    for key, rule in RULE_VERSIONS.items():
        if not rules_current(manifest, key):
            return rule.changed
    names = {s.doc_id for s in listed}
    if names != set(known):
        added = sorted(names - set(known))
        gone = sorted(set(known) - names)
        return f"source files added {added} or removed {gone}" if added or gone else "sources changed"
    for src in listed:
        if sha256_cached(src) != known[src.doc_id].get("sha256"):
            return f"{src.doc_id} changed"
    return None


def rules_current(manifest: dict[str, Any], key: str) -> bool:
    """True when what the manifest records under `key` (see `RULE_VERSIONS`) was made by today's rules."""
    rule = RULE_VERSIONS[key]
    return manifest.get(key, rule.missing) == rule.version


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
