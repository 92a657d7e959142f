"""The web chat's one public endpoint, `/answer`, through gradio_client against the real app.

One app (real model, the session's seed index) serves the whole module, in-process on a
free loopback port.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client
from support import GENEVA_Q

from ui import app as ui_app

OFF_TOPIC_Q = "What is the boiling point of water?"


@pytest.fixture(scope="module")
def client(server) -> Client:
    return Client(server[0], verbose=False)


def seed_text(seed_dir: Path, doc_id: str) -> str:
    return (seed_dir / doc_id).read_bytes().decode("utf-8")


def test_answer_endpoint_quotes_the_article_verbatim(client: Client, seed_dir: Path):
    r = client.predict(GENEVA_Q, api_name="/answer")
    assert r["found"] is True
    assert "Geneva" in r["text"]
    assert seed_text(seed_dir, r["doc_id"])[r["start"] : r["end"]] == r["text"]
    lo, hi = r["highlight"]
    assert 0 <= lo < hi <= len(r["text"])
    assert r["passages"], "supporting passages are listed"
    for p in r["passages"]:
        assert {"doc_id", "text", "start", "end", "score", "signals"} <= p.keys()
        assert seed_text(seed_dir, p["doc_id"])[p["start"] : p["end"]] == p["text"]


def test_answer_endpoint_refuses_off_topic(client: Client):
    r = client.predict(OFF_TOPIC_Q, api_name="/answer")
    assert r["found"] is False
    assert "don't say" in r["text"]
    assert r["start"] is None and r["highlight"] is None


@pytest.mark.parametrize("question", ["", "   \n "])
def test_answer_endpoint_empty_question_is_a_clear_error(client: Client, question: str):
    with pytest.raises(Exception, match="empty"):
        client.predict(question, api_name="/answer")


def test_answer_endpoint_trims_a_long_question(client: Client):
    r = client.predict("Where will the talks take place? " + "very " * 2000, api_name="/answer")
    assert r["notice"] and "trimmed" in r["notice"]
    assert len(r["question"]) <= ui_app.MAX_QUESTION_CHARS


def test_only_answer_and_brief_are_public_endpoints(client: Client):
    assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {"/answer", "/brief"}
