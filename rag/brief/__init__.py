"""Briefings: the main developments of a window of articles, each a verbatim quote with its article and date.

`make_briefing` gives a whole `Briefing` (items in timeline order, or a notice); `build_briefing` the
items alone, from the window's `DatedSentence`s and their MiniLM vectors. `topic_relevance` scores
sentences against a topic; `dated_sentences` builds the input from `Document`s; `in_window` selects
a window's sentences by article date.
"""

from .engine import build_briefing, in_window, make_briefing
from .inputs import dated_sentences
from .relevance import topic_relevance
from .salience import Weights
from .select import Options
from .types import Briefing, BriefingItem, DatedSentence

__all__ = [
    "Briefing",
    "BriefingItem",
    "DatedSentence",
    "Options",
    "Weights",
    "build_briefing",
    "dated_sentences",
    "in_window",
    "make_briefing",
    "topic_relevance",
]
