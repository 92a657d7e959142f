"""Which neighbouring sentences join the best one in a quote (`rag.answer.quote_span`)."""

from __future__ import annotations

from rag.answer import quote_span
from rag.chunking import Span


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
