"""The index folder on disk: its layout, an atomic write, a verified load, and freshness.

A build (`rag.build`) writes new segment folders, then swaps `manifest.json` with one atomic
rename: a build killed at any point leaves the previous manifest, and its segments, in place.
"""

from .freshness import RULE_VERSIONS, rules_current, stale_reason
from .layout import FORMAT_VERSION, MANIFEST, IndexLayout
from .reader import NO_DAY, IndexData, Segment, load, read_manifest
from .search import SEARCH_THREADS, make_faiss
from .writer import SegmentContent, build_lock, remove_leftovers, write_errors, write_manifest, write_segment

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "NO_DAY",
    "RULE_VERSIONS",
    "SEARCH_THREADS",
    "IndexData",
    "IndexLayout",
    "Segment",
    "SegmentContent",
    "build_lock",
    "load",
    "make_faiss",
    "read_manifest",
    "remove_leftovers",
    "rules_current",
    "stale_reason",
    "write_errors",
    "write_manifest",
    "write_segment",
]
