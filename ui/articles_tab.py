"""The Articles tab (editors only): upload files to add, remove a file, the progress line, the result, the audit log.

The tab is hidden unless the page's caller is an editor, and every event checks the caller again
on the server (`Access.change`): a reader's forged request gets an error and an audit line, and
its uploaded files are deleted. What each change does is `ui.uploads`; its text, `ui.articles_render`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from rag.progress import BuildProgress
from rag.sources import SUFFIXES

from . import articles_render as show
from .limits import seconds_text
from .signin import Access, AccessDenied, Caller
from .uploads import Articles, ChangeReport, Upload, progress_line

POLL_SECONDS = 0.5


def uploads_of(payload: Any) -> list[Upload]:
    """The files of a `gr.File` payload, as sent (the event runs with `preprocess=False`): server path, original name.

    Gradio's own preprocessing would pass only the path (its name sanitised) and leave an empty
    temp file behind per upload; the payload keeps the uploader's file name, which `rag.add`
    checks itself. Gradio has already refused any path outside its upload folder.
    """
    items = payload if isinstance(payload, list) else [payload] if payload else []
    uploads = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise gr.Error("The upload is malformed: choose the files again.")
        name = item.get("orig_name")
        uploads.append(Upload(item["path"], name if isinstance(name, str) and name else Path(item["path"]).name))
    return uploads


@dataclass(frozen=True)
class ArticleHandlers:
    """The tab's events over one `Articles` and the app's `Access`."""

    articles: Articles
    access: Access

    def page(self, request: gr.Request) -> tuple[Any, ...]:
        """On page load: who is signed in, and (for an editor) the tab, the files to remove, the audit log."""
        try:
            caller = self.access.caller(request)
        except AccessDenied as exc:
            return f"⛔ {exc}", gr.update(visible=False), gr.skip(), gr.skip()
        who = _who(caller, self.access.signed_in)
        if not caller.is_editor:
            return who, gr.update(visible=False), gr.skip(), gr.skip()
        return who, gr.update(visible=True), self._choices(), self._audit()

    def add(self, files: Any, replace: Any, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Add the uploaded files: a progress line while they are read and embedded, then the list of outcomes.

        `files` is the file box's payload as sent (see `uploads_of`). Yields (progress line, result,
        file box, files to remove, audit log).
        """
        uploads = uploads_of(files)
        caller = self._allowed(request, [u.name for u in uploads], uploads)
        yield from self._run(
            lambda progress: self.articles.add(uploads, caller, replace=replace is True, progress=progress)
        )

    def remove(self, name: str | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Remove the chosen file from the source folder and the index; same outputs as `add`."""
        caller = self._allowed(request, [name or ""], [])
        if not name:
            raise gr.Error("Choose the article file to remove first.")
        yield from self._run(lambda progress: self.articles.remove(name, caller, progress=progress))

    def _allowed(self, request: gr.Request, names: list[str], uploads: list[Upload]) -> Caller:
        """The caller if they may change the articles now; else the refusal is audited, uploads deleted, gr.Error."""
        try:
            return self.access.change(request)
        except AccessDenied as exc:
            # the server log, not the audit log: that one records changes to the corpus, and a
            # reader must not be able to grow it with forged requests
            who = getattr(request, "username", None) or getattr(getattr(request, "client", None), "host", None)
            print(f"change refused to {str(who)[:64]!r} ({len(names)} file(s)): {exc}", file=sys.stderr, flush=True)
            self.articles.discard(uploads)
            raise gr.Error(f"Refused: {exc}", title="Not allowed") from None

    def _run(self, change: Callable[[Callable[[BuildProgress], None]], ChangeReport]) -> Iterator[tuple[Any, ...]]:
        """Run `change` in a thread, yielding its progress line every `POLL_SECONDS`, then its result."""
        skip = gr.skip
        state: dict[str, Any] = {"line": "Checking the files …"}

        def work() -> None:
            try:
                state["report"] = change(lambda event: state.__setitem__("line", progress_line(event)))
            except (ValueError, OSError, gr.Error) as exc:
                state["error"] = str(exc)
            except Exception as exc:  # a failed build: show it, keep serving
                state["error"] = f"{type(exc).__name__}: {exc}"

        thread = threading.Thread(target=work, name="article-change", daemon=True)
        thread.start()
        while thread.is_alive():
            yield f"⏳ {state['line']}", skip(), skip(), skip(), skip()
            thread.join(POLL_SECONDS)
        if "error" in state:
            result = f"**Nothing was changed:** {show.escape_text(state['error'])}"
        else:
            result = show.report_markdown(state["report"])
        yield "", result, None, self._choices(), self._audit()

    def _choices(self) -> dict[str, Any]:
        return gr.update(choices=self.articles.files(), value=None)

    def _audit(self) -> str:
        return show.audit_markdown(self.articles.recent(), self.articles.audit_log.name)


def _who(caller: Caller, signed_in: bool) -> str:
    if not signed_in:
        return ""
    return f"Signed in as **{show.escape_text(caller.name)}** ({caller.role}) · [Sign out](logout)"


def limits_hint(access: Access) -> str:
    """What the tab says about the files it takes."""
    lim = access.limits
    return (
        f"Add saved pages (.html, .htm), feeds (.xml, .rss, .atom), JSONL exports or text files (.txt, .md with an "
        f"optional `date:` header): at most {lim.max_files_per_change} files and {lim.max_upload_file_bytes // 1_000_000} MB "
        f"a file (text files 1 MB, pages 10 MB). Each file is read before it is added: one that gives no article is "
        f"refused with the reason. Editors may make {lim.changes.burst} changes at once, then one every "
        f"{seconds_text(lim.changes.every)}."
    )


def build_articles_tab(handlers: ArticleHandlers, *, who: gr.Markdown, page: gr.Blocks) -> gr.Tab:
    """Add the Articles tab (hidden until an editor loads `page`) to the open `gr.Tabs`, and wire it; `who` names the caller."""
    with gr.Tab("Articles", id="articles", elem_id="articles-tab", visible=False) as tab:
        gr.Markdown(limits_hint(handlers.access), elem_id="add-hint", latex_delimiters=[])
        files = gr.File(
            label="Article files to add",
            elem_id="add-files",
            file_count="multiple",
            file_types=list(SUFFIXES),
            height=140,
        )
        replace = gr.Checkbox(label="Replace files of the same name", value=False, elem_id="add-replace")
        add = gr.Button("Add to the index", variant="primary", elem_id="add-button")
        line = gr.Markdown(elem_id="add-progress", latex_delimiters=[])
        result = gr.Markdown(elem_id="add-result", latex_delimiters=[])
        with gr.Accordion("Remove an article file", open=False, elem_id="remove-box"):
            pick = gr.Dropdown(label="Article file", choices=[], elem_id="remove-pick", interactive=True)
            remove = gr.Button("Remove from the index", variant="stop", elem_id="remove-button")
        audit = gr.Markdown(elem_id="audit-log", latex_delimiters=[])

    private: dict[str, Any] = {"api_visibility": "private"}
    # one change at a time, in its own lane: questions keep being answered while articles are embedded
    lane: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "article-changes", "show_progress": "hidden"}
    outputs = [line, result, files, pick, audit]
    add.click(handlers.add, [files, replace], outputs, preprocess=False, **private, **lane)
    remove.click(handlers.remove, [pick], outputs, **private, **lane)
    gr.on(
        [page.load, tab.select],
        handlers.page,
        None,
        [who, tab, pick, audit],
        queue=False,
        show_progress="hidden",
        **private,
    )
    return tab
