"""Turn `rag` answers into chat Markdown and document-view segments (pure functions, no Gradio).

Every piece of text from an article or a user goes through `ui.markdown`'s escaping before it
is mixed with the Markdown built here, so it is always shown as text (see that module).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rag import Answer, Passage
from rag.answer import Citation, EventDate

from .markdown import date_markdown, escape_block, escape_line, escape_text, quote_block, shortened, when_list

__all__ = [  # the escaping helpers are used through this module too
    "escape_block",
    "escape_line",
    "escape_text",
    "quote_block",
]

QUOTE = "quote"
ANSWER = "answer"
RELATED = "related (not an answer)"
# Background of each label in the document view: the quote pale, its answer phrase strong, related grey.
COLORS = {QUOTE: "#fde68a", ANSWER: "#f59e0b", RELATED: "#cbd5e1"}

# Passages shown under "Related (not an answer)" in the chat itself; the sources panel has all.
RELATED_IN_CHAT = 3
RELATED_EXCERPT_CHARS = 200
# An update without an answering phrase is shown as the start of its sentence.
UPDATE_EXCERPT_CHARS = 120

NO_DATE = "date unknown"
# How each kind of other report is introduced under the quote; a conflict stands out (see CSS in ui.app).
RELATION_LABELS = {
    "earlier": "Earlier",
    "later": "Later",
    "conflict": '<span class="conflict">⚠ Conflicting report</span> (same date, another article)',
    "undated": "Undated",
}


def citation(doc_id: str | None, title: str | None, date: str | None, start: int | None, end: int | None) -> str:
    """`— title or id, date, characters start–end`, escaped."""
    label = escape_text(title or doc_id or "unknown document")
    return f"— {label}, {date_markdown(date, NO_DATE)}, characters {start}–{end}"


def _age(date: str | None, as_of: str | None, newest: str | None) -> str:
    """' (7 days before the newest article, 2022-01-11)' when the quoted article is older than the newest.

    Only when the newest article is visible (no as-of date before it): otherwise the newest one
    the question could see is not known here.
    """
    if date is None or newest is None or (as_of is not None and as_of < newest) or date >= newest:
        return ""
    days = (dt.date.fromisoformat(newest) - dt.date.fromisoformat(date)).days
    return f" ({days} day{'s' if days != 1 else ''} before the newest article, {date_markdown(newest, NO_DATE)})"


def _source(c: Citation) -> str:
    """'(2022-01-04, title or id, characters 5–80)', escaped."""
    label = escape_text(c.title or c.doc_id)
    return f"({date_markdown(c.date, NO_DATE)}, {label}, characters {c.start}–{c.end})"


def update_line(c: Citation) -> str:
    """'Earlier: “100,000 troops” (2022-01-04, title, characters …)': the other answer, or its sentence shortened."""
    h = c.highlight
    if h is not None and c.text[h[0] : h[1]].strip():
        shown = escape_text(c.text[h[0] : h[1]].strip())
    else:
        text, cut = shortened(c.text, UPDATE_EXCERPT_CHARS)
        shown = escape_text(text) + (" …" if cut else "")
    label = RELATION_LABELS.get(c.relation, escape_text(c.relation.capitalize()))
    return f"**{label}:** “{shown}” {_source(c)}"


def copies_line(copies: Sequence[Citation]) -> str:
    """'Also in: title (2022-01-04); …': the other articles that carry the same sentence."""
    shown = [f"{escape_text(c.title or c.doc_id)} ({date_markdown(c.date, NO_DATE)})" for c in copies]
    return "**Also in:** " + "; ".join(shown)


def reply_markdown(answer: Answer, newest: str | None = None) -> str:
    """The chat reply: the quote with its citation and dates, other reports, or a refusal and related reading.

    `newest` is the newest article's date (ISO), to say how old the quoted article is.
    """
    parts = []
    if answer.as_of:
        parts.append(f"_As of {date_markdown(answer.as_of, '?')}: articles dated later are not quoted._")
    if answer.notice:
        parts.append(f"_Note: {escape_text(answer.notice)}_")
    if answer.found:
        parts.append(quote_block(answer.text, answer.highlight, answer.events))
        cite = citation(answer.doc_id, answer.title, answer.date, answer.start, answer.end)
        cite += _age(answer.date, answer.as_of, newest)
        when = f" · when: {when_list(answer.events)}" if answer.events else ""
        parts.append(f"{cite}{when} · confidence {answer.confidence:.2f}")
        others = [update_line(c) for c in answer.updates]
        if answer.also_in:
            others.append(copies_line(answer.also_in))
        if others:
            # one paragraph, a line each (the chat renders single line breaks)
            parts.append("\n".join(others))
        return "\n\n".join(parts)
    parts.append(f"**{escape_text(answer.text)}**")
    if answer.passages:
        parts.append("**Related (not an answer):**")
        for p in answer.passages[:RELATED_IN_CHAT]:
            text, cut = shortened(p.text, RELATED_EXCERPT_CHARS)
            # the cited range is the one shown, so it still matches the document exactly
            end = p.start + len(text)
            events = [e for e in p.events if e.end <= len(text)]
            when = f" · when: {when_list(events)}" if events else ""
            block = quote_block(text, events=events) + (" …" if cut else "")
            parts.append(f"{block}\n\n{citation(p.doc_id, p.title, p.date, p.start, end)}{when}")
    return "\n\n".join(parts)


def _overlap(answer: Answer, p: Passage) -> tuple[int, int] | None:
    """The answer's quote inside passage `p`, as offsets into `p.text`, if they overlap."""
    if not answer.found or answer.doc_id != p.doc_id or answer.start is None or answer.end is None:
        return None
    lo, hi = max(answer.start, p.start), min(answer.end, p.end)
    return (lo - p.start, hi - p.start) if lo < hi else None


