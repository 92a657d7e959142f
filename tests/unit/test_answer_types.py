"""Answer typing: what kind of answer a question asks for, and the phrase of a sentence that gives it."""

from __future__ import annotations

import pytest

from rag.answer_types import (
    DATE,
    NUMBER,
    PERSON,
    PLACE,
    REASON,
    asks_figure,
    best_phrase,
    candidate_phrases,
    category_noun,
    focus,
    focus_modifiers,
    is_address,
    names_another,
    phrases,
    question_kind,
)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("How many soldiers were deployed?", NUMBER),
        ("how much did the sanctions cost", NUMBER),
        ("When did the talks begin?", DATE),
        ("What year was the treaty signed?", DATE),
        ("Where will the summit be held?", PLACE),
        ("In which city did they meet?", PLACE),
        ("Who announced the sanctions?", PERSON),
        ("What is the name of the defence minister?", PERSON),
        ("Why did the talks fail?", REASON),
        ("What did the statement say?", None),
        # how far along something is, not a place
        ("Where does Ukraine's application to join the EU stand?", None),
        ("Where do the talks stand now?", None),
        ("Where did the talks take place?", PLACE),
    ],
)
def test_question_kind(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    "question, sentence, phrase",
    [
        ("How many troops are there?", "Officials said 100,000 troops were massed near the border.", "100,000 troops"),
        ("When did they meet?", "The two leaders met on Tuesday in Vienna.", "Tuesday"),
        ("Where did the leaders meet?", "The two leaders met on Tuesday in Vienna.", "Vienna"),
        ("Who spoke for the ministry?", "The statement was read by spokesman Igor Petrov on Monday.", "Igor Petrov"),
        (  # the figure of the counted noun, though another figure sits nearer the question's words
            "How many tanks has Russia lost?",
            "Soon there will be hundreds of lost planes. More than 400 Russian tanks were destroyed.",
            "More than 400 Russian tanks",
        ),
        (  # a figure and what it became: the new one is the news
            "How much aid has the United States approved?",
            "The United States increased the aid package from USD 10 billion to USD 12 billion.",
            "12 billion",
        ),
        ("How many troops are near the border?", "Troops rose from 100,000 to 130,000 this week.", "130,000"),
        ("When did the war begin?", "From 2014 to 2022 the war went on.", "2014"),  # a span of years, not a change
        # a sentence may begin with its day; a capitalised "This Day" mid-sentence is a title
        ("When did the evacuation begin?", "Today we finally managed to start the evacuation.", "Today"),
        ("When did the evacuation begin?", "Yesterday, the evacuation began.", "Yesterday"),
        ("When was the film made?", "The film From This Day Forward (1946) was set in the Bronx.", "1946"),
        (  # the sentence of the quote echoing the question, not a figure next to one shared word
            "How many Russian soldiers have been killed?",
            "The number of killed enemy soldiers is approaching 14,000. Tens of thousands of Russian servicemen were wounded.",
            "14,000",
        ),
    ],
)
def test_best_phrase_pinpoints_the_answer(question, sentence, phrase):
    span = best_phrase(question_kind(question), sentence, question)
    assert span is not None and sentence[span[0] : span[1]] == phrase


def test_best_phrase_never_returns_the_questions_own_name():
    sentence = "Angela Merkel met Emmanuel Macron in Paris."
    span = best_phrase(PERSON, sentence, "Who did Angela Merkel meet?")
    assert span is not None and sentence[span[0] : span[1]] == "Emmanuel Macron"


@pytest.mark.parametrize(
    "sentence, place",
    [
        ("Missiles hit targets in the Ukrainian cities of the east.", None),  # an adjective of origin, not a place
        ("Fish live in Amazonian rivers.", None),
        ("Talks on Russian gas will take place in Geneva.", "Geneva"),
        ("The ships stayed in Caspian Sea ports.", "Caspian Sea"),  # a name running on to a capital is kept
    ],
)
def test_an_adjective_of_origin_before_a_noun_is_no_place(sentence, place):
    span = best_phrase(PLACE, sentence, "Where did it happen?")
    assert (None if span is None else sentence[span[0] : span[1]]) == place


def _figures(question: str, sentence: str) -> list[str]:
    return [sentence[a:b] for a, b in phrases(NUMBER, sentence, question)]


