"""Write an index folder atomically: a new data folder, then one rename of the manifest.

A build killed at any point leaves the previous manifest, and the data it names, in place;
the next build removes what the dead one left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..chunking import Span
from ..config import Settings
from ..documents import Document, sha256_file
from ..errors import IndexWriteError, RagError
from . import search
from .layout import BM25, DOCUMENTS, FORMAT, FORMAT_VERSION, PASSAGES, UNITS, VECTORS, IndexLayout


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

    layout = IndexLayout(index_path)
    with write_errors(index_path):
        index_path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(layout.lock)
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


def write(
    index_path: Path,
    settings: Settings,
    documents: list[Document],
    units: list[Span],
    passages: list[Span],
    vectors: np.ndarray,
    source_rows: dict[str, Any],
) -> None:
    """Write a whole index into `index_path`, replacing the current one atomically."""
    layout = IndexLayout(index_path)
    tmp = layout.new_tmp_dir()
    tmp.mkdir()
    try:
        _jsonl(
            tmp / DOCUMENTS,
            (
                {
                    "doc_id": d.doc_id,
                    "sha256": d.sha256,
                    "date": d.date,
                    "title": d.title,
                    "source": d.source,
                    "url": d.url,
                    "body_start": d.body_start,
                    "text": d.text,
                }
                for d in documents
            ),
        )
        _jsonl(tmp / UNITS, ({"doc_id": u.doc_id, "start": u.start, "end": u.end, "text": u.text} for u in units))
        _jsonl(tmp / PASSAGES, ({"doc_id": p.doc_id, "start": p.start, "end": p.end, "text": p.text} for p in passages))
        faiss_index = search.make_faiss(vectors, settings)
        search.write_faiss(faiss_index, tmp / VECTORS)
        search.make_bm25([u.text for u in units]).save(str(tmp / BM25), show_progress=False)
        files = file_hashes(tmp)
        _fsync_tree(tmp)
        digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        data_name = f"data-{digest}"
        final = layout.data(data_name)
        if final.exists() and file_hashes(final) == files:  # identical content already on disk
            shutil.rmtree(tmp)
        else:
            if final.exists():  # same name, damaged content (the build that repairs it): set it aside
                os.rename(final, layout.new_tmp_dir("-damaged"))
            os.rename(tmp, final)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "model": {"name": settings.model_name, "dimension": int(vectors.shape[1])},
            "settings": settings.to_dict(),
            "faiss": {"type": type(faiss_index).__name__, "vectors": int(faiss_index.ntotal)},
            "counts": {"documents": len(documents), "units": len(units), "passages": len(passages)},
            "data": data_name,
            "files": files,
            "sources": source_rows,
        }
        tmp_manifest = layout.new_tmp_manifest()
        tmp_manifest.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        with tmp_manifest.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_manifest, layout.manifest)
        _fsync_dir(index_path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def remove_leftovers(index_path: Path) -> None:
    """Drop data folders the manifest no longer names and temporary files of dead builds."""
    layout = IndexLayout(index_path)
    try:
        current = json.loads(layout.manifest.read_text(encoding="utf-8")).get("data")
    except (OSError, ValueError, AttributeError):
        current = None
    for path in index_path.glob("*"):
        name = path.name
        if name.startswith("data-") and current is not None and name != current:
            shutil.rmtree(path, ignore_errors=True)
        elif layout.is_temporary(name):
            pid = layout.builder_pid(name)
            if pid is not None and pid != os.getpid() and _alive(pid):
                continue  # another process is building right now
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
