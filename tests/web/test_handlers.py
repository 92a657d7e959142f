"""The web chat's event handlers, called directly (no browser, no server) on the real model and seed index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gradio as gr
import pytest
from support import GENEVA_Q, copy_seeds, rendered

from ui import render as fmt
from ui.backend import Backend
from ui.handlers import ChatHandlers

OFF_TOPIC_Q = "What is the boiling point of water?"


def seed_text(seed_dir: Path, doc_id: str) -> str:
    return (seed_dir / doc_id).read_bytes().decode("utf-8")


def test_respond_shows_the_question_then_the_quote_and_remembers_it(seed_index, seed_dir: Path, tmp_path: Path):
    handlers = ChatHandlers(Backend(seed_dir, seed_index.path, tmp_path / "data"))
    (box, history, *untouched), (_, history2, replies, sources, doc_view, shown) = handlers.respond(GENEVA_Q, [], {})
    # first the question alone, box emptied, the rest left as it is
    assert (
        box == "" and [m["role"] for m in history] == ["user"] and history[0]["content"] == fmt.escape_block(GENEVA_Q)
    )
    assert all(u == {"__type__": "update"} for u in untouched)
    # then the reply, remembered under its message index, and the document with the quote marked
    assert [m["role"] for m in history2] == ["user", "assistant"]
    assert rendered(history2[1]["content"]).strong == ["Geneva"]
    saved = replies["1"]["answer"]
    assert saved["found"] and seed_text(seed_dir, saved["doc_id"])[saved["start"] : saved["end"]] == saved["text"]
    assert "Supporting passages" in sources
    assert "".join(text for text, _ in doc_view["value"]) == seed_text(seed_dir, saved["doc_id"])
    assert [text for text, label in doc_view["value"] if label == fmt.ANSWER] == ["Geneva"]
    assert set(doc_view["color_map"]) == {fmt.QUOTE, fmt.ANSWER}
    # one article in the seeds: nothing else to show in the document, so no picker
    assert shown["choices"] == [("Quote: 2022-01-04, 2022-01-04-biden-zelenskiy-call.txt", "1/0")]
    assert shown["visible"] is False


def test_an_empty_question_changes_nothing(seed_index, seed_dir: Path, tmp_path: Path):
    handlers = ChatHandlers(Backend(seed_dir, seed_index.path, tmp_path / "data"))
    with pytest.warns(UserWarning, match="Type a question first"):
        (outputs,) = handlers.respond("  \n ", [], {})
    assert all(o == {"__type__": "update"} for o in outputs)


def test_show_reply_never_highlights_offsets_of_a_changed_article(seed_index, tmp_path: Path):
    seed_copy = copy_seeds(tmp_path / "seeds")
    shutil.copytree(seed_index.path, tmp_path / "index")
    handlers = ChatHandlers(Backend(seed_copy, tmp_path / "index", tmp_path / "data"))
    *_, (_, _, replies, sources, _, _) = handlers.respond(GENEVA_Q, [], {})
    click = gr.SelectData(None, {"index": 1, "value": None})
    shown_sources, doc_view, _ = handlers.show_reply(replies, click)
    assert shown_sources == sources and [t for t, label in doc_view["value"] if label == fmt.ANSWER] == ["Geneva"]
    article = seed_copy / replies["1"]["answer"]["doc_id"]
    article.write_text("Added later. " + article.read_text(encoding="utf-8"), encoding="utf-8")
    shown_sources, doc_view, _ = handlers.show_reply(replies, click)
    assert shown_sources == sources
    assert doc_view["value"] == [] and "changed or removed" in doc_view["label"]


def test_record_feedback_appends_the_reply_with_its_verdict(seed_index, seed_dir: Path, tmp_path: Path):
    handlers = ChatHandlers(Backend(seed_dir, seed_index.path, tmp_path / "data"))
    *_, (_, _, replies, _, _, _) = handlers.respond(OFF_TOPIC_Q, [], {})
    handlers.record_feedback(replies, gr.LikeData(None, {"index": [1, 0], "value": None, "liked": False}))
    handlers.record_feedback(replies, gr.LikeData(None, {"index": 0, "value": None, "liked": True}))  # the question
    (line,) = (tmp_path / "data" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert (record["question"], record["found"], record["liked"]) == (OFF_TOPIC_Q, False, False)
