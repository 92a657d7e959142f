"""Text from users and articles as Markdown that shows exactly that text, and quotes with marked phrases.

Everything taken from an article or typed by a user goes through `escape_text`/`escape_block`
before it is mixed with Markdown built elsewhere, so it is always shown as text: HTML special
characters become entities, and the Markdown characters that could start a link, emphasis,
code, a table or a heading are backslash-escaped. The only markup in a quote is added here:
the answering phrase in bold, and each resolved time expression in a `<time>` element whose
attributes hold nothing but dates formatted here.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Sequence

from rag.answer import EventDate

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


def day_label(iso: str) -> str:
    """'2022-01-02' as a reader says it: 'Sun 2 Jan 2022'."""
    day = dt.date.fromisoformat(iso)
    return f"{day:%a} {day.day} {day:%b %Y}"


def event_title(event: EventDate) -> str:
    """The day or days an event phrase resolves to: 'Sun 2 Jan 2022', or a range 'a – b'."""
    if event.first == event.last:
        return day_label(event.first)
    return f"{day_label(event.first)} – {day_label(event.last)}"


def when_list(events: Sequence[EventDate]) -> str:
    """'Sunday (2 Jan 2022); Monday (3 Jan 2022)', escaped: the phrases come from the article."""
    return "; ".join(escape_text(e.label()) for e in events)


def _time_open(event: EventDate) -> str:
    # attributes hold only dates formatted here (never article text); escaped all the same
    return f'<time class="event" datetime="{html.escape(event.first)}" title="{html.escape(event_title(event))}">'


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_markdown(iso: str | None, missing: str) -> str:
    """An article date as a `<time>` element (kept on one line by the page's CSS), or `missing` escaped."""
    if iso is None:
        return escape_text(missing)
    if not _ISO_DAY.fullmatch(iso):
        return escape_text(iso)
    return f'<time datetime="{iso}">{iso}</time>'


def _clip(span: tuple[int, int], offset: int, line: str) -> tuple[int, int] | None:
    """`span` (offsets into the quote) as offsets into `line` starting at `offset`, if it holds more than blanks."""
    lo, hi = max(span[0] - offset, 0), min(span[1] - offset, len(line))
    return (lo, hi) if lo < hi and line[lo:hi].strip() else None


def _line_markdown(line: str, offset: int, highlight: tuple[int, int] | None, events: Sequence[EventDate] = ()) -> str:
    """One line of a quote (starting at `offset` in the quote): its part of `highlight` bold, its events marked."""
    stripped = line.lstrip(" \t\r")
    offset += len(line) - len(stripped)
    strong = _clip(highlight, offset, stripped) if highlight is not None else None
    marks = [(span, e) for e in events if (span := _clip((e.start, e.end), offset, stripped))]
    if marks:
        return _marked_line(stripped, strong, marks)
    if strong is None:
        return escape_line(stripped)
    lo, hi = strong
    phrase = stripped[lo:hi]
    # keep blanks outside the `**`, where they do not stop the emphasis from opening
    lo += len(phrase) - len(phrase.lstrip())
    hi -= len(phrase) - len(phrase.rstrip())
    before = escape_line(stripped[:lo]) if lo else ""
    return _emphasise(before, escape_text(stripped[lo:hi]), escape_text(stripped[hi:]))


def _marked_line(line: str, strong: tuple[int, int] | None, marks: list[tuple[tuple[int, int], EventDate]]) -> str:
    """`line` cut wherever a mark starts or ends, each piece escaped and wrapped in the marks that cover it.

    HTML elements rather than `**`: they nest and touch punctuation without CommonMark's flanking rules.
    """
    cuts = {0, len(line)}
    for (lo, hi), _ in marks:
        cuts |= {lo, hi}
    if strong is not None:
        cuts |= set(strong)
    bounds = sorted(cuts)
    out = []
    open_event = None  # one <time> per event, even when the highlight cuts it ("**Sunday**’s")
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = escape_line(line[a:b]) if a == 0 else escape_text(line[a:b])
        if strong is not None and strong[0] <= a and b <= strong[1]:
            piece = f"<strong>{piece}</strong>"
        event = next((e for (lo, hi), e in marks if lo <= a and b <= hi), None)
        if event is not open_event:
            out.append(("</time>" if open_event is not None else "") + (_time_open(event) if event is not None else ""))
            open_event = event
        out.append(piece)
    return "".join(out) + ("</time>" if open_event is not None else "")


def quote_block(text: str, highlight: tuple[int, int] | None = None, events: Sequence[EventDate] = ()) -> str:
    """`text` as a Markdown block quote: the `highlight` offsets (into `text`) in bold, `events` marked."""
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append(f"> {_line_markdown(line, pos, highlight, events)}".rstrip())
        pos += len(line) + 1
    return "\n".join(lines)


def shortened(text: str, limit: int) -> tuple[str, bool]:
    """The start of `text` cut on a word boundary near `limit`, and whether anything was cut."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(), True
