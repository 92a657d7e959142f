"""Turn `rag` answers into chat Markdown and document-view segments (pure functions, no Gradio).

Everything taken from an article or typed by a user goes through `escape_text`/`escape_block`
before it is mixed with the Markdown built here, so it is always shown as text: HTML special
characters become entities, and the Markdown characters that could start a link, emphasis,
code, a table or a heading are backslash-escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rag import Answer, Passage

QUOTE = "quote"
ANSWER = "answer"
RELATED = "related (not an answer)"
# Background of each label in the document view: the quote pale, its answer phrase strong, related grey.
COLORS = {QUOTE: "#fde68a", ANSWER: "#f59e0b", RELATED: "#cbd5e1"}

# Passages shown under "Related (not an answer)" in the chat itself; the sources panel has all.
RELATED_IN_CHAT = 3
RELATED_EXCERPT_CHARS = 200

# A lone carriage return ends a Markdown line (a new line the escaping did not see start):
# shown as a space, one character for one, so offsets into the text still hold.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": " "}
# Inline Markdown: escapes, code, emphasis, links/images, strikethrough, tables, e-mail autolinks.
_INLINE = set("\\`*_[]~|@")
# Bare URLs become links in GitHub-flavoured Markdown: break the pattern with an escape.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto)(:)|\b(www)(\.)")
# Line openers: headings, lists, setext underlines, numbered lists ("1." / "1)").
_LINE_START = re.compile(r"^([#+\-=])|^(\d{1,9})([.)])")


def escape_text(text: str) -> str:
    """`text` as inline Markdown that renders to exactly these characters, never markup.

    HTML special characters become entities (not backslash escapes: a backslash before
    `&` would show the entity itself), the rest of the Markdown syntax is backslash-escaped.
    """
    out = []
    for ch in text:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _INLINE:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return _AUTOLINK.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"{m[3]}\\{m[4]}", "".join(out))


def escape_line(line: str) -> str:
    """One line of text as Markdown, safe at the start of a line as well."""
    # Leading blanks would make an indented code block; Markdown drops them anyway.
    out = escape_text(line.lstrip(" \t\r"))
    return _LINE_START.sub(lambda m: "\\" + m[1] if m[1] else f"{m[2]}\\{m[3]}", out, count=1)


def escape_block(text: str) -> str:
    """Multi-line text as Markdown paragraphs, each line escaped; line breaks are kept."""
    return "\n".join(escape_line(line) for line in text.split("\n"))


def _punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _emphasise(before: str, phrase: str, after: str) -> str:
    """`**phrase**` between escaped neighbours, or `<strong>` where `**` would not parse.

    CommonMark only opens emphasis when the `**` is not squeezed between a letter and
    punctuation (the flanking rules); `<strong>` has no such rule.
    """
    left_ok = not (_punct(phrase[0]) and before and not (before[-1].isspace() or _punct(before[-1])))
    right_ok = not (_punct(phrase[-1]) and after and not (after[0].isspace() or _punct(after[0])))
    if left_ok and right_ok:
        return f"{before}**{phrase}**{after}"
    return f"{before}<strong>{phrase}</strong>{after}"


def _line_markdown(line: str, offset: int, highlight: tuple[int, int] | None) -> str:
    """One line of a quote (starting at `offset` in the quote) with its part of `highlight` bold."""
    stripped = line.lstrip(" \t\r")
    offset += len(line) - len(stripped)
    if highlight is None:
        return escape_line(stripped)
    lo = max(highlight[0] - offset, 0)
    hi = min(highlight[1] - offset, len(stripped))
    phrase = stripped[lo:hi] if lo < hi else ""
    if not phrase.strip():
        return escape_line(stripped)
    # keep blanks outside the `**`, where they do not stop the emphasis from opening
    lo += len(phrase) - len(phrase.lstrip())
    hi -= len(phrase) - len(phrase.rstrip())
    before = escape_line(stripped[:lo]) if lo else ""
    return _emphasise(before, escape_text(stripped[lo:hi]), escape_text(stripped[hi:]))


def quote_block(text: str, highlight: tuple[int, int] | None = None) -> str:
    """`text` as a Markdown block quote, the `highlight` offsets (into `text`) in bold."""
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append(f"> {_line_markdown(line, pos, highlight)}".rstrip())
        pos += len(line) + 1
    return "\n".join(lines)


def citation(doc_id: str | None, title: str | None, date: str | None, start: int | None, end: int | None) -> str:
    """`— title or id, date, characters start–end`, escaped."""
    label = escape_text(title or doc_id or "unknown document")
    return f"— {label}, {escape_text(date or 'undated')}, characters {start}–{end}"


def _excerpt(p: Passage, limit: int = RELATED_EXCERPT_CHARS) -> tuple[str, int]:
    """The start of a passage cut on a word boundary, and its end offset in the document."""
    if len(p.text) <= limit:
        return p.text, p.end
    cut = p.text.rfind(" ", 0, limit)
    text = p.text[: cut if cut > limit // 2 else limit].rstrip()
    # the cited range is the one shown, so it still matches the document exactly
    return text, p.start + len(text)


def reply_markdown(answer: Answer) -> str:
    """The chat reply: the quote with its citation, or a clear refusal and related reading."""
    parts = []
    if answer.notice:
        parts.append(f"_Note: {escape_text(answer.notice)}_")
    if answer.found:
        parts.append(quote_block(answer.text, answer.highlight))
        cite = citation(answer.doc_id, answer.title, answer.date, answer.start, answer.end)
        parts.append(f"{cite} · confidence {answer.confidence:.2f}")
        return "\n\n".join(parts)
    parts.append(f"**{escape_text(answer.text)}**")
    if answer.passages:
        parts.append("**Related (not an answer):**")
        for p in answer.passages[:RELATED_IN_CHAT]:
            text, end = _excerpt(p)
            more = " …" if end < p.end else ""
            parts.append(f"{quote_block(text)}{more}\n\n{citation(p.doc_id, p.title, p.date, p.start, end)}")
    return "\n\n".join(parts)


def _overlap(answer: Answer, p: Passage) -> tuple[int, int] | None:
    """The answer's quote inside passage `p`, as offsets into `p.text`, if they overlap."""
    if not answer.found or answer.doc_id != p.doc_id or answer.start is None or answer.end is None:
        return None
    lo, hi = max(answer.start, p.start), min(answer.end, p.end)
    return (lo - p.start, hi - p.start) if lo < hi else None


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
    """The sources panel: each passage with score and citation, then the table of signals."""
    if not answer.passages:
        return "_No passage retrieved._"
    head = "Supporting passages" if answer.found else "Related passages (not an answer)"
    parts = [f"#### {head}"]
    for i, p in enumerate(answer.passages, 1):
        cite = citation(p.doc_id, p.title, p.date, p.start, p.end)
        parts.append(f"**{i}.** score {p.score:.3f} {cite}\n\n{quote_block(p.text, _overlap(answer, p))}")
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