def _passage_events(answer: Answer, p: Passage) -> tuple[EventDate, ...]:
    """The events of `p` with those of the quote inside it, as offsets into `p.text`, in order.

    `Passage.events` holds the dates of the sentence that brought the passage; the quote may
    reach into the sentences around it, and its own dates are shown where the quote is shown.
    """
    found = {(e.start, e.end): e for e in p.events}
    if answer.found and answer.doc_id == p.doc_id and answer.start is not None:
        for e in answer.events:
            lo, hi = answer.start + e.start - p.start, answer.start + e.end - p.start
            if 0 <= lo < hi <= len(p.text) and p.text[lo:hi] == e.phrase:
                found.setdefault((lo, hi), EventDate(lo, hi, e.phrase, e.first, e.last))
    return tuple(found[k] for k in sorted(found))


def signals_table(passages: Sequence[Passage]) -> str:
    """A Markdown table of the score and each signal (rows) of every passage (columns).

    Signals are rows because there are more of them than passages: the table stays
    narrow enough for the side panel. Names come from the passages, so new signals show up.
    """
    names: list[str] = []
    for p in passages:
        names.extend(n for n in p.signals if n not in names)
    head = "| signal | " + " | ".join(f"#{i}" for i in range(1, len(passages) + 1)) + " |"
    rule = "|:---|" + "---:|" * len(passages)
    rows = ["| **score** | " + " | ".join(f"**{p.score:.3f}**" for p in passages) + " |"]
    rows += [f"| {escape_text(n)} | " + " | ".join(_number(p.signals.get(n)) for p in passages) + " |" for n in names]
    return "\n".join([head, rule, *rows])


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def sources_markdown(answer: Answer) -> str:
    """The sources panel: each passage with score, citation and event dates, then the table of signals."""
    if not answer.passages:
        return "_No passage retrieved._"
    head = "Supporting passages" if answer.found else "Related passages (not an answer)"
    parts = [f"#### {head}"]
    for i, p in enumerate(answer.passages, 1):
        cite = citation(p.doc_id, p.title, p.date, p.start, p.end)
        events = _passage_events(answer, p)
        when = f"\nwhen: {when_list(events)}" if events else ""
        parts.append(f"**{i}.** score {p.score:.3f} {cite}{when}\n\n{quote_block(p.text, _overlap(answer, p), events)}")
    parts.append("#### Signals")
    parts.append(signals_table(answer.passages))
    return "\n\n".join(parts)


Segments = list[tuple[str, str | None]]


def document_segments(
    text: str, start: int, end: int, highlight: tuple[int, int] | None = None, label: str = QUOTE
) -> Segments:
    """`gr.HighlightedText` value: `text` cut at [start, end), that span labelled `label`.

    `highlight` (offsets into the span, like `Answer.highlight`) is labelled `ANSWER`.
    Every character of `text` is in exactly one segment, in order; empty ones are left out.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span [{start}, {end}) is outside a text of {len(text)} characters")
    cuts = [(0, None), (start, label), (end, None)]
    if highlight is not None:
        lo, hi = max(start, start + highlight[0]), min(end, start + highlight[1])
        if lo < hi:
            cuts[2:2] = [(lo, ANSWER), (hi, label)]
    bounds = [c[0] for c in cuts] + [len(text)]
    return [(text[a:b], cut[1]) for cut, a, b in zip(cuts, bounds, bounds[1:], strict=False) if a < b]
