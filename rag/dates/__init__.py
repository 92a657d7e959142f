"""Find the time expressions of a sentence or question and resolve them to dates against a reference date.

Pure and fast: regular expressions and calendar arithmetic, no model, no I/O. Offsets are a contract:
for every `TimeExpression` e of `find_time_expressions(text, ...)`, `text[e.start:e.end] == e.phrase`.
Conventions (measured on `eval/time_expressions`, see its README): weeks run Monday to Sunday; "early",
"mid" and "late" March are days 1-10, 11-20 and 21-31; a weekday names the article's own day when it is
that weekday, else the last one before it, or the next one when the clause speaks of the future; a day
without a year is the nearest such day, or the last one (past clause) or the next one (future clause).
"The 11th day of the war", "the next day", "in the coming days" are not resolved: the text gives no anchor.
"""

from __future__ import annotations

import re
from datetime import date

from .days import DateRange, TimeExpression, impossible_days, parse_date
from .patterns import _CUE, _QUESTION_RE, _TEXT_RE
from .resolve import _scan

__all__ = [
    "EVENTS_VERSION",
    "DateRange",
    "TimeExpression",
    "find_time_expressions",
    "impossible_days",
    "parse_date",
    "question_as_of",
    "question_window",
]

# The rules that resolve a sentence's time expressions, whose results an index stores (events.npy):
# bumped when what `find_time_expressions` finds or resolves changes, so that an index made under
# older ones is stale and its segments are written again, its vectors reused (1 before the manifest
# recorded it).
EVENTS_VERSION = 1


def find_time_expressions(text: str, reference: date | None, *, future: bool | None = None) -> list[TimeExpression]:
    """Every time expression of `text` whose date can be resolved, in text order, against `reference`.

    `reference` is the article's date; with None only absolute dates resolve ("24 February 2022", "in 2014").
    `future` forces the tense of every clause (True: "on Sunday" is the coming one); None reads it from the words.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, not {type(text).__name__}")
    reference = parse_date(reference, name="reference")
    if not _CUE.search(text):
        return []
    return _scan(text, reference, future, _TEXT_RE)


# Words that make a time expression the day a question is asked as of, not a window it is about:
# "as of April 10, how many ...", "how many had been evacuated by March 20?", "up to yesterday".
# "until" and "till" too end a briefing's window ("timeline of the talks until March 20"), but in a
# question they more often end an event ("Who held the city until March 2?"), reported after it.
_AS_OF_CUE = re.compile(r"(?i)\b(?:as\s+(?:of|at)|by|up\s+(?:to|until))\s+$")
_UNTIL_CUE = re.compile(r"(?i)\b(?:as\s+(?:of|at)|by|up\s+(?:to|until)|until|till)\s+$")


def _question_expressions(
    question: str, as_of: date, until: bool = False
) -> tuple[date, list[TimeExpression], list[TimeExpression]]:
    """`as_of` checked, and the time expressions of `question` resolved against it: those it is asked as of, the others.

    With `until`, an expression after "until" or "till" is one it is asked as of.
    """
    if not isinstance(question, str):
        raise ValueError(f"question must be a str, not {type(question).__name__}")
    today = parse_date(as_of, name="as_of")
    if today is None:
        raise ValueError("as_of is required: the date the question is asked, e.g. 2022-03-01")
    if not _CUE.search(question):
        return today, [], []
    found = _scan(question, today, None, _QUESTION_RE)
    cue = _UNTIL_CUE if until else _AS_OF_CUE
    stated = [e for e in found if cue.search(question, 0, e.start)]
    return today, stated, [e for e in found if e not in stated]


def question_as_of(question: str, as_of: date, *, until: bool = False) -> DateRange | None:
    """What `question` says it is asked as of ("as of April 10", "by March"), resolved against `as_of`.

    The span of that expression: its last day is the day asked as of ("by March": March 31). The
    earliest to end when it names several; None when it names none. With `until`, "until March 20"
    and "till" count too (a briefing request).
    """
    _, stated, _ = _question_expressions(question, as_of, until)
    return min((e.when for e in stated), key=lambda span: span.last) if stated else None


def question_window(question: str, as_of: date, *, with_as_of: bool = False, until: bool = False) -> DateRange | None:
    """The day or window a question names, resolved against `as_of` (today); None when it names none.

    "on February 24", "in the first week of March", "last week", "yesterday", "between March 1 and March 5";
    "since Monday" runs from that Monday to `as_of`. Several expressions give the span that covers them all.
    A day the question says it is asked as of ("as of April 10", `question_as_of`; with `until`, "until
    March 20" too) counts only `with_as_of`.
    """
    today, stated, found = _question_expressions(question, as_of, until)
    if with_as_of:
        found = sorted(stated + found, key=lambda e: e.start)
    if not found:
        return None
    first = min(e.when.first for e in found)
    last = max(e.when.last for e in found)
    if re.search(r"(?i)\bsince\s+(?:the\s+)?$", question[: found[0].start]):
        last = max(last, today)
    return DateRange(first, last)
