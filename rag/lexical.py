"""Words for lexical matching: one tokenizer for BM25, term coverage and answer typing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

# Numbers keep their grouping (`100,000` -> `100000`); words are runs of letters.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’][^\W\d_]+)?")
_POSSESSIVE = re.compile(r"['’]s?$")
# Lucene's English stop words (the list bm25s ships, which this project used to import from it).
_LUCENE_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)
STOPWORDS = _LUCENE_STOPWORDS | {
    # Question and reporting words carry no topic: a question's "who" or "say" must not
    # make a sentence look relevant.
    "who",
    "whom",
    "whose",
    "what",
    "which",
    "when",
    "where",
    "why",
    "how",
    "many",
    "much",
    "does",
    "did",
    "do",
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "been",
    "being",
    "say",
    "says",
    "said",
    "tell",
    "told",
    "according",
    "also",
    "would",
    "could",
    "will",
    "can",
    "may",
    "might",
    "shall",
    "should",
    "about",
    "there",
    "name",
    "kind",
    "type",
}


# English number words and their values: one table for every module that reads figures written in
# words (answer typing, copy detection, briefing labels). Each adds its own extras ("a", "dozen", "zero").
NUMBER_UNITS: Mapping[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
NUMBER_SCALES: Mapping[str, int] = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_SMALL: Mapping[str, int] = {"a": 1, "an": 1, **NUMBER_UNITS}


def number_value(piece: str) -> float | None:
    """The number a figure writes: "1,000" -> 1000, "$ 6.5 billion" -> 6.5e9, "about one hundred thousand" -> 1e5.

    None when it writes none, or digits that are no figure ("7.2.6", "68.75.78": a section or address).
    """
    low = piece.lower().replace("$", "").replace("€", "").replace("£", "").strip()
    digits = re.search(r"\d+(?:[.,]\d+)*", low)
    if digits:
        raw = digits[0]
        # "1,000", "1,000.5" and "1.000" (groups of three digits) are thousands; "6.5" and "6,5" decimals
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
            number = float(raw.replace(",", ""))
        elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
            number = float(raw.replace(".", ""))
        elif len(re.findall(r"[.,]", raw)) > 1:
            return None  # "7.2.6", "68.75.78": a section or an address
        else:
            number = float(raw.replace(",", "."))
        for word, scale in NUMBER_SCALES.items():
            if word in low[digits.end() :]:
                number *= scale
        return number
    total, current = 0.0, 0.0
    for word in re.findall(r"[a-z]+", low):
        if word in _NUMBER_SMALL:
            current += _NUMBER_SMALL[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in NUMBER_SCALES:
            total += max(current, 1) * NUMBER_SCALES[word]
            current = 0
    total += current
    return total or None


# A plural noun, what a figure or "how many" counts: "corridors", "strikes", "people", "children".
PLURAL = re.compile(r"[\w’'-]*[^s\W’'-]s|people|children|men|women|police|personnel|staff", re.IGNORECASE)
# The words after a figure, past "of", "more than", "our" ...: up to three, the noun phrase it counts.
_AFTER_FIGURE = re.compile(
    r"\s+(?:(?:of|more|than|about|almost|nearly|over|our|new|additional)\s+)*"
    r"([A-Za-z][\w’'-]*)(?:\s+([A-Za-z][\w’'-]*))?(?:\s+([A-Za-z][\w’'-]*))?"
)
# A noun phrase ends at a word like these ("400 billion through ...", "20,000 of them").
_PHRASE_ENDS = frozenset(
    re.split(
        r"\s+",
        "a an the of in on at to from for by with into through during after before since until per via within without "
        "across against among around and or but as than that which who whom whose this these those "
        "is are was were be been being has have had do does did will would can could may might must shall should "
        "its their his her our my your them us it they we",
    )
)


def counted_noun(text: str, end: int) -> tuple[str, int] | None:
    """The noun a figure ending at `end` counts, and where that noun ends; None when no noun follows.

    The noun is the first plural of the words after the figure ("12 humanitarian corridors",
    "6,000 Mariupol residents", "a thousand Russian tanks", "7 missile strikes"), else the first
    of them ("100 tons" is plural, "1 tank" is not). A pronoun or a preposition names nothing:
    "20,000 of them", "400 billion through bonds". One rule for the answer's highlight, the
    updates and the briefing's changes.
    """
    after = _AFTER_FIGURE.match(text, end)
    if after is None:
        return None
    phrase = []
    for k in (1, 2, 3):
        if after[k] is None or after[k].lower() in _PHRASE_ENDS:
            break
        phrase.append(k)
    if not phrase:
        return None
    k = next((k for k in phrase if PLURAL.fullmatch(after[k])), phrase[0])
    return after[k], after.end(k)


# Pronouns are not stop words, but an all-caps one is an acronym: "US" and "U.S." are the country,
# "us" the pronoun ("Give us weapons"), and a question about the US must not match the pronoun.
_LOOKALIKES = STOPWORDS | {"us", "we", "me", "my", "our", "he", "his", "him", "her", "she", "its", "you", "them"}
# Stems sharing their first letters are one word for matching: `Ukraine`/`Ukrainian`,
# `Russia`/`Russian`, which the stemmer keeps apart.
SAME_WORD_PREFIX = 6
# Verbs and their nouns that stem apart on their last letter are one word for matching too:
# invade/invasion ("invad"/"invas"), decide/decision, expand/expansion, defend/defense.
_OTHER_FORM = {"d": "s", "s": "d"}


def other_form(term: str) -> str | None:
    """The stem of `term`'s other form across the -de/-sion alternation ("invas" for "invad"), or None."""
    if len(term) < 5 or not term.isalpha() or term.endswith("ss") or term[-1] not in _OTHER_FORM:
        return None
    return term[:-1] + _OTHER_FORM[term[-1]]


