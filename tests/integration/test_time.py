"""Answering from a stream of dated articles: as_of, the newest answer, event dates, updates, conflicts, copies."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import support

import rag

SEED = "2022-01-04-biden-zelenskiy-call.txt"
LATER = """date 2022-01-11
title: Russia adds troops as talks move to Brussels

Russia has now massed about 130,000 troops near its border with Ukraine, US officials said on Tuesday.
Talks between Russian and Western officials continue in Brussels on Wednesday at the NATO-Russia Council.
The Geneva meeting on Monday ended without a breakthrough, the US deputy secretary of state said.
"""
# Same day as LATER, another outlet, another figure: a conflict, never merged.
RIVAL = """date 2022-01-11
title: Kyiv gives its own count

Russia has now massed about 127,000 troops near its border with Ukraine, the Ukrainian defence ministry said.
"""
# A wire copy of the seed's Psaki sentence a day later, one word changed.
COPY = """date 2022-01-05
title: Wire: White House warns Moscow

“President Biden made clear that the United States and its allies and partners will respond decisively if Russia further invades Ukraine,” White House spokeswoman Jen Psaki said in a statement following the call.
"""
# Two outlets on one day naming the same attacker in other words: no conflict.
STRIKE = """date 2022-04-08
title: Strike on Kramatorsk station

Russian troops launched a missile attack on the Kramatorsk railway station this morning.
Thousands of people were waiting there to be evacuated.
"""
STRIKE_RETOLD = """date 2022-04-08
title: Station hit

The Russian military struck the railway station in Kramatorsk with a missile.
The station was full of civilians waiting for evacuation trains.
"""
# Six weeks on, the leaders speak again: newer, on the same people, but not about what the seed's call made clear.
LEADERS_AGAIN = """date 2022-02-20
title: Leaders speak again

Biden spoke with Zelenskiy again on Saturday, the White House said, as diplomats prepared for more talks.
The two leaders discussed economic support for Ukraine and the situation in the Donbas region.
Zelenskiy thanked the US president on Twitter for his support.
"""
# A day later, a figure that is not a count of the troops asked about: an estimate, and a count of tanks.
ESTIMATE = """date 2022-01-05
title: Drills near the border

Tens of thousands of Russian troops are now taking part in drills near the border, with 40 tanks moved there on Tuesday.
"""
# A fundraiser's total, then a week later a figure of it that is not money.
RAISED = """date 2022-03-01
title: Kharkiv appeal passes its goal

The Stand With Kharkiv appeal has raised $ 12 million for the city's hospitals, its organisers said.
"""
RAISED_LATER = """date 2022-03-08
title: Appeal sends volunteers

The Stand With Kharkiv appeal has now raised enough to send 200 volunteers to the city's hospitals, its organisers said.
"""
# Corridor tallies: two totals, and in between a day's figure.
CORRIDORS = {
    "2022-03-09-corridors.txt": "date 2022-03-09\ntitle: Corridors\n\nIn total, 35,000 people have been evacuated through humanitarian corridors.\n",
    "2022-03-14-corridors.txt": "date 2022-03-14\ntitle: Corridors\n\nIn total, 130,000 people have been evacuated through humanitarian corridors.\n",
    "2022-03-16-corridors.txt": "date 2022-03-16\ntitle: Corridors\n\nOver the past 24 hours, 7,144 people were evacuated through humanitarian corridors.\n",
}
UNDATED = """title: Background, no date

