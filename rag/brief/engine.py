"""Build a briefing from the sentences of a window: validate, rank, choose, show changes, quote, order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from ..dates import parse_date
from .changes import FigureIndex, change_text
from .items import make_item, timeline_key
from .relevance import ABOUT_THRESHOLD, topic_relevance, topic_words
from .salience import Salience, Weights, salience
from .select import Options, Pick, choose, ranked
from .types import Briefing, BriefingItem, DatedSentence
from .window import Window


def build_briefing(
    sentences: Sequence[DatedSentence],
    vectors: np.ndarray,
    *,
    relevance: np.ndarray | None,
    max_items: int = 10,
    document_text: Callable[[str], str] | None = None,
    weights: Weights = Weights(),  # noqa: B008
    options: Options = Options(),  # noqa: B008
    window: Window | None = None,
    topic_terms: Iterable[int] = (),
) -> tuple[BriefingItem, ...]:
    """The items of a briefing over `sentences` (every sentence of the window's articles), in timeline order.

    `vectors[i]` is the unit-length MiniLM vector of `sentences[i]`; `relevance[i]` (0..1, see
    `topic_relevance`) how much it is about the topic, or None for no topic. `document_text(doc_id)`
    gives an article's full text, so a sentence that leans on its neighbour can be quoted with it;
    without it every item is one sentence. `window` (the sentences' `Window`) saves laying them
    out again. `topic_terms` (the topic's vocabulary ids, from `topic_words`) keep the topic's own
    words from making a sentence specific. Raises `ValueError` when the shapes disagree.
    """
    _check(sentences, vectors, relevance, max_items)
    if not sentences:
        return ()
    vectors = np.asarray(vectors, dtype=np.float32)
    window = window if window is not None else Window(sentences)
    sal = salience(sentences, weights, window, topic_terms)
    picks = choose(sentences, vectors, sal, ranked(sal, relevance, options), max_items, options)
    picks = _with_changes(sentences, vectors, sal, picks, max_items, options)
    items = []
    for p in picks:
        members, at = sal.window.members(p.index)
        items.append(
            make_item(
                sentences,
                members,
                at,
                score=p.score,
                also_in=p.also_in,
                common=sal.common,
                change=p.change,
                document_text=document_text,
            )
        )
    return tuple(sorted(items, key=timeline_key))


def _with_changes(
    sentences: Sequence[DatedSentence],
    vectors: np.ndarray,
    sal: Salience,
    picks: list[Pick],
    max_items: int,
    options: Options,
) -> list[Pick]:
    """`picks` where each figure that changed is shown with its earlier statement, which may displace the weakest pick.

    The newer pick then carries the change ("one hundred thousand → 180,000"); a pick that is part
    of such a pair is never the one displaced.
    """
    figures = FigureIndex(sentences, sal.found)
    out = list(picks)
    for p in picks:
        if all(q.index != p.index for q in out):
            continue  # displaced by an earlier pair
        found = figures.earlier(p.index, vectors, options.change_cosine)
        if found is None:
            continue
        old, old_figure, new_figure = found
        if all(q.index != old for q in out):
            paired = {q.index for q in out if q.previous is not None} | {q.previous for q in out}
            spare = [q for q in out if q.index not in paired and q.index != p.index]
            if len(out) >= max_items:
                if not spare:
                    continue
                out.remove(min(spare, key=lambda q: q.score))
            out.append(Pick(old, float(sal.score[old]), ()))
        change = change_text(sentences[old].text, old_figure, sentences[p.index].text, new_figure)
        out = [replace(q, previous=old, change=change) if q.index == p.index else q for q in out]
    return out


def _check(
    sentences: Sequence[DatedSentence], vectors: np.ndarray, relevance: np.ndarray | None, max_items: int
) -> None:
    if type(max_items) is not int or max_items < 1:
        raise ValueError(f"max_items must be a positive integer, got {max_items!r}")
    shape = getattr(vectors, "shape", None)
    if shape is None or len(shape) != 2 or shape[0] != len(sentences):
        raise ValueError(
            f"vectors must be a 2-D array with one row per sentence ({len(sentences)} rows), got shape {shape}"
        )
    if relevance is not None and np.shape(relevance) != (len(sentences),):
        raise ValueError(f"relevance must hold one value per sentence ({len(sentences)}), got {np.shape(relevance)}")


def in_window(
    sentences: Sequence[DatedSentence], since: date | str | None, until: date | str | None, as_of: date | str | None
) -> list[DatedSentence]:
    """The sentences whose article is dated within [since, until] and not after `as_of` (undated ones are left out)."""
    first = parse_date(since, name="since")
    last = parse_date(until, name="until")
    today = parse_date(as_of, name="as_of")
    if first and last and first > last:
        raise ValueError(f"since {first} is after until {last}: swap them")
    end = min(d for d in (last, today) if d is not None) if (last or today) else None
    return [
        s
        for s in sentences
        if s.article_date is not None
        and (first is None or s.article_date >= first)
        and (end is None or s.article_date <= end)
    ]


def make_briefing(
    sentences: Sequence[DatedSentence],
    vectors: np.ndarray,
    *,
    since: date | str | None = None,
    until: date | str | None = None,
    as_of: date | str | None = None,
    topic: str | None = None,
    topic_vector: np.ndarray | None = None,
    max_items: int = 10,
    document_text: Callable[[str], str] | None = None,
    weights: Weights = Weights(),  # noqa: B008
    options: Options = Options(),  # noqa: B008
) -> Briefing:
    """A whole `Briefing` over the window's sentences (already selected, see `in_window`), with its notice.

    With a `topic`, `topic_vector` (its MiniLM vector) is required; when no sentence is about the
    topic the briefing has no items and says so, rather than quoting the window's news anyway.
    """
    stamp = [
        d.isoformat() if d else None
        for d in (parse_date(v, name=n) for v, n in ((since, "since"), (until, "until"), (as_of, "as_of")))
    ]
    topic = topic.strip() if topic and topic.strip() else None
    articles = len({s.doc_id for s in sentences})
    empty = Briefing((), stamp[0], stamp[1], stamp[2], topic, articles)
    if not sentences:
        return replace(empty, notice="no articles in this window: widen the dates or check the articles' dates")
    relevance = None
    topic_terms: list[int] = []
    window = Window(sentences)
    if topic is not None:
        if topic_vector is None:
            raise ValueError("a topic needs its topic_vector: rag.embedding.encode(model, [topic])[0]")
        words = topic_words(topic)  # a scan of the vocabulary per long word: looked up once
        relevance = topic_relevance(topic, sentences, vectors, topic_vector, window, words=words)
        topic_terms = [i for ids in words for i in ids]
        if float(relevance.max()) < ABOUT_THRESHOLD:
            return replace(empty, notice=f"nothing in this window is about {topic!r}")
    items = build_briefing(
        sentences,
        vectors,
        relevance=relevance,
        max_items=max_items,
        document_text=document_text,
        weights=weights,
        options=options,
        window=window,
        topic_terms=topic_terms,
    )
    if not items:
        return replace(empty, notice="the articles of this window hold no statement beyond greetings and slogans")
    return replace(empty, items=items)
