"""Candidate sentences for a question: dense (FAISS) and lexical (BM25) search, fused by rank.

Question words the corpus never uses are mapped onto the closest corpus word first, so a
typo ("rusia") still finds its sentences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import embedding, lexical
from .config import Settings

# Typos: a question word the corpus never uses is matched to a corpus word this close.
_MAX_EDITS = {5: 1, 8: 2}


@dataclass(frozen=True)
class Retrieved:
    """What retrieval found for one question."""

    query_vector: np.ndarray  # (dim,) unit-length embedding of the question
    query_terms: tuple[str, ...]  # stemmed content terms, typos mapped
    ranks: dict[int, float]  # unit id -> fused reciprocal-rank score
    bm25: dict[int, float]  # unit id -> raw BM25 score (units BM25 found)
    similarity: dict[int, float]  # unit id -> cosine with the question, for candidates and their neighbours
    rrf_k: int

    def fused(self, unit: int) -> float:
        """The fused rank score of a candidate, scaled so that rank 1 in both retrievers is 1."""
        return self.ranks[unit] * (self.rrf_k + 1) / 2

    @property
    def ids(self) -> list[int]:
        """Candidate unit ids, ascending."""
        return sorted(self.ranks)


class Retriever:
    """Dense and BM25 search over one index's units."""

    def __init__(self, faiss_index: Any, bm25: Any, n_units: int, settings: Settings) -> None:
        self._faiss = faiss_index
        self._bm25 = bm25
        self._n = n_units
        self._settings = settings
        # bm25s has no public document-frequency call: the column lengths of its CSC score
        # matrix are the number of units holding each term.
        self._df = np.diff(np.asarray(bm25.scores["indptr"]))
        self._vocab: dict[str, int] = bm25.vocab_dict
        self._vocab_list = [t for t in self._vocab if t]

    def retrieve(self, question: str) -> Retrieved:
        """Dense and BM25 candidates of `question` fused by reciprocal rank, with neighbours' similarities."""
        settings = self._settings
        qvec = embedding.encode(settings.model_name, [question], progress=False)
        c = min(settings.candidates, self._n)
        _, dense_ids = self._faiss.search(qvec, c)
        ranks: dict[int, float] = {}
        for rank, i in enumerate(dense_ids[0]):
            if i >= 0:
                ranks[int(i)] = ranks.get(int(i), 0.0) + 1.0 / (settings.rrf_k + rank + 1)
        qterms = self.query_terms(question)
        bm25_scores: dict[int, float] = {}
        known = [t for t in qterms if t in self._vocab]
        if known:
            scores = self._bm25.get_scores(known)
            # partition first: a full sort of a million scores costs 3x more than the rest
            top = np.argpartition(-scores, c - 1)[:c] if c < len(scores) else np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            for rank, i in enumerate(top):
                if scores[i] <= 0:
                    break
                bm25_scores[int(i)] = float(scores[i])
                ranks[int(i)] = ranks.get(int(i), 0.0) + 1.0 / (settings.rrf_k + rank + 1)
        # neighbours give context to a sentence (its pronouns, its attribution)
        neighbours = {j for i in ranks for j in (i - 1, i + 1) if 0 <= j < self._n}
        all_ids = sorted(set(ranks) | neighbours)
        vecs = self._faiss.reconstruct_batch(np.asarray(all_ids, dtype=np.int64))
        similarity = dict(zip(all_ids, (vecs @ qvec[0]).tolist()))
        return Retrieved(qvec[0], tuple(qterms), ranks, bm25_scores, similarity, settings.rrf_k)

    def query_terms(self, question: str) -> list[str]:
        """Stemmed content terms of the question, typos mapped onto corpus words."""
        out = []
        for term in lexical.terms(question):
            if term not in self._vocab and not term[0].isdigit():
                term = self.nearest_term(term) or term
            out.append(term)
        return list(dict.fromkeys(out))

    def nearest_term(self, term: str) -> str | None:
        """The corpus word within a few edits of `term` (commonest, then alphabetical), or None."""
        edits = max((e for n, e in _MAX_EDITS.items() if len(term) >= n), default=0)
        if not edits or not self._vocab_list:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        hits = process.extract(term, self._vocab_list, scorer=Levenshtein.distance, score_cutoff=edits, limit=20)
        if not hits:
            return None
        # Among equally close words, the commonest, then the first alphabetically: the
        # vocabulary's own order changes from build to build, and answers must not.
        return min(hits, key=lambda h: (h[1], -self._df[self._vocab[h[0]]], h[0]))[0]

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of a stemmed term over the units (unknown terms are rarest)."""
        col = self._vocab.get(term)
        df = int(self._df[col]) if col is not None and col < len(self._df) else 0
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))
