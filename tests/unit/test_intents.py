"""Which chat messages ask for a briefing, and the window they name (`ui.intents`, pure: no model, no index)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.intents import BriefingRequest, briefing_request, day_field

TODAY = date(2022, 3, 10)  # a Thursday


@pytest.mark.parametrize(
    ("message", "kind", "topic", "since", "until"),
    [
        ("brief me", "brief", None, None, None),
        ("Brief me!", "brief", None, None, None),
        ("  BRIEF   ME.  ", "brief", None, None, None),
        ("brief me now, please", "brief", None, None, None),
        ("Please brief me on sanctions", "brief", "sanctions", None, None),
        ("Can you brief me about the Geneva talks since Monday?", "brief", "the Geneva talks", "2022-03-07", "2022-03-10"),
        ("brief me on Kherson between March 1 and March 5", "brief", "Kherson", "2022-03-01", "2022-03-05"),
        ("give me a briefing on grain exports", "brief", "grain exports", None, None),
        ("What’s new since Monday?", "new", None, "2022-03-07", "2022-03-10"),
        ("whats new since monday", "new", None, "2022-03-07", "2022-03-10"),
        ("What's new since March 1, 2022?", "new", None, "2022-03-01", "2022-03-10"),
        ("what is new since 2022-03-08", "new", None, "2022-03-08", "2022-03-10"),
        ("What's new in Kherson?", "new", "Kherson", None, None),
        ("what's new in march", "new", None, "2022-03-01", "2022-03-31"),
        ("What's the latest on the talks?", "new", "the talks", None, None),
        ("Anything new since yesterday?", "new", None, "2022-03-09", "2022-03-10"),
        ("What happened on 2022-03-01?", "happened", None, "2022-03-01", "2022-03-01"),
        ("what happened on 1 March 2022", "happened", None, "2022-03-01", "2022-03-01"),
        ("What happened yesterday?", "happened", None, "2022-03-09", "2022-03-09"),
        ("what happened last week", "happened", None, "2022-02-28", "2022-03-06"),
        ("What happened?", "happened", None, None, None),
        ("Timeline of Mariupol", "timeline", "Mariupol", None, None),
        ("show me the timeline for humanitarian corridors since March 1", "timeline", "humanitarian corridors", "2022-03-01", "2022-03-10"),
        ("timeline", "timeline", None, None, None),
        ("catch me up", "brief", None, None, None),
        ("Fill me in on the Geneva talks", "brief", "the Geneva talks", None, None),
        ("update me on the negotiations since Monday", "brief", "the negotiations", "2022-03-07", "2022-03-10"),
        ("summarize the last week", "brief", None, "2022-03-03", "2022-03-09"),  # the seven days before
        ("Give me a summary of the sanctions", "brief", "the sanctions", None, None),
        ("key developments since March 1", "brief", None, "2022-03-01", "2022-03-10"),
        ("main developments in Kherson", "brief", "Kherson", None, None),
        ("Any news on Mariupol?", "new", "Mariupol", None, None),
        ("news since 2022-03-08", "new", None, "2022-03-08", "2022-03-10"),
        ("the latest news", "new", None, None, None),
        # a day it is asked as of ends the window; where it starts is the briefing's default
        ("brief me as of March 5", "brief", None, None, "2022-03-05"),
        ("brief me on sanctions by March 5", "brief", "sanctions", None, "2022-03-05"),
        ("what's new up to yesterday", "new", None, None, "2022-03-09"),
        ("timeline of Mariupol until March 8", "timeline", "Mariupol", None, "2022-03-08"),
        ("what happened since March 1 until March 5", "happened", None, "2022-03-01", "2022-03-05"),
        # after a day, what happened may name a place or topic; the day may come before the topic
        ("What happened this week in Kherson?", "happened", "Kherson", "2022-03-07", "2022-03-13"),
        ("what happened in Kherson yesterday", "happened", "Kherson", "2022-03-09", "2022-03-09"),
        ("brief me since Monday on sanctions", "brief", "sanctions", "2022-03-07", "2022-03-10"),
        ("What did I miss?", "new", None, None, None),
        ("what have I missed since Monday", "new", None, "2022-03-07", "2022-03-10"),
        ("Give me an overview of the humanitarian corridors", "brief", "the humanitarian corridors", None, None),
    ],
)  # fmt: skip
def test_briefing_requests_are_recognised_with_their_topic_and_window(message, kind, topic, since, until) -> None:
    request = briefing_request(message, TODAY)
    assert request is not None, message
    got = (request.kind, request.topic, request.since, request.until)
    expected = (kind, topic, date.fromisoformat(since) if since else None, date.fromisoformat(until) if until else None)
    assert got == expected


@pytest.mark.parametrize(
    "message",
    [
        "What did Biden say on Sunday?",
        "What did Zelenskyy say on Monday about the talks?",
        "What happened to the convoy?",
        "What happened in Bucha?",
        "What happened to the convoy yesterday?",
        "Who will brief the press on Monday?",
        "What is the timeline for the withdrawal?",
        "How many troops has Russia massed near the border?",
        "Is the briefing room open?",
        "What did the summary of the report say about casualties?",
        "News agencies reported what about the convoy?",
        "Summarize what Biden said about sanctions to reporters",
        "In which city will the talks take place?",
        "brief me on",  # a topic word with no topic
        "Brief me on " + "very " * 20 + "long things",  # a question, not a topic
        "",
    ],
)
def test_ordinary_questions_are_not_taken_for_briefings(message: str) -> None:
    assert briefing_request(message, TODAY) is None


def test_the_date_words_are_kept_and_relative_days_count_from_today() -> None:
    a = briefing_request("what's new since Monday", TODAY)
    b = briefing_request("what's new since Monday", date(2022, 3, 20))
    assert a is not None and b is not None
    assert a.when == "since Monday" and (a.since, a.until) == (date(2022, 3, 7), TODAY)
    assert (b.since, b.until) == (date(2022, 3, 14), date(2022, 3, 20))


def test_without_a_today_only_absolute_dates_are_read() -> None:
    # an index with no dated article: the request is still a briefing (its notice says why it is empty)
    assert briefing_request("what's new since Monday", None) == BriefingRequest("new", None, None, None, "since Monday")
    on_day = briefing_request("what happened on 2022-03-01", None)
    assert on_day is not None and on_day.since == on_day.until == date(2022, 3, 1)


@given(st.text(max_size=80))
def test_any_text_is_a_request_or_none_and_never_raises(text: str) -> None:
    request = briefing_request(text, TODAY)
    assert request is None or request.since is None or request.until is not None


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("", None, None),
        ("  ", None, None),
        ("2022-03-01", "2022-03-01", "2022-03-01"),
        ("1 March 2022", "2022-03-01", "2022-03-01"),
        ("March 1, 2022", "2022-03-01", "2022-03-01"),
        ("monday", "2022-03-07", "2022-03-07"),
        ("yesterday", "2022-03-09", "2022-03-09"),
        ("last week", "2022-02-28", "2022-03-06"),  # since its first day, until its last
    ],
)
def test_a_form_field_reads_one_day(typed: str, first: str | None, last: str | None) -> None:
    day = lambda iso: date.fromisoformat(iso) if iso else None  # noqa: E731
    assert day_field(typed, "Since", TODAY) == day(first)
    assert day_field(typed, "Until", TODAY, last=True) == day(last)


@pytest.mark.parametrize("typed", ["soon", "2022-13-40", "the 3rd", "<script>"])
def test_a_bad_day_says_what_to_type(typed: str) -> None:
    with pytest.raises(ValueError, match=r"^Since .* is not a day: type 2022-03-01"):
        day_field(typed, "Since", TODAY)


def test_a_long_text_in_a_day_field_is_refused_without_being_read() -> None:
    with pytest.raises(ValueError, match=r"^Until is 3604 characters long: type one day"):
        day_field("yesterday" * 400 + "tues", "Until", TODAY)
