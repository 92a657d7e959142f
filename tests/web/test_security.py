"""The web app: loopback only, never shared publicly, the question capped at its boundary, and no file of the disk served."""

from __future__ import annotations

import http.client
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import psutil
import pytest
from support import GENEVA_Q, ROOT, SEED_ID, SEEDS, assert_exact, free_port

import rag
from ui import app as ui_app


@dataclass(frozen=True)
class App:
    """The real app running in this process, and the folders it was given."""

    demo: Any
    port: int
    index_dir: Path
    data_dir: Path


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, seed_index: rag.Index) -> Iterator[App]:
    """The app launched with the default host, serving the session's seed index; its feedback log holds a secret."""
    data = tmp_path_factory.mktemp("web-security") / "data"
    data.mkdir()
    (data / "feedback.jsonl").write_text('{"secret": "FEEDBACK-LINE"}\n', encoding="utf-8")
    demo = ui_app.build_app(seed_index.path, SEEDS, data)
    ui_app.prepare(demo, log=False, background=False)
    port = free_port()
    ui_app.launch(demo, port=port, block=False)  # no host given: the default must be loopback
    yield App(demo, port, seed_index.path, data)
    demo.close()


def _non_loopback_ipv4() -> list[str]:
    return [
        a.address
        for addrs in psutil.net_if_addrs().values()
        for a in addrs
        if a.family == socket.AF_INET and not a.address.startswith("127.")
    ]


def test_the_server_listens_on_loopback_only(app: App) -> None:
    port = app.port
    listening = [
        c.laddr.ip
        for c in psutil.Process(os.getpid()).net_connections("inet")
        if c.status == "LISTEN" and c.laddr.port == port
    ]
    assert listening and all(ip in ("127.0.0.1", "::1") for ip in listening), listening


def test_the_server_is_not_reachable_on_another_address_of_this_machine(app: App) -> None:
    port = app.port
    addresses = _non_loopback_ipv4()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address")
    for address in addresses:
        with pytest.raises(OSError), socket.create_connection((address, port), timeout=3):
            pass


def test_launch_never_shares_publicly_even_when_the_environment_asks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_launch(self: Any, *args: Any, **kwargs: Any) -> tuple[None, str, None]:
        calls.append(kwargs)
        return None, "http://127.0.0.1:1/", None

    monkeypatch.setattr(gr.Blocks, "launch", fake_launch)
    monkeypatch.setenv("GRADIO_SHARE", "True")
    demo = ui_app.build_app(tmp_path / "index", SEEDS, tmp_path / "data")
    ui_app.launch(demo, port=free_port(), block=False)
    (kwargs,) = calls
    assert kwargs["share"] is False
    assert kwargs["server_name"] == "127.0.0.1"
    assert not kwargs.get("allowed_paths")
    blocked = {Path(p) for p in kwargs.get("blocked_paths") or []}
    assert {SEEDS.resolve(), (tmp_path / "index").resolve(), (tmp_path / "data").resolve()} <= blocked


def test_the_question_box_is_capped(app: App) -> None:
    demo = app.demo
    boxes = [c["props"] for c in demo.blocks.config["components"] if c.get("props", {}).get("elem_id") == "question"]
    assert len(boxes) == 1
    assert boxes[0]["max_length"] == ui_app.MAX_QUESTION_CHARS <= rag.Settings().max_question_chars


