"""The web chat's page: Gradio layout, the wiring of its events to `ui.handlers`, and serving it.

Thin on purpose: retrieval, refusal and quoting all live in `rag` (reached through `ui.backend`),
what each event does lives in `ui.handlers`, and how an answer is shown in `ui.render`.

    app = build_app("index", "seeds", "data")   # or access=Access(SIGNED_IN, "data/users.json")
    prepare(app)  # optional: open the index before the first question
    url = launch(app, "127.0.0.1", 7860)

Who may do what (`ui.signin`), the HTTP gate in front of Gradio (`ui.gate`) and the editors'
Articles tab (`ui.articles_tab`) are wired here too.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.components.api_component import Api
from gradio.utils import get_type_hints, get_upload_folder, is_special_typed_parameter
from starlette.middleware import Middleware

from . import render
from .articles_tab import ArticleHandlers, build_articles_tab
from .backend import MAX_QUESTION_CHARS, Backend
from .briefing import BriefingHandlers
from .briefing_tab import build_briefing_tab
from .gate import Gate
from .handlers import AS_OF_HINT, MAX_AS_OF_CHARS, ChatHandlers
from .signin import OPEN, OPEN_BANNER, Access
from .uploads import Articles

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Two cores, and the model encodes one question at a time anyway: more workers only add
# contention. Waiting users queue (up to QUEUE_SIZE events) instead of being refused.
CONCURRENCY = 4
QUEUE_SIZE = 128
# Uploaded files are deleted once added (ui.uploads); those never added are swept after an hour.
UPLOAD_SWEEP = (600, 3600)

EXAMPLES = [
    "In which city will the talks take place?",
    "How many troops has Russia massed near the border?",
    "What did the Kremlin demand?",
    "Who is the White House press secretary?",
    "What is the boiling point of water?",
    "Brief me",
]

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
#chat time, #sources time { white-space: nowrap; }
#chat time.event, #sources time.event { text-decoration: underline dotted; text-underline-offset: 3px; cursor: help; white-space: normal; }
#chat .conflict { background: #fef3c7; color: #92400e; border-radius: 4px; padding: 0 4px; }
#open-banner { background: #fee2e2; border: 2px solid #b91c1c; border-radius: 6px; padding: 4px 10px; }
#who p { margin: 0; text-align: right; }
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


class _Blocks(gr.Blocks):
    """`gr.Blocks` whose API endpoints (`gr.api`) may be called without their optional trailing parameters.

    gradio_client and `/call/v2/answer` fill in a parameter's default, but the plain
    `/call/answer` route passes `{"data": [...]}` as sent and Gradio refuses a short list. Without
    this, adding `as_of` to `/answer` would break every client that sends only the question.
    """

    def validate_inputs(self, block_fn: Any, inputs: list[Any]) -> None:
        """Append the defaults of the missing trailing parameters of an API function, then validate."""
        if block_fn.fn is not None and all(isinstance(b, Api) for b in block_fn.inputs):
            hints = get_type_hints(block_fn.fn)  # gr.Request and the like are filled in by Gradio, not sent
            params = [
                p
                for p in inspect.signature(block_fn.fn).parameters.values()
                if not is_special_typed_parameter(p.name, hints)
            ]
            while len(inputs) < len(params) and params[len(inputs)].default is not inspect.Parameter.empty:
                inputs.append(params[len(inputs)].default)
        super().validate_inputs(block_fn, inputs)


@dataclass(frozen=True)
class ChatApp:
    """One web chat: its Gradio page, the backend (index, feedback folder) behind it, and who may use it."""

    blocks: gr.Blocks
    backend: Backend
    access: Access

    def close(self) -> None:
        """Stop serving the page (the backend needs no closing)."""
        self.blocks.close()


def build_app(
    index_dir: str | os.PathLike[str] = "index",
    sources: str | os.PathLike[str] = "seeds",
    data_dir: str | os.PathLike[str] = "data",
    access: Access | None = None,
) -> ChatApp:
    """The web chat over the index of `sources` kept in `index_dir`; feedback and the audit log go to `data_dir`.

    `access` says who may sign in, as reader or editor, and their limits; without it the app is
    for local use (loopback only, no sign-in, the local user an editor). The index is opened by
    the first question, or ahead of it by `prepare(app)`.
    """
    access = access or Access()
    backend = Backend(sources, index_dir, data_dir)
    handlers = ChatHandlers(backend, access)
    briefs = BriefingHandlers(backend, access)
    changes = ArticleHandlers(Articles(backend, get_upload_folder(), access.limits.max_files_per_change), access)
    with _Blocks(title="Crisis briefing", analytics_enabled=False, delete_cache=UPLOAD_SWEEP) as blocks:
        if access.mode == OPEN:
            gr.Markdown(OPEN_BANNER, elem_id="open-banner")
        who = gr.Markdown(elem_id="who", latex_delimiters=[])
        gr.Markdown(
            "## Crisis briefing\n"
            "Answers are quoted **word for word** from the indexed news articles, with the article, "
            "its date and the exact characters quoted. When no article answers, the chat says so. "
            "Ask “brief me”, “what's new since Monday?” or “timeline of …” (or use the Briefing tab) "
            "for the main developments of a window of days."
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
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        label="Question",
                        elem_id="question",
                        placeholder="e.g. In which city will the talks take place?  (Enter to ask)",
                        max_length=MAX_QUESTION_CHARS,
                        lines=1,
                        max_lines=4,
                        submit_btn="Ask",
                        scale=4,
                    )
                    as_of = gr.Textbox(
                        label="As of",
                        elem_id="as-of",
                        placeholder=AS_OF_HINT,
                        max_length=MAX_AS_OF_CHARS,
                        lines=1,
                        max_lines=1,
                        scale=1,
                        min_width=200,
                    )
                gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="Example questions")
                clear = gr.ClearButton(value="Clear chat", size="sm")
            with gr.Column(scale=4), gr.Tabs(elem_id="side-tabs") as side_tabs:
                with gr.Tab("Document", id="document"):
                    doc_view = gr.HighlightedText(
                        label="Document",
                        elem_id="doc-view",
                        show_legend=True,
                        show_inline_category=False,
                        combine_adjacent=False,
                        color_map={name: render.COLORS[name] for name in (render.QUOTE, render.ANSWER)},
                        interactive=False,
                    )
                    # the quote and each update or copy cited under it (or a briefing's items), to show in its article
                    shown = gr.Radio(label="Show in the document", elem_id="doc-picker", visible=False)
                with gr.Tab("Sources", id="sources"):
                    sources_md = gr.Markdown(
                        "_Ask a question to see the passages behind the answer._",
                        elem_id="sources",
                        line_breaks=True,
                        latex_delimiters=[],
                    )
                build_briefing_tab(
                    briefs,
                    as_of=as_of,
                    doc_view=doc_view,
                    side_tabs=side_tabs,
                    shown=shown,
                    after_open_js=SCROLL_TO_QUOTE_JS,
                )
                build_articles_tab(changes, who=who, page=blocks)

        clear.add([chatbot, replies, sources_md, doc_view])
        # Only /answer and /brief are public: the page's own events are not API endpoints.
        private: dict[str, Any] = {"api_visibility": "private"}
        quiet: dict[str, Any] = {"queue": False, "show_progress": "hidden", **private}
        clear.click(lambda: gr.update(choices=[], value=None, visible=False), outputs=[shown], **quiet)
        blocks.load(handlers.status, outputs=[status_md, timer, as_of], **quiet)
        timer.tick(handlers.status, outputs=[status_md, timer, as_of], **quiet)
        # Enter in either box asks the question in the question box
        gr.on(
            [question.submit, as_of.submit],
            handlers.respond,
            [question, chatbot, replies, as_of],
            [question, chatbot, replies, sources_md, doc_view, shown],
            **private,
        ).then(None, js=SCROLL_TO_QUOTE_JS, **private)
        chatbot.select(handlers.show_reply, [replies], [sources_md, doc_view, shown], **private).then(
            None, js=SCROLL_TO_QUOTE_JS, **private
        )
        shown.input(handlers.show_citation, [shown, replies], [doc_view], **private).then(
            None, js=SCROLL_TO_QUOTE_JS, **private
        )
        chatbot.like(handlers.record_feedback, [replies], None, queue=False, **private)
        gr.api(handlers.answer_api, api_name="answer")
        gr.api(briefs.api, api_name="brief")

    blocks.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return ChatApp(blocks, backend, access)


def prepare(app: ChatApp, log: bool = True, background: bool = True) -> threading.Thread | None:
    """Build or load the index of `app` (in a thread by default) before anyone asks."""
    if not background:
        app.backend.prepare(log)
        return None
    return app.backend.prepare_in_background(log)


def launch(app: ChatApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, block: bool = True) -> str:
    """Serve `app` on host:port (never shared publicly) and return its local URL.

    Raises ValueError (one line, saying how to configure sign-in) for an address other than
    loopback when the app has no sign-in and was not opened to all with --insecure-no-auth.
    """
    access = app.access
    refusal = access.refusal(host)
    if refusal:
        raise ValueError(refusal)
    if access.mode == OPEN:
        print(
            f"WARNING: serving on {host} WITHOUT SIGN-IN (--insecure-no-auth): anyone who reaches it can ask",
            file=sys.stderr,
            flush=True,
        )
    backend = app.backend
    # Nothing but Gradio's own assets is served: no allowed_paths, and the article, index
    # and feedback folders explicitly blocked in case a default ever widens.
    blocked = [str(p.resolve()) for p in (backend.sources, backend.index_dir, backend.data_dir)]
    _, url, _ = app.blocks.launch(
        server_name=host,
        server_port=port,
        share=False,
        prevent_thread_lock=not block,
        blocked_paths=blocked,
        # per file, the largest any format takes; ui.gate bounds a whole request and who may send one
        max_file_size=access.limits.max_upload_file_bytes,
        # a coroutine function: Gradio awaits it (its annotation says only plain functions)
        auth=access.authenticate if access.signed_in else None,  # type: ignore[arg-type]
        auth_message=access.auth_message() if access.signed_in else None,
        app_kwargs={"middleware": [Middleware(Gate, access=access)]},
        ssr_mode=False,
        mcp_server=False,
        enable_monitoring=False,
        footer_links=["api"],
        css=CSS,
        theme=THEME,
    )
    return url
