"""The vector search structure of a segment: FAISS over its unit vectors (exact, or HNSW when large; SQ8 when large)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings

# FAISS searches with one OpenMP thread: the engine asks one question at a time, and a
# parallel region over two threads waits for both to be scheduled. One exact search over
# 100k vectors took 6.8 ms on one thread and 15.7 ms on two, 9.9 vs 34.9 ms with the other
# core busy (bench/README.md, section 7). Only the HNSW build, one long parallel region,
# uses every core.
SEARCH_THREADS = 1


# A filtered HNSW search walks the graph as far as efSearch lets it and keeps the visible units it
# meets: at 200k units, over the units of a 1-day window (~530) it found 26% of the exact best 40
# and filled only 39% of the slots; over a 7-day window (~3,700) 72%; a 30-day one (~15,000) 94%.
# Scoring so few units directly costs ~0.8 us each (SQ8 decoding): 0.5, 2.8 and 11.8 ms. So up to
# this many visible units in a segment are scored exactly. Measured by
# `python -m bench.fullpath filtered <index> <questions.json>` (bench/README.md, section 8).
EXACT_BELOW = 20_000


def faiss_module() -> Any:
    """The faiss module, set to search on `SEARCH_THREADS` threads."""
    import faiss

    faiss.omp_set_num_threads(SEARCH_THREADS)
    return faiss


def make_faiss(vectors: np.ndarray, settings: Settings) -> Any:
    """Exact inner product for small corpora, HNSW above `settings.approximate_above` units.

    Above `settings.sq8_above` units the vectors are stored as 8-bit scalars (SQ8), trained on
    the segment's own vectors (per dimension, its minimum and maximum).
    """
    faiss = faiss_module()
    dim = vectors.shape[1]
    quantized = len(vectors) > settings.sq8_above
    sq8 = faiss.ScalarQuantizer.QT_8bit
    index: Any
    if len(vectors) > settings.approximate_above:
        if quantized:
            index = faiss.IndexHNSWSQ(dim, sq8, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.hnsw_ef_construction
        index.hnsw.efSearch = settings.hnsw_ef_search
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            if quantized:
                index.train(vectors)
            index.add(vectors)
        finally:
            faiss.omp_set_num_threads(SEARCH_THREADS)
    else:
        if quantized:
            index = faiss.IndexScalarQuantizer(dim, sq8, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
    return index


def read_faiss(path: Path, settings: Settings) -> Any:
    """A FAISS index saved by `make_faiss` and `faiss.write_index`, with the search settings applied."""
    index = faiss_module().read_index(str(path))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = settings.hnsw_ef_search
    return index


def write_faiss(index: Any, path: Path) -> None:
    """Save a FAISS index."""
    faiss_module().write_index(index, str(path))


def search(
    faiss_index: Any,
    query: np.ndarray,
    k: int,
    visible: np.ndarray | None = None,
    exact_below: int = EXACT_BELOW,
) -> tuple[np.ndarray, np.ndarray]:
    """The (up to) `k` best units of one segment for `query` (1, dim): (similarities, local ids), best first.

    `visible` (a bool per unit of the segment) restricts the search. An approximate (HNSW)
    segment with at most `exact_below` visible units scores them exactly instead: its filtered
    graph search misses most of a small subset. Exact scores tie-break on the lower id.
    """
    shown = faiss_index.ntotal if visible is None else int(visible.sum())
    k = min(k, shown)
    if k <= 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int64)
    params = None
    if visible is not None and shown < faiss_index.ntotal:
        if shown <= exact_below and hasattr(faiss_index, "hnsw"):
            ids = np.flatnonzero(visible)
            sims = faiss_index.reconstruct_batch(ids) @ query[0]
            best = np.argsort(-sims, kind="stable")[:k]  # `ids` ascend: a tie keeps the lower id first
            return sims[best].astype(np.float32), ids[best].astype(np.int64)
        faiss = faiss_module()
        params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(np.packbits(visible, bitorder="little")))
    sims, ids = faiss_index.search(query, k, params=params)
    keep = ids[0] >= 0
    return sims[0][keep], ids[0][keep].astype(np.int64)
