"""The briefing's events: a briefing asked for in the chat, the Briefing tab's form, opening an item, and `/brief`.

Methods over one `Backend`, callable without a browser, like `ui.handlers`; what is shown is built by
`ui.briefing_render` (text) and `ui.timeline` (the picture).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import gradio as gr

from rag import Briefing, Index, RagError

from . import briefing_render as show
from .backend import MAX_QUESTION_CHARS, Backend
from .document import span_view
from .intents import BriefingRequest, day_field
from .markdown import escape_text
from .signin import Access
from .timeline import CAPTION, articles_per_day, timeline_figure

DEFAULT_ITEMS = 10
# More items than this is no longer a briefing; it also bounds the work one API call can ask for.
MAX_ITEMS = 30
PICK_HINT = "_Click an item below to show it in its article (Document tab)._"


def oldest_date(index: Index) -> dt.date | None:
    """The date of the oldest dated article of `index` (a timeline without dates starts there)."""
    dates = [d for d in (index.document(i).date for i in index.doc_ids) if d]
    return dt.date.fromisoformat(min(dates)) if dates else None


def per_day(index: Index, briefing: Briefing) -> Counter[dt.date]:
    """How many articles of `index` fall on each day of the briefing's window."""
    if briefing.since is None or briefing.until is None:
        return Counter()
    first, last = dt.date.fromisoformat(briefing.since), dt.date.fromisoformat(briefing.until)
    return articles_per_day((index.document(i).date for i in index.doc_ids), first, last)


def sources_markdown(briefing: Briefing) -> str:
    """The sources panel for a briefing: each item's article, characters and score, and the ids of its copies."""
    if not briefing.items:
        return f"_{escape_text(show.notice_text(briefing) or '')}_"
    parts = [f"#### {escape_text(show.window_text(briefing))}"]
    for n, item in enumerate(briefing.items, 1):
        copies = f"\nalso in: {escape_text(', '.join(item.also_in))}" if item.also_in else ""
        parts.append(
            f"**{n}.** score {item.score:.3f} — {escape_text(item.doc_id)}, characters {item.start}–{item.end}{copies}"
        )
    return "\n\n".join(parts)


def item_picker(key: str, briefing: dict[str, Any]) -> dict[str, Any]:
    """Update for the chat's document picker: one choice per item of the briefing saved under reply `key`."""
    choices = [(show.choice_label(n, item), f"{key}/{n}") for n, item in enumerate(briefing["items"])]
    return gr.update(choices=choices, value=choices[0][1] if choices else None, visible=len(choices) > 1)


