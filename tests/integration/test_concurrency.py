"""Threads and processes share an index and the feedback log without changing any result or losing a line."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from support import KNOWN, OFF_TOPIC, ROOT, assert_exact, child_env, copy_seeds, write_articles

import rag
from rag import build as build_module
from ui.feedback import append_feedback

QUESTIONS = (
    [q for q, _ in KNOWN]
    + OFF_TOPIC
    + [
        "What did Zelenskiy write on Twitter?",
        "Was sagte Biden?",
        "<script>alert(1)</script> Geneva?",
        "x" * 5000,
    ]
)


def _key(a: rag.Answer) -> dict[str, Any]:
    d = a.to_dict()
    d["confidence"] = round(d["confidence"], 3)
    d["passages"] = [(p["doc_id"], p["start"], p["end"], p["text"], round(p["score"], 3)) for p in d["passages"]]
    return d


def test_eight_threads_get_the_same_answers_as_one(seed_index: rag.Index) -> None:
    expected = {q: _key(seed_index.answer(q)) for q in QUESTIONS}
    barrier = threading.Barrier(8)

    def worker(n: int) -> list[tuple[str, rag.Answer]]:
        order = list(QUESTIONS)
        random.Random(n).shuffle(order)
        barrier.wait()
        return [(q, seed_index.answer(q)) for q in order]

    with ThreadPoolExecutor(8) as pool:
        results = [pair for batch in pool.map(worker, range(8)) for pair in batch]
    assert len(results) == 8 * len(QUESTIONS)
    for q, a in results:
        assert _key(a) == expected[q], q
        assert_exact(seed_index, a)


def test_eight_threads_on_a_missing_index_build_it_once_and_all_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    builds: list[int] = []
    real_build = build_module.build

    def counting_build(*args: Any, **kwargs: Any) -> build_module.BuildReport:
        builds.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(build_module, "build", counting_build)
    barrier = threading.Barrier(8)

    def worker(n: int) -> rag.Answer:
        barrier.wait()
        return rag.answer(QUESTIONS[n % 3], sources=sources, index_dir=index_dir)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(worker, range(8)))
    assert len(builds) == 1
    index = rag.load_index(index_dir)
    for n, a in enumerate(answers):
        assert a.found and KNOWN[n % 3][1] in a.text
        assert_exact(index, a)


def test_loading_while_another_thread_rebuilds_never_reports_a_sound_index_as_damaged(tmp_path: Path) -> None:
    a_dir, b_dir = copy_seeds(tmp_path / "a"), copy_seeds(tmp_path / "b")
    write_articles(b_dir, 1, sentences=3)
    index_dir = tmp_path / "index"
    rag.build_index(a_dir, index_dir)
    rag.build_index(b_dir, index_dir)  # both folders' vectors are now reusable: each rebuild is quick
    stop = threading.Event()
    errors: list[str] = []
    loads = 0

    def reader() -> None:
        nonlocal loads
        while not stop.is_set():
            try:
                index = rag.load_index(index_dir)
                loads += 1
            except rag.RagError as exc:
                errors.append(str(exc))
                continue
            a = index.answer("In which city will the talks take place?")
            assert_exact(index, a)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(16):
            rag.build_index(a_dir if i % 2 else b_dir, index_dir)
    finally:
        stop.set()
        thread.join()
    assert loads > 0 and errors == []


# ---------------------------------------------------------------------------- feedback log

_WRITER = """
import sys
from ui.feedback import append_feedback
folder, proc = sys.argv[1], sys.argv[2]
for i in range(50):
    append_feedback(folder, {"writer": "proc-" + proc, "i": i, "text": "two\\nlines\\u2028sep\\x85" + "p" * 70000})
"""


def test_feedback_from_threads_and_processes_at_once_keeps_every_line(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(n)], cwd=ROOT, env=child_env())
        for n in range(4)
    ]

    def write(worker: int) -> None:
        for i in range(50):
            append_feedback(tmp_path, {"writer": f"thread-{worker}", "i": i, "text": "é\n\r\u2029" + "t" * (i * 1500)})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    assert all(p.wait(timeout=120) == 0 for p in procs)
    raw = (tmp_path / "feedback.jsonl").read_bytes()
    lines = raw.split(b"\n")
    assert lines[-1] == b""  # ends with a newline: no torn last line
    records = [json.loads(line) for line in lines[:-1]]  # every line parses on its own
    assert len(records) == 8 * 50 + 4 * 50
    writers = {(r["writer"], r["i"]) for r in records}
    assert writers == {(f"thread-{w}", i) for w in range(8) for i in range(50)} | {
        (f"proc-{p}", i) for p in range(4) for i in range(50)
    }
    assert all(r["text"].startswith(("two\nlines\u2028sep\x85", "é\n\r\u2029")) for r in records)
    assert len(raw.decode("utf-8").splitlines()) == len(records)  # no stray line breaks for str.splitlines either
