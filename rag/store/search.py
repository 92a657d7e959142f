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
