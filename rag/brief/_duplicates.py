"""TEMPORARY stand-in for `rag.duplicates` (being written on another branch): near-duplicate sentences.

Same three names as the real module, so switching is one import line in `rag/brief/select.py`.
A fingerprint holds the sentence's word 3-shingles and its figures; two sentences are the same
statement when their shingle sets overlap by Jaccard >= 0.6 and their figures are equal (a
changed number is an update, never a duplicate). Names that differ change the shingles, which is
enough at this threshold for the short statements of a briefing window.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

SHINGLE = 3
JACCARD = 0.6
_WORD = re.compile(r"\w+(?:[.,]\d+)*")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Fingerprint:
    """Word 3-shingles (lower-cased, NFKC) and the figures (digits, separators removed) of a sentence."""

    shingles: frozenset[tuple[str, ...]]
    figures: tuple[str, ...]


def fingerprint(text: str) -> Fingerprint:
    """The fingerprint of one sentence (cheap: one regular-expression pass)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    shingles = {tuple(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    figures = tuple(sorted(m.replace(",", "") for m in _FIGURE.findall(text)))
    return Fingerprint(frozenset(shingles), figures)


def same_sentence(a: Fingerprint, b: Fingerprint) -> bool:
    """True when `a` and `b` are the same statement, possibly with a word changed; False when a figure differs."""
    if a.figures != b.figures:
        return False
    if a.shingles == b.shingles:
        return True
    union = len(a.shingles | b.shingles)
    return union > 0 and len(a.shingles & b.shingles) / union >= JACCARD


def group_duplicates(fingerprints: Sequence[Fingerprint]) -> list[int]:
    """A group id per fingerprint: the index of the first member of its group (groups are transitive)."""
    parent = list(range(len(fingerprints)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    exact: dict[frozenset[tuple[str, ...]], int] = {}
    for i, fp in enumerate(fingerprints):  # identical copies first: one dict look-up each
        j = exact.setdefault(fp.shingles, i)
        if j != i and fp.figures == fingerprints[j].figures:
            parent[root(i)] = root(j)
    for i in range(len(fingerprints)):
        for j in range(i):
            if root(i) != root(j) and same_sentence(fingerprints[i], fingerprints[j]):
                a, b = sorted((root(i), root(j)))
                parent[b] = a
    return [root(i) for i in range(len(fingerprints))]
