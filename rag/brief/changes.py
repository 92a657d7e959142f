"""Figures that changed over a window: the earlier statement of the same count, and the "old → new" line.

"we have already evacuated about one hundred thousand people" (11 March) and "more than 180,000
Ukrainians have been rescued by the humanitarian corridors" (19 March) count the same thing: the
briefing shows both quotes, and the newer item carries "one hundred thousand → 180,000".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .features import Figure, SentenceFeatures
from .types import DatedSentence

# A running count grows or shrinks by less than this factor between two statements; "28,893 in the past
# 24 hours" and "180,000 in total" differ by more and are not one count.
MAX_RATIO = 4.0
# A count for a period ("over the past 24 hours", "today") and a running total ("in total", "already")
# are different counts even when they count the same noun. "Today we know about the death of 145
# children" says where a count stands that day, not what the day added.
_PERIOD = re.compile(
    r"(?i)\b(?:per|a|each|every|in\s+one|in\s+a\s+single)\s+(?:day|hour|week)|\bpast\s+\d+\s+hours"
    r"|\bduring\s+the\s+day|(?<!as of )\btoday\b(?!,?\s+(?:we|it\s+is)\s+know)"
)
_TOTAL = re.compile(
    r"(?i)\b(?:in|a)\s+total\b|\balready\b|\bso\s+far\b|\baltogether\b|\bsince\s+the\s+(?:beginning|start)"
    r"|\bas\s+of\b"  # "as of this morning, 103 children", "as of today": where a count stands
)
# A count in the perfect states where things stand ("Russia has massed 100,000 troops", "12 million
# people have been forced to flee", "there are 100,000"); in the simple past with no other mark it
# counts one occasion ("269 servicemen were awarded state awards", "It is known that seven people
# were killed").
_STATE = re.compile(r"(?i)\b(?:has|have|had|remain|remains)\b|\bthere\s+(?:are|is|were)\b")


def _kind(text: str) -> str | None:
    """What kind of count a sentence's figure is, when it says: "period", "total" or None."""
    period, total = bool(_PERIOD.search(text)), bool(_TOTAL.search(text))
    if period == total:
        return "total" if not period and _STATE.search(text) else None
    return "period" if period else "total"


def one_count(old: Figure, old_text: str, new: Figure, new_text: str) -> bool:
    """True when two figures can be values of one count: same noun, close in size, same kind."""
    if old.unit is None or old.unit != new.unit or old.value <= 0 or new.value <= 0:
        return False
    if not 1 / MAX_RATIO <= new.value / old.value <= MAX_RATIO:
        return False
    kinds = {_kind(old_text), _kind(new_text)}
    return kinds != {"period", "total"}


def same_count(old: Figure, old_text: str, new: Figure, new_text: str) -> bool:
    """True when the newer figure can be where the older one's count went.

    That is `one_count`, with another value, and both saying the same kind of count: two totals
    (or states: "have been killed"), or two counts of a period ("today", "during the day").
    Two occasions counted in the simple past ("269 servicemen were awarded", later "165 ... were
    awarded") are not a figure that changed: "269 → 165" would read as a fall.
    """
    kind = _kind(old_text)
    return (
        old.value != new.value
        and kind is not None
        and kind == _kind(new_text)
        and one_count(old, old_text, new, new_text)
    )


def counts_alike(a_text: str, a: SentenceFeatures, b_text: str, b: SentenceFeatures) -> bool:
    """True when two sentences hold a figure of one count ("12 humanitarian corridors today", "only 4 ... worked")."""
    return any(one_count(f, a_text, g, b_text) for f in a.figures for g in b.figures)


class FigureIndex:
    """The window's sentences that hold a counted figure, by the noun they count."""

    def __init__(self, sentences: Sequence[DatedSentence], found: Sequence[SentenceFeatures]) -> None:
        self._by_unit: dict[str, list[tuple[int, Figure]]] = {}
        for i, f in enumerate(found):
            for fig in f.figures:
                if fig.unit:
                    self._by_unit.setdefault(fig.unit, []).append((i, fig))
        self._sentences = sentences
        self._found = found

    def earlier(self, i: int, vectors: np.ndarray, min_cosine: float) -> tuple[int, Figure, Figure] | None:
        """The earlier sentence counting the same thing as sentence `i` with another value, if one is close enough.

        Returns (index, its figure, the figure of `i`); the most similar sentence wins. Sentences of the
        same day are not earlier: the same evening may give two figures for two different things.
        """
        day = self._sentences[i].article_date
        if day is None:
            return None
        best: tuple[float, int, Figure, Figure] | None = None
        for fig in self._found[i].figures:
            if not fig.unit:
                continue
            text = self._sentences[i].text
            options = [
                (j, old)
                for j, old in self._by_unit.get(fig.unit, ())
                if (d := self._sentences[j].article_date) is not None
                and d < day
                and same_count(old, self._sentences[j].text, fig, text)
            ]
            if not options:
                continue
            cosine = vectors[[j for j, _ in options]] @ vectors[i]
            k = int(np.argmax(cosine))
            if cosine[k] >= min_cosine and (best is None or cosine[k] > best[0]):
                best = (float(cosine[k]), options[k][0], options[k][1], fig)
        return None if best is None else best[1:]


def change_text(old_text: str, old: Figure, new_text: str, new: Figure) -> str:
    """'one hundred thousand → 180,000': both figures exactly as their quotes write them."""
    return f"{old_text[old.start : old.end].strip()} → {new_text[new.start : new.end].strip()}"
