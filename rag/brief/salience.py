"""How newsworthy each sentence of a window is: a weighted sum of signals that a development leaves in text.

A development ("Today Russia attacked...", "Germany has announced the supply of 1,000 anti-tank
grenade launchers") reports a dated event, with names and figures that are rare in the window;
rhetoric ("We will win!") and lines every address repeats ("Glory to Ukraine!") carry none. The
weights were set by hand on the fit rows of `eval/ukraine_2022/briefing.jsonl` (br-01..br-04).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain

import numpy as np

from .features import SentenceFeatures, term_of
from .types import DatedSentence
from .window import Window, distinct

# A term in more than this share of the window's articles is common ("Ukraine", "war"): no name of news.
COMMON_SHARE = 0.3
# A sentence repeated word for word in at least this many articles, and this share of the window, is boilerplate.
BOILERPLATE_ARTICLES = 3
BOILERPLATE_SHARE = 0.05
# Shorter sentences are fragments or slogans ("Glory to heroes!").
MIN_WORDS = 4
# An event this many days before the article (or on its day) is the news of that article.
RECENT_DAYS = 2
# A sentence whose every dated event ended more than this many days before its article is background ("in 2019").
HISTORY_DAYS = 31
# How many of a sentence's rarest terms and names count towards its specificity.
TOP_TERMS = 6
TOP_NAMES = 2


@dataclass(frozen=True)
class Weights:
    """The weight of each salience signal (each signal is 0..1); set by a coarse search on the fit rows.

    `names` is kept at 0: rare names favoured lists of leaders called and countries thanked, and
    lowered fit recall at every weight tried (0.5, 1, 1.5). `action` (0.5) and `addressed` (-0.5)
    raised fit recall from 8 to 9 of 31 developments and put a gold sentence's best rank in the
    window's top 30 for 16 developments instead of 13; larger `action` weights (0.75+) ranked better
    but recalled less, and gating "today" or a figure on an act recalled less (5-6 of 31). `history`
    (-0.5 and -1 alike) left fit recall at 9 and put one more development's article in the briefing.
    `talk` (-0.5; -0.3 and -1 alike) drops calls and thanks ("I spoke with the Presidents of ...")
    below reported acts; with the topic's words kept out of `specific` and a stronger MMR
    (`Options.diversity` 0.7) fit recall went from 9 to 11 of 31.
    """

    recent: float = 1.0  # names a day up to RECENT_DAYS before its article: "today", "yesterday", "this morning"
    event: float = 0.3  # names any single day or a span of at most a week
    figure: float = 1.0  # holds a figure (a count, a sum of money)
    names: float = 0.0  # holds names that are rare in the window (IDF over articles, scaled)
    specific: float = 1.5  # its rarest content terms are rare in the window (IDF sum, scaled)
    lead: float = 0.3  # among the first three sentences of its article
    past: float = 0.5  # reports something done: a verb in the past tense ("announced", "took place", "hit")
    action: float = 0.5  # names a concrete act: force, an agreement or decision, aid, sanctions, a meeting, a vote
    rhetoric: float = -0.4  # an exclamation, a question or an appeal
    addressed: float = -0.5  # speaks to the audience ("you", "your"): an appeal rather than a report
    talk: float = -0.5  # reports a conversation, a call or thanks and no act ("I spoke with the Presidents of ...")
    history: float = -0.5  # every date it names ended over HISTORY_DAYS before its article: background ("in 2019")


@dataclass(frozen=True)
class Salience:
    """Per-sentence salience of a window and what it was computed from."""

    score: np.ndarray  # float32; -inf for boilerplate and fragments (never quoted)
    found: tuple[SentenceFeatures, ...]
    common: frozenset[str]  # terms too common in the window to name a development
    window: Window
    key: np.ndarray  # int64: sentences with the same key are word-for-word copies


def _scaled(values: np.ndarray) -> np.ndarray:
    """`values` over their 95th percentile, clipped to 0..1 (robust to one very long sentence)."""
    top = float(np.percentile(values, 95)) if len(values) else 0.0
    return np.clip(values / top, 0.0, 1.0) if top > 0 else np.zeros_like(values)


def salience(
    sentences: Sequence[DatedSentence],
    weights: Weights = Weights(),  # noqa: B008
    window: Window | None = None,
    topic_terms: Iterable[int] = (),
) -> Salience:
    """The salience of every sentence of a window (see `Weights`); `window` is reused when given.

    `topic_terms` (vocabulary ids, see `topic_words`) are the words of the briefing's topic: they
    do not make a sentence specific, since every sentence of a topic briefing is about them; what
    counts is what a sentence says beyond the topic ("We have always insisted on negotiations"
    says nothing more in a briefing on negotiations).
    """
    win = window if window is not None else Window(sentences)
    found = win.found
    n = len(sentences)
    articles = max(1, win.articles)
    df = win.document_frequency()
    idf = np.log((articles + 1) / (df + 0.5)).astype(np.float32)
    is_common = (df > COMMON_SHARE * articles) & (articles >= 4)
    # the few rarest terms and names: a long list of countries is not more news than one name
    beyond_topic = idf.copy()
    excluded = np.fromiter((i for i in topic_terms if i < len(idf)), np.int64)
    beyond_topic[excluded] = 0.0
    spec = win.per_sentence_top(beyond_topic, win.term_ids, win.term_owner, TOP_TERMS)
    names = np.zeros(n, np.float32)
    if weights.names:
        lengths = np.fromiter((len(f.name_ids) for f in found), np.int64, n)
        ids = np.fromiter(chain.from_iterable(f.name_ids for f in found), np.int64, int(lengths.sum()))
        owner = np.repeat(np.arange(n), lengths)
        names = win.per_sentence_top(np.where(is_common, 0.0, idf), ids, owner, TOP_NAMES)
    # a count of 10 or more, or of a named thing in digits ("5 tanks"); "three regions" is no news by itself
    figure = np.fromiter(
        (
            any(g.value >= 10 or (g.unit and s.text[g.start].isdigit()) for g in f.figures)
            for s, f in zip(sentences, found)
        ),
        np.float32,
        n,
    )
    past = np.fromiter((f.past for f in found), np.float32, n)
    rhetoric = np.fromiter((f.rhetorical for f in found), np.float32, n)
    action = np.fromiter((f.action for f in found), np.float32, n)
    addressed = np.fromiter((f.addressed for f in found), np.float32, n)
    talk = np.fromiter((f.talk for f in found), np.float32, n)
    short = np.fromiter((f.words < MIN_WORDS for f in found), bool, n)
    lead = (win.position < 3).astype(np.float32)
    recent, event, history = _event_signals(sentences)
    # in how many articles each sentence's exact wording occurs
    keys: dict[str, int] = {}
    key = np.fromiter((keys.setdefault(f.key, len(keys)) for f in found), np.int64, n)
    pairs = distinct(key * articles + win.article)
    copies = np.bincount(pairs // articles, minlength=len(keys))[key]
    boiler = copies >= max(BOILERPLATE_ARTICLES, BOILERPLATE_SHARE * articles)
    score = (
        weights.recent * recent
        + weights.event * event
        + weights.figure * figure
        + weights.names * _scaled(names)
        + weights.specific * _scaled(spec)
        + weights.lead * lead
        + weights.past * past
        + weights.action * action
        + weights.rhetoric * rhetoric
        + weights.addressed * addressed
        + weights.talk * talk
        + weights.history * history
    ).astype(np.float32)
    score[short | boiler] = -np.inf
    common = frozenset(term_of(int(i)) for i in np.flatnonzero(is_common))
    return Salience(score, found, common, win, key)


def _event_signals(sentences: Sequence[DatedSentence]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(recent, event, history) per sentence, from its resolved event dates against its article's date.

    recent: names a day up to RECENT_DAYS before its article; event: names a day or a span of at most
    a week; history: every date it names ended over HISTORY_DAYS before its article.
    """
    n = len(sentences)
    recent = np.zeros(n, np.float32)
    event = np.zeros(n, np.float32)
    history = np.zeros(n, np.float32)
    for i, s in enumerate(sentences):
        if not s.events:
            continue
        day = s.article_date
        for e in s.events:
            if (e.last - e.first).days <= 7:
                event[i] = 1.0
                if day is not None and e.first == e.last and day - timedelta(days=RECENT_DAYS) <= e.first <= day:
                    recent[i] = 1.0
        if day is not None:
            history[i] = all(e.last < day - timedelta(days=HISTORY_DAYS) for e in s.events)
    return recent, event, history