def forms(term: str) -> tuple[str, ...]:
    """`term` and, when it has one, its other form: the stems that match as one word."""
    other = other_form(term)
    return (term,) if other is None else (term, other)


# The version of what `terms` makes of a text, stored in every index manifest: BM25 postings hold
# its output, so an index built under another version is rebuilt. Bump it whenever `terms` changes.
TERMS_VERSION = 3


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of a lower-case word; numbers are kept as they are."""
    if word[0].isdigit() or word.isupper():
        return word
    return str(_stemmer().stemWord(word))


def _without_accents(word: str) -> str:
    """`word` with its accents dropped: "Hervé" is matched by "Herve", which is how most people type it."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Lower-cased word tokens of `text` without accents, numbers without thousands separators."""
    out = []
    tokens = _TOKEN.findall(text)
    # in an all-caps text, "HOW MANY" are words, not acronyms; one all-caps word ("US") is an acronym
    shouting = len(tokens) > 1 and text.isupper()
    # a text typed in one case ("where are the us russia talks") cannot tell the country from the
    # pronoun: it is read as the country, the one of the two that says what a question is about
    caseless = shouting or (len(tokens) > 1 and text.islower())
    for tok in tokens:
        if tok[0].isdigit():
            tok = tok.replace(",", "")
        elif caseless and tok.replace(".", "").lower() == "us":
            tok = "US"
        elif not shouting and tok.isupper() and len(tok) > 1 and tok.replace(".", "").lower() in _LOOKALIKES:
            # `US`, `U.S.`, `WHO`: an acronym that lower-cases into a stop word or pronoun stays an acronym.
            tok = tok.replace(".", "")
        else:
            tok = tok.lower()
            # most words have no apostrophe or dot: the regex and the copy are skipped (this runs per word of
            # every candidate sentence and article)
            if "'" in tok or "’" in tok:
                tok = _POSSESSIVE.sub("", tok)
            if "." in tok:
                tok = tok.replace(".", "")
            if not tok.isascii():
                tok = _without_accents(tok)
        if tok:
            out.append(tok)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content terms of `text` (stop words and one-letter words dropped)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def name_written(text: str, term: str) -> str | None:
    """The word of `text` whose term is `term`, as written, when it is a name: capitalised inside a sentence.

    "Kyiv" in "the Ukrainian capital Kyiv"; not "Killed" opening "Killed were ...". None when there is none.
    """
    for tok in _TOKEN.finditer(text):
        before = text[: tok.start()].rstrip()
        opens = not before or before[-1] in ".!?:;\"“‘'(*-–—•"
        if tok[0][0].isupper() and not opens and terms(tok[0]) == [term]:
            return tok[0]
    return None
