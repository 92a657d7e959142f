"""Updates: which other articles' sentences are different answers to a question, and which say the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import rag
from rag.chunking import Span
from rag.signals import Candidate
from rag.sources.document import Document
from rag.updates import find_updates, one_day_figure

DAYS = {"a.txt": dt.date(2022, 4, 8), "b.txt": dt.date(2022, 4, 8), "c.txt": dt.date(2022, 4, 1)}


def _updates(*args: Any, **kwargs: Any) -> dict[str, str]:
    """The updates `_citations(...)` finds, as doc id -> relation."""
    return {u.doc_id: u.relation for u in _citations(*args, **kwargs)}


def _citations(
    question: str,
    quote: str,
    highlight: str | None,
    others: dict[str, str],
    coverage: dict[str, float] | None = None,
    one_day: Callable[[str], bool] | None = None,
) -> tuple[rag.Citation, ...]:
    """The updates of an answer quoting `quote` (a.txt) among the sentences `others` (doc id -> text).

    `coverage` gives a sentence's `coverage` signal by doc id (none by default: every one alike);
    `one_day(text)`, when the question asks for a total, tells a day's figure.
    """
    texts = {"a.txt": quote, **others}
    documents = {d: Document(d, t, sha256="0" * 64, date=DAYS[d].isoformat()) for d, t in texts.items()}
    units = [Span(d, 0, len(t), t) for d, t in texts.items()]
    covered = coverage or {}
    candidates = [Candidate(i, {"coverage": covered.get(u.doc_id, 0.0)}, 1.0) for i, u in enumerate(units)]
    start = quote.index(highlight) if highlight else None
    answer = rag.Answer(
        question,
        True,
        quote,
        "a.txt",
        0,
        len(quote),
        DAYS["a.txt"].isoformat(),
        highlight=(start, start + len(highlight)) if highlight else None,
    )
    day_of = lambda unit: DAYS[units[unit].doc_id]  # noqa: E731
    by_unit = (lambda unit: one_day(units[unit].text)) if one_day else None
    return find_updates(answer, candidates[0], candidates[1:], units, documents, day_of, lambda c: True, by_unit)


def test_another_figure_for_the_same_count_is_an_update_and_same_day_a_conflict():
    question = "How many missiles has Russia fired?"
    quote = "Russia has fired about 2,000 missiles."
    others = {"b.txt": "Russia has fired 1,900 missiles so far.", "c.txt": "Nearly a thousand missiles were fired."}
    assert _updates(question, quote, "about 2,000 missiles", others) == {"b.txt": "conflict", "c.txt": "earlier"}


def test_the_same_figure_written_otherwise_is_the_same_answer():
    # "about 60" and "60", "nearly a thousand" and "1,000": one figure, hedged or spelt out, is no
    # conflict and no update; the highlight runs on to the counted noun ("a thousand Russian tanks")
    question = "How many tanks has Russia lost?"
    quote = "Russia has lost about 60 tanks."
    assert _updates(question, quote, "about 60 tanks", {"b.txt": "Ukraine destroyed 60 Russian tanks."}) == {}
    quote = "Russia has lost 1,000 tanks."
    assert _updates(question, quote, "1,000 tanks", {"c.txt": "It lost nearly a thousand Russian tanks."}) == {}
    found = _citations(question, quote, "1,000 tanks", {"c.txt": "It lost nearly 900 Russian tanks."})
    assert [(c.relation, c.text[c.highlight[0] : c.highlight[1]]) for c in found] == [
        ("earlier", "nearly 900 Russian tanks")
    ]


def test_another_date_is_listed_only_from_a_sentence_about_the_same_event():
    question = "When did the first round of negotiations take place?"
    quote = "Today the first round of negotiations took place in Belarus."
    others = {"c.txt": "It was to take place this July."}
    # the other sentence repeats 0.37 of the question, the quote 0.83: another event's date
    assert _updates(question, quote, "Today", others, {"a.txt": 0.83, "c.txt": 0.37}) == {}
    assert _updates(question, quote, "Today", others, {"a.txt": 0.83, "c.txt": 0.6}) == {"c.txt": "earlier"}
    # a figure is held to the counted noun instead, not to this
    counted = {"c.txt": "Since then 1,500 missiles were fired."}
    found = _updates(
        "How many missiles were fired?",
        "About 2,000 missiles were fired.",
        "About 2,000 missiles",
        counted,
        {"a.txt": 0.9, "c.txt": 0.3},
    )
    assert found == {"c.txt": "earlier"}


def test_a_days_figure_is_no_update_of_a_total():
    question = "In total, how many people have the humanitarian corridors saved?"
    quote = "In total, 130,000 people have been saved by the humanitarian corridors."
    daily = {"c.txt": "Over the past 24 hours, 7,144 people were saved by the humanitarian corridors."}
    assert _updates(question, quote, "130,000 people", daily, one_day=one_day_figure) == {}
    total = {"c.txt": "By then 35,000 people had been saved by the humanitarian corridors."}
    assert _updates(question, quote, "130,000 people", total, one_day=one_day_figure) == {"c.txt": "earlier"}
    assert [
        one_day_figure(t) for t in ("5550 people were saved in one day.", "During the day 8 corridors worked.")
    ] == [
        True,
        True,
    ]


def test_the_words_before_the_counted_noun_must_be_said_too():
    question = "How many educational facilities have been destroyed?"
    quote = "938 educational facilities have been destroyed."
    health = {"c.txt": "Almost 400 health facilities were destroyed."}
    assert _updates(question, quote, "938 educational facilities", health) == {}
    schools = {"c.txt": "773 educational facilities were destroyed."}
    assert _updates(question, quote, "938 educational facilities", schools) == {"c.txt": "earlier"}


def test_a_figure_of_something_else_is_not_an_update():
    question = "How many missiles has Russia fired?"
    quote = "Russia has fired about 2,000 missiles."
    assert _updates(question, quote, "about 2,000 missiles", {"c.txt": "Since then 400 schools were destroyed."}) == {}
    # the counted word in the sentence itself makes it one
    fired = {"c.txt": "Since then 1,500 missiles were fired and 400 schools destroyed."}
    assert _updates(question, quote, "about 2,000 missiles", fired) == {"c.txt": "earlier"}


def test_only_a_count_of_the_asked_thing_is_an_update():
    question = "How many missiles has Russia fired?"
    quote = "Russia has fired about 2,000 missiles."
    others = {
        "b.txt": "Hundreds of missiles were fired at Kyiv.",  # an estimate, not a count
        "c.txt": "Since then 400 people were killed by the missiles.",  # a count of people
    }
    assert _updates(question, quote, "about 2,000 missiles", others) == {}
    # the counted thing may also come before the figure
    named = {"c.txt": "The number of missiles Russia has used already exceeds 1,370."}
    assert _updates(question, quote, "about 2,000 missiles", named) == {"c.txt": "earlier"}


def test_an_estimate_or_a_question_is_never_an_update():
    # "how many killed, according to ..." names nothing counted that the rules find: any figure may
    # answer, but an estimate is no figure a report updates, and a rhetorical question reports nothing
    question = "Russian losses so far - how many killed, according to Kyiv?"
    quote = "Russian casualties have already exceeded 16,000 killed."
    others = {"c.txt": "Thousands of brave civilians came out against the Russian military."}
    assert _updates(question, quote, "16,000 killed", others) == {}
    assert _updates(question, quote, "16,000 killed", {"c.txt": "Almost nine thousand Russians were killed!"}) == {
        "c.txt": "earlier"
    }
    question = "When will the talks resume?"
    quote = "The talks will resume on Monday."
    assert _updates(question, quote, "on Monday", {"b.txt": "Will the talks resume on Friday?"}) == {}
    assert _updates(question, quote, "on Monday", {"b.txt": "The talks will resume on Friday."}) == {
        "b.txt": "conflict"
    }


def test_a_form_of_address_is_never_an_update():
    question = "Who is the defence minister?"
    quote = "Defence Minister Oleksii Reznikov met his counterparts in Brussels."
    for address in ("Dear Minister of Foreign Affairs, Minister of Defense!", "Mr. Prime Minister!"):
        assert _updates(question, quote, "Oleksii Reznikov", {"c.txt": address}) == {}
    said = "Defence Minister Lloyd Austin met them."  # a statement about a person still is one
    assert _updates(question, quote, "Oleksii Reznikov", {"c.txt": said}) == {"c.txt": "earlier"}


def test_a_name_that_adds_to_the_quote_is_the_same_answer_another_name_is_not():
    question = "Who attacked the station?"
    quote = "Russian troops attacked the station."
    assert (
        _updates(
            question, quote, "Russian", {"b.txt": "The Russian military struck the station, said Russian sources."}
        )
        == {}
    )
    assert _updates(
        question, "North Korea attacked the station.", "North Korea", {"b.txt": "South Korea attacked the station."}
    ) == {"b.txt": "conflict"}


def test_a_question_of_no_clear_kind_has_no_updates():
    quote = "The talks continue in Brussels."
    assert (
        _updates("What is the latest on the talks?", quote, None, {"c.txt": "The talks will be held in Geneva."}) == {}
    )