@pytest.mark.parametrize(
    "sentence",
    [
        "What is this war against children in a kindergarten?",  # "ten"
        "Someone has done it, as they often do.",  # "one", "one", "ten"
        "The M142 HIMARS arrived on the 17th day.",  # a model number, an ordinal
    ],
)
def test_a_number_is_a_whole_word_not_part_of_one(sentence):
    assert _figures("How many children were killed?", sentence) == []


def test_number_words_are_read_whole():
    sentence = "In just four days sixteen Ukrainian children died, and sixty people fled."
    # the phrase runs on to the counted noun: "sixteen Ukrainian children"
    assert _figures("How many children died?", sentence) == ["sixteen Ukrainian children", "sixty people"]
    assert _figures("How many people died?", sentence) == ["sixteen Ukrainian", "sixty people"]
    assert _figures("How much was pledged?", "They pledged $6.5bn, or 30% of it.") == ["$6.5bn", "30%"]
    # the parts of a date count nothing
    assert _figures("How many people left?", "On March 3, 2022, 300 people left; on 5 March more came.") == [
        "300 people"
    ]


def test_the_questions_own_figure_or_date_is_not_an_answer_to_it():
    sentence = "In 2014, 100,000 troops arrived on March 3."
    assert _figures("How many troops arrived in 2014?", sentence) == ["100,000 troops"]  # "3" is a day
    dates = [sentence[a:b] for a, b in phrases(DATE, sentence, "When did the troops of 2014 arrive?")]
    assert dates == ["March 3"]


def test_a_duration_answers_only_a_question_about_time():
    sentence = "In five days of invasion, 56 missile strikes were carried out."
    assert _figures("How many missile strikes were carried out?", sentence) == ["56 missile strikes"]
    assert _figures("How long has the invasion lasted?", sentence) == ["five days", "56 missile"]
    assert _figures("How many days did it take?", sentence)[0] == "five days"


@pytest.mark.parametrize(
    "question",
    [
        "How much money did the campaign raise?",
        "How much funding has the EU allocated?",
        "How much did the repairs cost?",
        "How much has the fund paid out so far?",
    ],
)
def test_a_question_about_money_is_answered_by_an_amount_of_money_only(question):
    assert _figures(question, "It has raised $ 6.5 billion and sent 200 volunteers.") == ["$ 6.5 billion"]
    assert _figures(question, "Borrowings of up to UAH 400 billion were approved.")[0].startswith("400 billion")
    assert _figures(question, "The EU gave 5 million euros and 300 tons of food.") == ["5 million euros"]
    assert _figures(question, "They pledged €300m.") == ["€300m"]
    assert _figures(question, "200,000 have been sent to seize Ukraine.") == []
    # any other "how much" keeps every figure
    assert _figures("How much grain was exported?", "It exported 300 tons, worth $ 2 million.") == [
        "300 tons",
        "$ 2 million",
    ]


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("How many tanks has Germany sent?", True),
        ("how many people were evacuated today", True),
        ("How much money was raised at the conference?", True),
        ("How much did the repairs cost?", True),
        ("How much grain was exported?", False),  # "a record harvest" may say it
        ("How much support does the plan have?", False),
        ("How long did the siege last?", False),
        ("What is the number of refugees?", False),
    ],
)
def test_only_a_count_or_an_amount_of_money_is_a_question_only_a_figure_answers(question, figure):
    assert asks_figure(question) is figure


@pytest.mark.parametrize(
    "question, word",
    [
        ("How many Russian tanks are near the border?", "tanks"),
        ("How many people live in the city?", "people"),
        ("What is the total number of Russian missiles fired at Ukrainian cities?", "missiles"),
        ("What is the latest count of children killed since the invasion began?", "children"),
        ("How much money was raised at the donors' conference?", None),
        ("Who is the US ambassador to Ukraine?", "ambassador"),
        ("What is the name of the foreign minister?", "minister"),
        ("Who issued the statement?", None),
        # the noun ends the phrase before the verb; the words before it narrow it
        ("How many humanitarian corridors were set up over the past week?", "corridors"),
        ("How many missile strikes did Russia launch yesterday?", "strikes"),
        ("How many people died?", "people"),
        # a list of nouns: a sentence counting any of them answers, so none is required
        ("How many foreign embassies and missions are operating in Kyiv?", None),
        ("How many schools, kindergartens and universities have been destroyed?", None),
    ],
)
def test_focus_is_the_counted_or_asked_for_noun(question, word):
    assert focus(question) == word


