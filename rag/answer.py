"""The answer: `Answer` and `Passage`, the quoted span around the best sentence, and the refusal decision.

Candidates arrive ranked, with their signals (`rag.signals`). The answer is given only when
the best one's confidence reaches `Settings.threshold`; the quote is that sentence, joined
by a neighbour when the evidence is split or the sentence leans on it, clipped to
`Settings.max_quote_chars` on word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import answer_types, lexical
from .chunking import Span
from .config import Settings
from .documents import Document
from .signals import Candidate, confidence

NOT_FOUND = "The articles don't say: no passage in the indexed articles answers this question."

# A neighbour within this ranking score of the best sentence is quoted with it.
NEIGHBOUR_MARGIN = 0.5
# A short quote attributed to a pronoun needs the sentence that names the speaker.
_PRONOUN_SAID = re.compile(r"^[“\"].{0,120}[”\"],?\s+(?:he|she|they)\s+(?:said|added|wrote|told)\b", re.IGNORECASE)
# A sentence that announces what comes next ("... is the following:") says nothing alone.
_LEANS_FORWARD = re.compile(r"(?::|\b(?:following|as follows)\.?)\s*$")
# A sentence opening with one of these leans on the one before it ("He told reporters...").
_LEANS_BACK = re.compile(
    r"^[“\"]?(?:He|She|They|It|His|Her|Their|Its|This|That|These|Those|Such|The\s+(?:move|talks|call|statement|meeting)s?)\b"
)


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
            "doc_id": self.doc_id,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "date": self.date,
            "title": self.title,
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
            "question": self.question,
            "found": self.found,
            "text": self.text,
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "date": self.date,
            "title": self.title,
            "highlight": list(self.highlight) if self.highlight else None,
            "confidence": round(self.confidence, 4),
            "notice": self.notice,
            "passages": [p.to_dict() for p in self.passages],
        }


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


def supporting_passages(
    candidates: Sequence[Candidate],
    units: Sequence[Span],
    passages: Sequence[Span],
    passages_by_doc: Mapping[str, Sequence[int]],
    documents: Mapping[str, Document],
    k: int,
) -> tuple[Passage, ...]:
    """The context passages holding the best candidates (given best first), each passage once, at most `k`."""
    best_for: dict[int, Candidate] = {}
    for cand in candidates:
        unit = units[cand.unit]
        for pi in passages_by_doc.get(unit.doc_id, ()):
            p = passages[pi]
            if p.start <= unit.start and unit.end <= p.end:
                best_for.setdefault(pi, cand)
                break
        if len(best_for) >= k:
            break
    out = []
    for pi, cand in best_for.items():
        p = passages[pi]
        doc = documents[p.doc_id]
        out.append(Passage(p.doc_id, p.text, p.start, p.end, cand.score, doc.date, doc.title, dict(cand.signals)))
    return tuple(out)


def compose(
    question: str,
    candidates: Sequence[Candidate],
    units: Sequence[Span],
    documents: Mapping[str, Document],
    passages: tuple[Passage, ...],
    settings: Settings,
    notice: str | None = None,
) -> Answer:
    """The reply from ranked candidates: the best one quoted when confident enough, else a refusal."""
    best = candidates[0]
    conf = confidence(best.signals)
    if conf < settings.threshold:
        return Answer(question, False, NOT_FOUND, confidence=conf, passages=passages, notice=notice)
    scores = {c.unit: c.score for c in candidates}
    first, last = quote_span(units, best.unit, scores, settings.max_quote_chars)
    doc = documents[units[best.unit].doc_id]
    start, end = clip(doc, units[first].start, units[last].end, settings.max_quote_chars, set(lexical.words(question)))
    text = doc.text[start:end]
    span = answer_types.best_phrase(answer_types.question_kind(question), text, question)
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
    )
