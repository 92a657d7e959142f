"""Metrics of a set of scored answers: accuracy, abstention, retrieval, offsets, latency, and the threshold curve."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .score import CAUSES, Outcome, holds_gold

if TYPE_CHECKING:
    from .naive import NaiveAnswer

# Thresholds of the coverage/accuracy curve (the chosen one is added when not on the grid).
CURVE_THRESHOLDS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(frozen=True)
class CurvePoint:
    """Accuracy (over answerable) and abstention (over unanswerable) at one threshold."""

    threshold: float
    accuracy: float | None
    abstention: float | None
    answered: float
    chosen: bool = False


@dataclass(frozen=True)
class Metrics:
    """The numbers of one set of outcomes (a suite or one part of it); None = no such question."""

    questions: int
    answerable: int
    unanswerable: int
    accuracy: float | None  # correct quotes / answerable
    abstention: float | None  # refused / unanswerable
    precision: float | None  # correct quotes / quotes given to answerable questions
    with_doc: int  # answerable questions that name their document: the base of recall and MRR
    recall_at_1: float | None
    recall_at_5: float | None
    mrr: float | None
    offset_exact: float | None  # questions whose quote, highlight and passages all check out
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    curve: tuple[CurvePoint, ...] = ()
    # rows that give the event's day: share answered right with that day among the quote's dates
    dated: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, rates rounded to 4 places."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "curve":
                value = [{k: _round(v) for k, v in vars(p).items()} for p in value]
            out[name] = _round(value)
        return out


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The `q`-th percentile (0-100) of `values`, linearly interpolated; None when empty."""
    return float(np.percentile(values, q)) if len(values) else None


def curve(
    outcomes: Sequence[Outcome], thresholds: Iterable[float] = CURVE_THRESHOLDS, chosen: float | None = None
) -> tuple[CurvePoint, ...]:
    """Accuracy and abstention at each threshold, from one threshold-0 run.

    At threshold t a question is answered iff its answer quoted and confidence >= t; an
    answerable one is then right iff its quote was (`quote_ok`). Exact only when the
    answer function did not refuse on its own (threshold 0), as `evaluate_index` runs it.
    """
    grid = sorted(set(thresholds) | ({chosen} if chosen is not None else set()))
    answerable = [o for o in outcomes if o.row.answerable]
    unanswerable = [o for o in outcomes if not o.row.answerable]
    points = []
    for t in grid:
        points.append(
            CurvePoint(
                threshold=t,
                accuracy=_rate(sum(o.quote_ok and o.confidence >= t for o in answerable), len(answerable)),
                abstention=_rate(sum(not (o.quoted and o.confidence >= t) for o in unanswerable), len(unanswerable)),
                answered=_rate(sum(o.quoted and o.confidence >= t for o in outcomes), len(outcomes)) or 0.0,
                chosen=t == chosen,
            )
        )
    return tuple(points)


def summarize(outcomes: Sequence[Outcome], *, chosen: float | None = None) -> Metrics:
    """The `Metrics` of `outcomes`; `chosen` is the threshold to mark on the curve."""
    answerable = [o for o in outcomes if o.row.answerable]
    unanswerable = [o for o in outcomes if not o.row.answerable]
    given = [o for o in answerable if o.found]
    ranked = [o for o in answerable if o.row.doc is not None]
    ms = [o.seconds * 1000 for o in outcomes]
    dated = [o for o in answerable if o.date_ok is not None]
    return Metrics(
        questions=len(outcomes),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        accuracy=_rate(sum(o.correct for o in answerable), len(answerable)),
        abstention=_rate(sum(not o.found for o in unanswerable), len(unanswerable)),
        precision=_rate(sum(o.correct for o in given), len(given)),
        with_doc=len(ranked),
        recall_at_1=_rate(sum(o.rank == 1 for o in ranked), len(ranked)),
        recall_at_5=_rate(sum(o.rank is not None and o.rank <= 5 for o in ranked), len(ranked)),
        mrr=(sum(1 / o.rank for o in ranked if o.rank) / len(ranked)) if ranked else None,
        offset_exact=_rate(sum(not o.offset_errors for o in outcomes), len(outcomes)),
        latency_p50_ms=percentile(ms, 50),
        latency_p95_ms=percentile(ms, 95),
        curve=curve(outcomes, chosen=chosen),
        dated=_rate(sum(bool(o.date_ok) for o in dated), len(dated)),
    )


