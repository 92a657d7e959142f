"""Typo mapping: the corpus word within a few edits of a question word, found without scanning the vocabulary.

An edit is a letter deleted, inserted or replaced, or two neighbours swapped ("Capsian" for
"Caspian": optimal string alignment, rapidfuzz's `OSA`), the commonest typos. A scan (rapidfuzz over
every corpus word) costs time in proportion to the vocabulary, which grows with the corpus. Here
candidates come from an index of letter pairs: a word within `k` edits of `term` keeps at least
`|pairs(term)| - 3k` of its distinct letter pairs (a swap changes three pairs, any other edit at
most two; each pair counted once), and its length differs by at most `k`. Only the candidates that
pass both bounds are measured, so the answer is exactly the scan's: the closest word, then the
commonest, then the first alphabetically. The index is numpy arrays (no Python object per word)
built on the first unknown word, not at load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

# A question word the corpus never uses is matched to a corpus word this close: at least
# 5 letters for one edit, 8 for two (shorter words have too many neighbours to guess from).
MAX_EDITS = {5: 1, 8: 2}
# Start and end markers, so that the first and last letters make pairs of their own.
_START, _END = 1, 2


def max_edits(term: str) -> int:
    """How many edits a typo of `term` may have (0: too short to correct)."""
    return max((e for n, e in MAX_EDITS.items() if len(term) >= n), default=0)


def _pairs(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(word row, pair code) of every distinct letter pair of every word (markers included), sorted by code.

    Words are taken a length at a time, so the arrays hold the letters and nothing more.
    """
    by_length: dict[int, list[int]] = {}
    for row, word in enumerate(words):
        by_length.setdefault(len(word), []).append(row)
    all_rows, all_codes = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for length, rows in by_length.items():
        table = np.empty((len(rows), length + 2), dtype=np.int64)
        table[:, 0], table[:, -1] = _START, _END
        if length:
            chars = np.array([words[r] for r in rows], dtype=f"<U{length}").view(np.uint32)
            table[:, 1:-1] = chars.reshape(len(rows), length)
        all_codes.append((table[:, :-1] * 0x110000 + table[:, 1:]).ravel())
        all_rows.append(np.repeat(np.array(rows, dtype=np.int64), length + 1))
    rows_, codes = np.concatenate(all_rows), np.concatenate(all_codes)
    order = np.lexsort((rows_, codes))
    rows_, codes = rows_[order], codes[order]
    keep = np.ones(len(codes), dtype=bool)
    keep[1:] = (codes[1:] != codes[:-1]) | (rows_[1:] != rows_[:-1])
    return rows_[keep], codes[keep]


class TypoIndex:
    """The words of a vocabulary indexed by their letter pairs, for `nearest`.

    `words` is called once, on the first lookup; `df(word)` says how common a word is (ties).
    """

    def __init__(self, words: Callable[[], Sequence[str]], df: Callable[[str], int]) -> None:
        self._source = words
        self._df = df
        self._lock = threading.Lock()
        self._words: np.ndarray | None = None

    def _build(self) -> None:
        words = sorted(w for w in self._source() if w)
        rows, codes = _pairs(words)
        lengths = np.fromiter((len(w) for w in words), dtype=np.int32, count=len(words))
        self._pair_codes, first = np.unique(codes, return_index=True)
        self._pair_offsets = np.append(first, len(codes)).astype(np.int64)
        self._pair_rows = rows.astype(np.int32)
        self._lengths = lengths
        self._words = np.array(words, dtype=object)  # one array of references, not a dict or list per word

    def nearest(self, term: str) -> str | None:
        """The corpus word within `max_edits(term)` edits of `term` (closest, commonest, first alphabetically), or None."""
        edits = max_edits(term)
        return next(iter(self.within(term, edits)), None) if edits else None

    def within(self, term: str, edits: int) -> list[str]:
        """The corpus words within `edits` edits of `term` (itself too): closest, commonest, then alphabetically."""
        with self._lock:
            if self._words is None:
                self._build()
        assert self._words is not None
        if not len(self._words) or edits < 1:
            return []
        candidates = self._candidates(term, edits)
        if not len(candidates):
            return []
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        words = self._words[candidates].tolist()
        hits = process.extract(term, words, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return [w for _, _, w in sorted((d, -self._df(w), w) for w, d, _ in hits)]

    def _candidates(self, term: str, edits: int) -> np.ndarray:
        """Rows of the words that may be within `edits` edits of `term` (a superset of them)."""
        _, codes = _pairs([term])
        need = len(codes) - 3 * edits
        close = np.abs(self._lengths - len(term)) <= edits
        if need <= 0:  # too few pairs to filter by: every word of a near length
            return np.flatnonzero(close)
        at = np.searchsorted(self._pair_codes, codes)
        at = at[(at < len(self._pair_codes)) & (self._pair_codes[np.minimum(at, len(self._pair_codes) - 1)] == codes)]
        if len(at) < need:
            return np.zeros(0, dtype=np.int64)
        hits = np.concatenate([self._pair_rows[self._pair_offsets[i] : self._pair_offsets[i + 1]] for i in at])
        counts = np.bincount(hits, minlength=len(self._lengths))
        return np.flatnonzero((counts >= need) & close)
