"""The briefing's boundary types: a candidate sentence in, quoted items and the briefing out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..dates import DateRange


@dataclass(frozen=True)
class DatedSentence:
    """One candidate sentence, as the index hands it over: `text == document.text[start:end]`.

    `events` are the resolved event dates of the sentence (`rag.dates.find_time_expressions`
    against `article_date`), in text order; empty when the sentence names no date.
    """

    unit: int  # the index's unit id (opaque here)
    doc_id: str
    start: int
    end: int
    text: str
    article_date: date | None
    events: tuple[DateRange, ...] = ()
    title: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class BriefingItem:
    """One line of a briefing: a verbatim quote (`document.text[start:end] == text`) and where it is from.

    `label` is made only of substrings of `text` (key names and figures, joined by " · ");
    `change` ("100,000 → 130,000") is set on the newer item when a figure changed between two
    items of the same briefing, and both figures are substrings of their quotes.
    """

    doc_id: str
    start: int
    end: int
    text: str
    date: str | None  # the article's date (ISO)
    event_date: str | None  # the resolved event date or range ("a/b") when the quote names one
    label: str
    also_in: tuple[str, ...]  # other articles carrying the same statement
    score: float
    change: str | None = None
    title: str | None = None
    source: str | None = None  # who said it: the corpus is official statements, a claim needs its speaker

    @property
    def timeline_date(self) -> str | None:
        """The day this item sits at on a timeline: its event's day when it has one, else the article's.

        For a span ("in the previous two days") it is the span's last day: by then it had happened.
        """
        return self.event_date.split("/")[-1] if self.event_date else self.date

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "date": self.date,
            "event_date": self.event_date,
            "label": self.label,
            "also_in": list(self.also_in),
            "score": round(self.score, 4),
            "change": self.change,
            "title": self.title,
            "source": self.source,
        }


@dataclass(frozen=True)
class Briefing:
    """A briefing over a window of articles: items in timeline order, or a notice saying why there are none."""

    items: tuple[BriefingItem, ...]
    since: str | None
    until: str | None
    as_of: str | None
    topic: str | None
    articles: int  # how many articles the window holds
    notice: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the shape a web API or `--json` prints)."""
        return {
            "since": self.since,
            "until": self.until,
            "as_of": self.as_of,
            "topic": self.topic,
            "articles": self.articles,
            "notice": self.notice,
            "items": [item.to_dict() for item in self.items],
        }
