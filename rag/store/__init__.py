"""The index folder on disk: its layout, an atomic write, a verified load, and freshness.

A build (`rag.build`) writes a new `data-*` folder, then swaps `manifest.json` with one atomic
rename: a build killed at any point leaves the previous manifest, and its data, in place.
"""

from .freshness import stale_reason
from .layout import FORMAT_VERSION, MANIFEST, IndexLayout
from .reader import IndexData, load, read_manifest
from .search import SEARCH_THREADS, make_bm25, make_faiss
from .writer import build_lock, remove_leftovers, write, write_errors

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "SEARCH_THREADS",
    "IndexData",
    "IndexLayout",
    "build_lock",
    "load",
    "make_bm25",
    "make_faiss",
    "read_manifest",
    "remove_leftovers",
    "stale_reason",
    "write",
    "write_errors",
]
