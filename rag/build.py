"""Build an index: sources -> an update plan -> units -> vectors -> `store.write`.

Only articles whose bytes changed are embedded again; the plan that says so is a pure
function of what the folder holds now and what the previous index recorded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import chunking, embedding, store
from .chunking import Span
from .config import Settings
from .documents import Document, list_sources, read_files
from .errors import IndexCorruptError, IndexNotFoundError, SourceError
from .store.freshness import sha256_cached


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


@dataclass(frozen=True)
class UpdatePlan:
    """How each document of a build relates to the previous index, and which must be embedded."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    reused: tuple[str, ...]
    reembedded: tuple[str, ...]
    # ids of the documents whose units are embedded anew (the others reuse stored vectors)
    to_embed: frozenset[str]


def plan_update(
    documents: Sequence[Document],
    skipped: Collection[str],
    old_sources: Mapping[str, Mapping[str, Any]],
    reusable: Collection[str],
) -> UpdatePlan:
    """Compare the readable `documents` (and `skipped` file ids) with the previous index.

    `old_sources` is the previous manifest's `sources` (id -> sha256, and "skipped" when it
    was skipped then); `reusable` holds the sha256 of every document whose stored vectors
    can be reused (empty when forced or when the model or index settings changed).
    """
    added, changed, reused, reembedded, to_embed = [], [], [], [], set()
    for doc in documents:
        old = old_sources.get(doc.doc_id)
        if old is None:
            added.append(doc.doc_id)
        elif old.get("sha256") != doc.sha256 or "skipped" in old:
            changed.append(doc.doc_id)
        unchanged = old is not None and doc.doc_id not in changed
        if doc.sha256 in reusable:
            if unchanged:
                reused.append(doc.doc_id)
        else:
            to_embed.add(doc.doc_id)
            if unchanged:
                reembedded.append(doc.doc_id)
    present = {d.doc_id for d in documents} | set(skipped)
    removed = sorted(d for d, row in old_sources.items() if d not in present and "skipped" not in row)
    return UpdatePlan(
        tuple(added), tuple(changed), tuple(removed), tuple(reused), tuple(reembedded), frozenset(to_embed)
    )


def build(
    sources: str | os.PathLike[str], index_dir: str | os.PathLike[str], settings: Settings, *, force: bool = False
) -> BuildReport:
    """Index the articles of `sources` into `index_dir`, reusing vectors of unchanged files."""
    t0 = time.perf_counter()
    index_path = Path(index_dir)
    listed = list_sources(sources)
    with store.build_lock(index_path):
        store.remove_leftovers(index_path)
        try:
            old_sources: dict[str, Any] = store.read_manifest(index_path).get("sources", {})
        except (IndexNotFoundError, IndexCorruptError):
            old_sources = {}  # nothing to compare with: everything counts as added
        previous = {} if force else _previous_vectors(index_path, settings)

        read = read_files(listed)
        documents, skipped = list(read.documents), read.skipped
        source_rows: dict[str, Any] = {}
        for src in listed:
            # a skipped file is hashed too, so that fixing it makes the index stale
            row: dict[str, Any] = {"size": src.size, "mtime_ns": src.mtime_ns}
            row["sha256"] = read.sha256.get(src.doc_id) or sha256_cached(src)  # "" when it vanished
            if src.doc_id in skipped:
                row["skipped"] = skipped[src.doc_id]
            source_rows[src.doc_id] = row
        if not documents:
            raise SourceError(f"no readable article in {sources!s} (every file was skipped; see warnings)")

        plan = plan_update(documents, skipped, old_sources, previous.keys())
        units, vectors, embedded = _units_and_vectors(documents, plan, previous, settings)
        passages = [p for doc in documents for p in chunking.passages(doc, settings.chunk_size, settings.chunk_overlap)]
        with store.write_errors(index_path):
            store.write(index_path, settings, documents, units, passages, vectors, source_rows)
        store.remove_leftovers(index_path)
        return BuildReport(
            added=plan.added,
            changed=plan.changed,
            removed=plan.removed,
            reused=plan.reused,
            skipped=skipped,
            reembedded=plan.reembedded,
            embedded_units=embedded,
            seconds=time.perf_counter() - t0,
        )


def _units_and_vectors(
    documents: Sequence[Document],
    plan: UpdatePlan,
    previous: Mapping[str, tuple[list[Span], np.ndarray]],
    settings: Settings,
) -> tuple[list[Span], np.ndarray, int]:
    """Every document's units in order with their vectors (reused or embedded now), and how many were embedded."""
    per_doc: list[list[Span]] = []
    for doc in documents:
        if doc.doc_id in plan.to_embed:
            per_doc.append(chunking.sentence_units(doc))
        else:
            per_doc.append([Span(doc.doc_id, u.start, u.end, u.text) for u in previous[doc.sha256][0]])
    to_embed = [u for doc, doc_units in zip(documents, per_doc) if doc.doc_id in plan.to_embed for u in doc_units]
    fresh = embedding.encode(settings.model_name, [u.text for u in to_embed], settings.batch_size)
    dim = embedding.dimension(settings.model_name)
    parts, offset = [], 0
    for doc, doc_units in zip(documents, per_doc):
        if doc.doc_id in plan.to_embed:
            parts.append(fresh[offset : offset + len(doc_units)])
            offset += len(doc_units)
        else:
            parts.append(previous[doc.sha256][1])
    vectors = np.concatenate([v.reshape(-1, dim) for v in parts]) if parts else np.zeros((0, dim), np.float32)
    units = [u for doc_units in per_doc for u in doc_units]
    return units, vectors, len(to_embed)


def _previous_vectors(index_path: Path, settings: Settings) -> dict[str, tuple[list[Span], np.ndarray]]:
    """Units and vectors of each document of the current index, by the document's sha256, when reusable."""
    try:
        old = store.load(index_path)
    except (IndexNotFoundError, IndexCorruptError):
        return {}
    if old.settings.index_key() != settings.index_key() or not old.units:
        return {}
    vectors = old.faiss_index.reconstruct_n(0, old.faiss_index.ntotal)
    rows: dict[str, list[int]] = {}
    for i, unit in enumerate(old.units):
        rows.setdefault(unit.doc_id, []).append(i)
    out: dict[str, tuple[list[Span], np.ndarray]] = {}
    for doc_id, doc in old.documents.items():
        ids = rows.get(doc_id, [])
        out[doc.sha256] = ([old.units[i] for i in ids], vectors[ids])
    return out
