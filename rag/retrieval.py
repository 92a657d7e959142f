"""Candidate sentences for a question: dense (FAISS) and lexical (BM25) search, fused by rank.

Question words the corpus never uses are mapped onto the closest corpus word first, so a
typo ("rusia") still finds its sentences.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import embedding, lexical, store
from .config import Settings
from .typos import TypoIndex


@dataclass(frozen=True)
class Retrieved:
    """What retrieval found for one question."""

    query_vector: np.ndarray  # (dim,) unit-length embedding of the question
    query_terms: tuple[str, ...]  # stemmed content terms, typos mapped
    ranks: dict[int, float]  # unit id -> fused reciprocal-rank score
    bm25: dict[int, float]  # unit id -> raw BM25 score (units BM25 found)
    similarity: dict[int, float]  # unit id -> cosine with the question, for candidates and their neighbours
    rrf_k: int
    # the candidates (the keys of `ranks`) in the index's canonical order (`Retriever.tie_key`)
    ids: tuple[int, ...] = ()

    def fused(self, unit: int) -> float:
        """The fused rank score of a candidate, scaled so that rank 1 in both retrievers is 1."""
        return self.ranks[unit] * (self.rrf_k + 1) / 2


# Mean sentence vectors of the most recently asked-about articles kept (384 floats each).
ARTICLE_CACHE = 4_096
# Two scores closer than this are a tie. Copies of one sentence score alike, and which of them is
# found must not depend on where each sits in the index: an update appends an article after all
# the others, a rebuild puts it in its place, and the same sentence embedded in another batch
# differs by ~1e-7 per dimension. Ties are put in the canonical order of `Retriever.tie_key`.
TIE = 1e-5


def tie_broken(scores: Sequence[float], keys: Sequence[Any]) -> list[int]:
    """Positions of `scores`, best first, each run of near-equal scores (within `TIE` of the next) in `keys` order."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    out: list[int] = []
    run: list[int] = []
    for i in order:
        if run and scores[run[-1]] - scores[i] > TIE:
            out += sorted(run, key=keys.__getitem__)
            run = []
        run.append(i)
    return out + sorted(run, key=keys.__getitem__)


