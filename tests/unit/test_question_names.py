"""The names and figures a question asks about: what a refusal for "no article mentions …" looks up."""

from __future__ import annotations

from rag.question import asked_names


def words(question: str) -> list[str]:
    return [word for word, _ in asked_names(question)]


def test_a_name_is_a_capitalised_run_stood_for_by_its_last_word() -> None:
    assert words("How many civilians were killed in Bucha after the Russian withdrawal?") == ["Bucha", "Russian"]
    # articles write "Blair" and "Brookings" more often than the full name
    assert words("Who followed Tony Blair as Prime Minister?") == ["Blair", "Minister"]
    assert words("Who is Robert Somers Brookings?") == ["Brookings"]
    # the question's first word is capitalised because it opens the sentence
    assert words("Kyiv was shelled when?") == []
    assert asked_names("When did Hervé serve?") == [("Hervé", "herv")]
    # a capitalised day or little word after a name does not carry it on ("Title Case Questions")
    assert words("What did Zelenskyy say about Kravchuk By April 5?") == ["Zelenskyy", "Kravchuk"]
    assert words("Who was shelled in Kharkiv On Monday?") == ["Kharkiv"]
    assert words("What did Theresa May say about Brexit?") == ["Brexit"]  # "May" stands for her, as before


def test_calendar_words_acronyms_short_words_and_shouting_are_left_out() -> None:
    assert words("What happened on Monday, 24 February and in Sept?") == []
    assert words("How does a US NPO apply to the EU or the UN?") == []
    assert words("HOW MANY TROOPS ARE IN KHARKIV") == []


def test_a_figure_is_a_number_of_two_digits_or_more_but_not_a_list_or_the_day_of_a_date() -> None:
    assert asked_names("Were 100,000 troops there in 2021, or 6.5 of 9?") == [
        ("100,000", "100000"),
        ("2021", "2021"),
        ("6.5", "6.5"),
    ]
    assert words("If a=1,2,4,5,7, how many primes are there?") == []
    assert words("What happened on Feb 24 or on 3 March?") == []
