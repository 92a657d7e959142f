"""The Gradio web chat: questions in, verbatim quotes with citations out.

Thin on purpose: retrieval, refusal and quoting all live in `rag`; this module only calls
`rag.api.ensure_index(...).answer(...)` and lays the result out (see `ui.render`).

    python -m ui [--host 127.0.0.1] [--port 7860] [--sources seeds] [--index index] [--data data]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from rag import Answer, Index, RagError
from rag.api import ensure_index

from . import render
from .feedback import append_feedback

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Longer questions are cut here, in the page (max_length) and again on the server.
MAX_QUESTION_CHARS = 1000
# Two cores, and the model encodes one question at a time anyway: more workers only add
# contention. Waiting users queue (up to QUEUE_SIZE events) instead of being refused.
CONCURRENCY = 4
QUEUE_SIZE = 128

EXAMPLES = [
    "In which city will the talks take place?",
    "How many troops has Russia massed near the border?",
    "What did the Kremlin demand?",
    "Who is the White House press secretary?",
    "What is the boiling point of water?",
]

QUOTE_COLOR, ANSWER_COLOR, RELATED_COLOR = "#fde68a", "#f59e0b", "#cbd5e1"
# The document view reads as running text: tokens inline (Gradio lays them out as flex
# boxes, which pushes every highlighted span onto a line of its own) and words kept whole.
CSS = """
#doc-view .textfield { display: block; max-height: 470px; overflow-y: auto; word-break: normal; overflow-wrap: anywhere; line-height: 1.6; }
#doc-view .token-container, #doc-view .token { display: inline; }
#doc-view .token.highlighted { margin: 0; padding: 1px 0; cursor: default; }
#doc-view .line-break { display: block; height: 0.5em; }
#doc-view .legend { margin-bottom: 6px; }
#sources { max-height: 560px; overflow-y: auto; }
#status p { margin: 0; color: var(--body-text-color-subdued); }
"""

# Gradio's packaged semibold (600) face of Source Sans Pro is a few-glyph subset, so semibold
# text fell back to another font; its full bold (700) face serves the heavy weights instead.
THEME = gr.themes.Default(
    font=(gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif")
)

# After a reply, bring the highlighted quote of the document view into sight.
SCROLL_TO_QUOTE_JS = """
() => {
  // scroll the document text only, not the page around it
  const view = document.querySelector('#doc-view .textfield');
  const mark = view && view.querySelector('.token.highlighted');
  if (!mark) return;
  const top = mark.getBoundingClientRect().top - view.getBoundingClientRect().top;
  view.scrollTop += top - view.clientHeight / 3;
}
"""


class Backend:
    """The index behind one app: prepared once in the background, then shared by all users."""

    def __init__(self, sources: str | os.PathLike[str], index_dir: str | os.PathLike[str], data_dir: str | os.PathLike[str]):
        self.sources = Path(sources)
        self.index_dir = Path(index_dir)
        self.data_dir = Path(data_dir)
        self.ready = threading.Event()
        self.status = f"Waiting to open the index of {self.sources}/ …"
        self.error: str | None = None

    def prepare(self, log: bool = True) -> None:
        """Build or load the index, then load the model with one throw-away question.

        Runs before the first user asks, so the first answer does not pay for the model;
        `status` tells the page (and `log` the terminal) how it goes.
        """
        started = time.monotonic()
        fresh = not (self.index_dir / "manifest.json").exists()
        verb = "building" if fresh else "checking"
        self._say(f"{verb} the index of {self.sources}/ in {self.index_dir}/ …", log)
        try:
            index = self.index()
            self._say("loading the language model …", log)
            index.answer("warm-up question")
            counts = index.manifest.get("counts", {})
            how = f"built ({index.report.summary()})" if index.report is not None else "loaded"
            self._say(
                f"ready: {_count(counts.get('documents'), 'article')}, {_count(counts.get('units'), 'sentence')} "
                f"from {self.sources}/, index {how}, in {time.monotonic() - started:.1f} s",
                log,
            )
        except Exception as exc:  # top of a thread: show any failure on the page, keep serving
            self.error = str(exc)
            self._say(f"error: {exc}", log)
        finally:
            # only now: the page stops polling once it has read the final status
            self.ready.set()

    def _say(self, message: str, log: bool) -> None:
        self.status = message[0].upper() + message[1:]
        if log:
            print(message, flush=True)

    def index(self) -> Index:
        """The current index; `ensure_index` rebuilds it when a source file changed."""
        return ensure_index(self.sources, self.index_dir)

    def ask(self, question: str) -> tuple[Answer, Index]:
        """Answer `question`; the index is returned too, to read the quoted document from it."""
        index = self.index()
        # rag trims long questions itself (with a notice); this cut only bounds the work an
        # absurd request (megabytes through the API) can cause before that
        return index.answer(question[: 2 * MAX_QUESTION_CHARS]), index


def _count(n: int | None, noun: str) -> str:
    if n is None:
        return f"? {noun}s"
    return f"{n} {noun}" + ("" if n == 1 else "s")


# ---------------------------------------------------------------------- event handlers


def _document_view(answer: Answer, index: Index) -> dict[str, Any]:
    """Update for the document view: the quoted article, the quote highlighted."""
    if answer.found and answer.doc_id is not None and answer.start is not None and answer.end is not None:
        doc = index.document(answer.doc_id)
        segments = render.document_segments(doc.text, answer.start, answer.end, answer.highlight)
        label = f"Document: {doc.label}, {doc.date or 'undated'} (quote at characters {answer.start}–{answer.end})"
        colors = {render.QUOTE: QUOTE_COLOR, render.ANSWER: ANSWER_COLOR}
    elif answer.passages:
        p = answer.passages[0]
        doc = index.document(p.doc_id)
        segments = render.document_segments(doc.text, p.start, p.end, label=render.RELATED)
        label = f"Document: {doc.label}, {doc.date or 'undated'} (closest passage, not an answer)"
        colors = {render.RELATED: RELATED_COLOR}
    else:
        segments, label, colors = [], "Document", {}
    # the legend lists only what this view shows
    return gr.update(value=segments, label=label, color_map=colors)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _like_index(index: int | Sequence[int]) -> int:
    return index if isinstance(index, int) else int(index[0])


_BACKENDS: weakref.WeakKeyDictionary[gr.Blocks, Backend] = weakref.WeakKeyDictionary()


def build_app(index_dir: str | os.PathLike[str] = "index", sources: str | os.PathLike[str] = "seeds", data_dir: str | os.PathLike[str] = "data") -> gr.Blocks:
    """The web chat over the index of `sources` kept in `index_dir`; feedback goes to `data_dir`.

    The index is opened by the first question, or ahead of it by `prepare(app)`.
    """
    backend = Backend(sources, index_dir, data_dir)

    def status() -> tuple[str, dict[str, Any]]:
        return f"Status: {render.escape_text(backend.status)}", gr.update(active=not backend.ready.is_set())

    def respond(question: str, history: list[dict[str, Any]], replies: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        """Show the question at once, then its answer: chat reply, sources panel, document view.

        One generator rather than two chained events, so a second question typed meanwhile
        cannot overtake the first (the event runs once at a time per page).
        """
        question = (question or "").strip()[:MAX_QUESTION_CHARS]
        if not question:
            gr.Warning("Type a question first, e.g. “In which city will the talks take place?”")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [*history, {"role": "user", "content": render.escape_block(question)}]
        yield "", history, gr.skip(), gr.skip(), gr.skip()
        try:
            answer, index = backend.ask(question)
        except (ValueError, RagError, OSError) as exc:
            reply = f"_Could not answer: {render.escape_text(str(exc))}_"
            yield gr.skip(), [*history, {"role": "assistant", "content": reply}], gr.skip(), gr.skip(), gr.skip()
            return
        history = [*history, {"role": "assistant", "content": render.reply_markdown(answer)}]
        sources_md = render.sources_markdown(answer)
        doc_view = _document_view(answer, index)
        # remembered per message, for feedback and for re-showing an earlier reply
        replies = {**replies, str(len(history) - 1): {"answer": answer.to_dict(), "sources": sources_md}}
        yield gr.skip(), history, replies, sources_md, doc_view

    def show_reply(replies: dict[str, Any], event: gr.SelectData) -> tuple[Any, Any]:
        """Clicking an earlier reply shows its sources, and its quote in the document, again."""
        saved = replies.get(str(_like_index(event.index)))
        if saved is None:
            return gr.skip(), gr.skip()
        a = saved["answer"]
        if not a["found"]:
            return saved["sources"], gr.skip()
        index = backend.index()
        try:
            text = index.document(a["doc_id"]).text
        except KeyError:
            text = None
        # the index is rebuilt when an article changes: never highlight offsets that moved
        if text is None or text[a["start"]:a["end"]] != a["text"]:
            return saved["sources"], gr.update(value=[], label="Document (changed or removed since this answer)")
        highlight = tuple(a["highlight"]) if a["highlight"] else None
        answer = Answer(a["question"], True, a["text"], a["doc_id"], a["start"], a["end"], highlight=highlight)
        return saved["sources"], _document_view(answer, index)

    def record_feedback(replies: dict[str, Any], event: gr.LikeData) -> None:
        """Append the like/dislike of a reply to `<data>/feedback.jsonl`."""
        saved = replies.get(str(_like_index(event.index)))
        if saved is not None:
            append_feedback(backend.data_dir, render.feedback_record(saved["answer"], event.liked, _now()))

    def answer_api(question: str) -> dict[str, Any]:
        """Answer a question with a verbatim quote from the articles.

        Returns the answer as JSON: found, text, doc_id, start, end, date, title, highlight,
        confidence, notice and the supporting passages (the fields of rag.Answer.to_dict).
        """
        if not isinstance(question, str) or not question.strip():
            raise gr.Error("The question is empty: ask something, e.g. 'Where will the talks take place?'")
        try:
            answer, _ = backend.ask(question)
        except (ValueError, RagError, OSError) as exc:
            raise gr.Error(str(exc)) from None
        return answer.to_dict()

    with gr.Blocks(title="Crisis briefing", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Crisis briefing\n"
            "Answers are quoted **word for word** from the indexed news articles, with the article, "
            "its date and the exact characters quoted. When no article answers, the chat says so."
        )
        status_md = gr.Markdown(elem_id="status", latex_delimiters=[])
        timer = gr.Timer(1.0)
        replies = gr.State({})
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                chatbot = gr.Chatbot(
                    label="Chat",
                    elem_id="chat",
                    height=520,
                    buttons=["copy", "copy_all"],
                    feedback_options=("Like", "Dislike"),
                    # belt and braces: text is escaped before it gets here (ui.render)
                    sanitize_html=True,
                    allow_tags=False,
                    latex_delimiters=[],
                    placeholder="Ask about the crisis; answers are quotes from the articles.",
                )
                question = gr.Textbox(
                    label="Question",
                    elem_id="question",
                    placeholder="e.g. In which city will the talks take place?  (Enter to ask)",
                    max_length=MAX_QUESTION_CHARS,
                    lines=1,
                    max_lines=4,
                    submit_btn="Ask",
                )
                gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Example questions")
                clear = gr.ClearButton(value="Clear chat", size="sm")
            with gr.Column(scale=4):
                with gr.Tab("Document"):
                    doc_view = gr.HighlightedText(
                        label="Document",
                        elem_id="doc-view",
                        show_legend=True,
                        show_inline_category=False,
                        combine_adjacent=False,
                        color_map={render.QUOTE: QUOTE_COLOR, render.ANSWER: ANSWER_COLOR},
                        interactive=False,
                    )
                with gr.Tab("Sources"):
                    sources_md = gr.Markdown(
                        "_Ask a question to see the passages behind the answer._", elem_id="sources", line_breaks=True, latex_delimiters=[]
                    )

        clear.add([chatbot, replies, sources_md, doc_view])
        private: dict[str, Any] = {"api_visibility": "private"}
        quiet: dict[str, Any] = {"queue": False, "show_progress": "hidden", **private}
        demo.load(status, outputs=[status_md, timer], **quiet)
        timer.tick(status, outputs=[status_md, timer], **quiet)
        question.submit(
            respond, [question, chatbot, replies], [question, chatbot, replies, sources_md, doc_view], **private
        ).then(None, js=SCROLL_TO_QUOTE_JS, **private)
        chatbot.select(show_reply, [replies], [sources_md, doc_view], **private).then(None, js=SCROLL_TO_QUOTE_JS, **private)
        chatbot.like(record_feedback, [replies], None, queue=False, **private)
        gr.api(answer_api, api_name="answer")

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    _BACKENDS[demo] = backend
    return demo


def prepare(demo: gr.Blocks, log: bool = True, background: bool = True) -> threading.Thread | None:
    """Build or load the index of `demo` (in a thread by default) before anyone asks."""
    backend = _BACKENDS[demo]
    if not background:
        backend.prepare(log)
        return None
    thread = threading.Thread(target=backend.prepare, args=(log,), name="prepare-index", daemon=True)
    thread.start()
    return thread


def launch(demo: gr.Blocks, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, block: bool = True) -> str:
    """Serve `demo` on host:port (never shared publicly) and return its local URL."""
    backend = _BACKENDS[demo]
    # Nothing but Gradio's own assets is served: no allowed_paths, and the article, index
    # and feedback folders explicitly blocked in case a default ever widens.
    blocked = [str(p.resolve()) for p in (backend.sources, backend.index_dir, backend.data_dir)]
    _, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        prevent_thread_lock=not block,
        blocked_paths=blocked,
        max_file_size="1kb",  # the app takes no uploads
        ssr_mode=False,
        mcp_server=False,
        enable_monitoring=False,
        footer_links=["api"],
        css=CSS,
        theme=THEME,
    )
    return url


# ---------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> argparse.Namespace:
    """Options of `python -m ui`; --host/--port win over GRADIO_SERVER_NAME/GRADIO_SERVER_PORT."""
    env = os.environ if env is None else env
    p = argparse.ArgumentParser(prog="python -m ui", description="The crisis-briefing web chat (Gradio).")
    p.add_argument("--host", help=f"address to bind (default: $GRADIO_SERVER_NAME or {DEFAULT_HOST})")
    p.add_argument("--port", type=int, help=f"port (default: $GRADIO_SERVER_PORT or {DEFAULT_PORT})")
    p.add_argument("--sources", default="seeds", help="folder of articles (default: seeds)")
    p.add_argument("--index", default="index", help="index folder, built when missing or stale (default: index)")
    p.add_argument("--data", default="data", help="folder for feedback.jsonl, outside the index (default: data)")
    args = p.parse_args(argv)
    args.host = args.host or env.get("GRADIO_SERVER_NAME") or DEFAULT_HOST
    if args.port is None:
        try:
            args.port = int(env.get("GRADIO_SERVER_PORT") or DEFAULT_PORT)
        except ValueError:
            p.error(f"GRADIO_SERVER_PORT is not a port number: {env.get('GRADIO_SERVER_PORT')!r}")
    if not 0 < args.port < 65536:
        p.error(f"--port must be between 1 and 65535, got {args.port}")
    data, index = Path(args.data).resolve(), Path(args.index).resolve()
    if data == index or index in data.parents:
        p.error(f"--data {args.data} must be outside the index folder {args.index}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the web chat until interrupted."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # Gradio re-summarises its per-event statistics with pandas after every queued event
    # (over up to 10,000 past events); every 50th is plenty and saves the CPU for answers.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "50")
    args = parse_args(argv)
    demo = build_app(args.index, args.sources, args.data)
    prepare(demo)  # the page is up meanwhile, showing the progress
    launch(demo, args.host, args.port, block=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
