"""The answer: `Answer`, `Passage`, `EventDate` and `Citation`, and the refusal decision.

Candidates arrive ranked, with their signals (`rag.signals`). The answer is given only when
the best one's confidence reaches `Settings.threshold`; the quote is built around it
(`rag.quote`), with the resolved dates of its time expressions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import answer_types, lexical
from .chunking import Span
from .config import Settings
from .documents import Document
from .quote import clip, quote_span
from .signals import Candidate, confidence
from .units import Spans

NOT_SAID = "The articles don't say"
NOT_FOUND = f"{NOT_SAID}: no passage in the indexed articles answers this question."
NO_WORDS = (
    "Nothing to look for: the question has no word but ones like 'what' or 'the'. "
    "Ask e.g. 'Where will the talks take place?'"
)


@dataclass(frozen=True)
class EventDate:
    """A time expression inside a quote or passage, resolved against its article's date.

    `start`/`end` are offsets into the quote (or passage) text: `text[start:end] == phrase`.
    """

    start: int
    end: int
    phrase: str
    first: str  # ISO day
    last: str  # ISO day, equal to `first` for one day

    def label(self) -> str:
        """How a reader sees it: 'Sunday (2 Jan 2022)', 'last week (27 Dec 2021 – 2 Jan 2022)'."""
        a, b = (dt.date.fromisoformat(d) for d in (self.first, self.last))
        when = _day_label(a) if a == b else f"{_day_label(a)} – {_day_label(b)}"
        return f"{self.phrase} ({when})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"start": self.start, "end": self.end, "phrase": self.phrase, "first": self.first, "last": self.last}


def _day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Citation:
    """A sentence of another article that bears on the answer: `document(doc_id).text[start:end] == text`.

    `relation` says how: "earlier" / "later" (a different answer reported on another date),
    "conflict" (a different answer reported on the same date by another article), "undated"
    (a different answer from an article without a date), or "copy" (the same sentence).
    """

    doc_id: str
    start: int
    end: int
    text: str
    relation: str
    date: str | None = None
    title: str | None = None
    highlight: tuple[int, int] | None = None
    url: str | None = None  # where the article was published, when its file says
    source: str | None = None  # the site, feed or outlet, when its file says

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "relation": self.relation,
            "date": self.date,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "highlight": list(self.highlight) if self.highlight else None,
        }


@dataclass(frozen=True)
class Passage:
    """A retrieved stretch of an article: `document(doc_id).text[start:end] == text`."""

    doc_id: str
    text: str
    start: int
    end: int
    score: float
    date: str | None = None
    title: str | None = None
    signals: Mapping[str, float] = field(default_factory=dict)
    events: tuple[EventDate, ...] = ()
    url: str | None = None  # where the article was published, when its file says
    source: str | None = None  # the site, feed or outlet, when its file says

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "doc_id": self.doc_id,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "date": self.date,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(frozen=True)
class Answer:
    """The reply to one question.

    When `found`, `text` is a verbatim quote: `document(doc_id).text[start:end] == text`,
    and `highlight` (if any) is the answering phrase as offsets into `text`. Otherwise
    `text` says the articles do not answer, and `passages` are only related reading.
    """

    question: str
    found: bool
    text: str
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None
    date: str | None = None
    title: str | None = None
    highlight: tuple[int, int] | None = None
    confidence: float = 0.0
    passages: tuple[Passage, ...] = ()
    notice: str | None = None
    as_of: str | None = None  # the day the question was asked for (ISO), when given
    events: tuple[EventDate, ...] = ()  # resolved time expressions inside the quote
    updates: tuple[Citation, ...] = ()  # other articles' different answers, newest first
    also_in: tuple[Citation, ...] = ()  # other articles carrying the same sentence
    url: str | None = None  # where the quoted article was published, when its file says
    source: str | None = None  # its site, feed or outlet, when its file says

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the shape of `rag ask --json` and the web API)."""
        return {
            "question": self.question,
            "found": self.found,
            "text": self.text,
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "date": self.date,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "highlight": list(self.highlight) if self.highlight else None,
            "confidence": round(self.confidence, 4),
            "notice": self.notice,
            "as_of": self.as_of,
            "events": [e.to_dict() for e in self.events],
            "updates": [c.to_dict() for c in self.updates],
            "also_in": [c.to_dict() for c in self.also_in],
            "passages": [p.to_dict() for p in self.passages],
        }


# A sentence's resolved time expressions: (first day, last day, start, end) with document offsets.
EventsOf = Callable[[int], Sequence[tuple[dt.date, dt.date, int, int]]]


