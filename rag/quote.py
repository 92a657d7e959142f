"""The quoted span: the best sentence, joined by a neighbour when it leans on it, clipped to the length limit.

The quote is always a slice of the document, cut on word boundaries: `text[start:end]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .documents import Document
from .units import Spans

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


def quote_span(
    units: Spans,
    best: int,
    scores: Mapping[int, float],
    max_chars: int,
    answers_kind: Callable[[str], bool] | None = None,
) -> tuple[int, int]:
    """The unit range [first, last] to quote around the best sentence.

    One sentence, joined by an adjacent one of the same document when that neighbour
    scores almost as well (the evidence is split across both: quoting one would be a
    guess), or when the best sentence cannot stand alone: it opens with a pronoun that
    points back ("Those talks ..."), is a quote attributed to "he"/"she", or announces
    what follows ("... is the following:"), or it lacks the kind of phrase the question
    asks for (`answers_kind(text)` false: no number for "how many") while the next or,
    failing that, the previous sentence has one ("We finally organised a corridor." +
    "From Sumy to Poltava."). Never over `max_chars` in total.
    """
    unit = units[best]

    def fits(lo: int, hi: int) -> bool:
        return units[lo].doc_id == units[hi].doc_id and units[hi].end - units[lo].start <= max_chars

    prev, nxt = best - 1, best + 1
    if prev >= 0 and fits(prev, best) and (_LEANS_BACK.match(unit.text) or _PRONOUN_SAID.search(unit.text)):
        return prev, best
    if nxt < len(units) and fits(best, nxt) and _LEANS_FORWARD.search(unit.text):
        return best, nxt
    if answers_kind is not None and not answers_kind(unit.text):
        if nxt < len(units) and fits(best, nxt) and answers_kind(units[nxt].text):
            return best, nxt
        if prev >= 0 and fits(prev, best) and answers_kind(units[prev].text):
            return prev, best
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
