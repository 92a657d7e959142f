"""Score one answer against one QA row: gold phrase in the quote, offsets exact, the gold document's rank."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .suite import QARow, normalize

# The quote a reader sees: longer than this is not an answer, however right it is.
MAX_ANSWER_CHARS = 400


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


# question -> answer; called with `as_of=` too for rows that have one
AnswerFn = Callable[..., AnswerLike]
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
    # for a row with a `date`: the quote is right and one of its resolved dates, or its
    # article's date, is that day; None for rows without a date
    date_ok: bool | None = None

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
            "id": self.row.id,
            "q": self.row.q,
            "gold": list(self.row.gold),
            "doc": self.row.doc,
            "part": self.row.part,
            "cause": self.cause,
            "found": self.found,
            "correct": self.correct,
            "quoted": self.quoted,
            "quote_ok": self.quote_ok,
            "confidence": round(self.confidence, 4),
            "text": self.text,
            "doc_id": self.doc_id,
            "rank": self.rank,
            "offset_errors": list(self.offset_errors),
            "ms": round(self.seconds * 1000, 2),
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
        }


OFFSETS, WRONG, TOO_LONG, REFUSED, FALSE_ANSWER = (
    "offset mismatch",
    "wrong sentence picked",
    f"quote over {MAX_ANSWER_CHARS} chars",
    "refused an answerable",
    "answered an unanswerable",
)
CAUSES = (OFFSETS, WRONG, TOO_LONG, REFUSED, FALSE_ANSWER)


def score_answer(
    row: QARow, answer: AnswerLike, text_of: TextOf, *, threshold: float | None, seconds: float = 0.0
) -> Outcome:
    """The `Outcome` of `answer` to `row`, answered iff it quotes and (if given) confidence >= threshold."""
    quoted = bool(answer.found)
    found = quoted and (threshold is None or answer.confidence >= threshold)
    quote_ok = quoted and row.answerable and len(answer.text) <= MAX_ANSWER_CHARS and holds_gold(answer.text, row.gold)
    # the chosen sentence's signals ride on the first passage; kept for tuning the weights
    signals = dict(getattr(answer.passages[0], "signals", None) or {}) if answer.passages else {}
    return Outcome(
        row=row,
        found=found,
        correct=found and quote_ok,
        quoted=quoted,
        quote_ok=quote_ok,
        text=answer.text,
        doc_id=answer.doc_id if quoted else None,
        confidence=float(answer.confidence),
        rank=doc_rank(answer, row.doc, found=found),
        offset_errors=check_offsets(answer, text_of),
        seconds=seconds,
        signals=signals,
        date_ok=None if row.date is None else found and quote_ok and _dated(answer, row.date),
    )


def _dated(answer: AnswerLike, day: str) -> bool:
    """True when one of the answer's resolved event dates covers `day`, or its article is of that day."""
    events = getattr(answer, "events", ())
    return any(e.first <= day <= e.last for e in events) or getattr(answer, "date", None) == day
