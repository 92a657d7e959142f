"""Tell a request for a briefing ("brief me", "what's new since Monday", "timeline of X") from a question (pure).

The chat answers most messages with a quote; a few phrasings ask instead for the main developments
of a time window. `briefing_request` recognises them, anchored at the start of the message so that
a question merely containing a date ("What did Biden say on Sunday?") stays a question:

    brief me [on|about TOPIC] [DATES]        a briefing, (give me) a briefing [on TOPIC] [DATES]; also
                                             "catch me up", "fill me in", "update me", "summarise",
                                             "sum up", "(a) summary", "(an) overview", "key (or main)
                                             developments"
    what's new [on|about|in|with TOPIC] [DATES]   also "what is new", "anything new", "what's the latest",
                                             "(any) news", "the latest news", "what did I miss"
    what happened DATES [in|at|around TOPIC]  a day or window, and then may name a place or topic
                                             ("what happened this week in Kharkiv"); without a day,
                                             "what happened in Bucha" or "to X" is a question
    (show me) (a|the) timeline [of|for|on TOPIC] [DATES]

DATES (after the topic, or before it) is whatever `rag.dates` resolves in a question: "since Monday",
"yesterday", "on 2022-03-01", "between March 1 and March 5", "last week", "in March"; "as of March
5", "until March 20" or "by March 5" set only the last day (the briefing's default window, or a
timeline's whole story, up to it); relative words count from `today` (the "As of" day or the newest
article). `day_field` reads one day typed in a form field the same way.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rag.dates import DateRange, find_time_expressions, parse_date, question_as_of, question_window

KINDS = ("brief", "new", "happened", "timeline")
# No way of writing one day is longer ("the day before yesterday", "Wednesday, September 30, 2022").
MAX_DAY_CHARS = 40
# A topic longer than this is not a topic but a question that happens to start like a request.
MAX_TOPIC_WORDS = 12

_POLITE = r"(?:(?:please|ok|okay|hey|hi|so|now|and)\s+)*(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?"
_HEADS = {
    "brief": r"brief\s+me|(?:(?:give|show|send)\s+me\s+)?(?:a\s+|the\s+|my\s+|today's\s+)?briefing"
    r"|catch\s+me\s+up|fill\s+me\s+in|update\s+me|sum\s+up|summari[sz]e"
    r"|(?:(?:give|show|send)\s+me\s+)?(?:an?\s+|the\s+)?(?:summary|overview|(?:key|main)\s+developments)",
    "new": r"what's\s+new|whats\s+new|what\s+is\s+new|(?:is\s+there\s+)?anything\s+new"
    r"|what's\s+the\s+latest|whats\s+the\s+latest|what\s+is\s+the\s+latest|(?:any\s+|the\s+)?(?:latest\s+)?news"
    r"|what\s+did\s+i\s+miss|what\s+have\s+i\s+missed",
    "happened": r"what\s+happened|what's\s+happened|what\s+has\s+happened",
    "timeline": r"(?:(?:give|show|make)\s+me\s+)?(?:a\s+|the\s+)?timeline",
}
_REQUEST = re.compile(
    rf"(?i)^{_POLITE}(?:" + "|".join(f"(?P<{kind}>{head})" for kind, head in _HEADS.items()) + r")(?P<rest>\s.*)?$"
)
# Words that may end a request without being a topic or a date ("brief me now please").
_FILLER_END = re.compile(r"(?i)(?:(?:^|\s+)(?:please|now|thanks|thank\s+you))+$")
# The word that introduces a topic after each kind of request ("brief me on X", "timeline of X").
_TOPIC_WORDS = {
    "brief": "on|about|regarding|concerning|for|of|in",
    "new": "on|about|regarding|concerning|in|with|for",
    "happened": "",  # "what happened to the convoy" asks a question: a topic only after a date (_DATED_TOPIC)
    "timeline": "of|for|on|about|regarding",
}
# ... and after a date: "what happened this week in Kharkiv", "what happened in Kharkiv this week"
_DATED_TOPIC = {"happened": "in|at|around|near|on|with"}
# Words a date phrase may hold besides its time expressions ("since", "on", "between ... and ...").
_DATE_GLUE = {
    "on", "in", "since", "during", "over", "from", "between", "and", "to", "until", "till",
    "through", "the", "of", "for", "at", "after", "so", "far", "as", "by", "up",
}  # fmt: skip
# Month and weekday names, capitalised before the time expressions are looked for: articles are
# matched case-sensitively ("may", "march" are verbs there), a typed request often is in lower case.
_NAMES = {n.lower(): n for n in (*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name)} | {
    "sept": "Sept"
}
# Only to recognise relative date words when there is no `today` (an index without dated articles);
# nothing is resolved against it.
_ANY_DAY = date(2000, 1, 1)


@dataclass(frozen=True)
class BriefingRequest:
    """What a briefing request asks for: its kind, an optional topic and window (None: the briefing's default)."""

    kind: str  # one of KINDS
    topic: str | None
    since: date | None
    until: date | None
    when: str | None  # the date words as typed ("since Monday"), to say how the window was read


def normalised(text: str) -> str:
    """`text` with typographic apostrophes made plain, blanks collapsed, and trailing punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\s,;!?]+", " ", text)
    return text.strip(" .:")


def briefing_request(text: str, today: date | None) -> BriefingRequest | None:
    """The briefing `text` asks for, or None when it is a question like any other.

    `today` is the day relative dates count from ("As of", else the newest article); with None
    (no article is dated) only absolute dates are read and relative ones leave the window to the briefing.
    """
    if not isinstance(text, str):
        return None
    message = normalised(text)
    m = _REQUEST.match(message)
    if m is None:
        return None
    kind = next(k for k in KINDS if m[k])
    rest = (m["rest"] or "").strip()
    rest = _FILLER_END.sub("", rest).strip()
    topic_part, when = _split_dates(rest, today)
    topic = None
    if topic_part:
        dated = _DATED_TOPIC.get(kind, "") if when else ""
        words = "|".join(filter(None, (_TOPIC_WORDS[kind], dated)))
        t = re.fullmatch(rf"(?i)(?:{words})\s+(.+)", topic_part) if words else None
        if t is None or len(t[1].split()) > MAX_TOPIC_WORDS:
            return None
        topic = t[1].strip()
    window = _resolve(when, today) if when else None
    since, until = (window.first, window.last) if window else (None, None)
    said = question_as_of(when, today, until=True) if when and today else None
    up_to = said.last if said else None
    if up_to is not None and when and today:  # "as of March 5", "until March 20": the default window up to that day
        named = question_window(when, today, until=True)
        since, until = (named.first, min(named.last, up_to)) if named and named.first <= up_to else (None, up_to)
    return BriefingRequest(kind, topic, since, until, when)


def day_field(value: object, name: str, today: date | None, *, last: bool = False) -> date | None:
    """One day typed in a form field: None when empty, '2022-03-01', '1 March 2022', or 'Monday', 'yesterday'.

    A phrase naming several days ("last week", "March") gives its first day, or its last with `last`
    (for an "until" field). Raises `ValueError` saying what to type for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text such as 2022-03-01, not {type(value).__name__}")
    text = normalised(value)
    if not text:
        return None
    if len(text) > MAX_DAY_CHARS:
        raise ValueError(f"{name} is {len(text)} characters long: type one day, e.g. 2022-03-01")
    hint = (
        f"{name} {text[:40]!r} is not a day: type 2022-03-01, '1 March 2022', or a day such as 'Monday' or 'yesterday'"
    )
    try:
        return parse_date(text, name=name)
    except ValueError:
        pass
    window = _resolve(text, today) if _is_date_phrase(text, today or _ANY_DAY) else None
    if window is None:
        raise ValueError(hint)
    return window.last if last else window.first


def _split_dates(rest: str, today: date | None) -> tuple[str, str | None]:
    """`rest` cut into (topic words, date words): the longest tail that is a date phrase, else the longest head."""
    reference = today or _ANY_DAY
    starts = [0] + [m.end() for m in re.finditer(r"\s+", rest)]
    for start in starts:
        tail = rest[start:]
        if tail and _is_date_phrase(tail, reference):
            return rest[:start].strip(), tail
    for end in reversed([m.start() for m in re.finditer(r"\s+", rest)]):
        head = rest[:end]
        if head.split()[-1].lower() not in _DATE_GLUE and _is_date_phrase(head, reference):
            return rest[end:].strip(), head  # "since Monday on the talks"
    return rest, None


def _capitalised(text: str) -> str:
    """`text` with month and weekday names capitalised (same length: offsets hold)."""
    return re.sub(r"[A-Za-z]+", lambda m: _NAMES.get(m[0].lower(), m[0]), text)


def _is_date_phrase(text: str, reference: date) -> bool:
    """Whether `text` is nothing but time expressions and the words that join them ("since", "between ... and")."""
    found = find_time_expressions(_capitalised(text), reference)
    if not found:
        return False
    rest = list(text)
    for e in found:
        rest[e.start : e.end] = " " * (e.end - e.start)
    return all(word.lower() in _DATE_GLUE for word in "".join(rest).split())


def _resolve(phrase: str, today: date | None) -> DateRange | None:
    """The window `phrase` names, counted from `today`; None when it needs a `today` and there is none."""
    if today is not None:
        window = question_window(phrase, today)
        if window is not None:
            return window
    found = find_time_expressions(_capitalised(phrase), today)
    if not found:
        return None
    first, last = min(e.when.first for e in found), max(e.when.last for e in found)
    if today is not None and re.match(r"(?i)since\b", phrase):
        last = max(last, today)
    return DateRange(first, last)
