"""Score an answer function on QA suites: accuracy, abstention, retrieval, offsets, latency.

A suite is a folder::

    eval/seed/
      docs/       the articles (.txt/.md, any depth); a row's `doc` is a path relative to it
      qa.jsonl    one question per line, see `load_suite`
      .index/     the suite's index, built on first use, refreshed when docs change (gitignored)

Library use (what `rag eval` does)::

    from rag import evaluate as ev
    suite = ev.load_suite("eval/seed")
    index, seconds = ev.suite_index(suite)
    report = ev.evaluate_index(index, suite, build_seconds=seconds)
    print(ev.format_report(report, failures=10))

`evaluate(answer_fn, suite)` scores any function question -> Answer-like object (tests pass
a fake with known results). Each question is answered once. The refusal threshold is
applied here, not by the answer function: `evaluate_index` answers with threshold 0, keeps
every quote and its confidence, and a question counts as answered at threshold t iff
confidence >= t. So the whole coverage/accuracy curve costs one retrieval per question,
and the headline numbers are exactly the curve's point at the index's threshold.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .eval_report import format_report
from .eval_suite import DOCS_DIR, QA_FILE, QARow, Suite, load_suite, normalize

if TYPE_CHECKING:
    import argparse

    from .index import Index

__all__ = [
    "DOCS_DIR", "QA_FILE", "AnswerLike", "CurvePoint", "Metrics", "Outcome", "QARow", "Suite", "SuiteReport",
    "evaluate", "evaluate_index", "format_report", "iter_reports", "load_suite", "main", "normalize", "run",
    "suite_index",
]

INDEX_DIR = ".index"
# The quote a reader sees: longer than this is not an answer, however right it is.
MAX_ANSWER_CHARS = 400
# Thresholds of the coverage/accuracy curve (the chosen one is added when not on the grid).
CURVE_THRESHOLDS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(1, 20))


# ----------------------------------------------------------------------------- scoring one answer


class PassageLike(Protocol):
    """What the scorer reads of a passage (`rag.Passage` fits)."""

    @property
    def doc_id(self) -> str: ...  # noqa: D102
    @property
    def text(self) -> str: ...  # noqa: D102
    @property
    def start(self) -> int: ...  # noqa: D102
    @property
    def end(self) -> int: ...  # noqa: D102


class AnswerLike(Protocol):
    """What the scorer reads of an answer (`rag.Answer` fits)."""

    @property
    def found(self) -> bool: ...  # noqa: D102
    @property
    def text(self) -> str: ...  # noqa: D102
    @property
    def doc_id(self) -> str | None: ...  # noqa: D102
    @property
    def start(self) -> int | None: ...  # noqa: D102
    @property
    def end(self) -> int | None: ...  # noqa: D102
    @property
    def highlight(self) -> tuple[int, int] | None: ...  # noqa: D102
    @property
    def confidence(self) -> float: ...  # noqa: D102
    @property
    def passages(self) -> Sequence[PassageLike]: ...  # noqa: D102


AnswerFn = Callable[[str], AnswerLike]
# doc_id -> the document's full text; raises KeyError for an unknown id.
TextOf = Callable[[str], str]


def holds_gold(text: str, gold: Iterable[str]) -> bool:
    """True when some gold phrase occurs in `text` (compared after `normalize`)."""
    norm = normalize(text)
    return any(normalize(g) in norm for g in gold)


def check_offsets(answer: AnswerLike, text_of: TextOf) -> tuple[str, ...]:
    """What is wrong with the offsets of `answer`: its quote, highlight and every passage.

    Empty when `text_of(doc_id)[start:end]` is exactly the quote and each passage's text,
    and the highlight lies inside the quote.
    """
    errors: list[str] = []

    def check(what: str, doc_id: str | None, start: int | None, end: int | None, text: str) -> None:
        if doc_id is None or start is None or end is None:
            errors.append(f"{what}: missing doc_id/start/end")
            return
        try:
            full = text_of(doc_id)
        except KeyError:
            errors.append(f"{what}: unknown document {doc_id!r}")
            return
        if not 0 <= start <= end <= len(full) or full[start:end] != text:
            errors.append(f"{what}: {doc_id}[{start}:{end}] is {full[start:end][:60]!r}, not {text[:60]!r}")

    if answer.found:
        check("quote", answer.doc_id, answer.start, answer.end, answer.text)
        if answer.highlight is not None:
            lo, hi = answer.highlight
            if not 0 <= lo < hi <= len(answer.text):
                errors.append(f"highlight {answer.highlight} is not inside the {len(answer.text)}-char quote")
    for i, p in enumerate(answer.passages):
        check(f"passage {i + 1}", p.doc_id, p.start, p.end, p.text)
    return tuple(errors)


def doc_rank(answer: AnswerLike, doc: str | None, *, found: bool) -> int | None:
    """1-based rank of document `doc` among the answer's documents, None when absent.

    The quote's document is rank 1 when `found`; the passages' documents follow, each
    document counted once, in the answer's order.
    """
    if doc is None:
        return None
    ranked = [answer.doc_id] if found and answer.doc_id is not None else []
    ranked.extend(p.doc_id for p in answer.passages)
    ranked = list(dict.fromkeys(ranked))
    return ranked.index(doc) + 1 if doc in ranked else None


@dataclass(frozen=True)
class Outcome:
    """How one question went.

    `quoted`, `quote_ok`, `text` and `doc_id` describe the answer function's own reply
    (its quote is kept even when the report's threshold refuses it); `found` and `correct`
    apply that threshold on top: answered iff quoted and confidence >= threshold. `rank`
    is the gold document's rank (see `doc_rank`); `signals` are the chosen sentence's.
    """

    row: QARow
    found: bool
    correct: bool
    quoted: bool
    quote_ok: bool
    text: str
    doc_id: str | None
    confidence: float
    rank: int | None
    offset_errors: tuple[str, ...]
    seconds: float
    signals: Mapping[str, float] = field(default_factory=dict)

    @property
    def cause(self) -> str | None:
        """Why the question failed (one of `CAUSES`), or None when it went right."""
        if self.offset_errors:
            return OFFSETS
        if self.row.answerable:
            if not self.found:
                return REFUSED
            if self.correct:
                return None
            return TOO_LONG if holds_gold(self.text, self.row.gold) else WRONG
        return FALSE_ANSWER if self.found else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "id": self.row.id, "q": self.row.q, "gold": list(self.row.gold), "doc": self.row.doc,
            "part": self.row.part, "cause": self.cause, "found": self.found, "correct": self.correct,
            "quoted": self.quoted, "quote_ok": self.quote_ok,
            "confidence": round(self.confidence, 4), "text": self.text, "doc_id": self.doc_id, "rank": self.rank,
            "offset_errors": list(self.offset_errors), "ms": round(self.seconds * 1000, 2),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
        }


OFFSETS, WRONG, TOO_LONG, REFUSED, FALSE_ANSWER = (
    "offset mismatch", "wrong sentence picked", f"quote over {MAX_ANSWER_CHARS} chars",
    "refused an answerable", "answered an unanswerable",
)
CAUSES = (OFFSETS, WRONG, TOO_LONG, REFUSED, FALSE_ANSWER)


def score_answer(row: QARow, answer: AnswerLike, text_of: TextOf, *, threshold: float | None, seconds: float = 0.0) -> Outcome:
    """The `Outcome` of `answer` to `row`, answered iff it quotes and (if given) confidence >= threshold."""
    quoted = bool(answer.found)
    found = quoted and (threshold is None or answer.confidence >= threshold)
    quote_ok = quoted and row.answerable and len(answer.text) <= MAX_ANSWER_CHARS and holds_gold(answer.text, row.gold)
    # the chosen sentence's signals ride on the first passage; kept for tuning the weights
    signals = dict(getattr(answer.passages[0], "signals", None) or {}) if answer.passages else {}
    return Outcome(
        row=row, found=found, correct=found and quote_ok, quoted=quoted, quote_ok=quote_ok, text=answer.text,
        doc_id=answer.doc_id if quoted else None, confidence=float(answer.confidence),
        rank=doc_rank(answer, row.doc, found=found), offset_errors=check_offsets(answer, text_of),
        seconds=seconds, signals=signals,
    )


# ----------------------------------------------------------------------------- metrics


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
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def curve(outcomes: Sequence[Outcome], thresholds: Iterable[float] = CURVE_THRESHOLDS, chosen: float | None = None) -> tuple[CurvePoint, ...]:
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
        points.append(CurvePoint(
            threshold=t,
            accuracy=_rate(sum(o.quote_ok and o.confidence >= t for o in answerable), len(answerable)),
            abstention=_rate(sum(not (o.quoted and o.confidence >= t) for o in unanswerable), len(unanswerable)),
            answered=_rate(sum(o.quoted and o.confidence >= t for o in outcomes), len(outcomes)) or 0.0,
            chosen=t == chosen,
        ))
    return tuple(points)


def summarize(outcomes: Sequence[Outcome], *, chosen: float | None = None) -> Metrics:
    """The `Metrics` of `outcomes`; `chosen` is the threshold to mark on the curve."""
    answerable = [o for o in outcomes if o.row.answerable]
    unanswerable = [o for o in outcomes if not o.row.answerable]
    given = [o for o in answerable if o.found]
    ranked = [o for o in answerable if o.row.doc is not None]
    ms = [o.seconds * 1000 for o in outcomes]
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
            "suite": self.suite, "path": self.path, "threshold": self.threshold,
            "build_seconds": _round(self.build_seconds), "index": self.index_note,
            "overall": self.overall.to_dict(), "parts": {name: m.to_dict() for name, m in self.parts},
        }
        if failures:
            out["failures"] = {c: [o.to_dict() for o in os_] for c, os_ in self.failures().items()}
        return out


# ----------------------------------------------------------------------------- running


def evaluate(
    answer_fn: AnswerFn,
    suite: Suite | str | os.PathLike[str],
    *,
    index: Index | None = None,
    threshold: float | None = None,
    build_seconds: float | None = None,
) -> SuiteReport:
    """Answer every question of `suite` once with `answer_fn` and score the answers.

    Offsets are checked against `index.document(doc_id).text` when `index` is given, else
    against the suite's files. `threshold`, when given, is applied to the answers' confidence
    (see `curve`); None takes each answer's `found` as it is.
    """
    suite = suite if isinstance(suite, Suite) else load_suite(suite)
    text_of = (lambda d: index.document(d).text) if index is not None else _file_reader(suite.docs_dir)
    outcomes = []
    for row in suite.rows:
        t0 = time.perf_counter()
        answer = answer_fn(row.q)
        seconds = time.perf_counter() - t0
        outcomes.append(score_answer(row, answer, text_of, threshold=threshold, seconds=seconds))
    parts = tuple(
        (part, summarize([o for o in outcomes if o.row.part == part], chosen=threshold)) for part in suite.parts
    ) if len(suite.parts) > 1 else ()
    return SuiteReport(
        suite=suite.name, path=str(suite.path), threshold=threshold, overall=summarize(outcomes, chosen=threshold),
        parts=parts, outcomes=tuple(outcomes), build_seconds=build_seconds,
        index_note=_build_note(index),
    )


def _build_note(index: Index | None) -> str | None:
    report = getattr(index, "report", None)  # None too for a stand-in index in tests
    return report.summary() if report is not None else None


def _file_reader(docs_dir: Path) -> TextOf:
    @cache
    def text_of(doc_id: str) -> str:
        path = docs_dir / doc_id
        if not path.is_file():
            raise KeyError(doc_id)
        return path.read_bytes().decode("utf-8")  # as rag reads it: no newline translation

    return text_of


def evaluate_index(index: Index, suite: Suite | str | os.PathLike[str], *, threshold: float | None = None, build_seconds: float | None = None) -> SuiteReport:
    """Score `index` on `suite` at `threshold` (default: the index's own), with an exact curve.

    Questions are answered at threshold 0 (one retrieval each) and the threshold is applied
    to the recorded confidences. One untimed warm-up answer comes first, so latency does
    not include loading the model.
    """
    suite = suite if isinstance(suite, Suite) else load_suite(suite)
    chosen = index.settings.threshold if threshold is None else threshold
    if not 0.0 <= chosen <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {chosen}")
    unrefusing = index.with_settings(threshold=0.0)
    unrefusing.answer(suite.rows[0].q)
    return evaluate(unrefusing.answer, suite, index=index, threshold=chosen, build_seconds=build_seconds)


def suite_index(suite: Suite) -> tuple[Index, float]:
    """The index of `suite`'s docs in `<suite>/.index` (a temp folder if that is read-only).

    `rag.build_index` re-embeds only changed files, so after the first run this is quick.
    Returns the index and the seconds the build took, not counting loading the model
    (once per process, and as slow as a small build: it would hide what the build costs).
    """
    from . import embedding
    from .api import build_index
    from .config import Settings

    embedding.get_model(Settings().model_name)

    index_dir = suite.path / INDEX_DIR
    if not os.access(suite.path, os.W_OK) or (index_dir.exists() and not os.access(index_dir, os.W_OK)):
        index_dir = Path(tempfile.mkdtemp(prefix=f"rag-eval-{suite.name}-")) / "index"
    t0 = time.perf_counter()
    index = build_index(suite.docs_dir, index_dir)
    return index, time.perf_counter() - t0


def iter_reports(
    paths: Sequence[str | os.PathLike[str]], *, threshold: float | None = None, part: str | None = None
) -> Iterator[SuiteReport]:
    """Load, index and score each suite folder in `paths`, yielding each report when done.

    Every suite is loaded and validated before the first index is built, so a bad row in
    the last suite fails at once.
    """
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    suites = [load_suite(p) for p in paths]
    if part is not None:
        suites = [s.only_part(part) for s in suites]
    for suite in suites:
        index, seconds = suite_index(suite)
        yield evaluate_index(index, suite, threshold=threshold, build_seconds=seconds)


def run(paths: Sequence[str | os.PathLike[str]], *, threshold: float | None = None, part: str | None = None) -> list[SuiteReport]:
    """The reports of `iter_reports`, as a list."""
    return list(iter_reports(paths, threshold=threshold, part=part))


def main(args: argparse.Namespace) -> int:
    """`rag eval`: print the reports; exit 1 when an offset check failed, else 0."""
    failures: int | None = getattr(args, "failures", None)
    reports: list[SuiteReport] = []
    for report in iter_reports(args.suites, threshold=args.threshold, part=args.part):
        if not args.json:  # show each suite as soon as it is done
            print(("\n" if reports else "") + format_report(report, failures=failures), flush=True)
        reports.append(report)
    if args.json:
        print(json.dumps([r.to_dict(failures=failures is not None) for r in reports], ensure_ascii=False, indent=2))
    bad = [r.suite for r in reports if not r.offsets_ok]
    if bad:
        print(f"error: quotes or passages off their documents' text in {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0
