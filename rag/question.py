"""A user's question made safe to answer: a string, normalised, without control characters, not too long."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_question(question: str, max_chars: int) -> tuple[str, str | None]:
    """The question to answer, and a notice when it had to be trimmed to `max_chars`.

    Raises `TypeError` for a non-string and `ValueError` for an empty or blank question.
    """
    if not isinstance(question, str):
        raise TypeError(f"question must be a string, got {type(question).__name__}")
    # lone surrogates (from JSON like "\ud800") cannot be encoded for the tokenizer
    question = question.encode("utf-8", "replace").decode("utf-8")
    question = _CONTROL.sub(" ", unicodedata.normalize("NFC", question)).strip()
    if not question:
        raise ValueError("the question is empty: ask something, e.g. 'Where will the talks take place?'")
    notice = None
    if len(question) > max_chars:
        cut = question.rfind(" ", 0, max_chars)
        question = question[: cut if cut > max_chars // 2 else max_chars].rstrip()
        notice = f"The question was trimmed to its first {len(question)} characters (limit {max_chars})."
    return question, notice
