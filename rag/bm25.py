"""BM25 over sentence units held in segments, scored with collection-wide statistics.

Each segment stores postings (term -> units holding it, with term frequencies) and unit
lengths; document frequencies, the unit count and the mean length are summed over the live
units of every segment at query time. So an index that grows by appending segments, with
removed articles masked, scores exactly like one rebuilt from scratch. bm25s, used before,
bakes its IDF into a precomputed score matrix, which cannot be appended to. The formula and
the float32 arithmetic are bm25s's "lucene" variant (k1 = 1.5, b = 0.75), so scores match it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

K1 = 1.5
B = 0.75

VOCAB, OFFSETS, UNITS, FREQS, LENGTHS = "vocab.json", "offsets.npy", "units.npy", "freqs.npy", "lengths.npy"
FILES = (VOCAB, OFFSETS, UNITS, FREQS, LENGTHS)
# Postings are memory-mapped once their sha256 is checked: a question reads the postings of its
# few terms, so the rest of a large index's postings never need to be in memory.
MEMORY_MAP = True


@dataclass(frozen=True)
class Postings:
    """The term statistics of one segment's units (unit ids local to the segment)."""

    vocab: dict[str, int]  # term -> column
    offsets: np.ndarray  # int64 (terms + 1,): column c's postings are [offsets[c], offsets[c + 1])
    units: np.ndarray  # int32: the unit of each posting, ascending within a column
    freqs: np.ndarray  # uint16: the term's count in that unit
    lengths: np.ndarray  # int32 (units,): content terms per unit (at least 1, as bm25s counts an empty unit)

    @classmethod
    def build(cls, unit_terms: Iterable[Sequence[str]]) -> Postings:
        """Postings of units given as lists of stemmed terms (row i = unit i)."""
        vocab: dict[str, int] = {}
        columns: list[int] = []
        counts: list[int] = []
        for terms in unit_terms:
            counts.append(len(terms))
            columns.extend([vocab.setdefault(term, len(vocab)) for term in terms])
        n = max(len(counts), 1)
        units = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        # one key per (column, unit): sorted by column, then unit; its count is the term frequency
        keys, freqs = np.unique(np.array(columns, dtype=np.int64) * n + units, return_counts=True)
        offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(keys // n, minlength=len(vocab)))
        lengths = np.maximum(np.array(counts, dtype=np.int32), 1)
        return cls(vocab, offsets, (keys % n).astype(np.int32), freqs.astype(np.uint16), lengths)

    def save(self, folder: Path) -> None:
        """Write the postings as plain files into `folder` (created)."""
        folder.mkdir()
        (folder / VOCAB).write_text(json.dumps(list(self.vocab), ensure_ascii=False), encoding="utf-8")
        for name, array in ((OFFSETS, self.offsets), (UNITS, self.units), (FREQS, self.freqs), (LENGTHS, self.lengths)):
            np.save(folder / name, array, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> Postings:
        """Postings saved by `save`."""
        terms = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
        mode: Literal["r"] | None = "r" if MEMORY_MAP else None
        arrays = [
            np.load(folder / name, mmap_mode=mode, allow_pickle=False) for name in (OFFSETS, UNITS, FREQS, LENGTHS)
        ]
        postings = cls({t: i for i, t in enumerate(terms)}, *arrays)
        if len(postings.offsets) != len(terms) + 1 or postings.offsets[-1] != len(postings.units) != len(
            postings.freqs
        ):
            raise ValueError("postings arrays do not match their vocabulary")
        return postings


class BM25:
    """BM25 over the units of several segments (global unit id = segment start + local id)."""

    def __init__(self, segments: Sequence[Postings], starts: Sequence[int], live: np.ndarray) -> None:
        self._segments = segments
        self._starts = list(starts)
        self._live = live  # bool per global unit: False for units of removed articles
        lengths = np.concatenate([p.lengths for p in segments]) if segments else np.zeros(0, np.int32)
        self._lengths = lengths
        self.units = int(live.sum())
        self._mean_length = float(lengths[live].mean()) if self.units else 1.0
        # a segment with no removed article needs no mask: its postings are all live
        ends = [*self._starts[1:], len(live)]
        self._all_live = [bool(live[a:b].all()) for a, b in zip(self._starts, ends)]
        self._df: dict[str, int] = {}

    def _postings(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """(global unit ids, frequencies) of `term` in each segment, live units only."""
        out = []
        for postings, start, all_live in zip(self._segments, self._starts, self._all_live):
            col = postings.vocab.get(term)
            if col is None:
                continue
            a, b = postings.offsets[col], postings.offsets[col + 1]
            ids = postings.units[a:b].astype(np.int64) + start
            freqs = postings.freqs[a:b]
            if not all_live:
                keep = self._live[ids]
                ids, freqs = ids[keep], freqs[keep]
            out.append((ids, freqs))
        return out

    def units_with(self, term: str) -> np.ndarray:
        """The global ids of the live units holding `term`, ascending."""
        parts = [ids for ids, _ in self._postings(term)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def df(self, term: str) -> int:
        """How many live units hold `term`."""
        found = self._df.get(term)
        if found is None:
            found = 0
            for postings, start, all_live in zip(self._segments, self._starts, self._all_live):
                col = postings.vocab.get(term)
                if col is None:
                    continue
                a, b = int(postings.offsets[col]), int(postings.offsets[col + 1])
                # counted from the offsets when nothing is masked: a common word's postings stay unread
                found += b - a if all_live else int(self._live[postings.units[a:b].astype(np.int64) + start].sum())
            self._df[term] = found
        return found

    def idf(self, term: str) -> float:
        """Lucene's inverse document frequency of `term` over the live units."""
        df = self.df(term)
        return math.log(1 + (self.units - df + 0.5) / (df + 0.5))

    def vocabulary(self) -> list[str]:
        """Every term of a live unit... or of a removed one, until the next compaction (each once)."""
        if len(self._segments) == 1:
            return list(self._segments[0].vocab)
        return list(dict.fromkeys(t for p in self._segments for t in p.vocab))

    def scores(self, terms: Sequence[str], visible: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(unit ids, scores) of the units holding any of `terms` (only `visible` ones when given).

        A unit is listed once per term in a segment's postings, and segments hold distinct
        units, so each term adds to every unit at most once: `total[ids] += ...` does what
        `np.add.at` did (the same float32 sums in the same order) at a fraction of its cost.
        """
        total = np.zeros(len(self._lengths), dtype=np.float32)
        touched = False
        for term in terms:
            parts = self._postings(term)
            if not parts:
                continue
            idf = np.float32(self.idf(term))
            for ids, freqs in parts:
                tf = freqs.astype(np.float32)
                norm = K1 * ((1 - B) + B * self._lengths[ids] / np.float64(self._mean_length))
                total[ids] += (idf * (tf / (norm + tf))).astype(np.float32)
                touched = touched or len(ids) > 0
        if not touched:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        # every contribution is positive (idf > 0, tf > 0): the touched units are the non-zero ones
        ids = np.flatnonzero(total)
        if visible is not None:
            ids = ids[visible[ids]]
        return ids, total[ids]
