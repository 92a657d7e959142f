"""Many concurrent API clients against the running app (`python -m ui`); every answer right, none dropped.

CI runs the small default (LOAD_CLIENTS=8, LOAD_QUESTIONS=5); the full run is
`LOAD_CLIENTS=32 LOAD_QUESTIONS=20 pytest -m load -s tests/web/test_load.py`.
"""

from __future__ import annotations

import os
import shutil
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from support import KNOWN, OFF_TOPIC, RunningApp, copy_seeds

import rag

pytestmark = [pytest.mark.load, pytest.mark.slow]

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "8"))
QUESTIONS = int(os.environ.get("LOAD_QUESTIONS", "5"))
MIX: list[tuple[str, str | None]] = [*KNOWN, *((q, None) for q in OFF_TOPIC)]  # None: must be refused


@pytest.fixture(scope="module")
def running_app(tmp_path_factory: pytest.TempPathFactory, seed_index: rag.Index) -> Iterator[RunningApp]:
    """`python -m ui` serving a copy of the session's seed index (it loads, not rebuilds, it)."""
    tmp = tmp_path_factory.mktemp("load")
    shutil.copytree(seed_index.path, tmp / "index")
    app = RunningApp(tmp / "index", copy_seeds(tmp / "seeds"), tmp / "data", tmp / "app.log")
    try:
        app.wait_ready()
        yield app
    finally:
        app.stop()


def test_concurrent_clients_all_get_right_answers_and_none_is_dropped(running_app: RunningApp) -> None:
    from gradio_client import Client

    with ThreadPoolExecutor(CLIENTS) as pool:
        clients = list(pool.map(lambda _: Client(running_app.url, verbose=False), range(CLIENTS)))
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def session(n: int) -> int:
        client, done = clients[n], 0
        barrier.wait()
        for i in range(QUESTIONS):
            question, phrase = MIX[(n + i) % len(MIX)]
            t0 = time.perf_counter()
            try:
                r = client.predict(question, api_name="/answer")
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    failures.append(f"{question!r}: {type(exc).__name__}: {exc}")
                continue
            seconds = time.perf_counter() - t0
            ok = (r["found"] and phrase in r["text"]) if phrase is not None else not r["found"]
            with lock:
                latencies.append(seconds)
                if not ok:
                    failures.append(f"{question!r}: wrong answer {r['found']} {r['text'][:80]!r}")
            done += 1
        return done

    t0 = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        answered = sum(pool.map(session, range(CLIENTS)))
    wall = time.perf_counter() - t0
    latencies.sort()
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] if latencies else float("nan")
    rss = psutil.Process(running_app.proc.pid).memory_info().rss / 2**20
    print(
        f"\nload: {CLIENTS} clients x {QUESTIONS} questions = {CLIENTS * QUESTIONS} requests in {wall:.1f} s "
        f"({CLIENTS * QUESTIONS / wall:.1f}/s); p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000 if latencies else float('nan'):.0f} ms; {len(failures)} errors; app RSS {rss:.0f} MiB"
    )
    assert failures == []
    assert answered == len(latencies) == CLIENTS * QUESTIONS
    assert running_app.proc.poll() is None, "the app died under load"
    assert not Path(running_app.log.parent / "data" / "feedback.jsonl").exists()
