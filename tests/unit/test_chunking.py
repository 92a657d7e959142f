"""Sentence units and passages: the offset rule, and sentence boundaries a reader expects."""

from __future__ import annotations

import pytest
from support import make_document as doc

from rag.chunking import is_caption, passages, sentence_units
from rag.documents import read_sources


def test_offsets_rule_holds_for_every_unit_and_passage_of_the_seed(seed_dir):
    for d in read_sources(seed_dir):
        units = sentence_units(d)
        assert units
        for u in units:
            assert d.text[u.start : u.end] == u.text
            assert u.text == u.text.strip() and u.text
        for p in passages(d, 600, 120):
            assert d.text[p.start : p.end] == p.text
            assert len(p.text) <= 600


def test_units_are_in_order_and_do_not_overlap(seed_dir):
    d = read_sources(seed_dir)[0]
    units = sentence_units(d)
    assert all(a.end <= b.start for a, b in zip(units, units[1:]))


def test_header_is_parsed_not_quoted(seed_dir):
    d = read_sources(seed_dir)[0]
    assert d.date == "2022-01-04"
    assert all(not u.text.startswith("date") for u in sentence_units(d))
    assert sentence_units(d)[0].text.startswith("US President Joe Biden")


def test_caption_and_credit_lines_are_never_units():
    d = doc("First line here.\nPhoto: AP\nImage credit: Reuters\nSecond line there.\n")
    texts = [u.text for u in sentence_units(d)]
    assert texts == ["First line here.", "Second line there."]
    assert is_caption("Photo: AP") and is_caption("(AP Photo/Evan Vucci)")
    assert not is_caption("Photographers gathered outside the building.")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The U.S. said it would act. Mr. Smith agreed.", ["The U.S. said it would act.", "Mr. Smith agreed."]),
        ("Russia has massed 100,000 troops. Talks follow.", ["Russia has massed 100,000 troops.", "Talks follow."]),
        (
            "“We appreciate the unwavering support,” he said. Then he left.",
            ["“We appreciate the unwavering support,” he said.", "Then he left."],
        ),
        ("He said: “We’ll see.” She nodded.", ["He said: “We’ll see.”", "She nodded."]),
        ("It grew 3.5 percent. Prices fell.", ["It grew 3.5 percent.", "Prices fell."]),
    ],
)
def test_sentence_boundaries(text, expected):
    assert [u.text for u in sentence_units(doc(text))] == expected


def test_a_line_break_always_ends_a_unit():
    d = doc("no full stop here\nNext line.")
    assert [u.text for u in sentence_units(d)] == ["no full stop here", "Next line."]


def test_repeated_sentences_point_at_their_own_place():
    d = doc("Talks failed. Talks failed. Talks failed.")
    starts = [u.start for u in sentence_units(d)]
    assert starts == [0, 14, 28]