@pytest.mark.parametrize("size", [100_000, 5_000_000])
def test_a_huge_question_to_the_api_is_trimmed_with_a_notice(app: App, size: int) -> None:
    port = app.port
    question = "In which city will the talks take place? " + "and " * (size // 4)
    r = _call_answer(port, question)
    assert r["notice"] and "trimmed" in r["notice"]
    assert len(r["question"]) <= rag.Settings().max_question_chars
    assert r["question"].startswith(GENEVA_Q)


def test_the_server_survives_a_lone_surrogate_and_answers_the_next_question(app: App) -> None:
    port = app.port
    with httpx.Client(timeout=60) as client:  # raw JSON: "\ud800" decodes to a lone surrogate on the server
        resp = client.post(
            f"http://127.0.0.1:{port}/gradio_api/call/answer",
            content=b'{"data": ["\\ud800 In which city will the talks take place?"]}',
            headers={"content-type": "application/json"},
        )
        assert resp.status_code == 200
        event_id = resp.json()["event_id"]
        stream = client.get(f"http://127.0.0.1:{port}/gradio_api/call/answer/{event_id}").text
    assert "event: complete" in stream or "event: error" in stream
    r = _call_answer(port, GENEVA_Q)
    assert r["found"] and "Geneva" in r["text"]


def _call_answer(port: int, question: str) -> dict[str, Any]:
    """POST a question to /answer as raw JSON and return the answer dict (fails on an error event)."""
    with httpx.Client(timeout=120) as client:
        resp = client.post(f"http://127.0.0.1:{port}/gradio_api/call/answer", json={"data": [question]})
        assert resp.status_code == 200, resp.text[:300]
        stream = client.get(f"http://127.0.0.1:{port}/gradio_api/call/answer/{resp.json()['event_id']}").text
    assert "event: complete" in stream, stream[:500]
    payload = stream.split("event: complete", 1)[1].split("data:", 1)[1].strip().splitlines()[0]
    (result,) = json.loads(payload)
    return dict(result)


def test_an_api_answer_keeps_the_offset_rule(app: App, seed_index: rag.Index) -> None:
    port = app.port
    r = _call_answer(port, "How many troops has Russia massed near the border?")
    answer = rag.Answer(
        r["question"],
        r["found"],
        r["text"],
        r["doc_id"],
        r["start"],
        r["end"],
        highlight=tuple(r["highlight"]) if r["highlight"] else None,
    )
    assert answer.found and "100,000" in answer.text
    assert_exact(seed_index, answer)


# ---------------------------------------------------------------------------- no file of the disk

# Strings that would prove a file's content was served.
SECRETS = {
    "passwd": "root:x:0:0",
    "seed article": "Zelenskiy",
    "README": "word for word",
    "pyproject": "crisis-rag",
    "environment": "PATH=",
    "feedback": "FEEDBACK-LINE",
    "manifest": "rag-index",
    "source code": "import gradio",
}


def _file_routes(app: App) -> list[str]:
    seed = (SEEDS / SEED_ID).resolve()
    manifest = app.index_dir / "manifest.json"
    targets = [
        "/etc/passwd",
        "/proc/self/environ",
        str(seed),
        str(ROOT / "README.md"),
        str(ROOT / "ui" / "app.py"),
        str(manifest),
        str(app.data_dir / "feedback.jsonl"),
        "../README.md",
        "../../../../../etc/passwd",
        "README.md",
        "pyproject.toml",
        "seeds/" + SEED_ID,
        "ui/app.py",
        "%2Fetc%2Fpasswd",
        "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%252e%252e/README.md",
        "//etc/passwd",
        "file:///etc/passwd",
    ]
    routes = []
    for target in targets:
        routes += [f"/file={target}", f"/gradio_api/file={target}"]
    routes += [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../../../etc/passwd",
        "/assets/../../../../etc/passwd",
        "/gradio_api/static/../../../../etc/passwd",
        "/seeds/" + SEED_ID,
        "/README.md",
        "/index/manifest.json",
        "/data/feedback.jsonl",
    ]
    return routes


def test_no_file_route_serves_a_file_of_the_disk(app: App) -> None:
    served = []
    for route in _file_routes(app):
        conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=15)
        conn.request("GET", route)  # sent as is: no client-side normalisation of `..`
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", errors="replace")
        conn.close()
        leaked = [name for name, secret in SECRETS.items() if secret in body]
        if resp.status < 400 or leaked:
            served.append((route, resp.status, leaked))
    assert served == []


def test_the_page_and_its_config_name_no_local_path(app: App) -> None:
    for route in ("/", "/config", "/gradio_api/info"):
        conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=15)
        conn.request("GET", route)
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", errors="replace")
        conn.close()
        assert resp.status == 200, route
        for path in (str(ROOT), str(app.index_dir), str(app.data_dir), str(SEEDS.resolve())):
            assert path not in body, (route, path)


def test_the_status_line_names_folders_without_their_path(seed_index: rag.Index, tmp_path: Path) -> None:
    from ui.backend import Backend

    backend = Backend(SEEDS.resolve(), seed_index.path, tmp_path / "data")
    backend.prepare(log=False)
    assert backend.error is None and backend.status.startswith("Ready")
    assert "seeds/" in backend.status
    for path in (str(ROOT), str(SEEDS.resolve()), str(seed_index.path)):
        assert path not in backend.status
