"""Choose the verbatim span that answers a question, or refuse.

Every candidate sentence gets a few named signals (dense similarity, coverage of the
question's terms, answer-type match, ...). A weighted sum ranks the candidates; a
logistic combination of the same signals gives the confidence, and the answer is given
only when it reaches `Settings.threshold`. The weights were set on the "fit" parts of the
QA suites and are reported on the "held-out" parts (`rag eval`, `scripts/fit_weights.py`);
nothing is tuned per question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .chunking import Span
from .documents import Document

NOT_FOUND = "The articles don't say: no passage in the indexed articles answers this question."

# Ranking weights over the signals of a candidate sentence, set by hand; coordinate ascent on
# the fit parts gained there and lost on held-out, so it was not kept (scripts/fit_weights.py).
RANK_WEIGHTS: Mapping[str, float] = {
    "dense": 1.0,
    "dense_context": 0.25,
    "coverage": 0.8,
    "coverage_context": 0.3,
    "answer_type": 0.25,
    "bm25": 0.2,
    "names_context": 0.3,
    "bigrams": 0.2,
}
# Refusal: a logistic combination of the chosen sentence's signals. Set on the "fit" parts of
# the seed and SQuAD suites (scripts/fit_weights.py prints the trade-off for any weights);
# the bias puts the chosen operating point at Settings.threshold = 0.5. A question whose
# key terms the article never uses ("missing"), or a "when"/"how many" question whose
# quote holds no date or number ("answer_type"), is refused first.
CONFIDENCE_WEIGHTS: Mapping[str, float] = {
    "dense": 6.0,
    "coverage": 3.0,
    "coverage_context": 1.5,
    "names": 2.0,
    "answer_type": 3.0,
    "missing": -4.0,
    "negation_mismatch": -3.0,
}
CONFIDENCE_BIAS = -5.65

# A neighbour within this ranking score of the best sentence is quoted with it.
NEIGHBOUR_MARGIN = 0.5
# A short quote attributed to a pronoun needs the sentence that names the speaker.
_PRONOUN_SAID = re.compile(r"^[“\"].{0,120}[”\"],?\s+(?:he|she|they)\s+(?:said|added|wrote|told)\b", re.IGNORECASE)
# A sentence that announces what comes next ("... is the following:") says nothing alone.
_LEANS_FORWARD = re.compile(r"(?::|\b(?:following|as follows)\.?)\s*$")
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


def quote_span(units: Sequence[Span], best: int, scores: Mapping[int, float], max_chars: int) -> tuple[int, int]:
    """The unit range [first, last] to quote around the best sentence.

    One sentence, joined by an adjacent one of the same document when that neighbour
    scores almost as well (the evidence is split across both: quoting one would be a
    guess), or when the best sentence cannot stand alone: it opens with a pronoun that
    points back ("Those talks ..."), is a quote attributed to "he"/"she", or announces
    what follows ("... is the following:"). Never
    over `max_chars` in total.
    """
    unit = units[best]

    def fits(lo: int, hi: int) -> bool:
        return units[lo].doc_id == units[hi].doc_id and units[hi].end - units[lo].start <= max_chars

    prev, nxt = best - 1, best + 1
    if prev >= 0 and fits(prev, best) and (_LEANS_BACK.match(unit.text) or _PRONOUN_SAID.search(unit.text)):
        return prev, best
    if nxt < len(units) and fits(best, nxt) and _LEANS_FORWARD.search(unit.text):
        return best, nxt
    near = [j for j in (prev, nxt) if j in scores and 0 <= j < len(units) and fits(min(j, best), max(j, best))]
    if near:
        j = max(near, key=lambda j: scores[j])
        if scores[j] >= scores[best] - NEIGHBOUR_MARGIN:
            return min(j, best), max(j, best)
    return best, best


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
