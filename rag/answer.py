"""Choose the verbatim span that answers a question, or refuse.

Every candidate sentence gets a few named signals (dense similarity, coverage of the
question's terms, answer-type match, ...). A weighted sum ranks the candidates; a
logistic combination of the same signals gives the confidence, and the answer is given
only when it reaches `Settings.threshold`. The weights were fitted on one half of the
SQuAD sample and checked on the other (see `rag eval`); nothing is tuned per question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import answer_types
from .chunking import Span
from .documents import Document

NOT_FOUND = "The articles don't say: no passage in the indexed articles answers this question."

# Ranking weights over the signals of a candidate sentence.
RANK_WEIGHTS: Mapping[str, float] = {
    "dense": 1.0,
    "dense_context": 0.25,
    "coverage": 0.8,
    "coverage_context": 0.3,
    "answer_type": 0.25,
    "bm25": 0.2,
}
# Logistic refusal model over the same signals of the chosen sentence (fitted, see module doc).
CONFIDENCE_WEIGHTS: Mapping[str, float] = {
    "dense": 6.0,
    "coverage": 3.0,
    "coverage_context": 1.5,
    "names": 2.0,
    "answer_type": 0.8,
}
CONFIDENCE_BIAS = -6.0

# A sentence opening with one of these leans on the one before it ("He told reporters...").
_LEANS_BACK = re.compile(r"^[“\"]?(?:He|She|They|It|His|Her|Their|Its|This|That|These|Those|Such|The\s+(?:move|talks|call|statement|meeting)s?)\b")


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "doc_id": self.doc_id, "text": self.text, "start": self.start, "end": self.end,
            "score": round(self.score, 4), "date": self.date, "title": self.title,
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (the shape of `rag ask --json` and the web API)."""
        return {
            "question": self.question, "found": self.found, "text": self.text,
            "doc_id": self.doc_id, "start": self.start, "end": self.end, "date": self.date,
            "title": self.title, "highlight": list(self.highlight) if self.highlight else None,
            "confidence": round(self.confidence, 4), "notice": self.notice,
            "passages": [p.to_dict() for p in self.passages],
        }


@dataclass
class Candidate:
    """A sentence under consideration, with its signals."""

    unit: int
    signals: dict[str, float]
    score: float = 0.0


def rank_score(signals: Mapping[str, float]) -> float:
    """The ranking score of a candidate from its signals."""
    return sum(w * signals.get(name, 0.0) for name, w in RANK_WEIGHTS.items())


def confidence(signals: Mapping[str, float]) -> float:
    """Probability-like confidence that the sentence answers the question."""
    z = CONFIDENCE_BIAS + sum(w * signals.get(name, 0.0) for name, w in CONFIDENCE_WEIGHTS.items())
    return 1.0 / (1.0 + math.exp(-z))


def quote_span(units: Sequence[Span], best: int, max_chars: int) -> tuple[int, int]:
    """The unit range [first, last] to quote around the best sentence.

    One sentence, plus the one before when it opens with a pronoun that needs it, or the
    one after when that is only an attribution; never over `max_chars` in total.
    """
    unit = units[best]
    first = last = best
    if best > 0 and units[best - 1].doc_id == unit.doc_id and _LEANS_BACK.match(unit.text):
        if unit.end - units[best - 1].start <= max_chars:
            first = best - 1
    nxt = best + 1
    if nxt < len(units) and units[nxt].doc_id == unit.doc_id and first == best:
        follower = units[nxt].text
        if len(follower) < 60 and re.match(r"^[“\"]?\w+(?:\s\w+)?\s+(?:said|added|says|wrote|told)\b", follower):
            if units[nxt].end - unit.start <= max_chars:
                last = nxt
    return first, last


def clip(doc: Document, start: int, end: int, max_chars: int, question_words: set[str]) -> tuple[int, int]:
    """Shrink [start, end) of `doc` to at most `max_chars`, keeping the part the question echoes.

    Cuts fall on word boundaries, so the quote is still exact text of the document.
    """
    if end - start <= max_chars:
        return start, end
    text = doc.text
    hits = [m.start() + start for m in re.finditer(r"\w+", text[start:end]) if m.group().lower() in question_words]
    centre = sorted(hits)[len(hits) // 2] if hits else start
    lo = max(start, min(centre - max_chars // 2, end - max_chars))
    hi = lo + max_chars
    # move inward to word boundaries
    while lo < hi and lo > start and not text[lo - 1].isspace():
        lo += 1
    while hi > lo and hi < end and not text[hi].isspace():
        hi -= 1
    seg = text[lo:hi]
    lo += len(seg) - len(seg.lstrip())
    hi -= len(seg) - len(seg.rstrip())
    return lo, hi
