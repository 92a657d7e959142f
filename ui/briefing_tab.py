"""The Briefing tab's layout and wiring: since / until / topic, "Brief me", the timeline picture, the list.

Built inside the page's side `gr.Tabs` by `build_briefing_tab`; what each event does is in `ui.briefing`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from .backend import MAX_QUESTION_CHARS
from .briefing import BriefingHandlers
from .handlers import MAX_AS_OF_CHARS

DAY_HINT = "2022-03-01, Monday, yesterday"
START_HINT = (
    "_Leave the dates empty for the week up to “As of” (or the newest article); "
    "a topic keeps only what is about it. Or type “brief me” in the chat._"
)

# A click (or Enter on the focused item) on an item of the list sends its number, nothing else;
# the list itself is built on the server with every article text escaped (ui.briefing_render).
ITEMS_JS = """
const pick = (event) => {
  const item = event.target.closest('[data-item]');
  if (!item || !element.contains(item)) return;
  element.querySelectorAll('.brief-item.selected').forEach((el) => el.classList.remove('selected'));
  item.classList.add('selected');
  trigger('click', {item: Number(item.dataset.item)});
};
element.addEventListener('click', pick);
element.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); pick(event); }
});
"""

# Scoped to the list by gr.HTML. The numbers' colours are those of the picture's markers (ui.timeline).
ITEMS_CSS = """
.brief-items { list-style: none; padding: 0; margin: 0; }
.brief-item { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin: 0 0 8px; cursor: pointer; }
.brief-item:hover, .brief-item:focus-visible { background: var(--background-fill-secondary); }
.brief-item.selected { border-color: #2563eb; box-shadow: 0 0 0 1px #2563eb; }
.brief-num { display: inline-block; min-width: 1.7em; border-radius: 0.85em; background: #2563eb; color: #fff; text-align: center; font-weight: 700; font-size: 0.85em; line-height: 1.7em; margin-right: 4px; }
.brief-item.changed .brief-num { background: #d97706; }
.brief-when { font-weight: 700; white-space: nowrap; }
.brief-label { color: var(--body-text-color-subdued); }
.brief-label::before { content: "· "; }
.brief-quote { margin: 6px 0; padding: 0 0 0 10px; border-left: 3px solid #fde68a; }
.brief-cite { font-size: 0.9em; color: var(--body-text-color-subdued); }
.brief-change { font-size: 0.9em; font-weight: 700; color: #92400e; margin-top: 2px; }
.brief-notice { font-weight: 700; margin: 4px 0; }
"""


def build_briefing_tab(
    handlers: BriefingHandlers,
    *,
    as_of: gr.Textbox,
    doc_view: Any,
    side_tabs: gr.Tabs,
    shown: gr.Radio,
    after_open_js: str,
) -> None:
    """Add the Briefing tab to the open `side_tabs` (the `/brief` endpoint is `handlers.api`, added by the page).

    `as_of` is the page's "As of" box (shared with the chat); a click on an item shows it in
    `doc_view` (the Document tab, selected), hides the chat's picker `shown`, then runs `after_open_js`.
    """
    with gr.Tab("Briefing", id="briefing", elem_id="briefing-tab"):
        with gr.Row(equal_height=True):
            since = gr.Textbox(
                label="Since", elem_id="brief-since", placeholder=DAY_HINT, max_length=MAX_AS_OF_CHARS, max_lines=1
            )
            until = gr.Textbox(
                label="Until",
                elem_id="brief-until",
                placeholder="As of / newest",
                max_length=MAX_AS_OF_CHARS,
                max_lines=1,
            )
        topic = gr.Textbox(
            label="Topic (optional)",
            elem_id="brief-topic",
            placeholder="e.g. humanitarian corridors",
            max_length=MAX_QUESTION_CHARS,
            max_lines=1,
        )
        button = gr.Button("Brief me", variant="primary", elem_id="brief-button")
        summary = gr.Markdown(START_HINT, elem_id="brief-summary", latex_delimiters=[])
        plot = gr.Plot(label="Timeline", elem_id="brief-plot", format="png", visible=False, show_label=False)
        items = gr.HTML("", elem_id="brief-items", js_on_load=ITEMS_JS, css_template=ITEMS_CSS, max_height=560)
        briefing = gr.State({})

    private: dict[str, Any] = {"api_visibility": "private"}
    # queued like answers: the status line (unqueued) stays live while a briefing is made
    gr.on(
        [button.click, since.submit, until.submit, topic.submit],
        handlers.tab,
        [since, until, topic, as_of],
        [summary, plot, items, briefing],
        **private,
    )
    items.click(handlers.open_item, [briefing], [doc_view, side_tabs, shown], **private).then(
        None, js=after_open_js, **private
    )