def _max_items(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not int or not 1 <= value <= MAX_ITEMS:
        raise ValueError(f"max_items must be a whole number from 1 to {MAX_ITEMS}, got {value!r}")
    return value


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    return value.strip()[:MAX_QUESTION_CHARS] or None


@dataclass(frozen=True)
class BriefingHandlers:
    """The briefing's event handlers; `backend` is the index they share with the chat, `access` who may ask how often."""

    backend: Backend
    access: Access | None = None

    def in_chat(
        self, question: str, request: BriefingRequest, as_of: dt.date | None, index: Index, key: str
    ) -> tuple[str, dict[str, Any], str, Any, dict[str, Any]]:
        """The chat's answer to a briefing request: (reply, what to remember of it, sources panel, document, picker).

        Raises `ValueError` for a window `rag` refuses (e.g. reversed).
        """
        since, until = request.since, request.until
        if request.kind == "timeline" and since is None and until is None:
            since = oldest_date(index)  # a timeline covers the whole story unless dates are given
        briefing, index = self.backend.brief(
            request.topic, since=since, until=until, as_of=as_of, max_items=DEFAULT_ITEMS, index=index
        )
        saved = briefing.to_dict()
        reply = show.briefing_markdown(briefing, request.when)
        sources = sources_markdown(briefing)
        remembered = {"briefing": saved, "question": question, "sources": sources}
        targets = show.targets(saved)
        view = span_view(index, targets[0], question) if targets else gr.skip()
        return reply, remembered, sources, view, item_picker(key, saved)

    def tab(
        self,
        since: str | None,
        until: str | None,
        topic: str | None,
        as_of: str | None,
        request: gr.Request | None = None,
    ) -> tuple[str, Any, str, dict[str, Any]]:
        """The Briefing tab's "Brief me": (summary line, timeline picture, list of items, the briefing as JSON)."""
        try:
            if self.access is not None:
                self.access.ask(request)  # a briefing counts as a question
            index = self.backend.index()
            day = day_field(as_of, "The “As of” date", index.newest_date)
            today = day or index.newest_date
            first = day_field(since, "Since", today)
            last = day_field(until, "Until", today, last=True)
            briefing, index = self.backend.brief(
                _text(topic, "The topic"), since=first, until=last, as_of=day, max_items=DEFAULT_ITEMS, index=index
            )
        except (ValueError, RagError, OSError) as exc:
            message = f"**Could not brief:** {escape_text(str(exc))}"
            return message, gr.update(value=None, visible=False), "", {}
        # bars of nothing would only repeat the notice
        figure = timeline_figure(briefing, per_day(index, briefing)) if briefing.articles else None
        summary = f"**{escape_text(show.window_text(briefing))}**"
        if figure is not None:
            summary += f"  \n{escape_text(CAPTION)}"
        if briefing.items:
            summary += f"  \n{PICK_HINT}"
        plot = gr.update(value=figure, visible=figure is not None)
        return summary, plot, show.briefing_html(briefing), briefing.to_dict()

    def open_item(self, briefing: dict[str, Any], event: gr.EventData) -> tuple[Any, Any, Any]:
        """A click on an item of the tab's list: its article in the document view (that tab shown), the picker hidden."""
        data = getattr(event, "_data", None)
        n = data.get("item") if isinstance(data, dict) else None
        targets = show.targets(briefing or {})
        if type(n) is not int or not 0 <= n < len(targets):
            return gr.skip(), gr.skip(), gr.skip()
        view = span_view(self.backend.index(), targets[n], briefing.get("topic") or "briefing")
        # the picker belongs to the chat's last reply, not to this briefing
        return view, gr.Tabs(selected="document"), gr.update(visible=False)

    def api(
        self,
        topic: str | None = None,
        since: str | None = None,
        until: str | None = None,
        as_of: str | None = None,
        max_items: int = DEFAULT_ITEMS,
        request: gr.Request | None = None,
    ) -> dict[str, Any]:
        """A briefing: the main developments of a window of articles, each a verbatim quote, in date order.

        All parameters are optional. `topic`: only what is about it. `since` / `until`: the first and
        last article day ('YYYY-MM-DD', '1 March 2022', 'March 1, 2022'; also 'Monday' or 'yesterday',
        counted from `as_of` or the newest article); without them, the week up to `as_of` or the newest
        article. `as_of`: articles dated later are left out. `max_items`: 1 to 30 (default 10).

        Returns the fields of rag.Briefing.to_dict: since, until, as_of, topic, articles (how many
        are in the window), notice (why there are no items: an empty window, a topic nothing
        mentions, undated articles), and items, each with doc_id, start, end, text (exactly the
        article's characters start to end), date, event_date (ISO day or 'first/last'), label,
        also_in (other articles carrying it), score, change ('100,000 → 130,000'), title and source.
        Bad dates, a reversed window or a bad max_items are an error saying what to send.
        """
        try:
            if self.access is not None:
                self.access.ask(request)
            items = _max_items(max_items)
            index = self.backend.index()
            day = day_field(as_of, "as_of", index.newest_date)
            today = day or index.newest_date
            briefing, _ = self.backend.brief(
                _text(topic, "topic"),
                since=day_field(since, "since", today),
                until=day_field(until, "until", today, last=True),
                as_of=day,
                max_items=items,
                index=index,
            )
        except (ValueError, RagError, OSError) as exc:  # OSError: AccessDenied, RateLimited too
            raise gr.Error(str(exc)) from None
        return briefing.to_dict()
