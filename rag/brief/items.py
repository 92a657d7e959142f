"""Turn a chosen sentence into a `BriefingItem`: the exact quote (one sentence or two), its dates and label."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from ..answer import quote_span
from ..chunking import Span
from ..dates import DateRange
from .features import features, label
from .types import BriefingItem, DatedSentence

# A two-sentence quote is never longer than an answer's (Settings.max_quote_chars).
MAX_QUOTE_CHARS = 400
# An event further back than this from its article is history ("in 2014"), not the article's news.
EVENT_LOOKBACK = timedelta(days=31)


def event_day(sentence: DatedSentence) -> DateRange | None:
    """The day (or span of at most a week) the sentence reports, on or before its article; None when it names none.

    Of several, the one nearest the article's date: "Yesterday ..., and on 24 February ..." is yesterday.
    """
    day = sentence.article_date
    options = [e for e in sentence.events if (e.last - e.first).days <= 7]
    if day is not None:
        options = [e for e in options if day - EVENT_LOOKBACK <= e.first <= day]
        return min(options, key=lambda e: (day - e.first, e.last - e.first), default=None)
    return options[0] if options else None


def quote_bounds(
    sentences: Sequence[DatedSentence], article: Sequence[int], at: int, document_text: Callable[[str], str] | None
) -> tuple[int, int, str]:
    """(start, end, text) of the quote around `article[at]`: the sentence, or it and the one it leans on.

    `article` lists the window's sentences of one article in text order. The decision is
    `rag.answer.quote_span`'s (a sentence opening with "It"/"This"/"They" needs the one before; one
    ending in ":" needs the one after). Joining needs the article's text between the two sentences,
    so without `document_text` every quote is one sentence.
    """
    one = sentences[article[at]]
    if document_text is None:
        return one.start, one.end, one.text
    spans = [Span(sentences[i].doc_id, sentences[i].start, sentences[i].end, sentences[i].text) for i in article]
    first, last = quote_span(spans, at, {}, MAX_QUOTE_CHARS)
    if first == last:
        return one.start, one.end, one.text
    text = document_text(one.doc_id)
    start, end = spans[first].start, spans[last].end
    return start, end, text[start:end]


def make_item(
    sentences: Sequence[DatedSentence],
    article: Sequence[int],
    at: int,
    *,
    score: float,
    also_in: tuple[str, ...],
    common: frozenset[str],
    change: str | None,
    document_text: Callable[[str], str] | None,
) -> BriefingItem:
    """The item quoting `article[at]` (see `quote_bounds`), labelled from the sentence itself."""
    s = sentences[article[at]]
    start, end, text = quote_bounds(sentences, article, at, document_text)
    when = event_day(s)
    return BriefingItem(
        doc_id=s.doc_id,
        start=start,
        end=end,
        text=text,
        date=s.article_date.isoformat() if s.article_date else None,
        event_date=when.iso() if when else None,
        label=label(s.text, features(s.text), common),
        also_in=also_in,
        score=score,
        change=change,
        title=s.title,
        source=s.source,
    )


def timeline_key(item: BriefingItem) -> tuple[str, str, str, int]:
    """Order of a timeline: the event's day (else the article's), then the article's date, article, offset."""
    return (item.timeline_date or date.max.isoformat(), item.date or "", item.doc_id, item.start)
