"""Issue 6: the web app listens on loopback only, never shares publicly, and caps the question at its boundary."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from support import SEEDS, assert_exact, free_port

import rag

ui_app = pytest.importorskip("ui.app")
ui_cli = pytest.importorskip("ui.cli")
gr = pytest.importorskip("gradio")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, int]]:
    """(demo, port) of the real app launched with the default host, in this process."""
    tmp = tmp_path_factory.mktemp("web-security")
    demo = ui_app.build_app(tmp / "index", SEEDS, tmp / "data")
    ui_app.prepare(demo, log=False, background=False)
    port = free_port()
    ui_app.launch(demo, port=port, block=False)  # no host given: the default must be loopback
    yield demo, port
    demo.close()


def _non_loopback_ipv4() -> list[str]:
    return [
        a.address
        for addrs in psutil.net_if_addrs().values()
        for a in addrs
        if a.family == socket.AF_INET and not a.address.startswith("127.")
    ]


def test_the_server_listens_on_loopback_only(app: tuple[Any, int]) -> None:
    _, port = app
    listening = [
        c.laddr.ip
        for c in psutil.Process(os.getpid()).net_connections("inet")
        if c.status == "LISTEN" and c.laddr.port == port
    ]
    assert listening and all(ip in ("127.0.0.1", "::1") for ip in listening), listening


def test_the_server_is_not_reachable_on_another_address_of_this_machine(app: tuple[Any, int]) -> None:
    _, port = app
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


def test_command_line_defaults_to_loopback_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert ui_cli.parse_args([], env={}).host == "127.0.0.1"
    with pytest.raises(SystemExit):
        ui_cli.parse_args(["--help"], env={})
    assert "127.0.0.1" in capsys.readouterr().out


def test_the_question_box_is_capped(app: tuple[Any, int]) -> None:
    demo, _ = app
    boxes = [c["props"] for c in demo.blocks.config["components"] if c.get("props", {}).get("elem_id") == "question"]
    assert len(boxes) == 1
    assert boxes[0]["max_length"] == ui_app.MAX_QUESTION_CHARS <= rag.Settings().max_question_chars


@pytest.mark.parametrize("size", [100_000, 5_000_000])
def test_a_huge_question_to_the_api_is_trimmed_with_a_notice(app: tuple[Any, int], size: int) -> None:
    _, port = app
    question = "In which city will the talks take place? " + "and " * (size // 4)
    r = _call_answer(port, question)
    assert r["notice"] and "trimmed" in r["notice"]
    assert len(r["question"]) <= rag.Settings().max_question_chars
    assert r["question"].startswith("In which city will the talks take place?")


def test_the_server_survives_a_lone_surrogate_and_answers_the_next_question(app: tuple[Any, int]) -> None:
    _, port = app
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
    r = _call_answer(port, "In which city will the talks take place?")
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


def test_an_api_answer_keeps_the_offset_rule(app: tuple[Any, int], seed_index: rag.Index) -> None:
    _, port = app
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
