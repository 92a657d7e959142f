"""The web chat's API, command line, event handlers, formatting helpers and feedback log.

One real app (real model, index of the seeds in a temp folder) serves the whole module,
in-process on a free loopback port; `python -m ui` itself is started once as a smoke test.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from gradio_client import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from support import free_port

from rag import Answer, Passage
from ui import app as ui_app
from ui import cli as ui_cli
from ui import render as fmt
from ui.backend import Backend
from ui.feedback import append_feedback, feedback_record
from ui.handlers import ChatHandlers

ROOT = Path(__file__).resolve().parent.parent
GENEVA_Q = "In which city will the talks take place?"
OFF_TOPIC_Q = "What is the boiling point of water?"


@pytest.fixture(scope="module")
def client(server) -> Client:
    return Client(server[0], verbose=False)


def seed_text(seed_dir: Path, doc_id: str) -> str:
    return (seed_dir / doc_id).read_bytes().decode("utf-8")


# ---------------------------------------------------------------------------- /answer


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


def test_only_answer_is_a_public_endpoint(client: Client):
    assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {"/answer"}


def test_no_article_or_index_file_is_served(server, seed_dir: Path):
    url = server[0].rstrip("/")
    seed = next(seed_dir.glob("*.txt")).resolve()
    for path in (
        f"/gradio_api/file={seed}",
        f"/file={seed}",
        "/gradio_api/file=seeds/" + seed.name,
        "/seeds/" + seed.name,
    ):
        resp = httpx.get(url + path, timeout=10)
        assert resp.status_code >= 400, path
        assert "Zelenskiy" not in resp.text


# ---------------------------------------------------------------------------- handlers, without a browser


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
    assert render(history2[1]["content"]).strong == ["Geneva"]
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


def test_show_reply_never_highlights_offsets_of_a_changed_article(seed_copy: Path, tmp_path: Path):
    import gradio as gr

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
    import gradio as gr

    handlers = ChatHandlers(Backend(seed_dir, seed_index.path, tmp_path / "data"))
    *_, (_, _, replies, _, _, _) = handlers.respond(OFF_TOPIC_Q, [], {})
    handlers.record_feedback(replies, gr.LikeData(None, {"index": [1, 0], "value": None, "liked": False}))
    handlers.record_feedback(replies, gr.LikeData(None, {"index": 0, "value": None, "liked": True}))  # the question
    (line,) = (tmp_path / "data" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert (record["question"], record["found"], record["liked"]) == (OFF_TOPIC_Q, False, False)


# ---------------------------------------------------------------------------- python -m ui


def _read_until(proc: subprocess.Popen[str], needle: str, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    stdout = proc.stdout
    assert stdout is not None

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    out = ""
    deadline = time.monotonic() + timeout
    while needle not in out:
        try:
            out += lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"no {needle!r} within {timeout} s; output so far:\n{out}")
    return out


def test_python_m_ui_builds_the_index_and_serves_on_loopback(tmp_path: Path, seed_dir: Path):
    port, env_port = free_port(), free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_SERVER_PORT": str(env_port), "PYTHONUNBUFFERED": "1"}
    env.pop("GRADIO_SERVER_NAME", None)
    cmd = [
        sys.executable,
        "-m",
        "ui",
        "--port",
        str(port),
        "--sources",
        str(seed_dir),
        "--index",
        str(tmp_path / "index"),
        "--data",
        str(tmp_path / "data"),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out = _read_until(proc, "Running on local URL", timeout=90)
        assert f"building the index of {seed_dir}/" in out
        # --port wins over GRADIO_SERVER_PORT; the default host is loopback
        assert f"http://127.0.0.1:{port}" in out
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_flags_win_over_gradio_env_vars():
    env = {"GRADIO_SERVER_NAME": "127.0.0.2", "GRADIO_SERVER_PORT": "7999"}
    args = ui_cli.parse_args([], env=env)
    assert (args.host, args.port) == ("127.0.0.2", 7999)
    args = ui_cli.parse_args(["--host", "127.0.0.1", "--port", "8123"], env=env)
    assert (args.host, args.port) == ("127.0.0.1", 8123)
    args = ui_cli.parse_args([], env={})
    assert (args.host, args.port, args.sources, args.index, args.data) == ("127.0.0.1", 7860, "seeds", "index", "data")


def test_feedback_folder_must_be_outside_the_index():
    with pytest.raises(SystemExit):
        ui_cli.parse_args(["--index", "index", "--data", "index/feedback"], env={})


# ---------------------------------------------------------------------------- formatting


class _TextAndTags(HTMLParser):
    """Collects the text and the tag names of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.strong: list[str] = []
        self._in_strong = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_strong += tag == "strong"

    def handle_endtag(self, tag):
        self._in_strong -= tag == "strong"

    def handle_data(self, data):
        self.text.append(data)
        if self._in_strong:
            self.strong.append(data)


def render(markdown: str) -> _TextAndTags:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    parsed = _TextAndTags()
    parsed.feed(md.render(markdown))
    return parsed


def squash(text: str) -> str:
    return " ".join(text.split())


# Markdown and HTML syntax, and the words that make links
TOKENS = [*"ab1 \n\r\t<>&*_[]()`#!-+=|~\\.:/@$\"'", "www.", "http://", "&lt;", "<script>", "1. ", "- ", "    "]
TRICKY = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)


@given(TRICKY)
@settings(max_examples=300, deadline=None)
def test_escaped_text_renders_as_exactly_that_text(text: str):
    parsed = render(fmt.escape_block(text))
    assert squash("".join(parsed.text)) == squash(text)
    assert set(parsed.tags) <= {"p", "br"}, parsed.tags


