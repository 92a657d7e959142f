"""Read an index folder and verify it: every file's sha256, the format version, the offsets."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..chunking import Span
from ..config import Settings
from ..documents import Document, sha256_file
from ..errors import IndexCorruptError, IndexNotFoundError
from . import search
from .layout import (
    BM25,
    DOCUMENTS,
    FORMAT,
    FORMAT_VERSION,
    PASSAGES,
    REQUIRED_FILES,
    UNITS,
    VECTORS,
    IndexLayout,
    is_data_name,
)

# A load that finds its data folder gone retries this often: a build swapped the manifest meanwhile.
_LOAD_ATTEMPTS = 5


@dataclass
class IndexData:
    """Everything an index folder holds, in memory."""

    manifest: dict[str, Any]
    settings: Settings
    documents: dict[str, Document]
    units: list[Span]
    passages: list[Span]
    faiss_index: Any
    bm25: Any


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
    data, files = manifest.get("data"), manifest.get("files")
    if not isinstance(data, str) or not is_data_name(data) or not isinstance(files, dict):
        raise IndexCorruptError(f"{path} does not name a data folder of its own; {rebuild_hint(index_path)}")
    for rel in files:
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel:
            raise IndexCorruptError(
                f"{path} lists a file outside its data folder ({rel!r}); {rebuild_hint(index_path)}"
            )
    missing = [name for name in REQUIRED_FILES if name not in files]
    if missing or not any(rel.startswith(f"{BM25}/") for rel in files):
        raise IndexCorruptError(f"{path} does not list {missing or BM25 + '/'}; {rebuild_hint(index_path)}")
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
            # A build that finished while this load read the previous data folder swapped the
            # manifest and deleted that folder: the index is sound, read the new one.
            if attempt + 1 < _LOAD_ATTEMPTS and _manifest_moved(index_path, manifest):
                continue
            if isinstance(exc, IndexCorruptError):
                raise
            raise IndexCorruptError(
                f"index at {index_path} is damaged ({type(exc).__name__}: {exc}); {rebuild_hint(index_path)}"
            ) from exc
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _manifest_moved(index_path: Path, manifest: dict[str, Any]) -> bool:
    """True when manifest.json now names another data folder than `manifest` does."""
    try:
        return bool(read_manifest(index_path)["data"] != manifest["data"])
    except (IndexNotFoundError, IndexCorruptError):
        return False


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _load_checked(index_path: Path, manifest: dict[str, Any]) -> IndexData:
    data = IndexLayout(index_path).data(str(manifest["data"]))
    if not data.is_dir():
        raise IndexCorruptError(f"index data folder {data} is missing; {rebuild_hint(index_path)}")
    for rel, expected in manifest["files"].items():
        path = data / rel
        if not path.is_file() or path.stat().st_size != expected["bytes"] or sha256_file(path) != expected["sha256"]:
            raise IndexCorruptError(f"index file {path} is missing or altered; {rebuild_hint(index_path)}")
    settings = Settings.from_dict(manifest["settings"])
    documents = {row["doc_id"]: Document(**row) for row in _read_jsonl(data / DOCUMENTS)}
    units = [Span(**row) for row in _read_jsonl(data / UNITS)]
    passages = [Span(**row) for row in _read_jsonl(data / PASSAGES)]
    for span in (*units, *passages):
        if documents[span.doc_id].text[span.start : span.end] != span.text:
            raise IndexCorruptError(f"offsets of {span.doc_id} do not match its text; {rebuild_hint(index_path)}")
    faiss_index = search.read_faiss(data / VECTORS, settings)
    if faiss_index.ntotal != len(units) or faiss_index.d != manifest["model"]["dimension"]:
        raise IndexCorruptError(f"vector count does not match the units; {rebuild_hint(index_path)}")
    bm25 = search.read_bm25(data / BM25)
    return IndexData(manifest, settings, documents, units, passages, faiss_index, bm25)
