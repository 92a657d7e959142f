"""Choose a briefing's items: the most newsworthy sentences, one per development, spread over threads and articles.

Salience (and relevance to a topic) ranks the window; the best few hundred form the pool. Copies of
one statement collapse into one candidate (`also_in`). Items are then taken greedily, MMR-style: the
best candidate, discounted by its cosine to the items already taken and by how many come from the
same article, so one long address cannot fill the briefing. A figure that changed over time brings
its earlier statement along, so the change can be shown with both figures quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from ..duplicates import fingerprint, group_duplicates
from .changes import counts_alike
from .salience import Salience
from .types import DatedSentence

__all__ = ["Options", "Pick", "choose", "ranked"]


@dataclass(frozen=True)
class Options:
    """How items are picked from the ranked window."""

    thread_cosine: float = 0.65  # at or above (and below duplicate_cosine): the same thread of news
    newest_share: float = 0.9  # a thread's newer sentence scoring this share of the best is quoted instead
    pool: int = 300  # candidates considered after ranking (the rest cannot win anyway)
    diversity: float = 0.7  # MMR: weight of a candidate's best cosine to the items already taken
    same_article: float = 0.1  # penalty per item already taken from the same article
    same_day: float = 0.0  # penalty per item already taken from an article of the same day
    duplicate_cosine: float = 0.85  # at or above: the same statement reworded, never two items
    count_cosine: float = 0.5  # at or above, holding a figure of the same count: the same thread of figures
    change_cosine: float = 0.6  # an earlier sentence this close, counting the same thing, is the old figure
    min_relevance: float = 0.45  # with a topic: sentences less relevant than this are not candidates
    relevance_power: float = 2.0  # with a topic: score = salience * relevance ** power


@dataclass(frozen=True)
class Pick:
    """A chosen sentence (index into the window) and, when its figure changed, the earlier one."""

    index: int
    score: float
    also_in: tuple[str, ...]
    previous: int | None = None  # the earlier sentence with the old figure
    change: str | None = None  # "old → new", both as their quotes write them


def _articles_by_key(
    sentences: Sequence[DatedSentence], key: np.ndarray, among: np.ndarray, wanted: set[int]
) -> dict[int, set[str]]:
    """For each wanted wording (key), the articles of the window that carry it."""
    out: dict[int, set[str]] = {k: set() for k in wanted}
    for i in among[np.isin(key[among], np.fromiter(wanted, np.int64, len(wanted)))].tolist():
        out[int(key[i])].add(sentences[i].doc_id)
    return out


def ranked(sal: Salience, relevance: np.ndarray | None, options: Options) -> np.ndarray:
    """The window's ranking score: salience, weighted by relevance to the topic when there is one."""
    score = sal.score.astype(np.float32, copy=True)
    if relevance is None:
        return score
    positive = np.maximum(score, 0.05)  # a plain relevant sentence still beats an irrelevant one
    weighted = positive * np.power(np.clip(relevance, 0.0, 1.0), options.relevance_power)
    return np.where(np.isfinite(score) & (relevance >= options.min_relevance), weighted, -np.inf).astype(np.float32)