@given(TRICKY, st.integers(0, 40), st.integers(0, 40))
@settings(max_examples=300, deadline=None)
def test_quote_block_is_the_quote_with_the_phrase_in_bold(text: str, a: int, b: int):
    lo, hi = sorted((min(a, len(text)), min(b, len(text))))
    parsed = render(fmt.quote_block(text, (lo, hi)))
    assert squash("".join(parsed.text)) == squash(text)
    assert set(parsed.tags) <= {"blockquote", "p", "br", "strong"}, parsed.tags
    phrase = text[lo:hi]
    if phrase.strip() and "\n" not in phrase:
        assert squash("".join(parsed.strong)) == squash(phrase)


def test_script_in_question_or_article_is_escaped():
    evil = "<script>window.__xss=1</script> [x](javascript:alert(1)) **b**"
    assert "<script" not in fmt.escape_block(evil)
    assert "&lt;script&gt;" in fmt.escape_block(evil)
    answer = Answer(
        "q",
        True,
        evil,
        "a<b>.txt",
        0,
        len(evil),
        "2022-01-04",
        "<img src=x onerror=alert(1)>",
        (0, 8),
        0.9,
        (Passage("a<b>.txt", evil, 0, len(evil), 1.0, None, None, {"dense": 0.5}),),
    )
    for markdown in (fmt.reply_markdown(answer), fmt.sources_markdown(answer)):
        parsed = render(markdown)
        assert "script" not in parsed.tags and "img" not in parsed.tags and "a" not in parsed.tags
        assert "<script>window.__xss=1</script>" in "".join(parsed.text)


def test_reply_cites_title_or_id_date_and_range():
    answer = Answer("q", True, "in Geneva today", "doc.txt", 10, 25, "2022-01-04", None, (3, 9), 0.8)
    reply = fmt.reply_markdown(answer)
    assert reply.startswith("> in **Geneva** today")
    assert "— doc.txt, 2022-01-04, characters 10–25" in squash("".join(render(reply).text))


def test_refusal_shows_related_passages_not_as_an_answer():
    p = Passage("doc.txt", "Talks are planned.", 5, 23, 0.2, "2022-01-04", "Title", {})
    answer = Answer("q", False, "The articles don't say: nothing answers.", passages=(p,))
    reply = fmt.reply_markdown(answer)
    assert reply.startswith("**The articles don't say")
    assert "Related (not an answer)" in reply
    assert "— Title, 2022-01-04, characters 5–23" in squash("".join(render(reply).text))
    assert "Related passages (not an answer)" in fmt.sources_markdown(answer)


def test_notice_is_shown():
    answer = Answer("q", False, "The articles don't say.", notice="The question was trimmed.")
    assert "The question was trimmed." in fmt.reply_markdown(answer)


@given(st.text(max_size=60), st.integers(0, 60), st.integers(0, 60), st.integers(-5, 70), st.integers(-5, 70))
@settings(max_examples=300, deadline=None)
def test_document_segments_cover_the_text_exactly_once(text: str, a: int, b: int, c: int, d: int):
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    segments = fmt.document_segments(text, start, end, (min(c, d), max(c, d)))
    assert "".join(s for s, _ in segments) == text
    assert all(s for s, _ in segments)
    quoted = "".join(s for s, label in segments if label in (fmt.QUOTE, fmt.ANSWER))
    assert quoted == text[start:end]


def test_document_segments_of_the_real_answer(seed_index):
    a = seed_index.answer(GENEVA_Q)
    doc = seed_index.document(a.doc_id)
    segments = fmt.document_segments(doc.text, a.start, a.end, a.highlight)
    assert "".join(s for s, _ in segments) == doc.text
    assert [s for s, label in segments if label == fmt.ANSWER] == [a.text[a.highlight[0] : a.highlight[1]]]
    with pytest.raises(ValueError):
        fmt.document_segments(doc.text, 0, len(doc.text) + 1)


# ---------------------------------------------------------------------------- feedback


def test_append_feedback_keeps_every_line_under_threads(tmp_path: Path):
    # long lines with newlines and Unicode line separators inside the strings
    def write(worker: int) -> None:
        for i in range(50):
            append_feedback(
                tmp_path, {"worker": worker, "i": i, "answer": f"line\nbreak\u2028{'x' * 5000}", "liked": i % 2 == 0}
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    lines = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 400
    assert {(r["worker"], r["i"]) for r in records} == {(w, i) for w in range(8) for i in range(50)}
    assert all(r["answer"].startswith("line\nbreak\u2028") for r in records)


def test_append_feedback_keeps_every_line_under_processes(tmp_path: Path):
    code = (
        "import sys; from ui.feedback import append_feedback\n"
        "for i in range(50): append_feedback(sys.argv[1], {'proc': sys.argv[2], 'i': i, 'pad': 'y' * 70000})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(n)], cwd=ROOT) for n in range(4)]
    assert all(p.wait(timeout=60) == 0 for p in procs)
    records = [json.loads(line) for line in (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 200
    assert len({(r["proc"], r["i"]) for r in records}) == 200


def test_feedback_record_fields():
    record = feedback_record(Answer("q?", True, "quote", "d.txt", 1, 6).to_dict(), True, "2024-01-01T00:00:00+00:00")
    assert record == {
        "time": "2024-01-01T00:00:00+00:00",
        "question": "q?",
        "answer": "quote",
        "found": True,
        "doc_id": "d.txt",
        "start": 1,
        "end": 6,
        "liked": True,
    }
