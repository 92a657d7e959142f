"""`python -m ui`: builds a missing index, then serves the chat on loopback; its flags win over Gradio's variables."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from support import ROOT, free_port


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


@pytest.mark.slow
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
        assert f"building the index of {seed_dir.name}/" in out
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