def choose(
    sentences: Sequence[DatedSentence],
    vectors: np.ndarray,
    sal: Salience,
    score: np.ndarray,
    max_items: int,
    options: Options,
) -> list[Pick]:
    """Up to `max_items` picks: distinct statements, diverse, each with the other articles carrying it."""
    finite = np.flatnonzero(np.isfinite(score))
    if len(finite) == 0:
        return []
    # word-for-word copies first (cheap, all of the window): one candidate each, its earliest article
    day = np.fromiter((s.article_date.toordinal() if s.article_date else 10**7 for s in sentences), np.int64)
    by_copy = finite[np.lexsort((day[finite], sal.key[finite]))]
    first_copy = np.ones(len(by_copy), bool)
    first_copy[1:] = sal.key[by_copy[1:]] != sal.key[by_copy[:-1]]
    originals = by_copy[first_copy]
    top = originals[np.argsort(-score[originals], kind="stable")[: options.pool]]
    articles_of = _articles_by_key(sentences, sal.key, finite, set(sal.key[top].tolist()))
    # then near-duplicates (a word changed) among the pool
    groups = group_duplicates([fingerprint(sentences[i].text) for i in top])
    members: dict[int, list[int]] = {}
    for pos, group_id in enumerate(groups):
        members.setdefault(group_id, []).append(int(top[pos]))
    pool: list[int] = []
    pool_score: list[float] = []
    copies: dict[int, tuple[str, ...]] = {}
    for group in members.values():
        first = min(group, key=lambda i: (sentences[i].article_date or date.max, sentences[i].doc_id))
        pool.append(first)
        pool_score.append(max(float(score[i]) for i in group))
        carrying = set().union(*(articles_of[int(sal.key[i])] for i in group))
        copies[first] = tuple(sorted(carrying - {sentences[first].doc_id}))
    pool_vectors = np.asarray(vectors, dtype=np.float32)[pool]
    base = np.asarray(pool_score, dtype=np.float32)
    closest = np.zeros(len(pool), np.float32)
    per_article: dict[str, int] = {}
    per_day: dict[date | None, int] = {}
    taken = np.zeros(len(pool), bool)
    counted = np.zeros(len(pool), bool)  # holds a figure of a count already quoted
    with_figures = [p for p, i in enumerate(pool) if sal.found[i].figures]
    picks: list[Pick] = []
    while len(picks) < max_items:
        penalty = np.array([per_article.get(sentences[i].doc_id, 0) for i in pool], np.float32)
        crowded = np.array([per_day.get(sentences[i].article_date, 0) for i in pool], np.float32)
        mmr = base - options.diversity * closest - options.same_article * penalty - options.same_day * crowded
        mmr[taken | counted | (closest >= options.duplicate_cosine)] = -np.inf
        best = int(np.argmax(mmr))
        if not np.isfinite(mmr[best]):
            break
        alike = _alike_counts(best, with_figures, pool, sentences, sal, pool_vectors, options)
        newest = _newest_of_thread(best, pool, sentences, pool_vectors, base, np.isfinite(mmr), alike, options)
        if newest != best:  # the thread is quoted at a newer sentence: its own figures say which counts it closes
            best, alike = newest, _alike_counts(newest, with_figures, pool, sentences, sal, pool_vectors, options)
        taken[best] = True
        counted[alike] = True
        index = pool[best]
        per_article[sentences[index].doc_id] = per_article.get(sentences[index].doc_id, 0) + 1
        per_day[sentences[index].article_date] = per_day.get(sentences[index].article_date, 0) + 1
        closest = np.maximum(closest, pool_vectors @ pool_vectors[best])
        picks.append(Pick(index, float(pool_score[best]), copies[index]))
    return picks


def _alike_counts(
    at: int,
    with_figures: list[int],
    pool: list[int],
    sentences: Sequence[DatedSentence],
    sal: Salience,
    pool_vectors: np.ndarray,
    options: Options,
) -> np.ndarray:
    """Which pool positions give a figure of the same count as position `at`, in a sentence this close.

    "Our government officials have organized 12 humanitarian corridors today" and "only 4
    humanitarian corridors worked" are one thread: quoting both spends two items on one count.
    """
    alike = np.zeros(len(pool), bool)
    i = pool[at]
    if not sal.found[i].figures:
        return alike
    for p in with_figures:
        j = pool[p]
        if p != at and float(pool_vectors[p] @ pool_vectors[at]) >= options.count_cosine:
            alike[p] = counts_alike(sentences[i].text, sal.found[i], sentences[j].text, sal.found[j])
    return alike


def _newest_of_thread(
    best: int,
    pool: list[int],
    sentences: Sequence[DatedSentence],
    pool_vectors: np.ndarray,
    base: np.ndarray,
    open_: np.ndarray,
    alike: np.ndarray,
    options: Options,
) -> int:
    """The pool position to quote for the thread of `best`: its newest sentence that scores nearly as well.

    A briefing reports where a thread stands: when a later article carries the same thread
    (cosine in [thread_cosine, duplicate_cosine)) with a score of at least `newest_share` of the
    best's, the later sentence is quoted instead; and a later figure of the same count (`alike`)
    always is, whatever its score: it is where the count stands.
    """
    day = sentences[pool[best]].article_date
    if day is None:
        return best
    cosine = pool_vectors @ pool_vectors[best]
    later = [
        j
        for j in np.flatnonzero(
            open_
            & (
                (
                    (cosine >= options.thread_cosine)
                    & (cosine < options.duplicate_cosine)
                    & (base >= options.newest_share * base[best])
                )
                | alike
            )
        ).tolist()
        if (d := sentences[pool[j]].article_date) is not None and d > day
    ]
    return max(later, key=lambda j: (sentences[pool[j]].article_date, base[j])) if later else best
