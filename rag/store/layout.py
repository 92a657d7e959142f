"""The index folder's layout: every file and folder name of an index, spelled once.

    index/
      manifest.json            format version, model, settings, the segments in order with every
                               file's sha256, the articles removed since (masked), the sources
      .lock                    held by the one build writing this folder
      seg-<hash>/              one segment: the articles added by one build, immutable
        documents.jsonl        one article per line: id, metadata, full text
        units.npy              int32 (units, 3): document row, start, end of each quotable sentence
        passages.npy           int32 (passages, 3): document row, start, end of each context chunk
        events.npy             int32 (events, 5): unit, first day, last day (proleptic ordinals),
                               start, end (document offsets) of each resolved time expression
        vectors.faiss          FAISS inner-product index of the unit vectors (row i = unit i)
        terms/                 BM25 postings: vocab.json, offsets/units/freqs/lengths .npy
      .tmp-<pid>-<id>/         a build's segment before it is renamed into place
      .manifest.json.<id>      a build's manifest before it replaces manifest.json

A build writes new segments, then swaps manifest.json with one atomic rename; segments the
new manifest no longer names are deleted afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from .. import bm25

FORMAT = "rag-index"
FORMAT_VERSION = 2

MANIFEST = "manifest.json"
LOCK = ".lock"
DOCUMENTS = "documents.jsonl"
UNITS = "units.npy"
PASSAGES = "passages.npy"
EVENTS = "events.npy"
VECTORS = "vectors.faiss"
TERMS = "terms"
# Files every segment holds; a manifest that omits one is refused.
REQUIRED_FILES = (DOCUMENTS, UNITS, PASSAGES, EVENTS, VECTORS, *(f"{TERMS}/{name}" for name in bm25.FILES))

SEGMENT_PREFIX = "seg-"
_SEGMENT_NAME = re.compile(r"seg-[0-9a-f]{8,64}")
_TMP_PREFIX = ".tmp-"
_MANIFEST_TMP_PREFIX = f".{MANIFEST}."


def is_segment_name(name: str) -> bool:
    """True for a well-formed segment folder name (`seg-<hex>`), nothing that could leave the folder."""
    return bool(_SEGMENT_NAME.fullmatch(name))


@dataclass(frozen=True)
class IndexLayout:
    """Paths of one index folder."""

    root: Path

    @property
    def manifest(self) -> Path:
        """The manifest naming the current segments."""
        return self.root / MANIFEST

    @property
    def lock(self) -> Path:
        """The lock file one build holds while it writes."""
        return self.root / LOCK

    def segment(self, name: str) -> Path:
        """The segment folder `name` (as the manifest names it)."""
        return self.root / name

    def new_tmp_dir(self, suffix: str = "") -> Path:
        """A fresh name for a build's temporary segment folder; it carries the builder's pid."""
        return self.root / f"{_TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}{suffix}"

    def new_tmp_manifest(self) -> Path:
        """A fresh name for a manifest before it atomically replaces the current one."""
        return self.root / f"{_MANIFEST_TMP_PREFIX}{uuid.uuid4().hex[:8]}"

    @staticmethod
    def is_temporary(name: str) -> bool:
        """True for a build's temporary segment folder or manifest."""
        return name.startswith((_TMP_PREFIX, _MANIFEST_TMP_PREFIX))

    @staticmethod
    def builder_pid(name: str) -> int | None:
        """The pid of the build that made the temporary entry `name`, when its name carries one."""
        if not name.startswith(_TMP_PREFIX):
            return None
        pid = name[len(_TMP_PREFIX) :].split("-")[0]
        return int(pid) if pid.isdigit() else None