def events_within(unit_ids: Iterable[int], events_of: EventsOf, start: int, end: int) -> tuple[EventDate, ...]:
    """The events of `unit_ids` whose phrase lies inside [start, end) of the document, offsets made relative."""
    out = []
    for unit in unit_ids:
        for first, last, a, b in events_of(unit):
            if start <= a and b <= end:
                out.append(EventDate(a - start, b - start, "", first.isoformat(), last.isoformat()))
    return tuple(out)


def _with_phrases(events: tuple[EventDate, ...], text: str) -> tuple[EventDate, ...]:
    return tuple(EventDate(e.start, e.end, text[e.start : e.end], e.first, e.last) for e in events)


def supporting_passages(
    candidates: Sequence[Candidate],
    units: Spans,
    passages_of: Callable[[str], Iterable[Span]],
    documents: Mapping[str, Document],
    events_of: EventsOf,
    k: int,
) -> tuple[Passage, ...]:
    """The context passages holding the best candidates (given best first), each passage once, at most `k`.

    `passages_of(doc_id)` gives a document's passages in order. A passage carries the signals
    and the resolved dates of the candidate sentence that brought it: the first one is the best
    candidate's, even when its sentence straddles two passages (it brings the one holding most of it).
    """
    best_for: dict[tuple[str, int, int], tuple[Span, Candidate]] = {}
    for cand in candidates:
        p = _passage_holding(units[cand.unit], passages_of(units[cand.unit].doc_id))
        if p is not None:
            best_for.setdefault((p.doc_id, p.start, p.end), (p, cand))
        if len(best_for) >= k:
            break
    out = []
    for p, cand in best_for.values():
        doc = documents[p.doc_id]
        events = _with_phrases(events_within([cand.unit], events_of, p.start, p.end), p.text)
        out.append(
            Passage(
                p.doc_id,
                p.text,
                p.start,
                p.end,
                cand.score,
                doc.date,
                doc.title,
                dict(cand.signals),
                events,
                url=doc.url,
                source=doc.source,
            )
        )
    return tuple(out)


def _passage_holding(unit: Span, passages: Iterable[Span]) -> Span | None:
    """The passage holding all of `unit`, else the one holding most of it (None when none overlaps it)."""
    best, most = None, 0
    for p in passages:
        if p.start <= unit.start and unit.end <= p.end:
            return p
        overlap = min(p.end, unit.end) - max(p.start, unit.start)
        if overlap > most:
            best, most = p, overlap
    return best


def refusal(question: str, text: str = NOT_FOUND, **fields: Any) -> Answer:
    """An answer that quotes nothing: `text` says why."""
    return Answer(question, False, text, **fields)


def compose(
    question: str,
    candidates: Sequence[Candidate],
    units: Spans,
    documents: Mapping[str, Document],
    passages: tuple[Passage, ...],
    settings: Settings,
    events_of: EventsOf,
    notice: str | None = None,
    as_of: str | None = None,
    pick_phrase: Callable[[str, str], tuple[int, int] | None] | None = None,
) -> Answer:
    """The reply from ranked candidates: the best one quoted when confident enough, else a refusal.

    The highlight is the answer-type rules' phrase; where they find none, `pick_phrase(question,
    quote)` (the answer ranker's, when it is on) may give one.
    """
    best = candidates[0]
    conf = confidence(best.signals, with_ranker=settings.rerank > 0)
    if conf < settings.threshold:
        return refusal(question, confidence=conf, passages=passages, notice=notice, as_of=as_of)
    scores = {c.unit: c.score for c in candidates}
    kind = answer_types.question_kind(question)
    answers_kind = None
    if kind not in (None, answer_types.REASON):  # a reason has no phrase pattern to look for

        def answers_kind(text: str) -> bool:
            return answer_types.best_phrase(kind, text, question) is not None

    first, last = quote_span(units, best.unit, scores, settings.max_quote_chars, answers_kind, question)
    doc = documents[units[best.unit].doc_id]
    start, end = clip(doc, units[first].start, units[last].end, settings.max_quote_chars, set(lexical.words(question)))
    text = doc.text[start:end]
    span = answer_types.best_phrase(kind, text, question)
    if span is None and pick_phrase is not None:
        span = pick_phrase(question, text)
    events = _with_phrases(events_within(range(first, last + 1), events_of, start, end), text)
    return Answer(
        question=question,
        found=True,
        text=text,
        doc_id=doc.doc_id,
        start=start,
        end=end,
        date=doc.date,
        title=doc.title,
        highlight=span,
        confidence=conf,
        passages=passages,
        notice=notice,
        as_of=as_of,
        events=events,
        url=doc.url,
        source=doc.source,
    )