@dataclass(frozen=True)
class GoldArticle:
    """Answerable questions that name their article: answered right over every article, and handed only that one.

    The gap between the two is what choosing among articles costs; what is lost with the right
    article in hand is lost choosing within it.
    """

    part: str
    questions: int
    open_accuracy: float | None
    gold_accuracy: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "questions": self.questions,
            "open_accuracy": _round(self.open_accuracy),
            "gold_article_accuracy": _round(self.gold_accuracy),
        }


def gold_article(part: str, pairs: Sequence[tuple[Outcome, Outcome]]) -> GoldArticle:
    """`GoldArticle` of (open outcome, gold-article outcome) pairs of the same questions."""
    return GoldArticle(
        part,
        len(pairs),
        _rate(sum(o.correct for o, _ in pairs), len(pairs)),
        _rate(sum(g.correct for _, g in pairs), len(pairs)),
    )


@dataclass(frozen=True)
class AgainstNaive:
    """Answerable questions answered by the engine (its quote, at the threshold) and by the naive pipeline.

    The naive pipeline (`rag.eval.naive`) never refuses and is scored on its whole 400-character
    chunk, so it is right whenever a gold phrase is anywhere in the chunk: a generous count.
    `*_article`: among the questions that name their article (`doc`), the share answered from it.
    """

    part: str
    questions: int
    accuracy: float | None
    naive_accuracy: float | None
    article: float | None
    naive_article: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "questions": self.questions,
            "accuracy": _round(self.accuracy),
            "naive_accuracy": _round(self.naive_accuracy),
            "article": _round(self.article),
            "naive_article": _round(self.naive_article),
        }


def against_naive(part: str, pairs: Sequence[tuple[Outcome, NaiveAnswer | None]]) -> AgainstNaive:
    """`AgainstNaive` of (engine outcome, naive chunk or None) pairs of the same answerable questions."""
    naming = [(o, c) for o, c in pairs if o.row.doc]  # the article shares are over the rows that name theirs
    return AgainstNaive(
        part,
        len(pairs),
        _rate(sum(o.correct for o, _ in pairs), len(pairs)),
        _rate(sum(c is not None and holds_gold(c.text, o.row.gold) for o, c in pairs), len(pairs)),
        _rate(sum(o.found and o.doc_id == o.row.doc for o, _ in naming), len(naming)),
        _rate(sum(c is not None and c.doc_id == o.row.doc for o, c in naming), len(naming)),
    )


@dataclass(frozen=True)
class SuiteReport:
    """Everything measured on one suite: overall, per part, and each question's outcome."""

    suite: str
    path: str
    threshold: float | None
    overall: Metrics
    parts: tuple[tuple[str, Metrics], ...]
    outcomes: tuple[Outcome, ...]
    build_seconds: float | None = None
    index_note: str | None = None
    kinds: tuple[tuple[str, Metrics], ...] = ()  # per `kind` of question, when the suite has kinds
    gold_article: tuple[GoldArticle, ...] = ()  # overall, then per part, when asked for
    naive: tuple[AgainstNaive, ...] = ()  # overall, then per part, when asked for

    @property
    def offsets_ok(self) -> bool:
        """True when every quote, highlight and passage matched its document."""
        return all(not o.offset_errors for o in self.outcomes)

    def failures(self, part: str | None = None) -> dict[str, list[Outcome]]:
        """Failed outcomes grouped by cause (in `CAUSES` order), most confident first."""
        groups: dict[str, list[Outcome]] = {c: [] for c in CAUSES}
        for o in self.outcomes:
            if o.cause is not None and (part is None or o.row.part == part):
                groups[o.cause].append(o)
        return {c: sorted(os_, key=lambda o: -o.confidence) for c, os_ in groups.items() if os_}

    def to_dict(self, *, failures: bool = False) -> dict[str, Any]:
        """JSON-ready report; with `failures`, each failed question too."""
        out: dict[str, Any] = {
            "suite": self.suite,
            "path": self.path,
            "threshold": self.threshold,
            "build_seconds": _round(self.build_seconds),
            "index": self.index_note,
            "overall": self.overall.to_dict(),
            "parts": {name: m.to_dict() for name, m in self.parts},
            "kinds": {name: m.to_dict() for name, m in self.kinds},
        }
        if self.gold_article:
            out["gold_article"] = {g.part: g.to_dict() for g in self.gold_article}
        if self.naive:
            out["naive"] = {n.part: n.to_dict() for n in self.naive}
        if failures:
            out["failures"] = {c: [o.to_dict() for o in os_] for c, os_ in self.failures().items()}
        return out
