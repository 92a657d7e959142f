"""What each event of the chat page does: methods over one `Backend`, callable without a browser.

The layout (`ui.app`) connects these to components; each returns the new values of its outputs
(`gr.skip()` leaves one as it is). Whatever came from a user, an article or an error message goes
through `ui.render`'s escaping before it is put into Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from rag import RagError
from rag.access import AUDIT_FILE, audit_trail
from rag.dates import parse_date

from . import briefing_render, render
from .articles_render import trail_markdown
from .backend import MAX_QUESTION_CHARS, Backend
from .briefing import BriefingHandlers, item_picker
from .document import document_view, relation_label, span_view
from .feedback import append_feedback, feedback_record
from .intents import briefing_request
from .signin import Access, AccessDenied, Caller

__all__ = ["AS_OF_HINT", "MAX_AS_OF_CHARS", "ChatHandlers", "document_view", "parse_as_of", "picker", "targets"]

EMPTY_QUESTION_HINT = "Type a question first, e.g. “In which city will the talks take place?”"
AS_OF_NAME = "The “As of” date"
# No date is written longer than this ('September 30, 2022' is 18): longer input is not echoed back.
MAX_AS_OF_CHARS = 40
# What the page shows in the empty "As of" box before the newest article's date is known.
AS_OF_HINT = "YYYY-MM-DD"


def parse_as_of(value: object) -> dt.date | None:
    """The "As of" day typed by a user or sent to the API: None when empty, else a date.

    Raises `ValueError` saying what to type, for anything that is not one day.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{AS_OF_NAME} must be text such as 2022-01-05, not {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_AS_OF_CHARS:
        raise ValueError(f"{AS_OF_NAME} is {len(text)} characters long: type one day, e.g. 2022-01-05")
    return parse_date(text, name=AS_OF_NAME)


def as_of_placeholder(newest: dt.date | None) -> str:
    """What the empty "As of" box says: the day answers are as of when it stays empty."""
    return f"{newest} (newest)" if newest else AS_OF_HINT


@dataclass(frozen=True)
class ChatHandlers:
    """The page's event handlers; `backend` is the one index all of them share, `access` who may ask how often."""

    backend: Backend
    access: Access | None = None

    def asker(self, request: gr.Request | None) -> Caller | None:
        """The caller of a question, which takes one of their question tokens (None without `access`).

        Raises `AccessDenied` (or its `RateLimited`) with the message to show.
        """
        return self.access.ask(request) if self.access is not None else None

    def status(self) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """The status line, the poll timer (off once the index is ready or failed), the "As of" placeholder."""
        return (
            f"Status: {render.escape_text(self.backend.status)}",
            gr.update(active=not self.backend.ready.is_set()),
            gr.update(placeholder=as_of_placeholder(self.backend.newest)),
        )

    def respond(
        self,
        question: str,
        history: list[dict[str, Any]],
        replies: dict[str, Any],
        as_of: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Show the question at once, then its answer as of `as_of`: chat reply, sources, document, its picker.

        A request for a briefing ("brief me", "what's new since Monday": see `ui.intents`) is answered
        with the briefing instead, its items offered by the picker.
        Yields (question box, chat history, replies, sources panel, document view, document picker).
        An editor also sees, under the sources, the audit line that brought the quoted article in.
        One generator rather than two chained events, so a second question typed meanwhile cannot
        overtake the first (the event runs once at a time per page).
        """
        skip = gr.skip
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        if not question:
            gr.Warning(EMPTY_QUESTION_HINT)
            yield skip(), skip(), skip(), skip(), skip(), skip()
            return
        history = [*history, {"role": "user", "content": render.escape_block(question)}]
        try:
            day = parse_as_of(as_of)
            caller = self.asker(request)
        except (ValueError, AccessDenied) as exc:
            # the question stays in its box, to ask again once the date is fixed (or the wait is over)
            reply = f"_Could not answer: {render.escape_text(str(exc))}_"
            yield skip(), [*history, {"role": "assistant", "content": reply}], skip(), skip(), skip(), skip()
            return
        yield "", history, skip(), skip(), skip(), skip()
        key = str(len(history))  # the reply's message index
        try:
            index = self.backend.index()
            # "brief me", "what's new since Monday": relative days count from "As of", else the newest article
            wanted = briefing_request(question, day or index.newest_date)
            if wanted is not None:
                reply, saved, sources_md, view, shown = BriefingHandlers(self.backend).in_chat(
                    question, wanted, day, index, key
                )
            else:
                answer, index = self.backend.ask(question, day, index)
                newest = index.newest_date.isoformat() if index.newest_date else None
                reply, sources_md = render.reply_markdown(answer, newest), render.sources_markdown(answer)
                if answer.found and answer.doc_id and caller is not None and caller.is_editor:
                    trail = audit_trail(answer.doc_id, self.backend.data_dir / AUDIT_FILE, index)
                    sources_md = f"{trail_markdown(trail)}\n\n{sources_md}"  # provenance first
                saved = {"answer": answer.to_dict(), "sources": sources_md}
                view, shown = document_view(answer, index), picker(key, saved["answer"])
        except (ValueError, RagError, OSError) as exc:
            reply = f"_Could not answer: {render.escape_text(str(exc))}_"
            yield skip(), [*history, {"role": "assistant", "content": reply}], skip(), skip(), skip(), skip()
            return
        history = [*history, {"role": "assistant", "content": reply}]
        # remembered per message, for feedback and for re-showing an earlier reply
        replies = {**replies, key: saved}
        yield skip(), history, replies, sources_md, view, shown

    def show_reply(self, replies: dict[str, Any], event: gr.SelectData) -> tuple[Any, Any, Any]:
        """Clicking an earlier reply shows its sources, its quote in the document and its picker again."""
        key = str(_message_index(event.index))
        saved = replies.get(key)
        if saved is None:
            return gr.skip(), gr.skip(), gr.skip()
        spans = saved_targets(saved)
        view = self._view(spans[0], saved) if spans else gr.skip()
        return saved["sources"], view, saved_picker(key, saved)

    def show_citation(self, choice: str | None, replies: dict[str, Any]) -> Any:
        """The document picker: show the quote, an update, a copy or a briefing item in its article, highlighted."""
        key, _, number = (choice or "").partition("/")
        saved = replies.get(key)
        if saved is None or not number.isdigit() or int(number) >= len(saved_targets(saved)):
            return gr.skip()
        return self._view(saved_targets(saved)[int(number)], saved)

    def _view(self, target: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
        """The document view of one cited span of a remembered reply, if its article still holds it there."""
        question = saved["answer"]["question"] if "answer" in saved else saved["question"]
        return span_view(self.backend.index(), target, question)

    def record_feedback(self, replies: dict[str, Any], event: gr.LikeData) -> None:
        """Append the like/dislike of a reply to `<data>/feedback.jsonl`."""
        saved = replies.get(str(_message_index(event.index)))
        if saved is None:
            return
        if "answer" in saved:
            record = saved["answer"]
        else:  # a briefing: its quotes, one a line
            items = saved["briefing"]["items"]
            record = {"question": saved["question"], "text": "\n".join(i["text"] for i in items), "found": bool(items)}
        append_feedback(self.backend.data_dir, feedback_record(record, event.liked, _now()))

    def answer_api(self, question: str, as_of: str | None = None, request: gr.Request | None = None) -> dict[str, Any]:
        """Answer a question with a verbatim quote from the articles, as of a day.

        `as_of` (optional; 'YYYY-MM-DD', '1 March 2022' or 'March 1, 2022') hides articles dated
        after that day; left out (a client may send only the question) or empty, all count. Returns the
        answer as JSON (the fields of rag.Answer.to_dict): found, text, doc_id, start, end, date,
        title, highlight, confidence, notice, as_of; events (time expressions in the quote with
        the days they resolve to); updates (other articles' different answers, newest first, each
        with relation earlier, later, conflict or undated); also_in (copies of the quoted sentence);
        and the supporting passages.
        """
        if not isinstance(question, str) or not question.strip():
            raise gr.Error("The question is empty: ask something, e.g. 'Where will the talks take place?'")
        try:
            self.asker(request)
            answer, _ = self.backend.ask(question, parse_as_of(as_of))
        except (ValueError, RagError, OSError) as exc:  # OSError: AccessDenied, RateLimited too
            raise gr.Error(str(exc)) from None
        return answer.to_dict()


def targets(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The spans a found answer (as JSON) cites: the quote first, then updates, then copies."""
    if not answer["found"]:
        return []
    return [answer, *answer.get("updates", []), *answer.get("also_in", [])]


def saved_targets(saved: dict[str, Any]) -> list[dict[str, Any]]:
    """The spans a remembered reply shows in the document view: an answer's citations, or a briefing's items."""
    return targets(saved["answer"]) if "answer" in saved else briefing_render.targets(saved["briefing"])


def saved_picker(key: str, saved: dict[str, Any]) -> dict[str, Any]:
    """Update for the document picker of the remembered reply `key`, an answer or a briefing."""
    return picker(key, saved["answer"]) if "answer" in saved else item_picker(key, saved["briefing"])


def picker(key: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Update for the document picker of reply `key`: one choice per cited span, shown when there is a choice."""
    choices = []
    for i, t in enumerate(targets(answer)):
        h = t.get("highlight")
        what = t["text"][h[0] : h[1]] if h and i > 0 else ""
        name = t.get("title") or t["doc_id"]
        name = name if len(name) <= 50 else name[:49] + "…"
        label = f"{relation_label(t.get('relation'))}: {t.get('date') or render.NO_DATE}, {name}"
        choices.append((f"{label} · “{what.strip()}”" if what.strip() else label, f"{key}/{i}"))
    return gr.update(choices=choices, value=choices[0][1] if choices else None, visible=len(choices) > 1)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _message_index(index: int | Sequence[int]) -> int:
    """The chat message an event is about (Gradio gives a message's index, or (message, part))."""
    return index if isinstance(index, int) else int(index[0])
