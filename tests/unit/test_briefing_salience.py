"""What makes a sentence of a window news: talk is not an act, a topic's own words are not specific, a
sentence naming its own places does not borrow a neighbour's topic, a figure counts its noun. No
model: hand-made windows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from rag.brief.changes import counts_alike, same_count
from rag.brief.features import features
from rag.brief.relevance import topic_relevance, topic_words
from rag.brief.salience import Weights, salience
from rag.brief.types import DatedSentence
from rag.brief.window import Window


def window(*rows: tuple[str, str], day: date = date(2022, 3, 16)) -> list[DatedSentence]:
    """One sentence per (article, text), laid out one after the other in each article."""
    out, at = [], {}
    for doc_id, text in rows:
        start = at.get(doc_id, 0)
        out.append(DatedSentence(len(out), doc_id, start, start + len(text), text, day))
        at[doc_id] = start + len(text) + 1
    return out


@pytest.mark.parametrize(
    ("text", "talk"),
    [
        ("Yesterday I spoke with the Presidents of Portugal and Lithuania.", True),
        ("I thanked our partners for their support.", True),
        ("I spoke with the Chancellor about the supply of anti-tank weapons.", False),  # an act is reported
        ("Russian troops captured our convoy.", False),
    ],
)
def test_talk_is_a_conversation_without_an_act(text, talk):
    assert features(text).talk is talk


def test_a_meeting_outranks_a_call_with_the_same_people():
    sentences = window(
        ("a.txt", "Yesterday I spoke with the Presidents of Portugal and Lithuania."),
        ("b.txt", "Yesterday I met the Presidents of Portugal and Lithuania."),
        ("c.txt", "Trains left the station on time."),
    )
    score = salience(sentences).score
    assert score[1] > score[0]
    assert salience(sentences, Weights(talk=0.0)).score[0] > score[0]  # the call is marked down as talk


def test_the_topics_own_words_do_not_make_a_sentence_specific():
    sentences = window(
        ("a.txt", "We have always insisted on negotiations."),
        ("a.txt", "The delegations met in Istanbul today."),
        ("b.txt", "The weather was cold in the morning."),
        ("c.txt", "Trains left the station on time."),
        ("d.txt", "Yesterday I spoke with the Presidents of Portugal and Lithuania."),
        ("d.txt", "Yesterday I met the Presidents of Portugal and Lithuania."),
    )
    win = Window(sentences)
    plain = salience(sentences, window=win).score
    assert plain[0] > plain[1]  # "negotiations" is a rare word of this window
    topic = [i for ids in topic_words("negotiations") for i in ids]
    on_topic = salience(sentences, window=win, topic_terms=topic).score
    assert on_topic[1] > on_topic[0]  # in a briefing on negotiations, the meeting says more


def test_a_sentence_naming_other_places_borrows_no_topic_from_its_neighbour():
    sentences = window(
        ("m.txt", "Russian aircraft bombed the theatre in Mariupol."),
        ("m.txt", "More than 130 people were rescued."),
        ("m.txt", "Hundreds were evacuated from Kyiv and Luhansk."),
    )
    vectors = np.zeros((3, 4), np.float32)  # no help from meaning: words and neighbours only
    relevance = topic_relevance("Mariupol", sentences, vectors, np.zeros(4, np.float32))
    assert relevance[0] == pytest.approx(0.5)  # it names the topic
    assert relevance[1] == pytest.approx(0.4)  # no subject of its own: the sentence before lends 0.8 of its own
    assert relevance[2] == 0.0  # Kyiv and Luhansk: about other places, whatever came two sentences before


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Our officials have organized 12 humanitarian corridors today.", [(12, "corridor")]),
        ("More than 6,000 Mariupol residents were transported.", [(6000, "person")]),  # a place before the noun
        ("We have lost 137 of our heroes today.", [(137, "hero")]),
        ("Germany sends 1,000 anti-tank grenade launchers and 500 Stingers.", [(1000, "launcher"), (500, "stinger")]),
        ("20,000 of them managed to leave Mariupol.", [(20000, None)]),  # a pronoun names nothing to count
        ("Borrowings of up to UAH 400 billion through military bonds.", [(400e9, None)]),
        ("Today there were seven humanitarian corridors.", [(7, "corridor")]),  # a small count in words
        ("One of them was hit two weeks ago, three times.", []),  # none counts a thing of the news
    ],
)
def test_a_figure_counts_the_first_plural_of_its_noun_phrase(text, counts):
    assert [(g.value, g.unit) for g in features(text).figures] == counts


def test_counts_of_one_thing_per_day_are_one_count_and_a_total_is_another():
    def one(a: str, b: str) -> bool:
        return counts_alike(a, features(a), b, features(b))

    daily = "Our officials have organized 12 humanitarian corridors today."
    assert one(daily, "During the day 8 humanitarian corridors worked.")
    assert one(
        "Almost 4,000 Mariupol residents arrived in Zaporizhzhia in one day.", "Today 7,026 people were rescued."
    )
    assert not one("Almost 4,000 Mariupol residents arrived in one day.", "In total, 9,000 people have been rescued.")
    assert not one(daily, "12 tanks were destroyed today.")  # another noun
    assert not one(daily, "Officials organized 80 humanitarian corridors today.")  # too far apart to be one count
    # what is known today is where a count stands, not what the day added
    assert one(
        "As of today, 143 children are known to have died.",
        "Today we know about the death of 145 children, and this is only an officially confirmed number.",
    )


def test_a_change_is_shown_between_two_totals_or_two_days_never_between_two_occasions():
    def changed(a: str, b: str) -> bool:
        return any(same_count(f, a, g, b) for f in features(a).figures for g in features(b).figures)

    assert changed(
        "As of this morning, 103 children have been killed.", "As of today, 143 children are known to have died."
    )
    assert changed("In total, about 35,000 people were rescued.", "A total of 37,606 people were rescued.")
    assert changed(
        "Officials have organized 12 humanitarian corridors today.", "During the day 8 humanitarian corridors worked."
    )
    # two award ceremonies, two evacuations reported in the simple past: occasions, not one count moving
    assert not changed("269 servicemen were awarded state awards.", "165 servicemen were awarded state awards.")
    assert not changed("More than 9,000 people were evacuated from Mariupol.", "26,477 residents were evacuated.")
    assert not changed("As of today, 143 children have died.", "Today 38 children died.")  # a total and a day
    assert not changed("It is known that seven people were killed.", "As of this time, 17 people died.")
    assert changed(
        "Today we organized three humanitarian corridors.", "During the day 8 humanitarian corridors worked."
    )
