"""The quoted span: the best sentence, joined by a neighbour when it leans on it, clipped to the length limit.

The quote is always a slice of the document, cut on word boundaries: `text[start:end]`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from . import lexical
from .documents import Document
from .units import Spans

# A neighbour within this ranking score of the best sentence is quoted with it.
NEIGHBOUR_MARGIN = 0.5
# A short quote attributed to a pronoun needs the sentence that names the speaker.
_PRONOUN_SAID = re.compile(r"^[“\"].{0,120}[”\"],?\s+(?:he|she|they)\s+(?:said|added|wrote|told)\b", re.IGNORECASE)
# A sentence that announces what comes next ("... is the following:") says nothing alone.
_LEANS_FORWARD = re.compile(r"(?::|\b(?:following|as follows)\.?)\s*$")
# A sentence that adds at most this many content words to the question restates it ("Yesterday we
# finally managed to organize a humanitarian corridor." for "Which corridor was finally organized
# yesterday?"): the answer is in what follows. Set on the fit rows of eval/ukraine_2022, eval/squad_dev
# and eval/seed (right quotes gained / quotes made longer): 1 -> 1 / 5, 2 -> 2 / 10, 3 -> 3 / 20,
# 4 -> 3 / 34; the smallest value with the most gained is kept.
RESTATES_NEW_TERMS = 3
# Words that add nothing to a question: who speaks, and the time it already names.
_SAYS_NOTHING_NEW = frozenset(
    lexical.stem(w)
    for w in ("we", "our", "us", "i", "my", "you", "your", "they", "their", "he", "she", "his", "her", "it", "its",
              "today", "yesterday", "now", "also", "just", "already")
)  # fmt: skip
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
    question: str | None = None,
) -> tuple[int, int]:
    """The unit range [first, last] to quote around the best sentence.

    One sentence, joined by an adjacent one of the same document when that neighbour
    scores almost as well (the evidence is split across both: quoting one would be a
    guess), or when the best sentence cannot stand alone: it opens with a pronoun that
    points back ("Those talks ..."), is a quote attributed to "he"/"she", or announces
    what follows ("... is the following:"), or it lacks the kind of phrase the question
    asks for (`answers_kind(text)` false: no number for "how many") while the next or,
    failing that, the previous sentence has one ("We finally organised a corridor." +
    "From Sumy to Poltava."). Failing all that, a sentence that only restates `question` (and
    holds no phrase of the asked kind) is joined by the next one, where its answer is ("Which
    shrine is returning?": "One of the most revered shrines of Sophia of Kyiv." + "The icon of
    St. Mykola Mokryi..."). Never over `max_chars` in total.
    """
    unit = units[best]

    def fits(lo: int, hi: int) -> bool:
        return units[lo].doc_id == units[hi].doc_id and units[hi].end - units[lo].start <= max_chars

    prev, nxt = best - 1, best + 1
    if prev >= 0 and fits(prev, best) and (_LEANS_BACK.match(unit.text) or _PRONOUN_SAID.search(unit.text)):
        return prev, best
    if nxt < len(units) and fits(best, nxt) and _LEANS_FORWARD.search(unit.text):
        return best, nxt
    holds_answer = answers_kind is not None and answers_kind(unit.text)
    if answers_kind is not None and not holds_answer:
        if nxt < len(units) and fits(best, nxt) and answers_kind(units[nxt].text):
            return best, nxt
        if prev >= 0 and fits(prev, best) and answers_kind(units[prev].text):
            return prev, best
    near = [j for j in (prev, nxt) if j in scores and 0 <= j < len(units) and fits(min(j, best), max(j, best))]
    if near:
        j = max(near, key=lambda j: scores[j])
        if scores[j] >= scores[best] - NEIGHBOUR_MARGIN:
            return min(j, best), max(j, best)
    if (
        question is not None
        and not holds_answer
        and nxt < len(units)
        and fits(best, nxt)
        and restates(unit.text, question)
    ):
        return best, nxt
    return best, best


def restates(sentence: str, question: str) -> bool:
    """True when `sentence` adds at most `RESTATES_NEW_TERMS` content words to `question`."""
    asked = set(lexical.terms(question)) | _SAYS_NOTHING_NEW
    return len({t for t in lexical.terms(sentence) if t not in asked}) <= RESTATES_NEW_TERMS


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
