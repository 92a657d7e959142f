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

from rag import Answer, Index, RagError

from . import render
from .backend import MAX_QUESTION_CHARS, Backend
from .feedback import append_feedback, feedback_record

EMPTY_QUESTION_HINT = "Type a question first, e.g. “In which city will the talks take place?”"


@dataclass(frozen=True)
class ChatHandlers:
    """The page's event handlers; `backend` is the one index all of them share."""

    backend: Backend

    def status(self) -> tuple[str, dict[str, Any]]:
        """The status line, and the poll timer switched off once the index is ready (or failed)."""
        return f"Status: {render.escape_text(self.backend.status)}", gr.update(active=not self.backend.ready.is_set())

    def respond(
        self, question: str, history: list[dict[str, Any]], replies: dict[str, Any]
    ) -> Iterator[tuple[Any, ...]]:
        """Show the question at once, then its answer: chat reply, sources panel, document view.

        Yields (question box, chat history, replies, sources panel, document view). One generator
        rather than two chained events, so a second question typed meanwhile cannot overtake the
        first (the event runs once at a time per page).
        """
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        if not question:
            gr.Warning(EMPTY_QUESTION_HINT)
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [*history, {"role": "user", "content": render.escape_block(question)}]
        yield "", history, gr.skip(), gr.skip(), gr.skip()
        try:
            answer, index = self.backend.ask(question)
        except (ValueError, RagError, OSError) as exc:
            reply = f"_Could not answer: {render.escape_text(str(exc))}_"
            yield gr.skip(), [*history, {"role": "assistant", "content": reply}], gr.skip(), gr.skip(), gr.skip()
            return
        history = [*history, {"role": "assistant", "content": render.reply_markdown(answer)}]
        sources_md = render.sources_markdown(answer)
        doc_view = document_view(answer, index)
        # remembered per message, for feedback and for re-showing an earlier reply
        replies = {**replies, str(len(history) - 1): {"answer": answer.to_dict(), "sources": sources_md}}
        yield gr.skip(), history, replies, sources_md, doc_view

    def show_reply(self, replies: dict[str, Any], event: gr.SelectData) -> tuple[Any, Any]:
        """Clicking an earlier reply shows its sources, and its quote in the document, again."""
        saved = replies.get(str(_message_index(event.index)))
        if saved is None:
            return gr.skip(), gr.skip()
        a = saved["answer"]
        if not a["found"]:
            return saved["sources"], gr.skip()
        index = self.backend.index()
        try:
            text = index.document(a["doc_id"]).text
        except KeyError:
            text = None
        # the index is rebuilt when an article changes: never highlight offsets that moved
        if text is None or text[a["start"] : a["end"]] != a["text"]:
            return saved["sources"], gr.update(value=[], label="Document (changed or removed since this answer)")
        highlight = tuple(a["highlight"]) if a["highlight"] else None
        answer = Answer(a["question"], True, a["text"], a["doc_id"], a["start"], a["end"], highlight=highlight)
        return saved["sources"], document_view(answer, index)

    def record_feedback(self, replies: dict[str, Any], event: gr.LikeData) -> None:
        """Append the like/dislike of a reply to `<data>/feedback.jsonl`."""
        saved = replies.get(str(_message_index(event.index)))
        if saved is not None:
            append_feedback(self.backend.data_dir, feedback_record(saved["answer"], event.liked, _now()))

    def answer_api(self, question: str) -> dict[str, Any]:
        """Answer a question with a verbatim quote from the articles.

        Returns the answer as JSON: found, text, doc_id, start, end, date, title, highlight,
        confidence, notice and the supporting passages (the fields of rag.Answer.to_dict).
        """
        if not isinstance(question, str) or not question.strip():
            raise gr.Error("The question is empty: ask something, e.g. 'Where will the talks take place?'")
        try:
            answer, _ = self.backend.ask(question)
        except (ValueError, RagError, OSError) as exc:
            raise gr.Error(str(exc)) from None
        return answer.to_dict()


def document_view(answer: Answer, index: Index) -> dict[str, Any]:
    """Update for the document view: the quoted article, the quote highlighted."""
    shown: tuple[str, ...]  # the labels this view marks
    if answer.found and answer.doc_id is not None and answer.start is not None and answer.end is not None:
        doc = index.document(answer.doc_id)
        segments = render.document_segments(doc.text, answer.start, answer.end, answer.highlight)
        label = f"Document: {doc.label}, {doc.date or 'undated'} (quote at characters {answer.start}–{answer.end})"
        shown = (render.QUOTE, render.ANSWER)
    elif answer.passages:
        p = answer.passages[0]
        doc = index.document(p.doc_id)
        segments = render.document_segments(doc.text, p.start, p.end, label=render.RELATED)
        label = f"Document: {doc.label}, {doc.date or 'undated'} (closest passage, not an answer)"
        shown = (render.RELATED,)
    else:
        segments, label, shown = [], "Document", ()
    # the legend lists only what this view shows
    return gr.update(value=segments, label=label, color_map={name: render.COLORS[name] for name in shown})


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _message_index(index: int | Sequence[int]) -> int:
    """The chat message an event is about (Gradio gives a message's index, or (message, part))."""
    return index if isinstance(index, int) else int(index[0])