Russia has massed some 175,000 troops near Ukraine, according to an undated background note.
"""


def _seed_with(folder: Path, articles: dict[str, str]) -> rag.Index:
    """An index of the seed plus `articles` (file name -> text), built under `folder`."""
    src = folder / "src"
    src.mkdir()
    shutil.copy(support.SEEDS / SEED, src / SEED)
    for name, text in articles.items():
        (src / name).write_text(text, encoding="utf-8")
    return rag.build_index(src, folder / "index")


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> rag.Index:
    """The seed plus a later article that updates its troop figure and moves the talks."""
    return _seed_with(tmp_path_factory.mktemp("stream"), {"2022-01-11-troops.txt": LATER})


def test_how_many_quotes_the_newest_figure_and_shows_the_earlier_one(stream: rag.Index) -> None:
    a = stream.answer("How many troops has Russia massed near the border?")
    assert a.found and "130,000" in a.text and a.date == "2022-01-11"
    assert [u.relation for u in a.updates] == ["earlier"]
    earlier = a.updates[0]
    assert "100,000" in earlier.text and earlier.date == "2022-01-04"
    assert stream.document(earlier.doc_id).text[earlier.start : earlier.end] == earlier.text
    assert earlier.highlight is not None and "100,000" in earlier.text[earlier.highlight[0] : earlier.highlight[1]]
    support.assert_exact(stream, a)


def test_a_newer_sentence_about_as_good_does_not_displace_the_best_answer_to_a_what_question(tmp_path: Path) -> None:
    # A figure, date, place or name can be updated by a newer report: there the newest near-best
    # answer wins (above). A what-question has no such phrase to update, so only a tie moves it;
    # before, "Biden spoke with Zelenskiy again on Saturday" won, 0.12 behind the best.
    index = _seed_with(tmp_path, {"2022-02-20-leaders.txt": LEADERS_AGAIN})
    question = "What did Biden make clear to Zelenskiy?"
    a = index.answer(question)
    assert a.found and a.doc_id == SEED
    assert index.unit_text(index.candidates(question)[0].unit) in a.text
    support.assert_exact(index, a)


def test_a_newer_estimate_or_count_of_something_else_does_not_replace_a_count(tmp_path: Path) -> None:
    # "now" asks for the newest figure, but a newer report must count the same thing: "tens of
    # thousands of troops" is no count, and "40 tanks" counts tanks. Before, that sentence won,
    # being newer and within the latest margin of the best.
    index = _seed_with(tmp_path, {"2022-01-05-drills.txt": ESTIMATE})
    a = index.answer("How many troops has Russia massed near the border now?")
    assert a.found and "100,000" in a.text and a.date == "2022-01-04"
    assert not a.updates
    support.assert_exact(index, a)


def test_a_question_about_money_is_answered_and_updated_by_amounts_of_money_only(tmp_path: Path) -> None:
    # "raised enough to send 200 volunteers" is newer, about the same appeal and holds a figure,
    # but no amount of money: it neither replaces the $ 12 million nor is listed as its update
    index = _seed_with(tmp_path, {"2022-03-01-appeal.txt": RAISED, "2022-03-08-volunteers.txt": RAISED_LATER})
    for as_of in (None, "2022-03-10"):
        a = index.answer("How much money has the Stand With Kharkiv appeal raised?", as_of=as_of)
        assert a.found and "$ 12 million" in a.text and a.date == "2022-03-01"
        assert a.highlight is not None and a.text[a.highlight[0] : a.highlight[1]].startswith("$ 12 million")
        assert not a.updates
        support.assert_exact(index, a)


def test_a_days_figure_is_not_listed_as_an_update_of_a_total(tmp_path: Path) -> None:
    index = _seed_with(tmp_path, CORRIDORS)
    for question in (
        "In total, how many people have been evacuated through humanitarian corridors?",
        # asked for the latest, the day's figure was the newest report of people evacuated, and won
        "How many people have been evacuated through humanitarian corridors so far?",
    ):
        a = index.answer(question)
        assert a.found and "130,000" in a.text and a.date == "2022-03-14", question
        assert [(u.relation, u.date) for u in a.updates] == [("earlier", "2022-03-09")]  # not the 24 hours' 7,144
        support.assert_exact(index, a)


def test_as_of_hides_later_articles(stream: rag.Index) -> None:
    a = stream.answer("How many troops has Russia massed near the border?", as_of="2022-01-05")
    assert a.found and "100,000" in a.text and a.as_of == "2022-01-05"
    assert all(u.date is None or u.date <= "2022-01-05" for u in a.updates)
    assert all(p.date <= "2022-01-05" for p in a.passages)
    assert a.to_dict()["as_of"] == "2022-01-05"
    # a datetime.date works the same as its ISO string
    b = stream.answer("How many troops has Russia massed near the border?", as_of=dt.date(2022, 1, 5))
    assert (b.text, b.start) == (a.text, a.start)


def test_a_question_saying_as_of_when_is_asked_as_of_that_day(stream: rag.Index) -> None:
    # Typed in the chat without the date field: "as of January 5" is the as_of, not a day to
    # find events on (which no sentence names: before, it quoted the later 130,000).
    for question in (
        "As of January 5, 2022, how many troops has Russia massed near the border?",
        "How many troops had Russia massed near the border by Jan. 5, 2022?",
    ):
        a = stream.answer(question)
        assert a.found and "100,000" in a.text and a.as_of == "2022-01-05", question
        assert all(p.date <= "2022-01-05" for p in a.passages)
        support.assert_exact(stream, a)
    # the earlier of the two days wins: the date field cannot be overruled into the future
    a = stream.answer("As of January 11, 2022, how many troops has Russia massed near the border?", as_of="2022-01-05")
    assert a.as_of == "2022-01-05" and "100,000" in a.text
    # a month older than every article asks what they say of that time, as "in December 2021" would
    a = stream.answer("What had Biden said about US military action by December 2021?")
    assert a.found and a.as_of is None and "military action is not on the table" in a.text
    # a day before them all is a day no article speaks for
    a = stream.answer("As of January 3, 2022, how many troops has Russia massed near the border?")
    assert not a.found and a.as_of == "2022-01-03" and a.text.startswith("No article is dated on or before 2022-01-03")


def test_when_question_quotes_the_sentence_with_the_day_resolved(stream: rag.Index) -> None:
    # two sentences name the call's day: "Biden on Sunday conferred with ..." and "Zelenskiy wrote
    # on Twitter after Sunday's call ..." (the learned rank weights quote the second); either way
    # the quote is about the call and carries the day, resolved
    a = stream.answer("When did Biden speak with Zelenskiy?")
    assert a.found and ("conferred" in a.text or "call" in a.text)
    sunday = [e for e in a.events if e.phrase.startswith("Sunday")]
    assert sunday and sunday[0].first == sunday[0].last == "2022-01-02"
    assert sunday[0].label() == f"{sunday[0].phrase} (2 Jan 2022)"
    assert all(a.text[e.start : e.end] == e.phrase for e in a.events)


def test_latest_on_a_topic_comes_from_the_newest_article(stream: rag.Index) -> None:
    a = stream.answer("What is the latest on the talks?")
    assert a.found and "Brussels" in a.text and a.date == "2022-01-11"
    # the scheduled day resolves forward: an article of Tuesday 2022-01-11 saying "continue on Wednesday"
    assert [(e.phrase, e.first) for e in a.events] == [("Wednesday", "2022-01-12")]


def test_with_the_answer_ranker_on_the_newest_figure_still_wins(stream: rag.Index) -> None:
    # the ranker reorders the best candidates and refuses by its own model; the newer figure must
    # still win and the earlier one be listed
    with_ranker = stream.with_settings(rerank=8)
    a = with_ranker.answer("How many troops has Russia massed near the border?")
    assert a.found and "130,000" in a.text and a.date == "2022-01-11"
    assert [u.relation for u in a.updates] == ["earlier"] and "100,000" in a.updates[0].text
    support.assert_exact(with_ranker, a)


def test_a_question_naming_a_day_is_answered_from_that_day(stream: rag.Index) -> None:
    a = stream.answer("What happened in Geneva on Monday?", as_of="2022-01-11")
    assert a.found and "Geneva meeting on Monday" in a.text
    assert any(e.first == "2022-01-10" for e in a.events)


def test_as_of_before_every_article_says_so(stream: rag.Index) -> None:
    a = stream.answer("How many troops?", as_of="2021-12-01")
    assert not a.found and "No article is dated on or before 2021-12-01" in a.text
    assert a.passages == () and a.doc_id is None


def test_within_answers_from_the_named_article_only(stream: rag.Index) -> None:
    q = "How many troops has Russia massed near the border?"
    a = stream.answer(q, within=SEED)  # the newer 130,000 of the other article is out of reach
    assert a.found and "100,000" in a.text and a.doc_id == SEED
    assert all(p.doc_id == SEED for p in a.passages) and all(u.doc_id == SEED for u in a.updates)
    support.assert_exact(stream, a)
    both, everything = stream.answer(q, within=[SEED, "2022-01-11-troops.txt"]), stream.answer(q)
    assert (both.doc_id, both.start, both.text) == (everything.doc_id, everything.start, everything.text)


def test_within_and_as_of_together_say_when_nothing_is_left(stream: rag.Index) -> None:
    a = stream.answer("How many troops?", within="2022-01-11-troops.txt", as_of="2022-01-05")
    assert not a.found and a.text == "No sentence of the articles asked for is dated on or before 2022-01-05."
    assert a.passages == () and a.doc_id is None


def _statements(tmp_path: Path, *names: str) -> rag.Index:
    """An index of some of the dated statements of eval/ukraine_2022."""
    src = tmp_path / "src"
    src.mkdir()
    for name in names:
        shutil.copy(support.ROOT / "eval" / "ukraine_2022" / "docs" / name, src / name)
    return rag.build_index(src, tmp_path / "index")


def test_a_question_about_one_day_prefers_the_sentence_that_names_that_day(tmp_path: Path) -> None:
    index = _statements(
        tmp_path, "2022-04-16-Q4qQs5p0DMo.txt", "2022-04-17-Q3RGBV74SJ4.txt", "2022-04-18-uVwGJqJlLF0.txt"
    )
    a = index.answer("Which western city did Russian missiles strike today?", as_of="2022-04-18")
    assert a.found and a.text.startswith("Today's strikes at Lviv") and a.doc_id == "2022-04-18-uVwGJqJlLF0.txt"
    assert any(e.first == e.last == "2022-04-18" for e in a.events)
    support.assert_exact(index, a)


def test_how_many_have_been_is_answered_with_the_tally_so_far(tmp_path: Path) -> None:
    index = _statements(
        tmp_path, "2022-02-28-mRwkk2mgfnU.txt", "2022-03-05-VmNG65OQzy8.txt", "2022-03-16-oj6HTztCLM8.txt"
    )
    a = index.answer("How many Russian soldiers have been killed?", as_of="2022-03-20")
    assert a.found and a.date == "2022-03-16" and a.text.startswith("The number of killed enemy soldiers")
    assert a.highlight is not None and a.text[a.highlight[0] : a.highlight[1]] == "14,000"
    assert [(u.relation, u.date) for u in a.updates] == [("earlier", "2022-03-05"), ("earlier", "2022-02-28")]
    support.assert_exact(index, a)


def test_one_day_said_two_ways_is_no_other_answer_and_another_day_is(tmp_path: Path) -> None:
    # "scheduled for Wednesday" and "Today at 3 pm", both 16 March: one date, not a conflict
    index = _statements(tmp_path, "2022-03-16-HXIPiuXraik.txt", "2022-03-16-oj6HTztCLM8.txt")
    question = "When did Zelenskyy address the US Congress?"
    a = index.answer(question, as_of="2022-03-25")
    assert a.found and [(e.first, e.last) for e in a.events] == [("2022-03-16", "2022-03-16")]
    assert a.updates == ()
    # a report of the same address on another day (made up): that day is another answer
    (tmp_path / "src" / "2022-03-18-other-day.txt").write_text(
        "date 2022-03-18\nsource: Volodymyr Zelenskyy\n\n"
        "Today at 3 pm Kyiv time I addressed the Congress of the United States of America.\n",
        encoding="utf-8",
    )
    index = rag.build_index(tmp_path / "src", tmp_path / "index")
    a = index.answer(question, as_of="2022-03-25")
    assert a.found and a.date == "2022-03-18"
    assert [(u.relation, u.date, u.text) for u in a.updates] == [
        ("earlier", "2022-03-16", "My address to the United States Congress is scheduled for Wednesday.")
    ]


def test_a_question_about_a_week_is_not_answered_by_one_day_of_it(tmp_path: Path) -> None:
    # "Today there were seven corridors" names a day of the week, but the week's total answers
    # (with the learnt rank weights the day's sentence ranks 0.008 above it)
    index = _statements(tmp_path, "2022-03-19-xDiT-RaceKo.txt", "2022-03-25-NLaiJ2vASlM.txt")
    a = index.answer("How many humanitarian corridors were set up over the past week?", as_of="2022-03-25")
    assert a.found and a.text == "During the week we managed to establish 18 humanitarian corridors."
    support.assert_exact(index, a)


def test_a_name_only_later_articles_mention_is_refused_saying_when_it_first_appears(stream: rag.Index) -> None:
    question = "Where in Brussels do the talks continue?"
    before = stream.answer(question, as_of="2022-01-05")
    assert not before.found and before.doc_id is None and before.passages == ()
    assert before.text == (
        'The articles don\'t say: no article dated on or before 2022-01-05 mentions "Brussels" '
        "(the first article that does is dated 2022-01-11)."
    )
    after = stream.answer(question, as_of="2022-01-11")
    assert after.found and "Brussels" in after.text
    support.assert_exact(stream, after)
    # asked within one article, every article up to the day counts: one need not name what another does
    within = stream.answer(question, within=SEED, as_of="2022-01-05")
    assert not within.found and within.text == before.text
    assert "mentions" not in stream.answer(question, within=SEED).text


def test_a_name_no_article_mentions_is_refused_but_a_typo_of_one_is_not(stream: rag.Index) -> None:
    a = stream.answer("What did Macron say about the troops?")
    assert not a.found and a.text == 'The articles don\'t say: no article mentions "Macron".'
    # "Genvea" is a typo of the article's "Geneva" (two letters swapped), not another city
    typed, spelled = stream.answer("Who will meet in Genvea?"), stream.answer("Who will meet in Geneva?")
    assert typed.found and "Geneva" in typed.text
    assert (typed.doc_id, typed.start, typed.end) == (spelled.doc_id, spelled.start, spelled.end)
    support.assert_exact(stream, typed)


def test_a_name_the_articles_spell_otherwise_is_refused_saying_how_they_write_it(tmp_path: Path) -> None:
    # four letters are too few to read "Kiev" as a typo of "Kyiv" (two edits), and reading it so
    # could answer about another place: the refusal says what to type instead
    capital = "date 2022-01-12\ntitle: Talks\n\nDiplomats met in the Ukrainian capital Kyiv on Wednesday.\n"
    index = _seed_with(tmp_path, {"2022-01-12-capital.txt": capital})
    a = index.answer("Who met in Kiev?")
    assert not a.found and a.text == 'The articles don\'t say: no article mentions "Kiev" (they write "Kyiv").'
    assert index.answer("Who met in Kyiv?").found
    # as of a day before the only article writing it: no article to point to
    early = index.answer("Who met in Kiev?", as_of="2022-01-05")
    assert early.text.endswith('mentions "Kiev".')


@pytest.mark.parametrize(
    ("within", "error", "match"),
    [([], ValueError, "within names no article"), (["nope.txt"], KeyError, "no document 'nope.txt'"),
     ([SEED, 7], KeyError, "no document 7")],
)  # fmt: skip
def test_within_naming_no_article_or_an_unknown_one_is_a_clear_error(
    stream: rag.Index, within: list[object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        stream.answer("How many troops?", within=within)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["2022-13-01", "yesterday-ish", "31/31/2022", 20220101])
def test_an_as_of_that_is_not_a_date_is_a_value_error_saying_what_to_type(stream: rag.Index, bad: object) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        stream.answer("How many troops?", as_of=bad)  # type: ignore[arg-type]


def test_a_conflict_between_two_articles_of_the_same_date_is_flagged(tmp_path: Path) -> None:
    index = _seed_with(tmp_path, {"2022-01-11-troops.txt": LATER, "2022-01-11-kyiv.txt": RIVAL})
    a = index.answer("How many troops has Russia massed near the border?")
    assert a.found and a.date == "2022-01-11"
    relations = {u.relation: u for u in a.updates}
    assert "conflict" in relations and relations["conflict"].date == "2022-01-11"
    figures = {"130,000", "127,000"}
    assert {f for f in figures if f in a.text} | {f for f in figures if f in relations["conflict"].text} == figures
    assert "earlier" in relations and "100,000" in relations["earlier"].text


def test_a_question_of_no_clear_kind_lists_no_updates(stream: rag.Index) -> None:
    # without a figure, date or name to compare, an earlier sentence about the talks is not an
    # earlier answer: listing it as one would call every related sentence an update
    a = stream.answer("What is the latest on the talks?")
    assert a.found and "Brussels" in a.text and a.date == "2022-01-11"
    assert a.updates == ()


def test_the_same_attacker_named_otherwise_on_the_same_day_is_no_conflict(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "2022-04-08-a.txt").write_text(STRIKE, encoding="utf-8")
    (src / "2022-04-08-b.txt").write_text(STRIKE_RETOLD, encoding="utf-8")
    index = rag.build_index(src, tmp_path / "index")
    a = index.answer("Who attacked the Kramatorsk railway station?")
    assert a.found and "Russian" in a.text
    assert [u.relation for u in a.updates if u.relation == "conflict"] == []


def test_a_syndicated_copy_is_ranked_once_and_listed_in_also_in(tmp_path: Path) -> None:
    index = _seed_with(tmp_path, {"2022-01-05-wire.txt": COPY})
    a = index.answer("Who issued the White House statement after the call?", k=5)
    assert a.found and "Psaki" in a.text
    assert len(a.also_in) == 1 and a.also_in[0].relation == "copy"
    other = a.also_in[0]
    assert {other.doc_id, a.doc_id} == {SEED, "2022-01-05-wire.txt"}
    assert index.document(other.doc_id).text[other.start : other.end] == other.text
    quoted = [p for p in a.passages if "Psaki said" in p.text or "Psaki said" in p.text]
    assert len({p.doc_id for p in quoted}) <= 1, "the copy must not come back as a second supporting passage"


def test_an_undated_article_is_answerable_but_never_wins_a_latest_question(tmp_path: Path) -> None:
    index = _seed_with(tmp_path, {"background.txt": UNDATED})
    a = index.answer("How many troops has Russia massed near Ukraine now?")
    assert a.found and a.date == "2022-01-04" and "100,000" in a.text
    assert any(u.relation == "undated" and "175,000" in u.text for u in a.updates)
    b = index.answer("What does the undated background note say about troops?")
    assert b.found and b.doc_id == "background.txt" and b.date is None
