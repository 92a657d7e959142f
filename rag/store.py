"""The index folder: build, save atomically, load and verify, tell when it is stale.

Layout (every file readable, nothing pickled)::

    index/
      manifest.json          format version, model, settings, sources (sha256 each), file hashes
      data-<hash>/
        documents.jsonl      one article per line: id, metadata, full text
        units.jsonl          one quotable sentence per line; row i is vector i
        passages.jsonl       context chunks from the text splitter
        units.faiss          FAISS inner-product index of the unit vectors
        bm25/                bm25s arrays (.npy) and vocabulary (.json)

A build writes a new `data-*` folder, then swaps `manifest.json` with one atomic rename:
a build killed at any point leaves the previous manifest, and its data, in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from . import chunking, embedding
from .config import Settings
from .documents import Document, SourceFile, list_sources, read_files, sha256_file
from .errors import IndexCorruptError, IndexNotFoundError, IndexWriteError, RagError, SourceError

FORMAT = "rag-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_DATA_NAME = re.compile(r"data-[0-9a-f]{8,64}")
# Files every data folder holds (bm25/ adds a few more); a manifest that omits one is refused.
_REQUIRED_FILES = ("documents.jsonl", "units.jsonl", "passages.jsonl", "units.faiss")
# A load that finds its data folder gone retries this often: a build swapped the manifest meanwhile.
_LOAD_ATTEMPTS = 5


@dataclass(frozen=True)
class BuildReport:
    """What a build did, per source file id."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    embedded_units: int = 0
    seconds: float = 0.0
    # Unchanged files embedded again all the same: `force`, or the model or index settings
    # changed. Without this list a settings change showed "0 added, 0 changed, 0 reused"
    # beside thousands of embedded units.
    reembedded: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for humans."""
        again = f"{len(self.reembedded)} re-embedded, " if self.reembedded else ""
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.reused)} reused, {again}{len(self.skipped)} skipped; "
            f"{self.embedded_units} units embedded in {self.seconds:.1f}s"
        )


@dataclass
class IndexData:
    """Everything an index folder holds, in memory."""

    manifest: dict[str, Any]
    settings: Settings
    documents: dict[str, Document]
    units: list[chunking.Span]
    passages: list[chunking.Span]
    faiss_index: Any
    bm25: Any


# ----------------------------------------------------------------------------- writing


def _jsonl(path: Path, rows: Iterator[dict[str, Any]]) -> None:
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


def _file_hashes(folder: Path) -> dict[str, dict[str, Any]]:
    return {
        p.relative_to(folder).as_posix(): {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# FAISS searches with one OpenMP thread: the engine asks one question at a time, and a
# parallel region over two threads waits for both to be scheduled. One exact search over
# 100k vectors took 6.8 ms on one thread and 15.7 ms on two, 9.9 vs 34.9 ms with the other
# core busy (bench/README.md, section 7). Only the HNSW build, one long parallel region,
# uses every core.
SEARCH_THREADS = 1


def _faiss() -> Any:
    import faiss

    faiss.omp_set_num_threads(SEARCH_THREADS)
    return faiss


def make_faiss(vectors: np.ndarray, settings: Settings) -> Any:
    """Exact inner product for small corpora, HNSW above `settings.approximate_above` units."""
    faiss = _faiss()
    dim = vectors.shape[1]
    index: Any
    if len(vectors) > settings.approximate_above:
        index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.hnsw_ef_construction
        index.hnsw.efSearch = settings.hnsw_ef_search
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            index.add(vectors)
        finally:
            faiss.omp_set_num_threads(SEARCH_THREADS)
    else:
        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
    return index


def _bm25(unit_texts: list[str]) -> Any:
    import bm25s

    from .lexical import terms

    tokens = [terms(t) or [""] for t in unit_texts]
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    return retriever


@contextlib.contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    """One builder at a time per index folder, across threads and processes."""
    with _write_errors(index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCKS.setdefault(str(index_dir.resolve()), threading.Lock()):
        with _write_errors(index_dir):
            lock_file = open(index_dir / ".lock", "w")  # noqa: SIM115 - closed by the `with` below
        with lock_file as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


_THREAD_LOCKS: dict[str, threading.Lock] = {}


@contextlib.contextmanager
def _write_errors(index_path: Path) -> Iterator[None]:
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


def _previous_vectors(index_dir: Path, settings: Settings) -> dict[str, tuple[list[chunking.Span], np.ndarray]]:
    """Units and vectors of each document of the current index, when it can be reused."""
    try:
        old = load(index_dir)
    except (IndexNotFoundError, IndexCorruptError):
        return {}
    if old.settings.index_key() != settings.index_key():
        return {}
    out: dict[str, tuple[list[chunking.Span], np.ndarray]] = {}
    if not old.units:
        return out
    vectors = old.faiss_index.reconstruct_n(0, old.faiss_index.ntotal)
    rows: dict[str, list[int]] = {}
    for i, unit in enumerate(old.units):
        rows.setdefault(unit.doc_id, []).append(i)
    for doc_id, doc in old.documents.items():
        ids = rows.get(doc_id, [])
        out[doc.sha256] = ([old.units[i] for i in ids], vectors[ids])
    return out


def build(sources: str | os.PathLike[str], index_dir: str | os.PathLike[str], settings: Settings, *, force: bool = False) -> BuildReport:
    """Index the articles of `sources` into `index_dir`, reusing vectors of unchanged files."""
    t0 = time.perf_counter()
    index_path = Path(index_dir)
    listed = list_sources(sources)
    with _build_lock(index_path):
        _remove_leftovers(index_path)
        try:
            old_manifest: dict[str, Any] | None = _read_manifest(index_path)
        except (IndexNotFoundError, IndexCorruptError):
            old_manifest = None  # nothing to compare with: everything counts as added
        old_sources: dict[str, Any] = (old_manifest or {}).get("sources", {}) if isinstance(old_manifest, dict) else {}
        reusable = {} if force else _previous_vectors(index_path, settings)

        read = read_files(listed)
        documents, skipped = list(read.documents), read.skipped
        source_rows: dict[str, Any] = {}
        for src in listed:
            # a skipped file is hashed too, so that fixing it makes the index stale
            row: dict[str, Any] = {"size": src.size, "mtime_ns": src.mtime_ns}
            row["sha256"] = read.sha256.get(src.doc_id) or _sha256_cached(src)  # "" when it vanished: stale next time
            if src.doc_id in skipped:
                row["skipped"] = skipped[src.doc_id]
            source_rows[src.doc_id] = row
        if not documents:
            raise SourceError(f"no readable article in {sources!s} (every file was skipped; see warnings)")

        units: list[chunking.Span] = []
        vector_parts: list[np.ndarray] = []
        to_embed: list[chunking.Span] = []
        slots: list[tuple[int, int]] = []  # (part index, number of units) waiting for vectors
        added, changed, reused, reembedded = [], [], [], []
        for doc in documents:
            old = old_sources.get(doc.doc_id)
            if old is None:
                added.append(doc.doc_id)
            elif old.get("sha256") != doc.sha256 or "skipped" in old:
                changed.append(doc.doc_id)
            if doc.sha256 in reusable:
                old_units, vecs = reusable[doc.sha256]
                doc_units = [chunking.Span(doc.doc_id, u.start, u.end, u.text) for u in old_units]
                vector_parts.append(vecs)
                if old is not None and doc.doc_id not in changed:
                    reused.append(doc.doc_id)
            else:
                doc_units = chunking.sentence_units(doc)
                if old is not None and doc.doc_id not in changed:
                    reembedded.append(doc.doc_id)
                slots.append((len(vector_parts), len(doc_units)))
                vector_parts.append(np.zeros((0, 0), dtype=np.float32))
                to_embed.extend(doc_units)
            units.extend(doc_units)
        removed = sorted(set(old_sources) - set(source_rows) - set(skipped))
        removed = [d for d in removed if "skipped" not in old_sources[d]]

        fresh = embedding.encode(settings.model_name, [u.text for u in to_embed], settings.batch_size)
        dim = embedding.dimension(settings.model_name)
        offset = 0
        for part, count in slots:
            vector_parts[part] = fresh[offset : offset + count]
            offset += count
        vectors = np.concatenate([v.reshape(-1, dim) for v in vector_parts]) if vector_parts else np.zeros((0, dim), np.float32)
        passages = [p for doc in documents for p in chunking.passages(doc, settings.chunk_size, settings.chunk_overlap)]

        with _write_errors(index_path):
            _write(index_path, settings, documents, units, passages, vectors, source_rows)
        _remove_leftovers(index_path)
        return BuildReport(
            added=tuple(added),
            changed=tuple(changed),
            removed=tuple(removed),
            reused=tuple(reused),
            skipped=skipped,
            reembedded=tuple(reembedded),
            embedded_units=len(to_embed),
            seconds=time.perf_counter() - t0,
        )


def _write(
    index_path: Path,
    settings: Settings,
    documents: list[Document],
    units: list[chunking.Span],
    passages: list[chunking.Span],
    vectors: np.ndarray,
    source_rows: dict[str, Any],
) -> None:
    import faiss

    tmp = index_path / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _jsonl(
            tmp / "documents.jsonl",
            (
                {"doc_id": d.doc_id, "sha256": d.sha256, "date": d.date, "title": d.title, "source": d.source,
                 "url": d.url, "body_start": d.body_start, "text": d.text}
                for d in documents
            ),
        )
        _jsonl(tmp / "units.jsonl", ({"doc_id": u.doc_id, "start": u.start, "end": u.end, "text": u.text} for u in units))
        _jsonl(tmp / "passages.jsonl", ({"doc_id": p.doc_id, "start": p.start, "end": p.end, "text": p.text} for p in passages))
        index = make_faiss(vectors, settings)
        faiss.write_index(index, str(tmp / "units.faiss"))
        _bm25([u.text for u in units]).save(str(tmp / "bm25"), show_progress=False)
        files = _file_hashes(tmp)
        _fsync_tree(tmp)
        digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        data_name = f"data-{digest}"
        final = index_path / data_name
        if final.exists() and _file_hashes(final) == files:  # identical content already on disk
            shutil.rmtree(tmp)
        else:
            if final.exists():  # same name, damaged content (the build that repairs it): set it aside
                os.rename(final, index_path / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}-damaged")
            os.rename(tmp, final)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "model": {"name": settings.model_name, "dimension": int(vectors.shape[1])},
            "settings": settings.to_dict(),
            "faiss": {"type": type(index).__name__, "vectors": int(index.ntotal)},
            "counts": {"documents": len(documents), "units": len(units), "passages": len(passages)},
            "data": data_name,
            "files": files,
            "sources": source_rows,
        }
        tmp_manifest = index_path / f".{MANIFEST}.{uuid.uuid4().hex[:8]}"
        tmp_manifest.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        with tmp_manifest.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_manifest, index_path / MANIFEST)
        _fsync_dir(index_path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _remove_leftovers(index_path: Path) -> None:
    """Drop data folders the manifest no longer names and temp files of dead builds."""
    try:
        current = json.loads((index_path / MANIFEST).read_text(encoding="utf-8")).get("data")
    except (OSError, ValueError, AttributeError):
        current = None
    for path in index_path.glob("*"):
        name = path.name
        if name.startswith("data-") and current is not None and name != current:
            shutil.rmtree(path, ignore_errors=True)
        elif name.startswith((".tmp-", f".{MANIFEST}.")):
            pid = name.split("-")[1] if name.startswith(".tmp-") else ""
            if not (pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid()):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ----------------------------------------------------------------------------- reading


def _rebuild_hint(index_path: Path) -> str:
    return f"rebuild it with `rag build --index {index_path} --force`"


def _read_manifest(index_path: Path) -> dict[str, Any]:
    path = index_path / MANIFEST
    if not path.exists():
        raise IndexNotFoundError(
            f"no index at {index_path} (manifest.json missing); build one with `rag build --index {index_path}`"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"index manifest {path} is unreadable ({exc}); {_rebuild_hint(index_path)}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexCorruptError(f"{path} is not a rag index manifest; {_rebuild_hint(index_path)}")
    version = manifest.get("format_version")
    if type(version) is not int or version > FORMAT_VERSION:  # bool is an int, not a version
        raise IndexCorruptError(
            f"index at {index_path} has format version {version!r}, newer than this library reads "
            f"({FORMAT_VERSION}); upgrade the library or {_rebuild_hint(index_path)}"
        )
    if version < FORMAT_VERSION:
        raise IndexCorruptError(f"index at {index_path} has old format version {version}; {_rebuild_hint(index_path)}")
    data, files = manifest.get("data"), manifest.get("files")
    if not isinstance(data, str) or not _DATA_NAME.fullmatch(data) or not isinstance(files, dict):
        raise IndexCorruptError(f"{path} does not name a data folder of its own; {_rebuild_hint(index_path)}")
    for rel in files:
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel:
            raise IndexCorruptError(f"{path} lists a file outside its data folder ({rel!r}); {_rebuild_hint(index_path)}")
    missing = [name for name in _REQUIRED_FILES if name not in files]
    if missing or not any(rel.startswith("bm25/") for rel in files):
        raise IndexCorruptError(f"{path} does not list {missing or 'bm25/'}; {_rebuild_hint(index_path)}")
    return manifest


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def load(index_dir: str | os.PathLike[str]) -> IndexData:
    """Read and verify an index folder.

    Raises `IndexNotFoundError` when there is none, `IndexCorruptError` when any file is
    missing, altered or inconsistent (every file's sha256 is checked against the manifest).
    """
    index_path = Path(index_dir)
    for attempt in range(_LOAD_ATTEMPTS):
        manifest = _read_manifest(index_path)
        try:
            return _load_checked(index_path, manifest)
        except Exception as exc:  # any parse or consistency failure means: do not trust it
            # A build that finished while this load read the previous data folder swapped the
            # manifest and deleted that folder: the index is sound, read the new one.
            if attempt + 1 < _LOAD_ATTEMPTS and _manifest_moved(index_path, manifest):
                continue
            if isinstance(exc, IndexCorruptError):
                raise
            raise IndexCorruptError(f"index at {index_path} is damaged ({type(exc).__name__}: {exc}); {_rebuild_hint(index_path)}") from exc
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _manifest_moved(index_path: Path, manifest: dict[str, Any]) -> bool:
    """True when manifest.json now names another data folder than `manifest` does."""
    try:
        return bool(_read_manifest(index_path)["data"] != manifest["data"])
    except (IndexNotFoundError, IndexCorruptError):
        return False


def _load_checked(index_path: Path, manifest: dict[str, Any]) -> IndexData:
    import bm25s

    faiss = _faiss()

    data = index_path / str(manifest["data"])
    if "/" in str(manifest["data"]) or not data.is_dir():
        raise IndexCorruptError(f"index data folder {data} is missing; {_rebuild_hint(index_path)}")
    for rel, expected in manifest["files"].items():
        path = data / rel
        if not path.is_file() or path.stat().st_size != expected["bytes"] or sha256_file(path) != expected["sha256"]:
            raise IndexCorruptError(f"index file {path} is missing or altered; {_rebuild_hint(index_path)}")
    settings = Settings.from_dict(manifest["settings"])
    documents = {}
    for row in _read_jsonl(data / "documents.jsonl"):
        documents[row["doc_id"]] = Document(**row)
    units = [chunking.Span(**row) for row in _read_jsonl(data / "units.jsonl")]
    passages = [chunking.Span(**row) for row in _read_jsonl(data / "passages.jsonl")]
    for span in (*units, *passages):
        if documents[span.doc_id].text[span.start : span.end] != span.text:
            raise IndexCorruptError(f"offsets of {span.doc_id} do not match its text; {_rebuild_hint(index_path)}")
    faiss_index = faiss.read_index(str(data / "units.faiss"))
    if faiss_index.ntotal != len(units) or faiss_index.d != manifest["model"]["dimension"]:
        raise IndexCorruptError(f"vector count does not match the units; {_rebuild_hint(index_path)}")
    if hasattr(faiss_index, "hnsw"):
        faiss_index.hnsw.efSearch = settings.hnsw_ef_search
    bm25 = bm25s.BM25.load(str(data / "bm25"), show_progress=False, verbosity=0)
    return IndexData(manifest, settings, documents, units, passages, faiss_index, bm25)


# ----------------------------------------------------------------------------- staleness

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
    names = {s.doc_id for s in listed}
    if names != set(known):
        added = sorted(names - set(known))
        gone = sorted(set(known) - names)
        return f"source files added {added} or removed {gone}" if added or gone else "sources changed"
    for src in listed:
        if _sha256_cached(src) != known[src.doc_id].get("sha256"):
            return f"{src.doc_id} changed"
    return None


def _sha256_cached(src: SourceFile) -> str:
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
