"""Searching vectors: a filter over a few units finds exactly their best, on every index kind; near ties go in one canonical order."""

from __future__ import annotations

import numpy as np
import pytest

from rag.config import Settings
from rag.retrieval import TIE, tie_broken
from rag.store import search

DIM = 32


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3000, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _found_the_best(faiss_index, query: np.ndarray, k: int, visible: np.ndarray, found: np.ndarray) -> bool:
    """`found` is `k` (or every) visible units, none scoring under the k-th best (to rounding: SIMD kernels differ)."""
    ids = np.flatnonzero(visible)
    sims = faiss_index.reconstruct_batch(ids) @ query[0]
    kth = np.sort(sims)[::-1][min(k, len(ids)) - 1]
    score = dict(zip(ids.tolist(), sims.tolist()))
    return (
        len(found) == min(k, len(ids))
        and len(set(found.tolist())) == len(found)
        and all(score[i] >= kth - 1e-5 for i in found.tolist())
    )


@pytest.mark.parametrize(
    "settings",
    # efSearch 16 over 3,000 vectors: the graph search sees as little of it as efSearch 1,024 does of 200k
    [
        Settings(approximate_above=0, sq8_above=0, hnsw_ef_search=16),
        Settings(approximate_above=0, hnsw_ef_search=16),
        Settings(sq8_above=0),
        Settings(),
    ],
    ids=["HNSW SQ8", "HNSW", "exact SQ8", "exact"],
)
@pytest.mark.parametrize("shown", [1, 5, 60, 800])
def test_a_filter_over_few_units_finds_exactly_their_best(vectors: np.ndarray, settings: Settings, shown: int) -> None:
    """A question about one day sees a few hundred units of a large index: all of its best must be found."""
    faiss_index = search.make_faiss(vectors, settings)
    rng = np.random.default_rng(shown)
    for _ in range(5):
        visible = np.zeros(len(vectors), dtype=bool)
        visible[rng.choice(len(vectors), shown, replace=False)] = True
        query = vectors[rng.integers(len(vectors))][None, :] + 0.1 * rng.standard_normal((1, DIM)).astype(np.float32)
        sims, ids = search.search(faiss_index, query, 40, visible)
        assert visible[ids].all()
        assert _found_the_best(faiss_index, query, 40, visible, ids)
        assert np.all(np.diff(sims) <= 1e-5)  # best first


def test_nothing_visible_finds_nothing_and_no_filter_fills_every_slot(vectors: np.ndarray) -> None:
    faiss_index = search.make_faiss(vectors, Settings(approximate_above=0, sq8_above=0))
    query = vectors[:1]
    sims, ids = search.search(faiss_index, query, 40, np.zeros(len(vectors), dtype=bool))
    assert len(sims) == len(ids) == 0
    sims, ids = search.search(faiss_index, query, 40)
    assert len(ids) == 40 and ids[0] == 0 and sims[0] == pytest.approx(1.0, abs=0.02)


def test_near_equal_scores_go_in_key_order_and_others_by_score():
    # the three scores within TIE of 0.9 (the same sentence, embedded in other batches) are one run,
    # in key order whatever their exact scores; 0.7 and 0.5 stay in score order
    scores = [0.5, 0.9, 0.9 + TIE / 2, 0.7, 0.9 - TIE / 2]
    keys = ["a", "c", "b", "a", "a"]
    assert tie_broken(scores, keys) == [4, 2, 1, 3, 0]
    assert tie_broken([0.2, 0.1], ["b", "a"]) == [0, 1]