def test_category_noun_is_the_kind_of_answer_asked_for():
    assert category_noun("In which city did the ministers meet?") == "city"
    assert category_noun("What sanctions were adopted?") is None


def test_candidate_phrases_are_of_the_asked_kind_else_of_every_kind():
    sentence = "On Monday, 300 people fled from Mariupol with Red Cross staff."

    def found(question: str, text: str = sentence) -> list[str]:
        return [text[a:b] for a, b in candidate_phrases(question, text)]

    assert found("How many people left the city?") == ["300 people"]
    every = found("What happened to the people of the city?")
    assert "300 people" in every and "Monday" in every and any("Mariupol" in p for p in every)
    # a "when" question over a sentence without a date: the phrases of the other kinds remain
    assert "300 people" in found("When did the staff arrive?", "Then 300 people fled from Mariupol.")


def test_the_words_before_the_counted_noun_narrow_it_names_do_not():
    assert focus_modifiers("How many humanitarian corridors were set up over the past week?") == ("humanitarian",)
    assert focus_modifiers("How many educational facilities have been destroyed?") == ("educational",)
    assert focus_modifiers("How many Russian tanks are near the border?") == ()
    assert focus_modifiers("What is the latest count of children killed since the invasion began?") == ()


def test_a_body_is_not_who_holds_a_post():
    question = "Who is the defence minister?"
    body = "The Cabinet of Ministers simplified procurement for the defence of Ukraine."
    person = "Defence Minister Oleksii Reznikov met his counterparts."
    assert list(phrases(PERSON, body, question, names_only=True)) == []
    assert [person[a:b] for a, b in phrases(PERSON, person, question, names_only=True)] == [
        "Defence Minister Oleksii Reznikov"
    ]


@pytest.mark.parametrize(
    ("sentence", "address"),
    [
        ("Dear Minister of Foreign Affairs, Minister of Defense!", True),
        ("Mr. Prime Minister! Mark!", True),
        ("Dear Mr. Speaker, members of the Knesset.", True),
        ("Distinguished Mr. Prime Minister!", True),
        ("Distinguished Members of the Japanese Parliament!", True),
        ("Ladies and Gentlemen!", True),
        ("Distinguished guests were seated at 10.", False),
        ("Americans! Friends!", True),
        ("Members of Congress,\n\nLadies and Gentlemen,", True),
        ("Glory to Ukraine!", False),
        ("Thank you, Canada!", False),
        ("Mr. Biden met Putin on Sunday!", False),  # a statement that opens with a name
        ("Mr. Biden said the talks will resume.", False),
        ("Dearborn is a city in Michigan.", False),
    ],
)
def test_a_form_of_address_is_told_from_a_statement(sentence, address):
    assert is_address(sentence) is address


@pytest.mark.parametrize(
    ("question", "sentence", "another"),
    [
        ("Who is the prime minister of Ukraine?", "Prime Minister of Canada Justin Trudeau arrived.", True),
        ("Who is the prime minister of Ukraine?", "I met Prime Minister of the United Kingdom Boris Johnson.", True),
        (
            "Who is the prime minister of Ukraine?",
            "Prime Minister of Ukraine Denys Shmyhal and Prime Minister of Poland spoke.",
            False,
        ),
        ("Who is the prime minister of Ukraine?", "Prime Minister Denys Shmyhal will explain the details.", False),
        ("Who is the prime minister of Ukraine?", "The minister of finance spoke.", False),  # no name after "of"
        (
            "What was the capital of India until 1911?",
            "Calcutta was the capital of India during the British Raj.",
            False,
        ),
        ("What was the capital of India until 1911?", "Berlin became the capital of Germany.", True),
        ("Who became the President of the European Commission?", "She is President of the European Council.", True),
        ("Which countries does Moscow want kept out of NATO?", "Russia wants Ukraine out of NATO.", False),  # no post
    ],
)
def test_the_same_post_of_another_name_is_told(question, sentence, another):
    assert names_another(question, sentence) is another
