"""The words and patterns of time expressions: months, weekdays, numbers, tense cues, and the one scanning regex."""

from __future__ import annotations

import calendar
import re

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}

_NUMBERS = dict(
    zip(
        ["a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"],
        [1, 1, *range(1, 13)],
    )
)

_NUMBERS |= {"fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50}

# Month and weekday names must be capitalised in articles ("may" and "march" are verbs); questions are matched
# case-insensitively because people type them in lower case.
_MFULL = "January|February|March|April|May|June|July|August|September|October|November|December"

_M = rf"(?:{_MFULL}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"

_D = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b"

_Y = r"(?:1[5-9]\d\d|20\d\d)\b"

_WD = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"

_N = r"(?i:\d{1,3}|" + "|".join(_NUMBERS) + ")"

_DATEISH = rf"(?:\d{{4}}-\d\d-\d\d|{_M}\s+{_D}(?:,?\s+{_Y})?|{_D}(?:\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?)?)"

_PARTS = r"early|late|mid-?|the\s+(?:beginning|start|middle|end)\s+of|the\s+(?:first|second)\s+half\s+of"

_WEEK_OF = r"the\s+(?:first|second|third|fourth|last)\s+week\s+of"

# One alternation, most specific first; each branch names its kind. A leading preposition ("in 2014") is
# matched but left out of the phrase (see _PHRASE_START).
_SCAN = rf"""
  (?P<range>(?i:from|between)\s+(?P<ra>{_DATEISH})\s+(?i:to|and|until|till|through)\s+(?P<rb>{_DATEISH})
    | (?P<rm>{_M})\s+(?P<rd1>{_D})\s*[-–]\s*(?P<rd2>{_D})(?!\s*[-–/]) | (?P<rd3>{_D})\s*[-–]\s*(?P<rd4>{_D})\s+(?P<rm2>{_M})
    | (?P<rm3>{_MFULL})\s*[-–]\s*(?P<rm4>{_MFULL})\b | (?P<ry1>{_Y})\s*[-–]\s*(?P<ry2>{_Y}))
| (?P<iso>\b\d{{4}}-\d\d-\d\d\b)
| (?P<agoon>(?:(?P<an>{_N})\s+years?\s+ago|(?i:last\s+year)),?\s+on\s+(?P<ad>{_DATEISH}))
| (?P<date>(?:(?:{_WD}),?\s+)?(?:{_M}\s+{_D}(?:,?\s+{_Y})?|{_D}\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?))
| (?P<monyear>(?P<myp>(?i:{_PARTS})\s*)?(?P<mym>{_MFULL})\s+(?P<myy>{_Y}))
| (?P<month>(?:(?P<mpre>(?i:in|during|since|until|by|from|through|for|of|before|after))\s+)?
    (?P<mp>(?i:{_PARTS}|{_WEEK_OF}|this|last|next)\s*)?(?P<mm>{_MFULL})\b(?!\s*\d|\s*[-–]\s*[A-Z]))
| (?P<yearpart>(?i:early|late|mid-?)\s*(?i:this|last|next)\s+(?i:year))
| (?P<wd>\b(?:(?P<wmod>(?i:this|last|next))\s+)?(?P<wname>{_WD})\b(?:['’]s)?)
| (?P<rel>\b(?i:the\s+day\s+(?:before\s+yesterday|after\s+tomorrow)|(?:yesterday|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?
    |today|tonight|this\s+(?:morning|afternoon|evening|night)|last\s+night)\b)
| (?P<ago>\b(?P<agn>{_N})\s+(?P<agu>(?i:day|week|month|year))s?\s+(?i:ago)\b)
| (?P<inn>\b(?i:in)\s+(?P<inn_n>{_N})\s+(?P<inn_u>(?i:day|week))s?\b(?!\s+of))
| (?P<span>\b(?:(?i:over|in|during)\s+)?(?P<sart>(?i:the|this)\s+)?(?P<smod>(?i:last|past|previous|coming|next|this))\s+
    (?:(?P<sn>{_N})\s+)?(?P<su>(?i:day|week|weekend|month|year))(?P<spl>s)?\b)
| (?P<weekend>\b(?:(?i:over|during|at)\s+)?(?P<wk>(?i:the\s+weekend))\b)
| (?P<year>(?:\b(?P<ypre>(?i:in|since|of|by|until|from|before|after|during|year|and))\s+)?\b(?P<yy>{_Y})
    (?!\s*[-–]\s*\d)(?![\w’'-]*\s+[a-z]+s\b))
"""

_TEXT_RE = re.compile(_SCAN, re.VERBOSE)

_QUESTION_RE = re.compile(_SCAN, re.VERBOSE | re.IGNORECASE)

# Every expression holds one of these cues (a day number always comes with a month, "ago" or "day"). Most
# sentences hold none and cost this one search; the others are scanned only around their cues.
_CUE = re.compile(
    r"\b(?:1[5-9]|20)\d\d\b|day|night|tomorrow|morning|evening|afternoon|week|month|year|ago|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec",
    re.I,
)

_GENERIC = re.compile(r"(?i)(?:every|each)\s+(?:year|week|weekend)?\s*(?:in|on)?\s*$|usually\s+on\s+$|every\s+$")

_FUTURE = set(["will", "shall", "’ll", "'ll", "won’t", "won't", "tomorrow", "scheduled", "due", "expected", "expect", "expects", "planned", "plan", "plans", "planning", "upcoming", "going", "hope", "hopes", "would", "preparing", "preparations", "starting", "coming"])  # fmt: skip

_PAST = set(["was", "were", "had", "did", "said", "met", "spoke", "began", "took", "told", "went", "came", "saw", "made", "gave", "held", "sent", "left", "found", "fell", "hit", "struck", "wrote", "flew", "became", "sank", "ago", "yesterday"])  # fmt: skip

_PASSIVE = {"is", "are", "am", "be", "being", "been"}

# A scheduling verb in the present tense announces what is to come: "talks resume on Monday",
# unless an auxiliary or "to" before it carries the tense ("did not start", "wanted to meet").
_NOT_PRESENT = {"not", "did", "didn't", "didn’t", "to", "would", "could", "should", "might", "must", "can"}

_SCHEDULED = set(["continue", "continues", "resume", "resumes", "begin", "begins", "start", "starts", "meet", "meets", "open", "opens", "convene", "convenes", "arrive", "arrives", "travel", "travels", "visit", "visits", "vote", "votes"])  # fmt: skip

_WORD = re.compile(r"[A-Za-z’']+")

_CLAUSE_END = re.compile(r"[,;:!?“”\"()—–]")

_KINDS = (
    "range",
    "iso",
    "agoon",
    "date",
    "monyear",
    "month",
    "yearpart",
    "wd",
    "rel",
    "ago",
    "inn",
    "span",
    "weekend",
    "year",
)

_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31), "beginning": (1, 10), "start": (1, 10),
              "middle": (11, 20), "end": (21, 31), "first": (1, 15), "second": (16, 31)}  # fmt: skip

_WEEK_DAYS = {"first": (1, 7), "second": (8, 14), "third": (15, 21), "fourth": (22, 28)}

_PHRASE_START = {"month": ("mp", "mm"), "year": ("yy",), "weekend": ("wk",), "span": ("sart", "smod")}

_REL_DAYS = {"today": 0, "tonight": 0, "this": 0, "last": -1, "yesterday": -1, "tomorrow": 1}
