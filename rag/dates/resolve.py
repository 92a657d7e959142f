"""Resolve a matched time expression to its days: tense from the words around it, year inference, ranges."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .days import DateRange, TimeExpression, _minus_months, _month_range, _safe_date, _week, _year_range
from .patterns import (
    _CLAUSE_END,
    _CUE,
    _FUTURE,
    _GENERIC,
    _KINDS,
    _MONTHS,
    _NOT_PRESENT,
    _NUMBERS,
    _PART_DAYS,
    _PASSIVE,
    _PAST,
    _PHRASE_START,
    _REL_DAYS,
    _SCHEDULED,
    _WD,
    _WEEK_DAYS,
    _WEEKDAYS,
    _WORD,
)


def _tense(text: str, start: int, end: int) -> int:
    """+1 if the clause around text[start:end] speaks of the future, -1 of the past, 0 if it does not say.

    The nearest tense cue wins, first inside the clause, then in the whole sentence; verbs in -ed count as past.
    """
    for lo, hi in ((_clause_start(text, start), _clause_end(text, end)), (0, len(text))):
        cues = []
        previous = ""
        for w in _WORD.finditer(text, lo, hi):
            word = w[0].lower()
            if not start <= w.start() < end:
                sign = (
                    1
                    if word in _FUTURE or word in _SCHEDULED
                    else -1
                    if word in _PAST or (len(word) > 4 and word.endswith("ed"))
                    else 0
                )
                if sign < 0 and previous in _PASSIVE:
                    sign = 0  # a participle after is/are/be is a passive present or future ("will be held"): no cue
                if word in _SCHEDULED and previous in _NOT_PRESENT:
                    sign = 0  # "did not start", "to meet": the tense is the auxiliary's, or none
                if sign:
                    gap = (
                        start - w.end() if w.end() <= start else (w.start() - end) * 1.5
                    )  # the verb usually comes first
                    cues.append((gap, sign))
            previous = word
        if cues:
            return min(cues)[1]
    return 0


def _clause_start(text: str, pos: int) -> int:
    found = [m.end() for m in _CLAUSE_END.finditer(text, 0, pos)]
    return found[-1] if found else 0


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_END.search(text, pos)
    return m.start() if m else len(text)


def _pick_year(month: int, day: int, ref: date, tense: int) -> date | None:
    """The day month/day nearest `ref` (tense 0), the last one on or before it (-1), the next one on or after it (+1)."""
    options = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:  # 29 February, 31 April
            continue
    if tense < 0:
        options = [d for d in options if d <= ref] or options
    elif tense > 0:
        options = [d for d in options if d >= ref] or options
    return min(options, key=lambda d: (abs((d - ref).days), d > ref)) if options else None


def _parse_dateish(piece: str, ref: date | None, tense: int, default_month: int | None = None) -> date | None:
    """'2022-02-24', 'Feb. 24', 'March 6, 2022', '24 February', '10' (month from `default_month`)."""
    piece = piece.strip()
    if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", piece):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    day = int(re.search(r"(?<![\d-])\d{1,2}(?!\d)", piece)[0])  # type: ignore[index]
    name = re.search(r"[A-Za-z]{3,}", re.sub(r"(?i)\b(?:st|nd|rd|th|of)\b", "", piece))
    month = _MONTHS.get(name[0].lower()) if name else default_month
    year = re.search(r"\d{4}", piece)
    if month is None:
        return None
    if year:
        return _safe_date(int(year[0]), month, day)
    return _pick_year(month, day, ref, tense) if ref else None


def _resolve(m: re.Match[str], kind: str, text: str, ref: date | None, tense: int) -> DateRange | None:  # noqa: C901
    """The days match `m` of `kind` names, or None when it cannot be resolved (no reference, impossible date)."""
    g = m.groupdict()
    if kind == "iso":
        day = _parse_dateish(m[0], ref, tense)
        return DateRange(day, day) if day else None
    if kind == "range":
        if g["ry1"]:
            return DateRange(date(int(g["ry1"]), 1, 1), date(int(g["ry2"]), 12, 31)) if g["ry1"] < g["ry2"] else None
        if g["rm3"]:
            a, b = _MONTHS[g["rm3"].lower()], _MONTHS[g["rm4"].lower()]
            first, last = (_month_year(a, ref, tense), _month_year(b, ref, tense)) if ref else (None, None)
            return DateRange(first.first, last.last) if first and last and first.first <= last.last else None
        if g["rm"] or g["rm2"]:
            month = _MONTHS[(g["rm"] or g["rm2"]).lower().rstrip(".")]
            first_day, last_day = (g["rd1"], g["rd2"]) if g["rm"] else (g["rd3"], g["rd4"])
            end = _parse_dateish(last_day or "", ref, tense, month)
            digits = re.match(r"\d+", first_day or "")
            start = _safe_date(end.year, month, int(digits[0])) if end and digits else None
        else:
            end = _parse_dateish(g["rb"], ref, tense)
            name = re.search(r"[A-Za-z]{3,}", g["ra"].replace("of", ""))
            named_month = _MONTHS.get(name[0].lower().rstrip(".")) if name else (end.month if end else None)
            start = _parse_dateish(g["ra"], end or ref, -1, named_month) if named_month and (end or ref) else None
            if start and end and re.fullmatch(r"[^,\d]*\d{1,2}\w*", g["ra"].strip()) and start.year != end.year:
                start = _safe_date(end.year, start.month, start.day)
        return DateRange(start, end) if start and end and start <= end else None
    if kind == "agoon":
        years = 1 if not g["an"] else _count(g["an"])
        day = _parse_dateish(g["ad"], None, 0) or (_parse_dateish(g["ad"], ref, 0) if ref else None)
        if day is None or ref is None or re.search(r"\d{4}", g["ad"]):
            return DateRange(day, day) if day else None
        day = _safe_date(ref.year - years, day.month, day.day)
        return DateRange(day, day) if day else None
    if kind == "date":
        piece = re.sub(rf"^(?:{_WD}),?\s+", "", m[0], flags=re.I)
        day = _parse_dateish(piece, ref, tense)
        return DateRange(day, day) if day else None
    if kind == "monyear":
        return _part_of_month(g["myp"], int(g["myy"]), _MONTHS[g["mym"].lower()])
    if kind == "month":
        prefix = (g["mp"] or "").strip().lower()
        month = _MONTHS[g["mm"].lower()]
        if ref is None:
            return None
        if prefix in ("this", "last", "next"):
            year = ref.year + {"this": 0, "next": int(month <= ref.month), "last": -int(month >= ref.month)}[prefix]
            return _month_range(year, month)
        whole = _month_year(month, ref, 0 if (g["mpre"] or "").lower() == "for" else tense)
        return _part_of_month(prefix, whole.first.year, month) if whole else None
    if kind == "year":
        return _year_range(int(g["yy"]))
    if ref is None:
        return None
    if kind == "yearpart":
        words = m[0].lower().split()
        year = ref.year + {"this": 0, "last": -1, "next": 1}[words[-2]]
        months = {"early": (1, 4), "mid": (5, 8), "mid-": (5, 8), "late": (9, 12)}[words[0].rstrip("-") or "mid"]
        return DateRange(date(year, months[0], 1), _month_range(year, months[1]).last)
    if kind == "wd":
        return _weekday(_WEEKDAYS[g["wname"].lower()], (g["wmod"] or "").lower(), ref, tense)
    if kind == "rel":
        words = m[0].lower().split()
        offset = (-2 if "before" in words else 2) if words[0] == "the" else _REL_DAYS[words[0]]
        day = ref + timedelta(days=offset)
        return DateRange(day, day)
    if kind in ("ago", "inn"):
        n, unit = (_count(g["agn"]), g["agu"].lower()) if kind == "ago" else (_count(g["inn_n"]), g["inn_u"].lower())
        if kind == "inn":
            return _after(ref, n, unit) if tense > 0 else None
        if unit == "year":
            return _year_range(ref.year - n)
        day = _minus_months(ref, n) if unit == "month" else ref - timedelta(days=n * (7 if unit == "week" else 1))
        return DateRange(day, day)
    if kind == "span":
        return _span(g, ref, tense)
    if kind == "weekend":
        return _weekend(ref, tense)
    return None


def _after(ref: date, n: int, unit: str) -> DateRange:
    day = ref + timedelta(days=n * (7 if unit == "week" else 1))
    return DateRange(day, day)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def _month_year(month: int, ref: date | None, tense: int) -> DateRange | None:
    """The month `month` nearest `ref`, or the last one that has begun (past), or the next one (future)."""
    if ref is None:
        return None
    options = [(ref.year + k, month) for k in (-1, 0, 1)]
    index = ref.year * 12 + ref.month
    if tense < 0:
        options = [o for o in options if o[0] * 12 + o[1] <= index]
    elif tense > 0:
        options = [o for o in options if o[0] * 12 + o[1] >= index]
    year, _ = min(options, key=lambda o: (abs(o[0] * 12 + o[1] - index), o[0] * 12 + o[1] > index))
    return _month_range(year, month)


def _part_of_month(prefix: str | None, year: int, month: int) -> DateRange:
    words = re.findall(r"[a-z]+", (prefix or "").lower())
    if "week" in words:
        which = words[1]
        if which == "last":
            end = calendar.monthrange(year, month)[1]
            return _month_range(year, month, end - 6, end)
        return _month_range(year, month, *_WEEK_DAYS[which])
    for word in words:
        if word in _PART_DAYS:
            return _month_range(year, month, *_PART_DAYS[word])
    return _month_range(year, month)


def _weekday(weekday: int, modifier: str, ref: date, tense: int) -> DateRange:
    if modifier == "last":
        back = (ref.weekday() - weekday) % 7 or 7
        day = ref - timedelta(days=back)
    elif modifier == "next":
        day = _week(ref, 1).first + timedelta(days=weekday)
    elif weekday == ref.weekday():
        day = ref  # news style: an article of Tuesday says "on Tuesday" for its own day
    elif tense > 0 or (modifier == "this" and tense == 0):
        day = ref + timedelta(days=(weekday - ref.weekday()) % 7)
    else:
        day = ref - timedelta(days=(ref.weekday() - weekday) % 7)
    return DateRange(day, day)


def _span(g: dict[str, str | None], ref: date, tense: int) -> DateRange | None:
    article = (g["sart"] or "").strip().lower()
    modifier = (g["smod"] or "").lower()
    unit = (g["su"] or "").lower()
    count = _count(g["sn"]) if g["sn"] else None
    if unit == "weekend":
        return _weekend(ref, tense if modifier == "this" else (1 if modifier in ("next", "coming") else -1))
    if count is None and g["spl"]:
        return None  # "the coming days", "previous weeks": no extent is given
    back = modifier in ("last", "past", "previous")
    if count is not None or (article and modifier in ("last", "past", "coming") and unit in ("day", "week")):
        days = (count or 1) * {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
        if back:
            return DateRange(ref - timedelta(days=days), ref - timedelta(days=1))
        return DateRange(ref + timedelta(days=1), ref + timedelta(days=days))
    step = -1 if back else 1 if modifier in ("next", "coming") else 0
    if unit == "day":
        return None
    if unit == "week":
        # On a weekend, "this week" in a clause about the future is the week that is about to begin.
        if step == 0 and tense > 0 and ref.weekday() >= 5:
            step = 1
        return _week(ref, step)
    if unit == "month":
        first = _minus_months(ref.replace(day=1), -step)
        return _month_range(first.year, first.month)
    return _year_range(ref.year + step)


def _weekend(ref: date, tense: int) -> DateRange:
    saturday = ref + timedelta(days=5 - ref.weekday())  # this week's Saturday
    if tense <= 0 and saturday > ref:
        saturday -= timedelta(days=7)
    return DateRange(saturday, saturday + timedelta(days=1))


def _scan(text: str, ref: date | None, future: bool | None, pattern: re.Pattern[str]) -> list[TimeExpression]:
    found: list[TimeExpression] = []
    for m in (m for lo, hi in _windows(text) for m in pattern.finditer(text, lo, hi)):
        kind = next(k for k in _KINDS if m.group(k) is not None)
        if (kind == "month" and not (m["mpre"] or m["mp"])) or (
            kind == "year" and not m["ypre"] and not _ends_clause(text, m.end())
        ):
            continue  # "May the memory...", "2014 missiles": a bare month or number is no date
        start = next((m.start(n) for n in _PHRASE_START.get(kind, ()) if m.group(n) is not None), m.start())
        end = m.end()
        if _GENERIC.search(text, max(0, start - 24), start) or (kind == "wd" and _names_a_title(text, m)):
            continue
        tense = 1 if future else -1 if future is False else _tense(text, start, end)
        when = _resolve(m, kind, text, ref, tense)
        if when is not None:
            found.append(TimeExpression(start, end, text[start:end], when))
    return found


def _windows(text: str) -> list[tuple[int, int]]:
    """Stretches of text around the cue words, where the full pattern needs to run.

    Every expression holds a cue and reaches at most ~30 characters before it ("the first half of March");
    scanning only there took the statements corpus from 0.067 to 0.043 ms per sentence.
    """
    spans: list[list[int]] = []
    for cue in _CUE.finditer(text):
        lo, hi = max(0, cue.start() - 32), cue.end() + 48
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [(lo, min(hi, len(text))) for lo, hi in spans]


def _ends_clause(text: str, pos: int) -> bool:
    return re.match(r"\s*(?:[.!?,;:)]|$)", text[pos : pos + 3]) is not None


def _names_a_title(text: str, m: re.Match[str]) -> bool:
    """'Sunday Times', 'Monday Night Football': a weekday followed by a capitalised word that is no month."""
    after = re.match(r"\s+([A-Z][a-z]+)", text[m.end() :])
    return bool(after) and after[1].lower() not in _MONTHS and after[1] not in ("Morning", "Night")  # type: ignore[index]
