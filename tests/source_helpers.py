"""Helpers of the source-folder tests: articles as files and exports, producers, a watcher process, an observer.

Real text comes from eval/ukraine_2022/docs (the CC0 ukraine-2022-statements corpus, see
eval/ukraine_2022/SOURCE.md); the convoy articles are made up.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from support import ROOT, child_env

import rag
from rag.sources import parse_header

DOCS = ROOT / "eval" / "ukraine_2022" / "docs"
PLACES = ["Velmar", "Ostrin", "Karvel", "Doruna", "Seltic", "Marnow", "Tavik", "Orlesk", "Brenna", "Quillan"]
# generous: the machine may be shared, and every build embeds with the real model
WAIT_SECONDS = 600.0


def convoy_article(i: int, version: int) -> str:
    """A made-up dated article about convoy `i`, whose every sentence names its `version`."""
    place = PLACES[i % len(PLACES)]
    lines = [f"date 2022-03-{1 + i % 28:02d} Relief convoy {i} reached {place} on run {version}, officials said."]
    lines += [
        f"Convoy {i}-{version} carried {100 + 13 * j + i + version} tonnes of flour to depot {j} of {place}."
        for j in range(3)
    ]
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """How producers are told to write: a hidden name in the same folder, then one rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_slowly(path: Path, text: str, pieces: int = 3, pause: float = 0.2) -> None:
    """A producer that writes in place, in pieces, pausing between them: a file half-written for a while."""
    data = text.encode("utf-8")
    step = -(-len(data) // pieces)
    with path.open("wb") as fh:
        for start in range(0, len(data), step):
            fh.write(data[start : start + step])
            fh.flush()
            time.sleep(pause)


def export_record(stem: str, **extra: object) -> dict[str, object]:
    """One article of eval/ukraine_2022/docs as a line of a database export."""
    text = (DOCS / f"{stem}.txt").read_text(encoding="utf-8")
    meta, body = parse_header(text)
    return {
        "id": stem,
        "title": meta.get("title"),
        "date": meta.get("date"),
        "author": meta.get("source"),
        "source": "Statements export",
        "url": f"https://archive.example.org/{stem}",
        "text": text[body:],
        **extra,
    }


def write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


# (question, the article that answers it, a phrase of the quote)


def paragraph_records(count: int) -> list[dict[str, object]]:
    """`count` short real articles: single paragraphs (120-320 characters) of eval/ukraine_2022/docs."""
    per_doc = []
    for path in sorted(DOCS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        meta, body = parse_header(text)
        paragraphs = [p for p in text[body:].split("\n\n") if 120 <= len(p) <= 320]
        per_doc.append([(path.stem, meta, p) for p in paragraphs])
    records: list[dict[str, object]] = []
    for depth in range(max(len(p) for p in per_doc)):  # one paragraph of each article, then the next
        for stem, meta, paragraph in (p[depth] for p in per_doc if depth < len(p)):
            records.append(
                {
                    "id": f"p-{len(records):05d}",
                    "title": meta.get("title"),
                    "date": meta.get("date"),
                    "source": meta.get("source"),
                    "url": f"https://archive.example.org/{stem}#{depth}",
                    "text": paragraph,
                }
            )
    assert len(records) >= count
    return records[:count]


class Watching:
    """`python -m rag watch` in a child process, its output collected in a file."""

    def __init__(self, sources: Path, index_dir: Path, log: Path, settle: float) -> None:
        self.log = log
        self._fh = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rag", "watch", str(sources), "--index", str(index_dir), "--settle", str(settle)],
            cwd=ROOT,
            env=child_env(),
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def output(self) -> str:
        """What it printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, after: int = 0, timeout: float = WAIT_SECONDS) -> re.Match[str]:
        """The first match of `pattern` in the output past character `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output()[after:])
            if found:
                return found
            if self.proc.poll() is not None:
                raise RuntimeError(f"rag watch exited with {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.1)
        raise TimeoutError(f"no {pattern!r} after {timeout:.0f} s:\n{self.output()}")

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._fh.close()
        return self.proc.returncode


@contextlib.contextmanager
def watch_processes(log_dir: Path) -> Iterator[Callable[..., Watching]]:
    """`start(sources, index_dir, settle)` starts a `rag watch` process; each is stopped on the way out."""
    started: list[Watching] = []

    def start(sources: Path, index_dir: Path, settle: float = 0.5) -> Watching:
        w = Watching(sources, index_dir, log_dir / f"watch-{len(started)}.log", settle)
        started.append(w)
        return w

    try:
        yield start
    finally:
        for w in started:
            w.stop()


class IndexObserver:
    """Loads the index after every manifest swap and records each text it ever held per document id."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.texts: dict[str, set[str]] = {}
        self.loads = 0
        self.errors: list[str] = []  # loads refused although a manifest was there
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last = None
        while not self._stop.is_set():
            try:
                st = (self.index_dir / "manifest.json").stat()
                signature = (st.st_ino, st.st_mtime_ns)
                if signature != last:
                    index = rag.load_index(self.index_dir)
                    last = signature
                    self.loads += 1
                    for doc_id in index.doc_ids:
                        self.texts.setdefault(doc_id, set()).add(index.document(doc_id).text)
            except (OSError, rag.IndexNotFoundError):
                pass  # not built yet: look again
            except rag.RagError as exc:
                self.errors.append(str(exc))
            time.sleep(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
