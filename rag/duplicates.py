"""Decide whether two sentences are copies of one statement (syndication), never merging an update.

A near-duplicate is the same statement with light edits: a word changed, added or dropped,
punctuation or case changed, an attribution clause added. It is NOT a duplicate when a figure,
number, date or name differs: "massed 100,000 troops" and "massed 130,000 troops" are two facts.

The rule was chosen by measurement (`eval/duplicates/README.md`, `scripts/measure_duplicates.py`):
the figures of both sentences are equal, their names and dates do not conflict (one set holds
the other), and the Jaccard similarity of their word sets reaches `JACCARD_THRESHOLD`. It is
plain Python sets: a fingerprint costs tens of microseconds, a comparison less than one.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .lexical import NUMBER_SCALES, NUMBER_UNITS

__all__ = [
    "JACCARD_THRESHOLD",
    "Fingerprint",
    "facts_agree",
    "fingerprint",
    "group_duplicates",
    "jaccard",
    "same_sentence",
    "words",
]

# Chosen on the fit part of eval/duplicates (best F1 there); held-out figures in its README.
JACCARD_THRESHOLD = 0.6

# A word; a number keeps its separators ("100,000", "1.8"), an ordinal its suffix ("63rd").
_TOKEN = re.compile(r"[^\W_]+(?:[.,]\d+)*")
_ORDINAL_NUMBER = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# Between two words, what makes the second capitalised by grammar: the end of a sentence, a
# colon, a list mark, a dash; or a quote or bracket that opens right before the word.
_ENDS = frozenset(".!?:;*•…—–")
_OPENERS = frozenset("\"'([“‘«„")
_ABBREVIATIONS = frozenset({"Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Sen", "Rep", "Prof", "Gov", "Col", "Lt", "Jr", "Sr"})
_INITIAL = re.compile(r"^[A-Z]$")

_UNITS = {**NUMBER_UNITS, "dozen": 12, "zero": 0}
_SCALES = NUMBER_SCALES
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100,
}  # fmt: skip
# Vague amounts are facts too: "thousands of people" is not "hundreds of people".
_VAGUE = frozenset({"tens", "dozens", "hundreds", "thousands", "millions", "billions", "half"})
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES) | frozenset(_ORDINALS) | _VAGUE
# Dates without digits. Relative days count: "today" and "yesterday" are different days.
# "March" and "May" are also verbs: they count only when capitalised (as names).
_DATES = frozenset(
    {
        "january", "february", "april", "june", "july", "august", "september", "october", "november",
        "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "today", "yesterday", "tomorrow", "tonight",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Fingerprint:
    """What `same_sentence` compares, computed once per sentence.

    - `key`: the normalised words joined by spaces (NFKC, case folded, punctuation dropped,
      numbers without separators); equal keys mean the same words in the same order.
    - `words`: the set of those words (1-word shingles).
    - `figures`: the numbers as values: "100,000" -> "100000", "63rd" and "sixty-third"... ->
      "63", "fifteen" -> "15", "six thousand" and "6 thousand" -> "6000", "90%" -> "90", and the
      vague amounts "tens", "dozens", "hundreds", "thousands", "millions", "half".
    - `names`: proper names, places and dates, case folded: words capitalised where grammar does
      not ask for it (not first in the sentence, a quote or a list item; not "I"), month and
      weekday names, and "today", "yesterday", "tomorrow", "tonight".
    """

    key: str
    words: frozenset[str]
    figures: frozenset[str]
    names: frozenset[str]


def _raw_tokens(text: str) -> list[tuple[str, bool]]:
    """(token, capitalised_by_grammar) for each token of NFKC-normalised `text`, case kept."""
    text = unicodedata.normalize("NFKC", text)
    out: list[tuple[str, bool]] = []
    previous_end = 0
    for m in _TOKEN.finditer(text):
        gap = text[previous_end : m.start()]
        if gap == " ":  # the common case, decided without a scan
            opens = False
        elif not out:
            opens = True
        elif gap.startswith(". ") and (out[-1][0] in _ABBREVIATIONS or _INITIAL.match(out[-1][0])):
            opens = False  # "Mr. Putin", "Joe R. Biden": the dot ends no sentence
        else:
            opens = (gap != "" and gap[-1] in _OPENERS) or not _ENDS.isdisjoint(gap)
        out.append((m.group(), opens))
        previous_end = m.end()
    return out


def _fold(token: str) -> str:
    return token.replace(",", "") if token[0].isdigit() else token.casefold()


def words(text: str) -> list[str]:
    """The normalised words of `text` in order: case folded, numbers without thousands separators."""
    return [_fold(token) for token, _ in _raw_tokens(text)]


def _number(value: Decimal) -> str:
    """Canonical string of a number: "100000", "1.8", "1800000000"."""
    return format(value.normalize(), "f")


def _figures(normalised: list[str]) -> frozenset[str]:
    """The numbers among the normalised words, as canonical values (see `Fingerprint.figures`)."""
    found: set[str] = set()
    total: Decimal | None = None  # the number being read: "twenty five thousand", "16 thousand"
    current = Decimal(0)

    def close() -> None:
        nonlocal total, current
        if total is not None:
            found.add(_number(total + current))
        total, current = None, Decimal(0)

    for word in normalised:
        if word not in _NUMBER_WORDS and not word[0].isdigit():  # most words: nothing to read
            if total is not None:
                close()
            continue
        ordinal = _ORDINAL_NUMBER.match(word) if word[-1].isalpha() else None
        if ordinal:
            close()
            found.add(ordinal.group(1))
        elif word[0].isdigit():
            close()
            try:
                total, current = Decimal(0), Decimal(word)
            except InvalidOperation:  # "1.2.3": keep it as written
                found.add(word)
        elif word in _UNITS:
            total = Decimal(0) if total is None else total
            current += _UNITS[word]
        elif word in _SCALES:
            total = Decimal(0) if total is None else total
            if _SCALES[word] == 100:
                current = max(current, Decimal(1)) * 100
            else:
                total += max(current, Decimal(1)) * _SCALES[word]
                current = Decimal(0)
        elif word in _ORDINALS and total is not None:  # "sixty third", "one hundred first"
            current += _ORDINALS[word]
            found.add(_number(total + current))
            total, current = None, Decimal(0)
        else:
            close()
            if word in _ORDINALS:
                found.add(str(_ORDINALS[word]))
            elif word in _VAGUE:
                found.add(word)
    close()
    return frozenset(found)


def _names(tokens: list[tuple[str, bool]]) -> frozenset[str]:
    """Proper names, places and dates among the tokens, case folded (see `Fingerprint.names`)."""
    found = set()
    for token, opens in tokens:
        low = token.casefold()
        if low in _DATES or (token[0].isupper() and not opens and token != "I"):
            found.add(low)
    return frozenset(found)


def fingerprint(text: str) -> Fingerprint:
    """The `Fingerprint` of one sentence. Raises `ValueError` if `text` is not a string."""
    if not isinstance(text, str):
        raise ValueError(f"fingerprint() takes the text of one sentence (a str), not {type(text).__name__}")
    tokens = _raw_tokens(text)
    normalised = [_fold(token) for token, _ in tokens]
    return Fingerprint(
        key=" ".join(normalised),
        words=frozenset(normalised),
        figures=_figures(normalised),
        names=_names(tokens),
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a & b| / |a | b|; 1.0 for two empty sets."""
    if not a and not b:
        return 1.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def facts_agree(a: Fingerprint, b: Fingerprint) -> bool:
    """True when no figure, number, date or name tells the two sentences apart.

    Figures must be equal: a number added, dropped or changed is a new fact. Names need only
    nest (one set holds the other), since a copy may give a fuller name ("Johnson" and
    "Boris Johnson") or add "today"; a name replaced by another ("Finland", "Ireland") is a
    different statement.
    """
    if a.figures != b.figures:
        return False
    return a.names <= b.names or b.names <= a.names


