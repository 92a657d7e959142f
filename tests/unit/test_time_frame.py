"""What a question asks of time (`rag.temporal.time_frame`): its as_of day, the window it names, whether it asks for the latest."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.temporal import asks_total, time_frame

OLDEST, NEWEST = dt.date(2022, 2, 24), dt.date(2022, 5, 17)


def frame(question: str, as_of: str | None = None) -> tuple[str | None, str | None, bool]:
    f = time_frame(question, as_of, NEWEST, OLDEST)
    return (f.as_of.isoformat() if f.as_of else None, f.window.iso() if f.window else None, f.latest)


@pytest.mark.parametrize(
    ("question", "as_of", "expected"),
    [
        # the question's own as_of day, asked without the date field, or earlier than it
        ("As of April 10, 2022, how many civilians have been evacuated?", None, ("2022-04-10", None, True)),
        ("How many civilians had been evacuated by April 10?", "2022-05-01", ("2022-04-10", None, True)),
        # never later than the date field: articles after it stay hidden
        ("As of May 10, how many civilians have been evacuated?", "2022-04-01", ("2022-04-01", None, True)),
        # "today" is then that day, and still a day to find events on
        (
            "As of March 21, 2022, how many people did the corridors rescue today?",
            None,
            ("2022-03-21", "2022-03-21", True),
        ),
        # a year older than every article: what they say of that time, a window
        ("As of 2011, what was the unemployment rate?", None, (None, "2011-01-01/2011-12-31", False)),
        # a day before them all is a day no article can speak for: asked as of it (and refused)
        ("As of February 20, 2022, how many troops were at the border?", None, ("2022-02-20", None, True)),
        # without "as of", a day is a window, and the latest is asked only in words
        ("How many people did the corridors rescue on March 21?", None, (None, "2022-03-21", False)),
        ("What is the latest on the talks?", "2022-04-01", ("2022-04-01", None, True)),
        # a count in the present perfect is the tally so far; in the past, the count of one event
        ("How many Russian soldiers have been killed?", "2022-03-20", ("2022-03-20", None, True)),
        ("How many people died at the Kramatorsk station?", "2022-04-10", ("2022-04-10", None, False)),
        ("How many people have been evacuated today?", "2022-03-21", ("2022-03-21", "2022-03-21", False)),
    ],
)
def test_time_frame(question: str, as_of: str | None, expected: tuple[str | None, str | None, bool]) -> None:
    assert frame(question, as_of) == expected


@pytest.mark.parametrize(
    ("question", "total"),
    [
        ("In total, how many people have the corridors saved?", True),
        ("How many people have been evacuated so far?", True),
        ("How many corridors were set up over the past week?", True),
        ("How many corridors worked on March 20?", False),
        ("How many corridors worked?", False),
        ("When was the total reached?", False),  # no count asked
    ],
)
def test_a_total_is_asked_over_more_than_one_day(question: str, total: bool) -> None:
    assert asks_total(time_frame(question, None, NEWEST, OLDEST), question) is total
