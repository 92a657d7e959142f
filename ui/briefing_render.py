"""A briefing as chat Markdown, as the Briefing tab's clickable HTML list, and as spans to show (pure, no Gradio).

Every piece of text from an article or a user is escaped here (Markdown: `ui.markdown`; HTML:
`html.escape`) before it is mixed with markup, so a quote holding `<script>` is shown as text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from rag import Briefing, BriefingItem

from .markdown import date_markdown, escape_text, quote_block

NO_DATE = "date unknown"
# How the document view names the span it marks when it comes from a briefing.
ITEM = "briefing item"
# A picker choice shows the start of the item's label.
CHOICE_LABEL_CHARS = 60


def when_text(item: BriefingItem) -> str:
    """The day an item is about, as plain text: its event's day or range ('a – b'), else its article's date."""
    if item.event_date:
        first, _, last = item.event_date.partition("/")
        return f"{first} – {last}" if last else first
    return item.date or NO_DATE


def _when_markdown(item: BriefingItem) -> str:
    if item.event_date:
        first, _, last = item.event_date.partition("/")
        return date_markdown(first, NO_DATE) + (f" – {date_markdown(last, NO_DATE)}" if last else "")
    return date_markdown(item.date, NO_DATE)


def also_text(item: BriefingItem) -> str:
    """' · also in 2 more articles' when other articles carry the statement, else ''."""
    n = len(item.also_in)
    return f" · also in {n} more article{'s' if n != 1 else ''}" if n else ""


def window_text(briefing: Briefing) -> str:
    """'Briefing about 'X', 2022-03-01 to 2022-03-07 · 4 articles · as of 2022-03-07' (plain text)."""
    about = f" about “{briefing.topic}”" if briefing.topic else ""
    if briefing.since is None and briefing.until is None:
        window = ""
    elif briefing.since == briefing.until:
        window = f", {briefing.since}"
    else:
        window = f", {briefing.since or '…'} to {briefing.until or '…'}"
    n = briefing.articles
    as_of = f" · as of {briefing.as_of}" if briefing.as_of else ""
    return f"Briefing{about}{window} · {n} article{'s' if n != 1 else ''}{as_of}"


def notice_text(briefing: Briefing) -> str | None:
    """Why the briefing has no items, as a sentence; None when it has some."""
    if briefing.items:
        return None
    notice = (briefing.notice or "the articles of this window hold nothing to brief").rstrip(".")
    return notice[:1].upper() + notice[1:] + "."


def briefing_markdown(briefing: Briefing, read_as: str | None = None) -> str:
    """The chat reply: the window, then each item (when, label, quote, who said it where, copies, change), or the notice.

    `read_as` is the date words of the request ("since Monday"), to show how they were read.
    """
    head = f"**{escape_text(window_text(briefing))}**"
    if read_as:
        head += f"\n_“{escape_text(read_as)}” read as {_window_markdown(briefing)}_"
    parts = [head]
    notice = notice_text(briefing)
    if notice is not None:
        parts.append(f"**{escape_text(notice)}**")
        return "\n\n".join(parts)
    for n, item in enumerate(briefing.items, 1):
        label = f" · <strong>{escape_text(item.label)}</strong>" if item.label else ""
        parts.append(f"**{n}.** {_when_markdown(item)}{label}")
        parts.append(quote_block(item.text))
        lines = [_citation_markdown(item)]
        if item.change:
            lines.append(f"**Changed:** {escape_text(item.change)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _window_markdown(briefing: Briefing) -> str:
    if briefing.since == briefing.until:
        return date_markdown(briefing.since, "?")
    return f"{date_markdown(briefing.since, '?')} to {date_markdown(briefing.until, '?')}"


def _citation_markdown(item: BriefingItem) -> str:
    who = f"{escape_text(item.source)} · " if item.source else ""
    where = escape_text(item.title or item.doc_id)
    return f"— {who}{where}, {date_markdown(item.date, NO_DATE)}, characters {item.start}–{item.end}{also_text(item)}"


def briefing_html(briefing: Briefing) -> str:
    """The Briefing tab's list: one clickable `<li data-item="n">` per item (n from 0), or the notice.

    The page's script (see `ui.briefing_tab`) turns a click on an item into an event naming `n`.
    """
    e = html.escape
    notice = notice_text(briefing)
    if notice is not None:
        return f'<p class="brief-notice">{e(notice)}</p>'
    rows = []
    for n, item in enumerate(briefing.items):
        who = f"{e(item.source)} · " if item.source else ""
        change = f'<div class="brief-change">Changed: {e(item.change)}</div>' if item.change else ""
        label = f' <span class="brief-label">{e(item.label)}</span>' if item.label else ""
        rows.append(
            f'<li class="brief-item{" changed" if item.change else ""}" data-item="{n}" role="button" tabindex="0" '
            f'title="Show in the document">'
            f'<div class="brief-head"><span class="brief-num">{n + 1}</span> '
            f'<span class="brief-when">{e(when_text(item))}</span>{label}</div>'
            f'<blockquote class="brief-quote">{e(item.text)}</blockquote>'
            f'<div class="brief-cite">— {who}{e(item.title or item.doc_id)}, {e(item.date or NO_DATE)}, '
            f"characters {item.start}–{item.end}{e(also_text(item))}</div>{change}</li>"
        )
    return f'<ol class="brief-items">{"".join(rows)}</ol>'


def choice_label(n: int, item: Mapping[str, Any]) -> str:
    """A document-picker choice for item `n` (from 0) of a briefing saved as JSON: '1. 2022-03-01 · label'."""
    when = item.get("event_date") or item.get("date") or NO_DATE
    label = item.get("label") or item.get("text", "")
    label = label if len(label) <= CHOICE_LABEL_CHARS else label[: CHOICE_LABEL_CHARS - 1] + "…"
    return f"{n + 1}. {when.replace('/', ' – ')} · {label}"


def targets(briefing: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The spans a briefing saved as JSON (`Briefing.to_dict`) shows in the document view: its items, in order."""
    return [{**item, "highlight": None, "relation": "briefing"} for item in briefing.get("items", [])]
