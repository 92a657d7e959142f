"""Read an index folder and verify it: every file's sha256, the format version, the offsets."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ..bm25 import BM25, Postings
from ..config import Settings
from ..documents import Document, sha256_file
from ..errors import IndexCorruptError, IndexNotFoundError
from ..units import SpanTable
from . import search
from .articles import ArticleFile, Articles, LiveArticles
from .layout import (
    DOCUMENTS,
    EVENTS,
    FORMAT,
    FORMAT_VERSION,
    PASSAGES,
    REQUIRED_FILES,
    TERMS,
    UNITS,
    VECTORS,
    IndexLayout,
    is_segment_name,
)

# A load that finds a segment gone retries this often: a build swapped the manifest meanwhile.
_LOAD_ATTEMPTS = 5
# The article date of an undated article in `IndexData.doc_day`.
NO_DAY = -1


@dataclass(frozen=True)
class Segment:
    """One segment in memory: where its units start among all units, and its vector index."""

    name: str
    start: int  # global id of its first unit
    size: int  # its number of units
    first_document: int  # global row of its first document
    documents: int  # its number of documents
    faiss_index: Any


@dataclass(frozen=True)
class IndexData:
    """Everything an index folder holds, in memory, over all its segments.

    Unit, passage and document rows are global: segment after segment, in manifest order.
    Documents removed since their segment was written stay in `documents` (their rows keep
    numbering stable) but are masked: `doc_live` is False and `doc_rows` does not name them.
    """

    manifest: dict[str, Any]
    settings: Settings
    documents: Articles  # by row; each text read from its segment's documents.jsonl when asked for
    doc_rows: dict[str, int]  # live document id -> row
    doc_live: np.ndarray  # bool per document row
    doc_day: np.ndarray  # int32 per document row: its date as a proleptic ordinal, NO_DAY when undated
    units: SpanTable
    unit_live: np.ndarray  # bool per unit: its document is live
    passages: SpanTable  # sorted by document row
    doc_passages: np.ndarray  # int64 (documents + 1,): passages of row r are [doc_passages[r], doc_passages[r + 1])
    event_offsets: np.ndarray  # int64 (units + 1,): events of unit u are rows [event_offsets[u], event_offsets[u + 1])
    events: np.ndarray  # int32 (events, 4): first day, last day, start, end (document offsets)
    segments: tuple[Segment, ...]
    bm25: BM25

    def live_documents(self) -> list[Document]:
        """The documents that answers may quote, by id (every one read: see `live_articles` for a lazy view)."""
        return [self.documents[r] for _, r in sorted(self.doc_rows.items())]

    def live_articles(self) -> LiveArticles:
        """The documents that answers may quote, by id, each read from disk when asked for (the recent kept)."""
        return LiveArticles(self.documents, self.doc_rows)


def rebuild_hint(index_path: Path) -> str:
    """The command that rebuilds the index at `index_path`."""
    return f"rebuild it with `rag build --index {index_path} --force`"


def read_manifest(index_path: Path) -> dict[str, Any]:
    """The manifest of `index_path`, checked to be ours, of this format version, and naming only its own files."""
    path = IndexLayout(index_path).manifest
    if not path.exists():
        raise IndexNotFoundError(
            f"no index at {index_path} (manifest.json missing); build one with `rag build --index {index_path}`"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"index manifest {path} is unreadable ({exc}); {rebuild_hint(index_path)}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexCorruptError(f"{path} is not a rag index manifest; {rebuild_hint(index_path)}")
    version = manifest.get("format_version")
    if type(version) is not int or version > FORMAT_VERSION:  # bool is an int, not a version
        raise IndexCorruptError(
            f"index at {index_path} has format version {version!r}, newer than this library reads "
            f"({FORMAT_VERSION}); upgrade the library or {rebuild_hint(index_path)}"
        )
    if version < FORMAT_VERSION:
        raise IndexCorruptError(f"index at {index_path} has old format version {version}; {rebuild_hint(index_path)}")
    segments, removed = manifest.get("segments"), manifest.get("removed", {})
    if not isinstance(segments, list) or not segments or not isinstance(removed, dict):
        raise IndexCorruptError(f"{path} does not list its segments; {rebuild_hint(index_path)}")
    names = set()
    for seg in segments:
        name = seg.get("name") if isinstance(seg, dict) else None
        files = seg.get("files") if isinstance(seg, dict) else None
        if not isinstance(name, str) or not is_segment_name(name) or name in names or not isinstance(files, dict):
            raise IndexCorruptError(f"{path} does not name segments of its own; {rebuild_hint(index_path)}")
        names.add(name)
        for rel in files:
            parts = PurePosixPath(rel).parts
            if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel:
                raise IndexCorruptError(
                    f"{path} lists a file outside its segment ({rel!r}); {rebuild_hint(index_path)}"
                )
        missing = [f for f in REQUIRED_FILES if f not in files]
        if missing:
            raise IndexCorruptError(f"{path} does not list {missing} of {name}; {rebuild_hint(index_path)}")
    if not set(removed) <= names or not all(isinstance(v, list) for v in removed.values()):
        raise IndexCorruptError(f"{path} masks articles of unknown segments; {rebuild_hint(index_path)}")
    return manifest


def load(index_dir: str | os.PathLike[str]) -> IndexData:
    """Read and verify an index folder.

    Raises `IndexNotFoundError` when there is none, `IndexCorruptError` when any file is
    missing, altered or inconsistent (every file's sha256 is checked against the manifest).
    """
    index_path = Path(index_dir)
    for attempt in range(_LOAD_ATTEMPTS):
        manifest = read_manifest(index_path)
        try:
            return _load_checked(index_path, manifest)
        except Exception as exc:  # any parse or consistency failure means: do not trust it
            # A build that finished while this load read the previous segments swapped the
            # manifest and deleted them: the index is sound, read the new one.
            if attempt + 1 < _LOAD_ATTEMPTS and _manifest_moved(index_path, manifest):
                continue
            if isinstance(exc, IndexCorruptError):
                raise
            raise IndexCorruptError(
                f"index at {index_path} is damaged ({type(exc).__name__}: {exc}); {rebuild_hint(index_path)}"
            ) from exc
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _manifest_moved(index_path: Path, manifest: dict[str, Any]) -> bool:
    """True when manifest.json now names other segments than `manifest` does."""
    try:
        return bool(read_manifest(index_path)["segments"] != manifest["segments"])
    except (IndexNotFoundError, IndexCorruptError):
        return False


def _verified(index_path: Path, seg: dict[str, Any]) -> Path:
    folder = IndexLayout(index_path).segment(seg["name"])
    if not folder.is_dir():
        raise IndexCorruptError(f"index segment {folder} is missing; {rebuild_hint(index_path)}")
    for rel, expected in seg["files"].items():
        path = folder / rel
        if not path.is_file() or path.stat().st_size != expected["bytes"] or sha256_file(path) != expected["sha256"]:
            raise IndexCorruptError(f"index file {path} is missing or altered; {rebuild_hint(index_path)}")
    return folder


def _int_table(path: Path, columns: int) -> np.ndarray:
    array = np.load(path, allow_pickle=False)
    if array.dtype != np.int32 or array.ndim != 2 or array.shape[1] != columns:
        raise IndexCorruptError(f"{path} is not an int32 table of {columns} columns")
    return array


def _day(value: str | None) -> int:
    return dt.date.fromisoformat(value).toordinal() if value else NO_DAY


def _load_checked(index_path: Path, manifest: dict[str, Any]) -> IndexData:
    settings = Settings.from_dict(manifest["settings"])
    dimension = manifest["model"]["dimension"]
    files: list[ArticleFile] = []
    doc_live: list[bool] = []
    units, passages, events, event_units, segments, postings = [], [], [], [], [], []
    n_units = 0
    for seg in manifest["segments"]:
        folder = _verified(index_path, seg)
        removed = set(manifest.get("removed", {}).get(seg["name"], ()))
        first_row = sum(len(f) for f in files)
        seg_docs = ArticleFile(folder / DOCUMENTS)
        seg_units, seg_passages = _int_table(folder / UNITS, 3), _int_table(folder / PASSAGES, 3)
        seg_events = _int_table(folder / EVENTS, 5)
        lengths = seg_docs.lengths
        for table in (seg_units, seg_passages):
            rows, starts, ends = table[:, 0], table[:, 1], table[:, 2]
            if len(table) and (rows.min() < 0 or rows.max() >= len(seg_docs)):
                raise IndexCorruptError(f"spans of {folder} name unknown documents; {rebuild_hint(index_path)}")
            if len(table) and ((starts < 0) | (starts >= ends) | (ends > lengths[rows])).any():
                raise IndexCorruptError(f"offsets of {folder} do not fit their texts; {rebuild_hint(index_path)}")
        if len(seg_events) and (seg_events[:, 0].min() < 0 or seg_events[:, 0].max() >= len(seg_units)):
            raise IndexCorruptError(f"events of {folder} name unknown units; {rebuild_hint(index_path)}")
        faiss_index = search.read_faiss(folder / VECTORS, settings)
        terms = Postings.load(folder / TERMS)
        if faiss_index.ntotal != len(seg_units) or faiss_index.d != dimension or len(terms.lengths) != len(seg_units):
            raise IndexCorruptError(
                f"vector or term count of {folder} does not match its units; {rebuild_hint(index_path)}"
            )
        files.append(seg_docs)
        doc_live.extend(doc_id not in removed for doc_id in seg_docs.ids)
        units.append(seg_units + np.array([first_row, 0, 0], dtype=np.int32))
        passages.append(seg_passages + np.array([first_row, 0, 0], dtype=np.int32))
        event_units.append(seg_events[:, 0].astype(np.int64) + n_units)
        events.append(seg_events[:, 1:])
        segments.append(Segment(seg["name"], n_units, len(seg_units), first_row, len(seg_docs), faiss_index))
        postings.append(terms)
        n_units += len(seg_units)
    documents = Articles(files)
    live = np.array(doc_live, dtype=bool)
    doc_rows = {doc_id: r for r, doc_id in enumerate(documents.ids) if live[r]}
    if len(doc_rows) != int(live.sum()):
        raise IndexCorruptError(f"an article is live in two segments of {index_path}; {rebuild_hint(index_path)}")
    unit_table = np.concatenate(units)
    passage_table = np.concatenate(passages)
    unit_live = live[unit_table[:, 0]]
    order = np.argsort(passage_table[:, 0], kind="stable")
    passage_table = passage_table[order]
    all_event_units = np.concatenate(event_units)
    event_order = np.argsort(all_event_units, kind="stable")
    docs = documents
    return IndexData(
        manifest=manifest,
        settings=settings,
        documents=docs,
        doc_rows=doc_rows,
        doc_live=live,
        doc_day=np.array([_day(d) for d in documents.dates], dtype=np.int32),
        units=SpanTable(docs, unit_table[:, 0], unit_table[:, 1], unit_table[:, 2]),
        unit_live=unit_live,
        passages=SpanTable(docs, passage_table[:, 0], passage_table[:, 1], passage_table[:, 2]),
        doc_passages=np.searchsorted(passage_table[:, 0], np.arange(len(documents) + 1)).astype(np.int64),
        event_offsets=np.searchsorted(all_event_units[event_order], np.arange(n_units + 1)).astype(np.int64),
        events=np.concatenate(events)[event_order],
        segments=tuple(segments),
        bm25=BM25(postings, [s.start for s in segments], unit_live),
    )
