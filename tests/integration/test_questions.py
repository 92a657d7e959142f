"""Hostile, odd or malformed questions are answered or refused, never a crash; the offset rule always holds."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import KNOWN, assert_exact

import rag


@pytest.mark.parametrize("question", ["", " ", "\n\t", "   \n\t  ", "\u3000\u00a0", "\x00\x01\x1f\x7f"])
def test_empty_or_blank_question_is_a_value_error_saying_so(seed_index: rag.Index, question: str) -> None:
    with pytest.raises(ValueError, match="empty") as info:
        seed_index.answer(question)
    assert "ask something" in str(info.value)


@pytest.mark.parametrize("question", [None, 42, b"Where will the talks take place?", ["Geneva"]])
def test_a_question_that_is_not_a_string_is_a_type_error(seed_index: rag.Index, question: object) -> None:
    with pytest.raises(TypeError, match="must be a string"):
        seed_index.answer(question)  # type: ignore[arg-type]


@pytest.mark.parametrize("k", [0, -3, 2.5, "3"])
def test_a_bad_number_of_passages_is_a_value_error(seed_index: rag.Index, k: object) -> None:
    with pytest.raises(ValueError, match="k must be a positive integer"):
        seed_index.answer("In which city will the talks take place?", k=k)  # type: ignore[arg-type]


def test_a_100000_character_question_is_trimmed_with_a_notice_and_still_answered(seed_index: rag.Index) -> None:
    question = "In which city will the talks take place? " + "Please answer quickly. " * 4400
    assert len(question) > 100_000
    a = seed_index.answer(question)
    limit = seed_index.settings.max_question_chars
    assert a.notice is not None and "trimmed" in a.notice and str(limit) in a.notice
    assert len(a.question) <= limit and a.question.startswith("In which city will the talks take place?")
    assert_exact(seed_index, a)


def test_a_100000_character_word_without_spaces_is_trimmed_too(seed_index: rag.Index) -> None:
    a = seed_index.answer("x" * 100_000)
    assert a.notice is not None and "trimmed" in a.notice
    assert len(a.question) <= seed_index.settings.max_question_chars
    assert_exact(seed_index, a)


def test_a_question_under_the_limit_has_no_notice(seed_index: rag.Index) -> None:
    assert seed_index.answer("In which city will the talks take place?").notice is None


# The known question wrapped in noise: answered with the right quote or refused, never another quote.
NOISY_KNOWN = [
    "\x00In which city\x07 will the talks\x1b[31m take place?\x7f",
    "In which city will the talks take place? 🙂🔥🇺🇦",
    "\u202eIn which city will the talks take place?\u202c",
    "\u200bIn which\u200d city will the talks take place?\ufeff",
    "<b>In which city will the talks take place?</b>",
    "In which city will the talks take place? <script>alert('x')</script>",
    "**In which city** will the talks [take place](javascript:alert(1))?",
    "In which city will the talks take place?\r\n\r\n",
]


@pytest.mark.parametrize("question", NOISY_KNOWN)
def test_a_known_question_wrapped_in_noise_gets_the_right_quote_or_a_refusal(
    seed_index: rag.Index, question: str
) -> None:
    a = seed_index.answer(question)
    assert_exact(seed_index, a)
    if a.found:
        assert "Geneva" in a.text


@pytest.mark.parametrize("suffix", [" 🙂", "\r\n", "\t\x00", "  \u3000"])
def test_trailing_emoji_or_control_characters_do_not_stop_an_answer(seed_index: rag.Index, suffix: str) -> None:
    a = seed_index.answer("In which city will the talks take place?" + suffix)
    assert a.found and "Geneva" in a.text
    assert_exact(seed_index, a)


# Questions the article cannot answer (or only in another language): answered or refused, never a crash.
ODD = [
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "'; DROP TABLE articles; --",
    "![x](http://127.0.0.1/x.png) [click me](javascript:alert(1)) # Heading\n> quote\n```\ncode\n```",
    "{{7*7}} ${7*7} %s %n %x",
    "../../../../etc/passwd",
    "😀" * 50,
    "🇺🇦🇷🇺",
    "أين ستجري المحادثات؟",
    "איפה יתקיימו השיחות?",
    "Где пройдут переговоры?",
    "Де відбудуться переговори?",
    "会谈将在哪里举行？",
    "会談はどこで行われますか？",
    "Où auront lieu les pourparlers ?",
    "Wo finden die Gespräche statt?",
    "Z̸̢̛a̵̡͝l̶̨̛g̷̢͠o̴̢͝ text",
    "\u0301\u0301\u0301",
    "\ufeff",
    "\u2028\u2029x\u0085",
    "\U0010ffff\U000e0001",
    "?",
    "a",
]


@pytest.mark.parametrize("question", ODD)
def test_odd_question_is_answered_or_refused_never_a_crash(seed_index: rag.Index, question: str) -> None:
    a = seed_index.answer(question)
    assert_exact(seed_index, a)
    if a.found:
        assert "<script" not in a.text and "javascript:" not in a.text


@pytest.mark.parametrize("question", ["?", "???", "a", "Who?", "What is it?", "🙂🙂", "How many how many"])
def test_a_question_with_no_word_to_look_for_is_refused_saying_so(seed_index: rag.Index, question: str) -> None:
    # every article has sentences; a quote picked for "???" would be chance
    a = seed_index.answer(question)
    assert not a.found and a.text.startswith("Nothing to look for") and a.doc_id is None


def test_a_question_naming_a_day_not_on_the_calendar_is_refused_saying_so(seed_index: rag.Index) -> None:
    a = seed_index.answer("What did Biden say on 2022-01-32?")
    assert not a.found and a.text.startswith("No such day: 2022-01-32 is not on the calendar")


@pytest.mark.parametrize("question", ["\ud800", "In which city will the talks take place? \udfff"])
def test_a_lone_surrogate_is_answered_or_a_value_error(seed_index: rag.Index, question: str) -> None:
    try:
        a = seed_index.answer(question)
    except ValueError:
        return
    assert_exact(seed_index, a)


FUZZ = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(question=st.text(max_size=300))
def test_any_text_gets_an_exact_answer_or_a_value_error(seed_index: rag.Index, question: str) -> None:
    try:
        a = seed_index.answer(question)
    except ValueError as exc:
        assert _blank(question), f"ValueError for a question with content: {exc}"
        return
    assert not _blank(question), "a blank question was answered"
    assert_exact(seed_index, a)


def _blank(question: str) -> bool:
    """Nothing but white space and control characters."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in question)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.text(max_size=40),
    known=st.sampled_from([q for q, _ in KNOWN]),
    after=st.text(max_size=40),
)
def test_a_known_question_with_random_text_around_it_keeps_the_offset_rule(
    seed_index: rag.Index, before: str, known: str, after: str
) -> None:
    a = seed_index.answer(before + known + after)
    assert_exact(seed_index, a)