def same_sentence(a: Fingerprint, b: Fingerprint) -> bool:
    """True when `a` and `b` are the same statement, possibly with a word or punctuation changed.

    False whenever a figure, number, date or name differs, however similar the wording.
    """
    if not facts_agree(a, b):
        return False
    if a.key == b.key:
        return True
    return jaccard(a.words, b.words) >= JACCARD_THRESHOLD


def group_duplicates(fingerprints: Sequence[Fingerprint]) -> list[int]:
    """A group id per item: the index of the first item of its group of copies.

    Copies chain: if A copies B and B copies C, all three share a group even when A and C
    differ by more than one edit. A link that would put two sentences whose names conflict
    into one group is refused, and figures never differ inside a group (every link needs
    equal figures), so an update never joins the statement it updates. Links are made in
    the order of the items, so the earlier (better ranked) items decide a conflict.

    Identical fingerprints are merged first; the others meet only when the Jaccard threshold
    can be reached (PPJoin prefix and length filters over the words, rarest first), so the
    cost follows the number of near-copies rather than the square of the number of items.
    """
    count = len(fingerprints)
    parent = list(range(count))
    name_sets: dict[int, set[frozenset[str]]] = {}  # per group root: the distinct name sets in it

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri == rj:
            return
        ni = name_sets.get(ri) or {fingerprints[ri].names}
        nj = name_sets.get(rj) or {fingerprints[rj].names}
        if any(not (a <= b or b <= a) for a in ni for b in nj):
            return
        keep, drop = (ri, rj) if ri < rj else (rj, ri)  # the group keeps its first item as id
        parent[drop] = keep
        name_sets[keep] = ni | nj
        name_sets.pop(drop, None)

    first_of: dict[Fingerprint, int] = {}
    distinct: list[int] = []
    for i, fp in enumerate(fingerprints):
        j = first_of.setdefault(fp, i)
        if j == i:
            distinct.append(i)
        else:
            parent[i] = j  # identical: same words, figures and names

    for i, j in _similar_pairs(fingerprints, distinct):
        link(i, j)
    return [root(i) for i in range(count)]


