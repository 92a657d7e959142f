"""The window's sentences laid out as arrays, computed once per briefing: article order, neighbours, terms.

A briefing over 1,000 articles reads ~95,000 sentences; anything done per sentence in Python costs
~0.1 s per microsecond. So the per-text work is cached (`features`) and the rest is numpy over
flat arrays: every (sentence, term) pair once, sentences sorted by article and offset once.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from .features import SentenceFeatures, features, vocabulary_size
from .types import DatedSentence


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (np.unique, by sorting: numpy 2.4's hash-based unique is ~10x slower here)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


class Window:
    """Arrays over the sentences of one window (index i is `sentences[i]`)."""

    def __init__(self, sentences: Sequence[DatedSentence]) -> None:
        n = len(sentences)
        self.sentences = sentences
        self.found: tuple[SentenceFeatures, ...] = tuple(features(s.text) for s in sentences)
        codes: dict[str, int] = {}
        self.article = np.fromiter((codes.setdefault(s.doc_id, len(codes)) for s in sentences), np.int64, n)
        self.articles = len(codes)
        starts = np.fromiter((s.start for s in sentences), np.int64, n)
        # sorted by article, then by offset: neighbours are next to each other in `order`
        self.order = np.lexsort((starts, self.article))
        sorted_article = self.article[self.order]
        first = np.ones(n, bool)
        first[1:] = sorted_article[1:] != sorted_article[:-1]
        run_start = np.maximum.accumulate(np.where(first, np.arange(n), 0)) if n else np.zeros(0, np.int64)
        self.position = np.empty(n, np.int64)
        self.position[self.order] = np.arange(n) - run_start
        self.rank = np.empty(n, np.int64)  # where each sentence is in `order`
        self.rank[self.order] = np.arange(n)
        self.article_size = np.bincount(self.article, minlength=self.articles)
        self.before = [self._shifted(sorted_article, -k) for k in (1, 2)]  # the sentence k before, or -1
        self.after = [self._shifted(sorted_article, k) for k in (1, 2)]
        lengths = np.fromiter((len(f.term_ids) for f in self.found), np.int64, n)
        self.term_ids = np.fromiter(chain.from_iterable(f.term_ids for f in self.found), np.int64, int(lengths.sum()))
        self.term_owner = np.repeat(np.arange(n), lengths)

    def members(self, i: int) -> tuple[list[int], int]:
        """The window's sentences of sentence `i`'s article in text order, and the place of `i` among them."""
        first = int(self.rank[i] - self.position[i])
        size = int(self.article_size[self.article[i]])
        return self.order[first : first + size].tolist(), int(self.position[i])

    def _shifted(self, sorted_article: np.ndarray, step: int) -> np.ndarray:
        """For each sentence, the index of the one `step` places away in its article, else -1."""
        n = len(sorted_article)
        out = np.full(n, -1, np.int64)
        if n > abs(step):
            lo, hi = (step, n) if step > 0 else (0, n + step)
            same = sorted_article[lo:hi] == sorted_article[lo - step : hi - step]
            targets = self.order[lo:hi]
            out[self.order[lo - step : hi - step][same]] = targets[same]
        return out

    def document_frequency(self) -> np.ndarray:
        """For each term id, in how many of the window's articles it occurs."""
        size = vocabulary_size()
        if len(self.term_ids) == 0:
            return np.zeros(size, np.int64)
        return np.bincount(distinct(self.article[self.term_owner] * size + self.term_ids) % size, minlength=size)

    def per_sentence_top(self, weights: np.ndarray, ids: np.ndarray, owner: np.ndarray, top: int) -> np.ndarray:
        """For each sentence, the sum of its `top` largest `weights[ids]` (ids with their owner sentence)."""
        n = len(self.sentences)
        if len(ids) == 0:
            return np.zeros(n, np.float32)
        values = weights[ids]
        order = np.lexsort((-values, owner))
        sorted_owner = owner[order]
        first = np.ones(len(order), bool)
        first[1:] = sorted_owner[1:] != sorted_owner[:-1]
        run_start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
        keep = (np.arange(len(order)) - run_start) < top
        return np.bincount(sorted_owner[keep], weights=values[order][keep], minlength=n).astype(np.float32)

    def lend(self, own: np.ndarray, near: float, far: float) -> np.ndarray:
        """max(own, near * the best of the adjacent sentences' values, far * the best two away)."""
        out = own.copy()
        for index, weight in (
            (self.before[0], near),
            (self.after[0], near),
            (self.before[1], far),
            (self.after[1], far),
        ):
            has = index >= 0
            out[has] = np.maximum(out[has], weight * own[index[has]])
        return out
