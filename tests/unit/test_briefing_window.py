"""Which days a briefing covers when the caller gives some, none or odd bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from rag.brief.from_index import DEFAULT_DAYS, window_bounds

NEWEST = dt.date(2022, 5, 17)


def week_to(last: dt.date) -> tuple[dt.date, dt.date]:
    return last - dt.timedelta(days=DEFAULT_DAYS - 1), last


def test_no_bounds_is_the_week_up_to_the_newest_article() -> None:
    assert window_bounds(None, None, None, NEWEST) == week_to(NEWEST)


def test_until_alone_is_the_week_up_to_it_as_the_help_says() -> None:
    assert window_bounds(None, dt.date(2022, 4, 1), None, NEWEST) == week_to(dt.date(2022, 4, 1))


def test_until_after_the_newest_article_is_the_week_up_to_the_newest() -> None:
    assert window_bounds(None, dt.date(2022, 12, 31), None, NEWEST) == week_to(NEWEST)


def test_as_of_caps_the_window_and_since_opens_it() -> None:
    assert window_bounds(dt.date(2022, 3, 1), None, dt.date(2022, 3, 20), NEWEST) == (
        dt.date(2022, 3, 1),
        dt.date(2022, 3, 20),
    )


def test_reversed_bounds_are_a_value_error_and_no_dates_no_window() -> None:
    with pytest.raises(ValueError, match="swap them"):
        window_bounds(dt.date(2022, 5, 1), dt.date(2022, 4, 1), None, NEWEST)
    assert window_bounds(None, None, None, None) == (None, None)


def test_a_section_or_version_number_is_not_read_as_a_figure() -> None:
    from rag.brief.features import features

    found = features("Under section 7.2.6 and rule 1.1.1, the 68.75.78 office counted 1,200 people and 6.5 tonnes.")
    assert sorted(f.value for f in found.figures) == [6.5, 1200.0]


def test_an_ordinal_is_not_read_as_a_figure() -> None:
    from rag.brief.features import features, label

    text = "Today we can report on the 200th downed Russian military aircraft, and 12 more helicopters."
    found = features(text)
    assert [(f.value, text[f.start : f.end]) for f in found.figures] == [(12.0, "12")]
    assert "200" not in label(text, found) and "12 more helicopters" in label(text, found)
