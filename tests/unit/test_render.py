"""Rendering answers for the chat (`ui.render`): escaping, the quote block, citations, document segments."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from support import rendered, squash

from rag import Answer, Passage
from ui import render as fmt

# Markdown and HTML syntax, and the words that make links
TOKENS = [*"ab1 \n\r\t<>&*_[]()`#!-+=|~\\.:/@$\"'", "www.", "http://", "&lt;", "<script>", "1. ", "- ", "    "]
TRICKY = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)


@given(TRICKY)
@settings(max_examples=300, deadline=None)
def test_escaped_text_renders_as_exactly_that_text(text: str):
    parsed = rendered(fmt.escape_block(text))
    assert squash("".join(parsed.text)) == squash(text)
    assert set(parsed.tags) <= {"p", "br"}, parsed.tags


@given(TRICKY, st.integers(0, 40), st.integers(0, 40))
@settings(max_examples=300, deadline=None)
def test_quote_block_is_the_quote_with_the_phrase_in_bold(text: str, a: int, b: int):
    lo, hi = sorted((min(a, len(text)), min(b, len(text))))
    parsed = rendered(fmt.quote_block(text, (lo, hi)))
    assert squash("".join(parsed.text)) == squash(text)
    assert set(parsed.tags) <= {"blockquote", "p", "br", "strong"}, parsed.tags
    phrase = text[lo:hi]
    if phrase.strip() and "\n" not in phrase:
        assert squash("".join(parsed.strong)) == squash(phrase)


def test_script_in_question_or_article_is_escaped():
    evil = "<script>window.__xss=1</script> [x](javascript:alert(1)) **b**"
    assert "<script" not in fmt.escape_block(evil)
    assert "&lt;script&gt;" in fmt.escape_block(evil)
    answer = Answer(
        "q",
        True,
        evil,
        "a<b>.txt",
        0,
        len(evil),
        "2022-01-04",
        "<img src=x onerror=alert(1)>",
        (0, 8),
        0.9,
        (Passage("a<b>.txt", evil, 0, len(evil), 1.0, None, None, {"dense": 0.5}),),
    )
    for markdown in (fmt.reply_markdown(answer), fmt.sources_markdown(answer)):
        parsed = rendered(markdown)
        assert "script" not in parsed.tags and "img" not in parsed.tags and "a" not in parsed.tags
        assert "<script>window.__xss=1</script>" in "".join(parsed.text)


def test_reply_cites_title_or_id_date_and_range():
    answer = Answer("q", True, "in Geneva today", "doc.txt", 10, 25, "2022-01-04", None, (3, 9), 0.8)
    reply = fmt.reply_markdown(answer)
    assert reply.startswith("> in **Geneva** today")
    assert "— doc.txt, 2022-01-04, characters 10–25" in squash("".join(rendered(reply).text))


def test_refusal_shows_related_passages_not_as_an_answer():
    p = Passage("doc.txt", "Talks are planned.", 5, 23, 0.2, "2022-01-04", "Title", {})
    answer = Answer("q", False, "The articles don't say: nothing answers.", passages=(p,))
    reply = fmt.reply_markdown(answer)
    assert reply.startswith("**The articles don't say")
    assert "Related (not an answer)" in reply
    assert "— Title, 2022-01-04, characters 5–23" in squash("".join(rendered(reply).text))
    assert "Related passages (not an answer)" in fmt.sources_markdown(answer)


def test_notice_is_shown():
    answer = Answer("q", False, "The articles don't say.", notice="The question was trimmed.")
    assert "The question was trimmed." in fmt.reply_markdown(answer)


@given(st.text(max_size=60), st.integers(0, 60), st.integers(0, 60), st.integers(-5, 70), st.integers(-5, 70))
@settings(max_examples=300, deadline=None)
def test_document_segments_cover_the_text_exactly_once(text: str, a: int, b: int, c: int, d: int):
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    segments = fmt.document_segments(text, start, end, (min(c, d), max(c, d)))
    assert "".join(s for s, _ in segments) == text
    assert all(s for s, _ in segments)
    quoted = "".join(s for s, label in segments if label in (fmt.QUOTE, fmt.ANSWER))
    assert quoted == text[start:end]
