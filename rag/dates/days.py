"""Days and ranges of days: `DateRange`, `TimeExpression`, `parse_date` and calendar arithmetic."""

from __future__ import annotations

import calendar
import email.utils
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .patterns import _D, _M, _MONTHS


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days; a single day has `first == last`."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"DateRange first {self.first} is after last {self.last}: swap them")

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return isinstance(day, date) and self.first <= day <= self.last

    def iso(self) -> str:
        """'2022-01-02' for one day, '2022-01-02/2022-01-08' for a range."""
        return self.first.isoformat() if self.first == self.last else f"{self.first}/{self.last}"


@dataclass(frozen=True)
class TimeExpression:
    """A time expression found in a text: `text[start:end] == phrase`, resolved to `when`."""

    start: int
    end: int
    phrase: str
    when: DateRange


def parse_date(value: str | date | datetime | None, *, name: str = "date") -> date | None:
    """A date from None, a date, a datetime, or text `read_day` reads ('2022-03-01', '1 March 2022', a date-time).

    Raises ValueError naming `name` and the expected form for anything else.
    """
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    hint = f"{name} {value!r} is not a date: use YYYY-MM-DD (e.g. 2022-03-01), '1 March 2022' or 'March 1, 2022'"
    day = read_day(value) if isinstance(value, str) else None
    if day is None:
        raise ValueError(hint)
    return day


# 2022-03-01, 2022/03/01, 2022.03.01, 20220301, optionally followed by a time ("T10:00", " 10:00:00Z").
_YMD = re.compile(r"(\d{4})([-/.]?)(\d{1,2})\2(\d{1,2})(?:(?:T|\s+)\d{1,2}:\d{2}\S*)?", re.ASCII)
# "1 March 2022", "March 1, 2022", "Tuesday, 1 March 2022", optionally followed by a time ("10:00 GMT", "2:22 PM").
_DMY = re.compile(
    rf"(?i:(?:[a-z]+day,?\s+)?(?:(?P<d1>{_D})\s+(?:of\s+)?(?P<m1>{_M})|(?P<m2>{_M})\s+(?P<d2>{_D})),?\s+(?P<y>\d{{4}})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}(?::\d{2}){0,2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,5}|\s*[+-]\d{2}:?\d{2})?)?)"
)


# A day written as in ISO 8601 inside a question or sentence ("on 2022-02-30").
_ISO_DAY = re.compile(r"(?<![\w-])\d{4}-\d{1,2}-\d{1,2}(?![\w-])", re.ASCII)


def impossible_days(text: str) -> list[str]:
    """Each YYYY-MM-DD written in `text` that is no day of the calendar: '2022-02-30', '2022-13-01'."""
    return [m.group() for m in _ISO_DAY.finditer(text) if read_day(m.group()) is None]


def read_day(text: str) -> date | None:
    """The calendar day written in `text`, else None (no guessing: '03/05/2022' is two days).

    ISO 8601 dates and date-times, 2022/03/01 and 20220301, RFC 2822 as in RSS ("Tue, 01 Mar 2022
    10:00:00 +0200"), and "1 March 2022" or "March 1, 2022" (a weekday before, a time after). The day
    is the one written: the date part of "2022-03-01T23:30:00-05:00" is 2022-03-01, where converting
    to UTC would move late-evening articles to the next day.
    """
    text = text.strip()
    if not text or len(text) > 100:
        return None
    if m := _YMD.fullmatch(text):
        return _safe_date(int(m[1]), int(m[3]), int(m[4]))
    if m := _DMY.fullmatch(text):
        month = _MONTHS[(m["m1"] or m["m2"]).lower().rstrip(".")]
        return _safe_date(int(m["y"]), month, int(re.match(r"\d+", m["d1"] or m["d2"])[0]))  # type: ignore[index]
    try:
        return datetime.fromisoformat(text).date()  # ISO forms the pattern misses (week dates, "+01")
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _month_range(year: int, month: int, first: int = 1, last: int = 31) -> DateRange:
    end = calendar.monthrange(year, month)[1]
    return DateRange(date(year, month, min(first, end)), date(year, month, min(last, end)))


def _year_range(year: int) -> DateRange:
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _week(day: date, weeks: int = 0) -> DateRange:
    monday = day - timedelta(days=day.weekday()) + timedelta(weeks=weeks)
    return DateRange(monday, monday + timedelta(days=6))


def _minus_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
