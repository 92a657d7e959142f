"""The engine's query path as it was before the scale work (commit ceb9103), to compare answers and costs with.

`install()` puts these back into `rag` in this process: the typo mapping that scans the whole
vocabulary with rapidfuzz (its word list sorted at load), BM25 scores accumulated with
`np.add.at` over every posting of every query term, BM25 postings read into memory rather
than memory-mapped, every article parsed and held at load, and term caches without bound. The
full-path benchmark serves an index with and without them and compares every answer
(`python -m bench.fullpath_serve INDEX QUESTIONS --reference`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rag import bm25, retrieval, signals
from rag.bm25 import K1, B
from rag.store import articles, reader

_MAX_EDITS = {5: 1, 8: 2}


def nearest_term_scan(self: Any, term: str) -> str | None:
    """The corpus word within a few edits of `term` (commonest, then alphabetical), or None: a full scan.

    Edits as the engine counts them (optimal string alignment: a swap of neighbours is one edit).
    """
    edits = max((e for n, e in _MAX_EDITS.items() if len(term) >= n), default=0)
    if not edits or not self._vocab_list:
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    hits = process.extract(term, self._vocab_list, scorer=OSA.distance, score_cutoff=edits, limit=20)
    if not hits:
        return None
    return min(hits, key=lambda h: (h[1], -self._bm25.df(h[0]), h[0]))[0]


def _postings_all(self: Any, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for postings, start in zip(self._segments, self._starts):
        col = postings.vocab.get(term)
        if col is None:
            continue
        a, b = postings.offsets[col], postings.offsets[col + 1]
        ids = postings.units[a:b].astype(np.int64) + start
        keep = self._live[ids]
        out.append((ids[keep], postings.freqs[a:b][keep]))
    return out


def df_scan(self: Any, term: str) -> int:
    """How many live units hold `term` (every posting masked, as before)."""
    found = self._df.get(term)
    if found is None:
        found = self._df[term] = sum(len(ids) for ids, _ in _postings_all(self, term))
    return found


def scores_add_at(self: Any, terms: Sequence[str], visible: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(unit ids, scores) of the units holding any of `terms`, accumulated with `np.add.at`."""
    total = np.zeros(len(self._lengths), dtype=np.float32)
    touched = []
    for term in terms:
        parts = _postings_all(self, term)
        if not parts:
            continue
        idf = np.float32(self.idf(term))
        for ids, freqs in parts:
            tf = freqs.astype(np.float32)
            norm = K1 * ((1 - B) + B * self._lengths[ids] / np.float64(self._mean_length))
            np.add.at(total, ids, (idf * (tf / (norm + tf))).astype(np.float32))
            touched.append(ids)
    if not touched:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    ids = np.unique(np.concatenate(touched))
    if visible is not None:
        ids = ids[visible[ids]]
    return ids, total[ids]


def install() -> None:
    """Swap the engine's optimised parts for the reference ones in this process (before loading an index)."""
    original_init = retrieval.Retriever.__init__

    def every_article(self: Any) -> dict[str, Any]:
        return {doc_id: self.documents[row] for doc_id, row in sorted(self.doc_rows.items())}

    def init(self: Any, data: Any, settings: Any) -> None:
        original_init(self, data, settings)
        self._vocab_list = sorted(t for p in data.bm25._segments for t in p.vocab if t)

    retrieval.Retriever.__init__ = init  # type: ignore[method-assign]
    retrieval.Retriever.nearest_term = nearest_term_scan  # type: ignore[method-assign]
    bm25.BM25.df = df_scan  # type: ignore[method-assign]
    bm25.BM25.scores = scores_add_at  # type: ignore[method-assign]
    bm25.MEMORY_MAP = False
    signals.UNIT_CACHE = None  # type: ignore[assignment]
    articles.CACHE = None  # type: ignore[assignment]
    reader.IndexData.live_articles = every_article  # type: ignore[method-assign,assignment]
