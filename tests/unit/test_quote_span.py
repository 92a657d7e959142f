"""Which neighbouring sentences join the best one in a quote (`rag.answer.quote_span`), and which passages support it."""

from __future__ import annotations

from rag import answer_types
from rag.answer import quote_span, supporting_passages
from rag.chunking import Span
from rag.documents import Document
from rag.quote import restates
from rag.signals import Candidate


def spans(*texts: str) -> list[Span]:
    out, pos = [], 0
    for t in texts:
        out.append(Span("d.txt", pos, pos + len(t), t))
        pos += len(t) + 1
    return out


def test_quote_span_joins_a_pronoun_attribution_to_the_speaker():
    units = spans("The minister spoke on the radio.", "“We will not give up,” she said.", "Markets fell.")
    assert quote_span(units, 1, {1: 2.0}, 400) == (0, 1)


def test_quote_span_joins_a_sentence_that_points_back():
    units = spans("Officials will meet in Geneva.", "Those talks follow a call.", "Markets fell.")
    assert quote_span(units, 1, {1: 2.0, 0: 0.1}, 400) == (0, 1)


def test_quote_span_keeps_a_clear_winner_alone_and_joins_a_close_neighbour():
    units = spans("Officials met in Geneva.", "They talked for an hour.", "Markets fell.")
    assert quote_span(units, 2, {2: 2.0, 1: 0.5}, 400) == (2, 2)
    assert quote_span(units, 2, {2: 2.0, 1: 1.9}, 400) == (1, 2)


def test_quote_span_never_exceeds_the_limit():
    units = spans("A" * 300 + ".", "Those talks " + "b" * 200 + ".")
    first, last = quote_span(units, 1, {1: 2.0, 0: 2.0}, 400)
    assert (first, last) == (1, 1)


def holds(kind: str, question: str):
    """The predicate `rag.answer.compose` passes: does a sentence hold a phrase of the asked kind."""
    return lambda text: answer_types.best_phrase(kind, text, question) is not None


def test_quote_span_joins_the_next_sentence_when_only_it_holds_the_asked_for_number():
    question = "How much money was raised at the donors' conference?"
    units = spans(
        "Markets fell.",
        "Today I addressed the donors' conference held in Warsaw.",
        "$6.5 billion has been raised at this conference.",
    )
    assert quote_span(units, 1, {1: 2.0, 2: 0.2}, 400, holds(answer_types.NUMBER, question)) == (1, 2)


def test_quote_span_falls_back_to_the_previous_sentence_for_the_asked_for_kind():
    question = "When was the journalist killed?"
    units = spans("He died in the battles near Izium on Monday.", "He was a well-known journalist.", "Markets fell.")
    assert quote_span(units, 1, {1: 2.0}, 400, holds(answer_types.DATE, question)) == (0, 1)


def test_quote_span_keeps_a_sentence_that_holds_the_asked_for_kind_alone():
    question = "How many troops are near the border?"
    units = spans("Russia has massed 100,000 troops near the border.", "Talks open on 10 January with 3 delegations.")
    assert quote_span(units, 0, {0: 2.0, 1: 0.1}, 400, holds(answer_types.NUMBER, question)) == (0, 0)


def test_quote_span_does_not_join_a_neighbour_that_lacks_the_kind_too_or_another_article():
    question = "How many people were evacuated?"
    units = spans("We evacuated civilians from the plant.", "It was hard work.")
    assert quote_span(units, 0, {0: 2.0}, 400, holds(answer_types.NUMBER, question)) == (0, 0)
    other = [*spans("We evacuated civilians."), Span("e.txt", 0, 19, "300 people are safe.")]
    assert quote_span(other, 0, {0: 2.0}, 400, holds(answer_types.NUMBER, question)) == (0, 0)


def test_quote_span_joins_the_next_sentence_to_one_that_only_restates_the_question():
    question = "Which humanitarian corridor was finally organized yesterday?"
    units = spans(
        "Yesterday we finally managed to organize a humanitarian corridor.",
        "From the city of Sumy to Poltava.",
        "Markets fell.",
    )
    assert quote_span(units, 0, {0: 2.0}, 400, question=question) == (0, 1)
    # without the question, or when the sentence says more than the question asked, it stands alone
    assert quote_span(units, 0, {0: 2.0}, 400) == (0, 0)
    said_more = spans(
        "Officials organized a humanitarian corridor from Sumy to Poltava under heavy shelling.", "Markets fell."
    )
    assert quote_span(said_more, 0, {0: 2.0}, 400, question=question) == (0, 0)


def test_restates_counts_new_content_words_not_pronouns_or_the_time_already_asked():
    question = "Which shrine is returning to St. Sophia of Kyiv?"
    assert restates("One of the most revered shrines of Sophia of Kyiv.", question)
    assert not restates("The icon of St. Mykola Mokryi, the first miraculous icon, returns to Kyiv.", question)
    assert restates("Today we said it again.", "What did they say today?")


def test_the_first_supporting_passage_is_the_chosen_sentences_even_when_it_straddles_two_passages():
    # passages (context chunks) are cut apart from sentences: the best sentence may start in one and end
    # in the next; its passage, and so its signals, must still come first (the eval fits on them)
    text = "Talks were held in Geneva on Monday. Officials said the next round will take place in Vienna soon."
    doc = Document("d.txt", text, sha256="0" * 64)
    units = [Span("d.txt", 0, 36, text[0:36]), Span("d.txt", 37, len(text), text[37:])]
    passages = [Span("d.txt", 0, 60, text[0:60]), Span("d.txt", 55, len(text), text[55:])]
    best = Candidate(unit=1, signals={"dense": 0.9}, score=2.0)
    other = Candidate(unit=0, signals={"dense": 0.4}, score=1.0)
    found = supporting_passages([best, other], units, lambda _: passages, {"d.txt": doc}, lambda _: [], 2)
    assert [(p.start, p.end) for p in found] == [(55, len(text)), (0, 60)]
    assert found[0].signals == {"dense": 0.9} and found[1].signals == {"dense": 0.4}


def test_a_sentence_holding_the_asked_for_figure_stands_alone_however_closely_it_restates_the_question():
    question = "How many foreign missions are working in Kyiv now?"
    units = spans("Already 37 foreign missions are working in Kyiv.", "I am grateful to all of them.")
    assert quote_span(units, 0, {0: 2.0}, 400, holds(answer_types.NUMBER, question), question) == (0, 0)
