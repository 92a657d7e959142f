"""Read a publication date from the forms files carry it in, and refuse implausible ones.

A date is kept as the calendar day the publisher wrote (the date part of "2022-03-01T23:30:00-05:00" is
2022-03-01): converting to UTC would move late-evening articles to the next day.

Plausible means from EARLIEST (1990-01-01: before the web there are no saved pages or feeds, and a
"1900" or "0001" is a placeholder) to FUTURE_SLACK (two days) after today in UTC: a publisher a few
time zones east, or a clock a little ahead, may stamp tomorrow; anything later is a typo or a placeholder
such as 2999-12-31.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime, timedelta

EARLIEST = date(1990, 1, 1)
FUTURE_SLACK = timedelta(days=2)

# 2022-03-01, 2022/03/01, 2022.03.01, 20220301, optionally followed by a time ("T10:00", " 10:00:00Z").
_YMD = re.compile(r"\s*(\d{4})([-/.]?)(\d{1,2})\2(\d{1,2})(?:(?:[T ]|\s+)\d{1,2}:\d{2}\S*)?\s*", re.ASCII)


def latest_plausible() -> date:
    """The last publication day accepted now: today in UTC plus the slack."""
    return datetime.now(UTC).date() + FUTURE_SLACK


def parse_date(value: str) -> date | None:
    """The calendar day in `value` (ISO 8601 date or date-time, or RFC 2822 as in RSS), else None."""
    value = value.strip()
    if not value or len(value) > 100:
        return None
    match = _YMD.fullmatch(value)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(value).date()  # ISO forms the pattern misses (week dates, "+01")
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).date()  # "Tue, 01 Mar 2022 10:00:00 +0200"
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def plausible(day: date) -> bool:
    """Whether `day` can be a publication date (see the module docstring for the window)."""
    return EARLIEST <= day <= latest_plausible()


def checked_date(value: object, what: str) -> tuple[str | None, str | None]:
    """(ISO date, None) for a plausible date in `value`, else (None, a one-line warning about `what`)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"{what}: no date; kept without one"
    if not isinstance(value, str):
        return None, f"{what}: date is not a string such as 2022-03-01 (got {type(value).__name__}); kept without one"
    day = parse_date(value)
    if day is None:
        return None, f"{what}: date {_shown(value)} is not a date (write YYYY-MM-DD); kept without one"
    if not plausible(day):
        return None, (
            f"{what}: date {day.isoformat()} is implausible (outside {EARLIEST.isoformat()}.."
            f"{latest_plausible().isoformat()}); kept without one"
        )
    return day.isoformat(), None


def _shown(value: str) -> str:
    """`value` quoted for a warning line, cut short and on one line."""
    one_line = " ".join(value.split())
    return repr(one_line if len(one_line) <= 40 else one_line[:40] + "...")
