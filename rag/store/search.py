"""The vector search structure of a segment: FAISS over its unit vectors (exact, or HNSW when large)."""

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


def faiss_module() -> Any:
    """The faiss module, set to search on `SEARCH_THREADS` threads."""
    import faiss

    faiss.omp_set_num_threads(SEARCH_THREADS)
    return faiss


def make_faiss(vectors: np.ndarray, settings: Settings) -> Any:
    """Exact inner product for small corpora, HNSW above `settings.approximate_above` units."""
    faiss = faiss_module()
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


def read_faiss(path: Path, settings: Settings) -> Any:
    """A FAISS index saved by `make_faiss` and `faiss.write_index`, with the search settings applied."""
    index = faiss_module().read_index(str(path))
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = settings.hnsw_ef_search
    return index


def write_faiss(index: Any, path: Path) -> None:
    """Save a FAISS index."""
    faiss_module().write_index(index, str(path))