def _similar_pairs(fingerprints: Sequence[Fingerprint], items: list[int]) -> list[tuple[int, int]]:
    """The pairs (i < j) of `items` for which `same_sentence` holds, in order.

    PPJoin (Xiao et al., 2008): with items taken by increasing size and words ordered rarest
    first, two sets reaching Jaccard t share a word among the first |x| - ceil(t|x|) + 1 words
    of the larger one and the first |y| - ceil(2t/(1+t)|y|) + 1 words of the smaller one.
    """
    t = JACCARD_THRESHOLD
    frequency: dict[str, int] = defaultdict(int)
    for i in items:
        for word in fingerprints[i].words:
            frequency[word] += 1
    index: dict[str, list[int]] = defaultdict(list)
    # Where each posting list starts to matter: sizes only grow, so an item too short for
    # the current one is too short for every later one and is skipped for good.
    start: dict[str, int] = defaultdict(int)
    size = {i: len(fingerprints[i].words) for i in items}
    last_probe: dict[int, int] = {}
    found = []
    for i in sorted(items, key=lambda k: (size[k], k)):
        fp = fingerprints[i]
        ordered = sorted(fp.words, key=lambda w: (frequency[w], w))  # no words: identical, merged already
        n = len(ordered)
        shortest = t * n - 1e-9  # the same rounding slack as the prefix lengths
        for word in ordered[: n - math.ceil(t * n - 1e-9) + 1]:
            postings = index[word]
            first = start[word]
            while first < len(postings) and size[postings[first]] < shortest:
                first += 1
            start[word] = first
            for k in range(first, len(postings)):
                j = postings[k]
                if last_probe.get(j) != i:
                    last_probe[j] = i
                    if same_sentence(fingerprints[j], fp):
                        found.append((i, j) if i < j else (j, i))
        for word in ordered[: n - math.ceil(2 * t / (1 + t) * n - 1e-9) + 1]:
            index[word].append(i)
    found.sort()
    return found
