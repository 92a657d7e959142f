"""`rag watch` under churn: files added, rewritten and removed while clients ask questions (marked slow).

Size: RAG_CHURN_OPS file operations (default 500, 100 when CI is set) and RAG_CHURN_CLIENTS
clients (default 8).
"""

from __future__ import annotations

import os
import random
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from source_helpers import (
    WAIT_SECONDS,
    IndexObserver,
    Watching,
    convoy_article,
    watch_processes,
    write_atomically,
    write_slowly,
)
from support import assert_exact

import rag
from rag import api, store
from rag.config import Settings


def _churn_size() -> tuple[int, int]:
    """(file operations, clients): RAG_CHURN_OPS / RAG_CHURN_CLIENTS, smaller by default under CI."""
    ops = int(os.environ.get("RAG_CHURN_OPS", "100" if os.environ.get("CI") else "500"))
    return ops, int(os.environ.get("RAG_CHURN_CLIENTS", "8"))


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Callable[..., Watching]]:
    """Start `rag watch` processes; each is stopped after the test."""
    with watch_processes(tmp_path) as start:
        yield start


@pytest.mark.slow
def test_watch_under_churn_every_answer_quotes_a_whole_version_of_its_file(
    tmp_path: Path, watching: Callable[..., Watching]
) -> None:
    """Files added, rewritten (atomically or slowly in place) and removed while clients ask questions.

    What is asserted of every answer, and why: the index an answer comes from is a snapshot, and
    files change under it, so "the file as it is now" cannot be required. What can and must hold:
    the quote obeys the offset rule in that index, and the quoted article's whole indexed text is
    one complete version a producer wrote to that file (never a piece of a version being written).
    Each version is recorded before its first byte is written. After the churn the index settles to
    exactly the files on disk.
    """
    n_ops, n_clients = _churn_size()
    sources, index_dir = tmp_path / "sources", tmp_path / "index"
    sources.mkdir()
    rng = random.Random(11)
    versions: dict[str, set[str]] = {}
    live: dict[str, int] = {}  # file -> its convoy number
    lock = threading.Lock()

    def write(name: str, i: int, version: int) -> None:
        text = convoy_article(i, version)
        with lock:
            versions.setdefault(name, set()).add(text)
        if rng.random() < 0.3:
            write_slowly(sources / name, text, pieces=2, pause=0.1)
        else:
            write_atomically(sources / name, text)

    for i in range(20):
        write(f"convoy-{i:03d}.txt", i, 0)
        live[f"convoy-{i:03d}.txt"] = i
    w = watching(sources, index_dir, settle=0.5)
    w.wait_for(r"updated in ")

    writing = threading.Event()
    writing.set()
    errors: list[str] = []
    answered: list[int] = []

    def producer() -> None:
        next_i = 20
        try:
            for op in range(n_ops):
                kind = rng.random()
                with lock:
                    names = sorted(live)
                if kind < 0.35 or len(names) < 5:
                    name = f"convoy-{next_i:03d}.txt"
                    write(name, next_i, 0)
                    with lock:
                        live[name] = next_i
                    next_i += 1
                elif kind < 0.8:
                    name = rng.choice(names)
                    write(name, live[name], op + 1)
                else:
                    name = rng.choice(names)
                    with lock:
                        del live[name]
                    (sources / name).unlink()
                time.sleep(0.01)
        except Exception as exc:  # reported by the test below
            errors.append(f"producer: {exc!r}")
        finally:
            writing.clear()

    def client(n: int) -> None:
        asked = 0
        crng = random.Random(n)
        while writing.is_set() or asked < 2:
            with lock:
                i = crng.choice(sorted(live.values()) or [0])
            question = f"How many tonnes of flour did convoy {i} carry to depot {crng.randrange(3)}?"
            try:
                index = api.ensure_index(sources, index_dir)
                a = index.answer(question)
                assert_exact(index, a)
                for doc_id in {a.doc_id, *(p.doc_id for p in a.passages)} - {None}:
                    text = index.document(str(doc_id)).text
                    with lock:
                        known = versions.get(str(doc_id), set())
                    assert text in known, f"{doc_id} indexed as a text no producer wrote whole: {text!r}"
            except Exception as exc:  # every failure is collected and reported
                # with its last frames: a race met once in many runs must be traceable from one log
                frames = "".join(traceback.format_tb(exc.__traceback__)[-3:])
                errors.append(f"client {n}: {question}: {exc!r}\n{frames}")
            asked += 1
            answered.append(n)

    threads = [threading.Thread(target=producer)] + [
        threading.Thread(target=client, args=(n,)) for n in range(n_clients)
    ]
    observer = IndexObserver(index_dir)
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=3 * WAIT_SECONDS)
    observer.stop()
    assert not any(t.is_alive() for t in threads), "a client or the producer hangs"
    print(
        f"churn: {n_ops} file operations, {len(answered)} answers by {n_clients} clients in "
        f"{time.monotonic() - t0:.0f} s; {observer.loads} index versions observed, {len(observer.errors)} refused"
    )
    assert errors == []
    assert len(answered) >= 2 * n_clients and set(answered) == set(range(n_clients))
    # no index any reader loaded held a piece of a version
    assert all(observer.texts[doc_id] <= versions[doc_id] for doc_id in observer.texts)

    # the index settles to exactly the files on disk
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        index = rag.load_index(index_dir)
        if store.stale_reason(index.manifest, sources, Settings()) is None:
            break
        assert time.monotonic() < deadline, "the watched index never caught up"
        time.sleep(0.5)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in sources.glob("*.txt")}
    assert set(index.doc_ids) == set(on_disk)
    assert all(index.document(name).text == text for name, text in on_disk.items())
    assert w.stop() == 0 and "Traceback" not in w.output() and "update failed" not in w.output()
