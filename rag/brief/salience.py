"""How newsworthy each sentence of a window is: a weighted sum of signals that a development leaves in text.

A development ("Today Russia attacked...", "Germany has announced the supply of 1,000 anti-tank
grenade launchers") reports a dated event, with names and figures that are rare in the window;
rhetoric ("We will win!") and lines every address repeats ("Glory to Ukraine!") carry none. The
weights were set by hand on the fit rows of `eval/ukraine_2022/briefing.jsonl` (br-01..br-04).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from ..eval.suite import normalize
from .features import SentenceFeatures, features
from .relevance import neighbours
from .types import DatedSentence

# A term in more than this share of the window's articles is common ("Ukraine", "war"): no name of news.
COMMON_SHARE = 0.3
# A sentence repeated word for word in at least this many articles, and this share of the window, is boilerplate.
BOILERPLATE_ARTICLES = 3
BOILERPLATE_SHARE = 0.05
# Shorter sentences are fragments or slogans ("Glory to heroes!").
MIN_WORDS = 4
# An event this many days before the article (or on its day) is the news of that article.
RECENT_DAYS = 2


@dataclass(frozen=True)
class Weights:
    """The weight of each salience signal (each signal is 0..1)."""

    recent: float = 1.0  # names a day up to RECENT_DAYS before its article: "today", "yesterday", "this morning"
    event: float = 0.3  # names any single day or a short span
    figure: float = 0.6  # holds a figure (a count, a sum of money)
    names: float = 1.0  # holds names that are rare in the window (IDF over articles, scaled)
    specific: float = 1.0  # its content terms are rare in the window (IDF sum, scaled)
    lead: float = 0.3  # among the first three sentences of its article
    rhetoric: float = -0.8  # an exclamation, a question or an appeal


@dataclass(frozen=True)
class Salience:
    """Per-sentence salience of a window and what it was computed from."""

    score: np.ndarray  # float32; -inf for boilerplate and fragments (never quoted)
    found: tuple[SentenceFeatures, ...]
    common: frozenset[str]  # terms too common in the window to name a development
    neighbours: tuple[tuple[int, ...], ...]


def _scaled(values: np.ndarray) -> np.ndarray:
    """`values` over their 95th percentile, clipped to 0..1 (robust to one very long sentence)."""
    top = float(np.percentile(values, 95)) if len(values) else 0.0
    return np.clip(values / top, 0.0, 1.0) if top > 0 else np.zeros_like(values)


def salience(sentences: Sequence[DatedSentence], weights: Weights = Weights()) -> Salience:  # noqa: B008
    """The salience of every sentence of a window (see `Weights`)."""
    n = len(sentences)
    found = tuple(features(s.text) for s in sentences)
    near = neighbours(sentences)
    position = _positions(sentences)
    docs: dict[str, set[str]] = {}
    for s, f in zip(sentences, found):
        docs.setdefault(s.doc_id, set()).update(f.terms)
    articles = max(1, len(docs))
    df: dict[str, int] = {}
    for terms in docs.values():
        for t in terms:
            df[t] = df.get(t, 0) + 1
    idf = {t: math.log((articles + 1) / (c + 0.5)) for t, c in df.items()}
    common = frozenset(t for t, c in df.items() if c > COMMON_SHARE * articles and articles >= 4)
    copies: dict[str, set[str]] = {}
    keys = [normalize(s.text) for s in sentences]
    for s, key in zip(sentences, keys):
        copies.setdefault(key, set()).add(s.doc_id)
    boiler_at = max(BOILERPLATE_ARTICLES, BOILERPLATE_SHARE * articles)

    spec = np.zeros(n, np.float32)
    names = np.zeros(n, np.float32)
    recent = np.zeros(n, np.float32)
    event = np.zeros(n, np.float32)
    figure = np.zeros(n, np.float32)
    lead = np.zeros(n, np.float32)
    rhetoric = np.zeros(n, np.float32)
    excluded = np.zeros(n, bool)
    for i, (s, f) in enumerate(zip(sentences, found)):
        spec[i] = sum(idf[t] for t in f.terms)
        names[i] = sum(idf.get(t, 0.0) for t in f.name_terms if t not in common)
        day = s.article_date
        for e in s.events:
            if (e.last - e.first).days <= 7:
                event[i] = 1.0
                if day is not None and day - timedelta(days=RECENT_DAYS) <= e.first <= day and e.first == e.last:
                    recent[i] = 1.0
        figure[i] = float(any(g.value >= 10 or g.unit for g in f.figures))
        lead[i] = float(position[i] < 3)
        rhetoric[i] = float(f.rhetorical)
        excluded[i] = f.words < MIN_WORDS or len(copies[keys[i]]) >= boiler_at
    score = (
        weights.recent * recent
        + weights.event * event
        + weights.figure * figure
        + weights.names * _scaled(names)
        + weights.specific * _scaled(spec)
        + weights.lead * lead
        + weights.rhetoric * rhetoric
    ).astype(np.float32)
    score[excluded] = -np.inf
    return Salience(score, found, common, tuple(near))


def _positions(sentences: Sequence[DatedSentence]) -> list[int]:
    """Each sentence's place in its article among the window's sentences (0 for the first)."""
    order = sorted(range(len(sentences)), key=lambda i: (sentences[i].doc_id, sentences[i].start))
    out = [0] * len(sentences)
    for prev, i in zip([-1, *order], order):
        out[i] = out[prev] + 1 if prev >= 0 and sentences[prev].doc_id == sentences[i].doc_id else 0
    return out
