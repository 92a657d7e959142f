"""The document view: an article with one cited span (a quote, another report, a briefing item) highlighted.

Shared by the chat's replies and the Briefing tab; returns `gr.update`s for the `gr.HighlightedText`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gradio as gr

from rag import Answer, Index

from . import render

# How the picker names each kind of cited span, and how the document view's label says what it marks.
RELATIONS = {
    "": ("Quote", "quote"),
    "earlier": ("Earlier", "earlier report"),
    "later": ("Later", "later report"),
    "conflict": ("⚠ Conflicting report", "⚠ conflicting report"),
    "undated": ("Undated", "undated report"),
    "copy": ("Also in", "same sentence"),
    "briefing": ("Item", "briefing item"),
}


def relation_label(relation: str | None, in_document: bool = False) -> str:
    """What the picker (or, with `in_document`, the document view's label) calls a span of this relation."""
    name, marked = RELATIONS.get(relation or "", (str(relation).capitalize(), str(relation)))
    return marked if in_document else name


def document_view(answer: Answer, index: Index, marked: str = "quote") -> dict[str, Any]:
    """Update for the document view: the quoted article, the quote (or another cited sentence) highlighted."""
    shown: tuple[str, ...]  # the labels this view marks
    if answer.found and answer.doc_id is not None and answer.start is not None and answer.end is not None:
        doc = index.document(answer.doc_id)
        segments = render.document_segments(doc.text, answer.start, answer.end, answer.highlight)
        where = f"{marked} at characters {answer.start}–{answer.end}"
        label = f"Document: {doc.label}, {doc.date or render.NO_DATE} ({where})"
        shown = (render.QUOTE, render.ANSWER) if answer.highlight else (render.QUOTE,)
    elif answer.passages:
        p = answer.passages[0]
        doc = index.document(p.doc_id)
        segments = render.document_segments(doc.text, p.start, p.end, label=render.RELATED)
        label = f"Document: {doc.label}, {doc.date or render.NO_DATE} (closest passage, not an answer)"
        shown = (render.RELATED,)
    else:
        segments, label, shown = [], "Document", ()
    # the legend lists only what this view shows
    return gr.update(value=segments, label=label, color_map={name: render.COLORS[name] for name in shown})


def span_view(index: Index, target: Mapping[str, Any], question: str) -> dict[str, Any]:
    """The document view of one cited span (JSON: doc_id, start, end, text, highlight, relation), if its article still holds it.

    The index is rebuilt when an article changes: offsets that moved are never highlighted.
    """
    try:
        text = index.document(target["doc_id"]).text
    except KeyError:
        text = None
    if text is None or text[target["start"] : target["end"]] != target["text"]:
        return gr.update(value=[], label="Document (changed or removed since this answer)")
    highlight = tuple(target["highlight"]) if target.get("highlight") else None
    shown = Answer(
        question, True, target["text"], target["doc_id"], target["start"], target["end"], highlight=highlight
    )
    return document_view(shown, index, relation_label(target.get("relation"), in_document=True))
