"""Write an index folder atomically: new segment folders first, then one rename of the manifest.

A build killed at any point leaves the previous manifest, and the segments it names, in
place; the next build removes what the dead one left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..bm25 import Postings
from ..config import Settings
from ..documents import Document, sha256_file
from ..durable import fsync_dir
from ..errors import IndexWriteError, RagError
from . import search
from .layout import DOCUMENTS, EVENTS, PASSAGES, SEGMENT_PREFIX, TERMS, UNITS, VECTORS, IndexLayout


@dataclass(frozen=True)
class SegmentContent:
    """What one segment holds, in memory, ready to be written."""

    documents: Sequence[Document]
    units: np.ndarray  # int32 (units, 3): document row (in `documents`), start, end
    passages: np.ndarray  # int32 (passages, 3): the same for context chunks
    events: np.ndarray  # int32 (events, 5): unit, first day, last day, start, end
    vectors: np.ndarray  # float32 (units, dimension), unit length
    postings: Postings


@contextlib.contextmanager
def write_errors(index_path: Path) -> Iterator[None]:
    """Turn an OS error while writing the index (disk full, read-only) into one clear `IndexWriteError`."""
    try:
        yield
    except RagError:
        raise
    except OSError as exc:
        raise IndexWriteError(
            f"cannot write the index in {index_path} ({exc}); the previous index, if any, is unchanged: "
            "free some space or pass a writable --index folder"
        ) from exc


@contextlib.contextmanager
def build_lock(index_path: Path) -> Iterator[None]:
    """One builder at a time per index folder, across threads and processes."""
    from filelock import FileLock

    with write_errors(index_path):
        index_path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(IndexLayout(index_path).lock)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def file_hashes(folder: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file under `folder`, by path relative to it."""
    return {
        p.relative_to(folder).as_posix(): {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_segment(index_path: Path, content: SegmentContent, settings: Settings) -> dict[str, Any]:
    """Write one segment folder (named after its content) and return its manifest entry."""
    layout = IndexLayout(index_path)
    tmp = layout.new_tmp_dir()
    tmp.mkdir()
    try:
        with (tmp / DOCUMENTS).open("w", encoding="utf-8") as fh:
            for d in content.documents:
                fh.write(json.dumps(document_row(d), ensure_ascii=False) + "\n")
        for name, array in ((UNITS, content.units), (PASSAGES, content.passages), (EVENTS, content.events)):
            np.save(tmp / name, np.ascontiguousarray(array, dtype=np.int32), allow_pickle=False)
        faiss_index = search.make_faiss(content.vectors, settings)
        search.write_faiss(faiss_index, tmp / VECTORS)
        content.postings.save(tmp / TERMS)
        files = file_hashes(tmp)
        _fsync_tree(tmp)
        name = SEGMENT_PREFIX + hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        final = layout.segment(name)
        if final.exists() and file_hashes(final) == files:  # identical content already on disk
            shutil.rmtree(tmp)
        else:
            if final.exists():  # same name, damaged content (the build that repairs it): set it aside
                os.rename(final, layout.new_tmp_dir("-damaged"))
            os.rename(tmp, final)
        fsync_dir(index_path)
        counts = {"documents": len(content.documents), "units": len(content.units), "passages": len(content.passages)}
        return {
            "name": name,
            "faiss": type(faiss_index).__name__,
            "dimension": int(content.vectors.shape[1]),
            "counts": counts,
            "files": files,
        }
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def document_row(doc: Document) -> dict[str, Any]:
    """A document as one JSON object of documents.jsonl (every field of `Document`)."""
    return {name: getattr(doc, name) for name in Document.__dataclass_fields__}


def write_manifest(index_path: Path, manifest: dict[str, Any]) -> None:
    """Replace the manifest of `index_path` atomically (temp file, fsync, rename, fsync of the folder)."""
    layout = IndexLayout(index_path)
    tmp_manifest = layout.new_tmp_manifest()
    tmp_manifest.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with tmp_manifest.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp_manifest, layout.manifest)
    fsync_dir(index_path)


def remove_leftovers(index_path: Path) -> None:
    """Drop segments the manifest no longer names and temporary files of dead builds."""
    layout = IndexLayout(index_path)
    try:
        manifest = json.loads(layout.manifest.read_text(encoding="utf-8"))
        current = {s["name"] for s in manifest["segments"]}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        current = None  # no readable manifest: keep every segment, it may be repaired from them
    for path in index_path.glob("*"):
        name = path.name
        if (name.startswith((SEGMENT_PREFIX, "data-")) and current is not None and name not in current) or (
            layout.is_temporary(name) and not _building(layout.builder_pid(name))
        ):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _building(pid: int | None) -> bool:
    """True when `pid` is another live process (whose temporary files must be left alone)."""
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(folder)
