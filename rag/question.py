"""A user's question made safe to answer (a string, normalised, not too long), and the names it asks about."""

from __future__ import annotations

import calendar
import re
import unicodedata

from . import lexical

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_question(question: str, max_chars: int) -> tuple[str, str | None]:
    """The question to answer, and a notice when it had to be trimmed to `max_chars`.

    Raises `TypeError` for a non-string and `ValueError` for an empty or blank question.
    """
    if not isinstance(question, str):
        raise TypeError(f"question must be a string, got {type(question).__name__}")
    # lone surrogates (from JSON like "\ud800") cannot be encoded for the tokenizer
    question = question.encode("utf-8", "replace").decode("utf-8")
    question = _CONTROL.sub(" ", unicodedata.normalize("NFC", question)).strip()
    if not question:
        raise ValueError("the question is empty: ask something, e.g. 'Where will the talks take place?'")
    notice = None
    if len(question) > max_chars:
        cut = question.rfind(" ", 0, max_chars)
        question = question[: cut if cut > max_chars // 2 else max_chars].rstrip()
        notice = f"The question was trimmed to its first {len(question)} characters (limit {max_chars})."
    return question, notice


# Capitalised for the calendar, not because they name what is asked about.
_CALENDAR_WORDS = frozenset(
    w.lower() for w in (*calendar.month_name, *calendar.month_abbr, *calendar.day_name, *calendar.day_abbr, "Sept") if w
)
_WORD = re.compile(r"[^\W\d_][\w’'-]*")
# A figure as written in prose: "1066", "100,000", "6.5"; not a list such as "1,2,4,5,7".
_FIGURE = re.compile(r"(?<![\d,.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d,]\d)")


# Capitalised in a Title Case question, these do not carry on the name before them ("Kravchuk By April
# 5", "Kyiv On Monday"). Not "May", "Will" or "Say": "Theresa May" is stood for by "May", as before.
_NAME_ENDERS = frozenset(
    {"a", "an", "and", "as", "at", "about", "after", "before", "by", "for", "from", "in", "of", "on", "or", "since",
     "the", "to", "with"}
)  # fmt: skip


def _ends_no_name(word: str) -> bool:
    """A capitalised word that does not carry on a name before it: "Kravchuk By April 5", "Kyiv On Monday"."""
    return word.lower() in _NAME_ENDERS


def asked_names(question: str) -> list[tuple[str, str]]:
    """(word as written, its term) for each name and figure `question` asks about, in order, each once.

    A name is a run of capitalised words that does not open the question ("Bucha", "Tony Blair"),
    stood for by its last word: articles often drop a first name or a title ("Blair"), rarely the
    surname. A figure is a number of two digits or more ("1066", "100,000"). Left out: month and
    day names and the days beside them, acronyms ("EU", "NPO"), which articles as often spell
    out, words of one or two letters, and every word of a question typed in capitals.
    """
    found: dict[str, str] = {}
    tokens = list(_WORD.finditer(question))
    shouting = question.isupper()
    for i, token in enumerate(tokens):
        word = token.group()
        if shouting or i == 0 or not word[0].isupper() or word.lower().rstrip(".") in _CALENDAR_WORDS:
            continue
        if word.rstrip("s’'").isupper():
            continue  # an acronym: articles often spell it out ("non-profit organisations" for "NPOs")
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            following
            and following.group()[0].isupper()
            and not question[token.end() : following.start()].strip()
            and not _ends_no_name(following.group())
        ):
            continue  # not the last word of its name
        for term in lexical.terms(word):
            if len(term) >= 3 and not term[0].isdigit():
                found.setdefault(term, word)
    for figure in _FIGURE.finditer(question):
        beside = question[: figure.start()].split()[-1:] + question[figure.end() :].split()[:1]
        if any(w.strip(".,;:!?").lower() in _CALENDAR_WORDS for w in beside):
            continue  # the day of a date ("Feb 24", "24 February"): articles write dates many ways
        term = lexical.words(figure.group())[0]
        if len(term) >= 2:
            found.setdefault(term, figure.group())
    return [(word, term) for term, word in found.items()]
