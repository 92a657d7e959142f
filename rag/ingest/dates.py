"""Read a publication date from the forms files carry it in (`rag.dates.days.read_day`), and refuse implausible ones.

Plausible means from EARLIEST (1990-01-01: before the web there are no saved pages or feeds, and a
"1900" or "0001" is a placeholder) to FUTURE_SLACK (two days) after today in UTC: a publisher a few
time zones east, or a clock a little ahead, may stamp tomorrow; anything later is a typo or a placeholder
such as 2999-12-31.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ..dates.days import read_day

EARLIEST = date(1990, 1, 1)
FUTURE_SLACK = timedelta(days=2)


def latest_plausible() -> date:
    """The last publication day accepted now: today in UTC plus the slack."""
    return datetime.now(UTC).date() + FUTURE_SLACK


def plausible(day: date) -> bool:
    """Whether `day` can be a publication date (see the module docstring for the window)."""
    return EARLIEST <= day <= latest_plausible()


def checked_date(value: object, what: str) -> tuple[str | None, str | None]:
    """(ISO date, None) for a plausible date in `value`, else (None, a one-line warning about `what`)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"{what}: no date; kept without one"
    if not isinstance(value, str):
        return None, f"{what}: date is not a string such as 2022-03-01 (got {type(value).__name__}); kept without one"
    day = read_day(value)
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