class Retriever:
    """Dense and BM25 search over the units of an index's segments."""

    def __init__(self, data: store.IndexData, settings: Settings) -> None:
        self._segments = data.segments
        self._starts = np.array([seg.start for seg in data.segments], dtype=np.int64)
        self._bm25 = data.bm25
        self._n = len(data.units)
        self._units = data.units
        self._doc_day = data.doc_day
        self._live = data.unit_live
        # a document's units are one run of ascending rows: its row's first unit is found by bisection
        self._doc_rows = data.units.doc_rows
        self._settings = settings
        self._centroid = functools.lru_cache(maxsize=ARTICLE_CACHE)(self._article_centroid)
        # the sorted vocabulary and its typo index are made on the first unknown word, not at load
        self._vocab_list: list[str] = []
        self._typos = TypoIndex(self._sorted_vocabulary, self._bm25.df)

    def _sorted_vocabulary(self) -> list[str]:
        self._vocab_list = sorted(t for t in self._bm25.vocabulary() if t)
        return self._vocab_list

    def retrieve(self, question: str, visible: np.ndarray | None = None) -> Retrieved:
        """Dense and BM25 candidates of `question` fused by reciprocal rank, with neighbours' similarities.

        Only units of live articles are found, and only `visible` ones when given (a bool per unit).
        """
        settings = self._settings
        visible = self._live if visible is None else visible & self._live
        qvec = embedding.encode(settings.model_name, [question], progress=False)
        c = min(settings.candidates, self._n)
        ranks: dict[int, float] = {}
        for rank, i in enumerate(self._dense(qvec, c, visible)):
            ranks[i] = ranks.get(i, 0.0) + 1.0 / (settings.rrf_k + rank + 1)
        qterms = self.query_terms(question)
        bm25_scores: dict[int, float] = {}
        ids, scores = self._bm25.scores(qterms, visible)
        if len(ids):
            # partition first: sorting every unit that holds a common word costs more than the rest;
            # then every unit tied with the last one kept, for the canonical order to choose among them
            if c < len(scores):
                last = scores[np.argpartition(-scores, c - 1)[c - 1]]
                top = np.flatnonzero(scores >= last - TIE)
            else:
                top = np.arange(len(scores))
            top = top[scores[top] > 0]
            found_ids = [int(ids[j]) for j in top]
            kept = tie_broken(scores[top].tolist(), [self.tie_key(i) for i in found_ids])[:c]
            for rank, j in enumerate(kept):
                i = found_ids[j]
                bm25_scores[i] = float(scores[top[j]])
                ranks[i] = ranks.get(i, 0.0) + 1.0 / (settings.rrf_k + rank + 1)
        # neighbours give context to a sentence (its pronouns, its attribution)
        neighbours = {j for i in ranks for j in (i - 1, i + 1) if 0 <= j < self._n}
        all_ids = sorted(set(ranks) | neighbours)
        similarity = dict(zip(all_ids, (self.vectors(all_ids) @ qvec[0]).tolist()))
        in_order = tuple(sorted(ranks, key=self.tie_key))
        return Retrieved(qvec[0], tuple(qterms), ranks, bm25_scores, similarity, settings.rrf_k, in_order)

    def _dense(self, qvec: np.ndarray, c: int, visible: np.ndarray, min_cosine: float = -1.0) -> list[int]:
        """The ids of the `c` visible units closest to `qvec` (and at least `min_cosine` close), best first."""
        sims_found: list[float] = []
        found: list[int] = []
        for seg in self._segments:
            mask = visible[seg.start : seg.start + seg.size]
            k = c
            while True:  # on until the last one found is no longer tied with the c-th
                sims, ids = store.search.search(seg.faiss_index, qvec, k, mask)
                if len(sims) < k or sims[-1] < sims[c - 1] - TIE:
                    break
                k *= 2
            kept = sims >= min_cosine
            sims_found += sims[kept].tolist()
            found += (seg.start + ids[kept]).tolist()
        order = tie_broken(sims_found, [self.tie_key(i) for i in found])
        return [found[j] for j in order[:c]]

    def tie_key(self, unit: int) -> tuple[int, str, int]:
        """The canonical order of units that score alike: the newest article first, then by document id and place."""
        day = int(self._doc_day[self._units.doc_rows[unit]])
        return (-day, self._units.doc_id(unit), int(self._units.starts[unit]))

    def similar(self, unit: int, k: int, min_cosine: float, visible: np.ndarray | None = None) -> list[int]:
        """Up to `k` other units whose vector is within `min_cosine` of unit `unit`'s (visible ones only)."""
        visible = self._live if visible is None else visible & self._live
        return [i for i in self._dense(self.vectors([unit]), k + 1, visible, min_cosine) if i != unit][:k]

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of units `ids`, in that order."""
        out = np.empty((len(ids), self._segments[0].faiss_index.d), dtype=np.float32)
        where = np.searchsorted(self._starts, ids, side="right") - 1
        for s in np.unique(where):
            rows = np.flatnonzero(where == s)
            local = np.asarray(ids, dtype=np.int64)[rows] - self._starts[s]
            out[rows] = self._segments[s].faiss_index.reconstruct_batch(local)
        return out

    def query_terms(self, question: str) -> list[str]:
        """Stemmed content terms of the question, typos mapped onto corpus words."""
        out = []
        for term in lexical.terms(question):
            if self._bm25.df(term) == 0 and not term[0].isdigit():
                term = self.nearest_term(term) or term
            out.append(term)
        return list(dict.fromkeys(out))

    def holders(self, term: str) -> np.ndarray:
        """The live units using `term` (stemmed), a word sharing its first letters, or the corpus word it is a typo of.

        The same words the signals count as `term` (`lexical.SAME_WORD_PREFIX`: "Ukraine" holds
        "Ukrainian"; `lexical.forms`: "invade" holds "invasion"), with typos mapped as
        `query_terms` maps them. A unit is listed once per such word it holds: callers ask whether
        any is visible, or the earliest day, not how many.
        """
        return np.concatenate([self._bm25.units_with(w) for w in self._same_words(term)])

    def articles_using(self, term: str, rows: np.ndarray) -> np.ndarray:
        """Whether each article of `rows` (document rows) uses `term`, as `holders` counts it (bool array).

        Each word's postings are ascending unit ids and an article's units one run of them, so
        two bisections per article answer without reading any article's text.
        """
        first = np.searchsorted(self._doc_rows, rows, side="left")
        last = np.searchsorted(self._doc_rows, rows, side="right")
        found = np.zeros(len(rows), dtype=bool)
        for word in self._same_words(term):
            units = self._bm25.units_with(word)
            found |= np.searchsorted(units, last) > np.searchsorted(units, first)
        return found

    def article_similarity(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine of `query_vector` with the mean sentence vector of each article of `rows` (document rows)."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return np.stack([self._centroid(int(r)) for r in rows]) @ query_vector

    def _article_centroid(self, row: int) -> np.ndarray:
        first, last = np.searchsorted(self._doc_rows, [row, row + 1])
        mean = self.vectors(list(range(int(first), int(last)))).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean

    def _same_words(self, term: str) -> list[str]:
        """`term` (or the corpus word it is a typo of), its other form, and the corpus words sharing their first letters."""
        if self._bm25.df(term) == 0 and not term[0].isdigit():
            term = self.nearest_term(term) or term
        words: list[str] = []
        for form in lexical.forms(term):
            words.append(form)
            if len(form) >= lexical.SAME_WORD_PREFIX:
                words += self._starting_with(form[: lexical.SAME_WORD_PREFIX])
        return list(dict.fromkeys(words))

    def _starting_with(self, prefix: str) -> list[str]:
        """The corpus words starting with `prefix`."""
        vocabulary = self._vocab_list or self._sorted_vocabulary()
        start = bisect.bisect_left(vocabulary, prefix)
        return list(itertools.takewhile(lambda w: w.startswith(prefix), itertools.islice(vocabulary, start, None)))

    def spelt_alike(self, term: str, edits: int = 2) -> list[str]:
        """The corpus words other than `term` within `edits` edits of it, closest then commonest ("kyiv" for "kiev")."""
        return [w for w in self._typos.within(term, edits) if w != term]

    def units_with(self, word: str) -> np.ndarray:
        """The live units holding corpus word `word` itself (no typo or prefix matching), ascending."""
        return self._bm25.units_with(word)

    def nearest_term(self, term: str) -> str | None:
        """The corpus word within a few edits of `term` (closest, commonest, then alphabetical), or None.

        Among equally close words the commonest wins, then the first alphabetically: the
        vocabulary's own order changes from build to build, and answers must not.
        """
        return self._typos.nearest(term)

    def idf(self, term: str) -> float:
        """BM25's inverse document frequency of a stemmed term over the live units (unknown terms are rarest)."""
        return self._bm25.idf(term)
