"""What one sentence holds that makes it news: figures, names, content terms; and the label built from them.

Everything here reads the sentence text alone, so it is cached by text: a warm briefing over the
same articles looks each sentence up once instead of re-running the regular expressions.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .. import lexical

# A small count written in words is a figure when it counts a plural ("seven humanitarian corridors");
# "one of them", "two weeks ago" or "three times" are not figures of the news.
_SMALL_NUMBER = "|".join(sorted((w for w in lexical.NUMBER_UNITS if w != "one"), key=len, reverse=True))
_NOT_COUNTED = frozenset(lexical.terms("seconds minutes hours days weeks months years decades times"))
_NUMBER_WORD = "|".join(sorted({"a", "an", *lexical.NUMBER_UNITS, *lexical.NUMBER_SCALES}, key=len, reverse=True))
# "$ 33 billion", "1,000", "6.5", "156", "20%"; or words that carry a scale: "one hundred thousand", "a hundred".
_FIGURE = re.compile(
    rf"""(?:[$€£]\s?)?(?<![\w-])\d+(?:[.,]\d+)*(?!\w)(?:\s?(?:%|percent\b|(?:thousand|million|billion)\b))?
      |\b(?:(?:{_NUMBER_WORD})[\s-]+)*(?:hundred|thousand|million|billion)\b
      |\b(?:{_SMALL_NUMBER})\b""",
    re.VERBOSE | re.IGNORECASE,
)
# A bare year ("in 2014") or an ordinal-looking count of days is a date, not a figure of the news
# (nor is an ordinal, "the 200th downed aircraft": the digits must end their word).
_YEAR = re.compile(r"(?:19|20)\d\d")
# A capitalised word that is not the sentence's first word, with "of"/"the" between capitalised words:
# "Prime Minister of the United Kingdom Boris Johnson", "UN Security Council", "Lend-Lease Act".
_NAME = re.compile(r"(?<=[\s(“\"'-])(?:[A-Z][\w’'-]*)(?:(?:\s+(?:of|the|de|von|der|van)){0,2}\s+[A-Z][\w’'-]*)*")
_NOT_NAMES = frozenset(
    re.split(
        r"\s+",
        "I I'm I’m I've I’ve I'll I’ll I'd I’d Mr Mrs Ms Dr Today Yesterday Tomorrow Glory Thank Thanks God "
        "January February March April May June July August September October November December "
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    )
)
# A rhetorical line: an exclamation, a question, or an appeal or belief ("We must", "Let us", "I believe").
_RHETORIC = re.compile(
    r"(?:[!?]\s*[”\"]?\s*$)|^(?:And\s+|But\s+|So\s+)?(?:We\s+(?:must|will|should|need)|Let\s+(?:us|'s|’s)|May\s|I\s+want\s+to|I\s+believe|I\s+am\s+sure)\b"
)

# Past tense: a word in -ed (not "need", "indeed", "hundred"; "died" and "freed" count) or a common irregular past form.
_PAST = re.compile(
    r"\b(?:[a-z]{2,}ed\b(?<!\bneed)(?<!\bindeed)(?<!\bhundred)|(?:was|were|took|began|came|fell|hit|struck|held|met|sent|made|gave|"
    r"left|lost|won|shot|saw|went|became|brought|bought|sold|found|told|spoke|wrote|flew|drove|ran|broke|"
    r"chose|froze|stole|arose|rose|fought|caught|taught|thought|paid|laid|led|fled|dealt|meant|built|"
    r"spent|kept|felt|heard|stood|understood|got|put|set|cut|shut|let)\b)"
)
# Words of a concrete act, the kinds a political event coding (CAMEO) counts: force, agreements and
# decisions, aid and transfers, sanctions, meetings, political acts. Talk about talk ("said", "discussed",
# "thanked") is not among them. Matched as stems, so "attacked", "attacks" and "attack" all count.
_ACTION_WORDS = (
    # force and its toll
    "attack strike struck hit shell bomb missile rocket shoot shot fire kill die dead death wound injure destroy "
    "damage explode explosion blast capture seize occupy besiege siege block blockade invade invasion assault raid "
    "massacre torture rape abduct kidnap hostage loot deport detain arrest fell downed withdraw retreat ceasefire "
    # agreements, decisions, aid and transfers
    "agree agreement sign deal accord treaty approve adopt ratify decide decision decree announce pledge provide "
    "supply deliver delivery send sent allocate donate grant aid evacuate evacuation rescue release free freed "
    "exchange return reopen open resume restore lift package "
    # sanctions and ruptures
    "sanction embargo ban suspend expel sever freeze froze boycott impose close disconnect "
    # meetings
    "meet met meeting talks negotiate negotiation summit visit arrive round delegation "
    # political acts
    "elect election vote resign appoint dismiss apply application join recognize declare veto law membership referendum"
)
_ACTION = frozenset(lexical.terms(_ACTION_WORDS))
# Talk about talk: speaking, calling, asking, thanking. A sentence that holds one of these and no act
# ("I spoke with the Presidents of Portugal and Lithuania") reports a conversation, not a development.
_TALK = frozenset(
    lexical.terms(
        "spoke speak speaking discuss discussed conversation conversations call called phone said say says told "
        "asked heard thank thanked grateful gratitude"
    )
)
# Speaking to the audience ("you", "your"): an appeal, not a report.
_ADDRESSED = re.compile(r"\b(?:you|your|yours|yourselves)\b", re.IGNORECASE)

# Nouns that count people are one unit: "100,000 people" and "180,000 Ukrainians" may be one count.
PERSON = "person"
_PEOPLE = frozenset(lexical.terms("people person persons Ukrainians civilians citizens residents"))


@dataclass(frozen=True)
class Figure:
    """A figure of a sentence: `text[start:end]` (as written), its value and the noun it counts (stemmed)."""

    start: int
    end: int
    value: float
    unit: str | None


@dataclass(frozen=True)
class SentenceFeatures:
    """The news-bearing parts of one sentence."""

    terms: frozenset[str]  # stemmed content terms (`rag.lexical.terms`)
    term_ids: tuple[int, ...]  # the same terms as ids of the process-wide vocabulary (`term_id`)
    names: tuple[tuple[int, int], ...]  # spans of capitalised names, not the opening word
    name_ids: tuple[int, ...]  # vocabulary ids of the terms of those names
    figures: tuple[Figure, ...]
    words: int
    rhetorical: bool
    past: bool  # has a verb in the past tense or perfect ("attacked", "has announced", "took")
    action: bool  # names a concrete act: an attack, an agreement, a delivery, a meeting, sanctions, a vote
    addressed: bool  # speaks to the audience ("you", "your")
    talk: bool  # reports speaking, a call or thanks and no act ("I spoke with ...", "I thanked ...")
    key: str  # the text after `rag.eval.suite.normalize`: equal keys are word-for-word copies


_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»″"} | {c: "'" for c in "‘’‚‛′`"})
# Terms get small integer ids, so a window's terms can be counted with numpy; ids are never reused.
_vocabulary: dict[str, int] = {}
_terms: list[str] = []
_vocabulary_lock = threading.Lock()


def term_id(term: str) -> int:
    """The id of `term` in the process-wide vocabulary (a new id for a new term)."""
    found = _vocabulary.get(term)
    if found is None:
        with _vocabulary_lock:
            found = _vocabulary.get(term)
            if found is None:
                found = _vocabulary[term] = len(_terms)
                _terms.append(term)
    return found


def term_of(term_id: int) -> str:
    """The term whose id is `term_id`."""
    return _terms[term_id]


def vocabulary_size() -> int:
    """How many terms have an id so far (every id is below this)."""
    return len(_vocabulary)


def terms_with_prefix(prefix: str) -> list[int]:
    """Ids of every known term starting with `prefix` ("negoti" -> negotiations, negotiate, ...)."""
    return [i for t, i in list(_vocabulary.items()) if t.startswith(prefix)]


def _figures(text: str) -> tuple[Figure, ...]:
    out = []
    for m in _FIGURE.finditer(text):
        piece = m[0].strip()
        if _YEAR.fullmatch(piece) or (piece.isdigit() and len(piece) <= 2 and _is_day_of_month(text, m.start())):
            continue
        value = lexical.number_value(piece)
        if value is None:
            continue
        counted = lexical.counted_noun(text, m.end())
        unit_term = lexical.terms(counted[0]) if counted else []
        noun = unit_term[0] if unit_term else None
        if (
            piece.isalpha()
            and piece.lower() in lexical.NUMBER_UNITS
            and (counted is None or not lexical.PLURAL.fullmatch(counted[0]) or noun in _NOT_COUNTED)
        ):
            continue
        out.append(Figure(m.start(), m.end(), value, PERSON if noun in _PEOPLE else noun))
    return tuple(out)


def _is_day_of_month(text: str, at: int) -> bool:
    """'May 9', '24 February': a day number next to a month name is part of a date."""
    around = text[max(0, at - 10) : at + 14]
    return (
        re.search(r"(?:January|February|March|April|May|June|July|August|September|October|November|December)", around)
        is not None
    )


def _names(text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for m in _NAME.finditer(text):
        first = m[0].split()[0].rstrip("’'s")
        if first in _NOT_NAMES and len(m[0].split()) == 1:
            continue
        spans.append((m.start(), m.end()))
    return tuple(spans)


@lru_cache(maxsize=400_000)
def features(text: str) -> SentenceFeatures:
    """The features of one sentence (cached by text)."""
    names = _names(text)
    terms = frozenset(lexical.terms(text))
    name_terms = {t for a, b in names for t in lexical.terms(text[a:b])}
    return SentenceFeatures(
        terms=terms,
        term_ids=tuple(term_id(t) for t in sorted(terms)),
        names=names,
        name_ids=tuple(term_id(t) for t in sorted(name_terms)),
        figures=_figures(text),
        words=len(text.split()),
        rhetorical=bool(_RHETORIC.search(text)),
        past=bool(_PAST.search(text)),
        action=not terms.isdisjoint(_ACTION),
        talk=not terms.isdisjoint(_TALK) and terms.isdisjoint(_ACTION),
        addressed=bool(_ADDRESSED.search(text)),
        key=" ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split()).casefold(),
    )


def label(text: str, found: SentenceFeatures, common: frozenset[str] = frozenset(), most: int = 3) -> str:
    """The item's key names and figures, each a substring of `text`, joined by " · ".

    Names whose every term is in `common` (e.g. "Ukraine" in a Ukrainian briefing) say nothing
    and are left out; with no name or figure left, the label is the sentence's opening words.
    """
    pieces: list[tuple[int, int]] = []
    for fig in found.figures:
        counted = lexical.counted_noun(text, fig.end)
        pieces.append((fig.start, counted[1] if counted else fig.end))
    for a, b in found.names:
        terms = set(lexical.terms(text[a:b]))
        if terms and not terms <= common and not any(a < e and s < b for s, e in pieces):
            pieces.append((a, b))
    pieces.sort()
    if not pieces:
        head = re.match(r"\s*(?:\S+\s+){0,5}\S+", text)
        return head[0].strip().rstrip(",;:") if head else text.strip()
    return " · ".join(text[a:b].strip(" ,;:.") for a, b in pieces[:most])
