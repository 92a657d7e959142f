"""The index folder's layout: every file and folder name of an index, spelled once.

index/
manifest.json          format version, model, settings, sources (sha256 each), file hashes
.lock                  held by the one build writing this folder
data-<hash>/
documents.jsonl      one article per line: id, metadata, full text
units.jsonl          one quotable sentence per line; row i is vector i
passages.jsonl       context chunks from the text splitter
units.faiss          FAISS inner-product index of the unit vectors
bm25/                bm25s arrays (.npy) and vocabulary (.json)
.tmp-<pid>-<id>/       a build's data folder before it is renamed into place
.manifest.json.<id>    a build's manifest before it replaces manifest.json
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

FORMAT = "rag-index"
FORMAT_VERSION = 1

MANIFEST = "manifest.json"
LOCK = ".lock"
DOCUMENTS = "documents.jsonl"
UNITS = "units.jsonl"
PASSAGES = "passages.jsonl"
VECTORS = "units.faiss"
BM25 = "bm25"
# Files every data folder holds (bm25/ adds a few more); a manifest that omits one is refused.
REQUIRED_FILES = (DOCUMENTS, UNITS, PASSAGES, VECTORS)

_DATA_NAME = re.compile(r"data-[0-9a-f]{8,64}")
_TMP_PREFIX = ".tmp-"
_MANIFEST_TMP_PREFIX = f".{MANIFEST}."


def is_data_name(name: str) -> bool:
    """True for a well-formed data folder name (`data-<hex>`), nothing that could leave the folder."""
    return bool(_DATA_NAME.fullmatch(name))


@dataclass(frozen=True)
class IndexLayout:
    """Paths of one index folder."""

    root: Path

    @property
    def manifest(self) -> Path:
        """The manifest naming the current data folder."""
        return self.root / MANIFEST

    @property
    def lock(self) -> Path:
        """The lock file one build holds while it writes."""
        return self.root / LOCK

    def data(self, name: str) -> Path:
        """The data folder `name` (as the manifest names it)."""
        return self.root / name

    def new_tmp_dir(self, suffix: str = "") -> Path:
        """A fresh name for a build's temporary data folder; it carries the builder's pid."""
        return self.root / f"{_TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}"

    def new_tmp_manifest(self) -> Path:
        """A fresh name for a manifest before it atomically replaces the current one."""
        return self.root / f"{_MANIFEST_TMP_PREFIX}{uuid.uuid4().hex[:8]}"

    @staticmethod
    def is_temporary(name: str) -> bool:
        """True for a build's temporary data folder or manifest."""
        return name.startswith((_TMP_PREFIX, _MANIFEST_TMP_PREFIX))

    @staticmethod
    def builder_pid(name: str) -> int | None:
        """The pid of the build that made the temporary entry `name`, when its name carries one."""
        if not name.startswith(_TMP_PREFIX):
            return None
        pid = name[len(_TMP_PREFIX) :].split("-")[0]
        return int(pid) if pid.isdigit() else None
