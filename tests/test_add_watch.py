"""`rag add` and `rag watch` end to end: files copied in atomically, an index kept current, never a half-written article.

The watcher runs as a child process (`python -m rag watch`), as it would beside the web chat; this
process plays the chat (`rag.api.ensure_index`, as ui/backend.py calls it) and the producers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, SEEDS, assert_exact, child_env

import rag
from rag import api, store
from rag.chunking import sentence_units
from rag.cli import main
from rag.config import Settings
from rag.sources import copy_into

PAGES = ROOT / "tests" / "fixtures" / "ingest" / "pages"
DOCS = ROOT / "eval" / "ukraine_2022" / "docs"  # CC0, see eval/ukraine_2022/SOURCE.md
SEED_ID = "2022-01-04-biden-zelenskiy-call.txt"
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


# ----------------------------------------------------------------------------- rag add


def _export(path: Path, stems: list[str]) -> None:
    """A small JSONL export: the opening paragraph of each named article of eval/ukraine_2022/docs."""
    rows = []
    for stem in stems:
        text = (DOCS / f"{stem}.txt").read_text(encoding="utf-8")
        meta, body = rag.sources.parse_header(text)
        first = next(p for p in text[body:].split("\n\n") if len(p) > 100)
        rows.append({"id": stem, "date": meta["date"], "title": meta.get("title"), "text": first})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def seed_folder(tmp_path: Path) -> tuple[Path, Path]:
    """(sources, index): the seed article, indexed."""
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEEDS / SEED_ID, sources)
    rag.build_index(sources, tmp_path / "index")
    return sources, tmp_path / "index"


def test_rag_add_copies_files_in_and_embeds_only_their_articles(
    seed_folder: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources, index_dir = seed_folder
    export = tmp_path / "incoming" / "export.jsonl"
    export.parent.mkdir()
    _export(export, ["2022-04-20-qupuXkuek58", "2022-03-29-9VznmWF2Tpo"])
    page = PAGES / "04-date-in-url.html"
    args = ["--sources", str(sources), "--index", str(index_dir)]
    assert main(["add", str(page), str(export), *args]) == 0
    out = capsys.readouterr().out
    assert f"copied 04-date-in-url.html into {sources}" in out and f"copied export.jsonl into {sources}" in out
    assert "3 added, 0 changed, 0 removed, 1 reused" in out
    assert (sources / "export.jsonl").read_bytes() == export.read_bytes()
    assert (sources / "04-date-in-url.html").read_bytes() == page.read_bytes()
    assert [p.name for p in sources.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    index = rag.load_index(index_dir)
    new = ["04-date-in-url.html", "export.jsonl#2022-04-20-qupuXkuek58", "export.jsonl#2022-03-29-9VznmWF2Tpo"]
    units = sum(len(sentence_units(index.document(d))) for d in new)
    assert f"{units} units embedded" in out and f"3 articles ({units} sentences) embedded" in out
    a = index.answer("Which nuclear power plant did the occupier keep under fire all night?")
    assert a.found and a.doc_id == "04-date-in-url.html" and "Zaporizhzhya" in a.text
    assert_exact(index, a)

    # the same file again: nothing to copy, nothing to embed
    assert main(["add", str(export), *args]) == 0
    out = capsys.readouterr().out
    assert "export.jsonl is already in" in out and "0 units embedded" in out

    # other content under a name in use: refused unless --replace, and then only the changed line is embedded
    _export(export, ["2022-04-20-qupuXkuek58", "2022-04-30-7lAiBARJkzo"])
    before = (sources / "export.jsonl").read_bytes()
    assert main(["add", str(export), *args]) == 2
    err = capsys.readouterr().err
    assert "already exists with other content" in err and "--replace" in err
    assert (sources / "export.jsonl").read_bytes() == before
    assert main(["add", str(export), *args, "--replace"]) == 0
    out = capsys.readouterr().out
    assert "1 added, 0 changed, 1 removed" in out and (sources / "export.jsonl").read_bytes() == export.read_bytes()


@pytest.mark.parametrize(
    "name",
    ["../escape.txt", "/srv/escape.txt", "sub/escape.txt", ".hidden.txt", "..", "", "notes.pdf", "a\\b.txt"],
)
def test_rag_add_refuses_a_name_that_leaves_the_folder_or_is_no_article(tmp_path: Path, name: str) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    upload = tmp_path / "upload.bin"
    upload.write_text("date 2022-03-01 An article that must not land anywhere.\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(ValueError, match="cannot add") as info:
        rag.add([upload], sources, tmp_path / "index", names=[name])
    assert "rename" in str(info.value)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing written, no index


def test_rag_add_refuses_folders_missing_files_and_oversized_articles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    big = tmp_path / "big.txt"
    big.write_bytes(b"date 2022-03-01 " + b"word " * 300_000)
    args = ["--sources", str(sources), "--index", str(tmp_path / "index")]
    for path, needle in [(tmp_path, "not a regular file"), (tmp_path / "missing.txt", "No such file"), (big, "limit")]:
        assert main(["add", str(path), *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: cannot add") and needle in err and err.count("\n") == 1
    assert list(sources.iterdir()) == []


def test_a_copy_into_the_folder_is_never_seen_half_written(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    big = tmp_path / "big.jsonl"
    line = json.dumps({"id": "x", "text": "A line of an export. " * 40}) + "\n"
    big.write_text(line * 20_000, encoding="utf-8")  # ~17 MB: many write calls
    whole = hashlib.sha256(big.read_bytes()).hexdigest()
    seen: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            with contextlib.suppress(FileNotFoundError):  # not there yet
                seen.append(hashlib.sha256((sources / "big.jsonl").read_bytes()).hexdigest())

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        assert copy_into(sources, big, "big.jsonl") is True
        time.sleep(0.05)
    finally:
        done.set()
        thread.join()
    assert seen and set(seen) == {whole}


# ----------------------------------------------------------------------------- rag watch


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


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(sources: Path, index_dir: Path, settle: float = 0.5) -> Watching:
        w = Watching(sources, index_dir, tmp_path / f"watch-{len(started)}.log", settle)
        started.append(w)
        return w

    yield start
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


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Wire</title><link>https://harbour.example.org/</link>
<item><title>Tugboats return</title><link>https://harbour.example.org/tugs</link><guid>tugs-1</guid>
<pubDate>Tue, 08 Mar 2022 10:00:00 +0200</pubDate>
<description>Seven tugboats returned to the harbour of Velmar on Tuesday after the storm passed.</description></item>
<item><title>Lighthouse repaired</title><link>https://harbour.example.org/light</link><guid>light-1</guid>
<pubDate>Wed, 09 Mar 2022 10:00:00 +0200</pubDate>
<description>Engineers repaired the lighthouse of Ostrin in four days, the harbour master said.</description></item>
</channel></rss>
"""


def test_rag_watch_keeps_the_index_current_and_never_indexes_a_half_written_article(
    tmp_path: Path, watching: Callable[..., Watching]
) -> None:
    sources, index_dir = tmp_path / "sources", tmp_path / "index"
    sources.mkdir()
    shutil.copy(SEEDS / SEED_ID, sources)
    w = watching(sources, index_dir, settle=0.5)
    w.wait_for(r"updated in .*1 added \(" + re.escape(SEED_ID))
    observer = IndexObserver(index_dir)
    try:
        # added, by rename: indexed, and answered
        mark = len(w.output())
        write_atomically(sources / "convoy.txt", convoy_article(3, 1))
        w.wait_for(r"1 added \(convoy\.txt\)", mark)
        index = rag.load_index(index_dir)
        a = index.answer("How many tonnes of flour did convoy 3-1 carry to depot 2?")
        assert a.found and a.doc_id == "convoy.txt" and "130 tonnes" in a.text
        assert_exact(index, a)

        # changed by a slow producer writing in place: held back while it writes, indexed whole once done
        mark = len(w.output())
        write_slowly(sources / "convoy.txt", convoy_article(3, 2), pieces=4, pause=0.2)
        w.wait_for(r"1 changed \(convoy\.txt\)", mark)
        index = rag.load_index(index_dir)
        assert index.document("convoy.txt").text == convoy_article(3, 2)
        a = index.answer("How many tonnes of flour did convoy 3-2 carry to depot 2?")
        assert a.found and a.doc_id == "convoy.txt" and "131 tonnes" in a.text

        # a feed: one article per entry
        mark = len(w.output())
        write_atomically(sources / "harbour.rss", FEED)
        added = w.wait_for(r"2 added \(([^)]*)\)", mark).group(1)
        assert set(added.split(", ")) == {"harbour.rss#light-1", "harbour.rss#tugs-1"}
        index = rag.load_index(index_dir)
        a = index.answer("How many tugboats returned to the harbour of Velmar?")
        assert a.found and a.doc_id == "harbour.rss#tugs-1" and a.url == "https://harbour.example.org/tugs"
        assert a.source == "Harbour Wire"

        # removed: never quoted again
        mark = len(w.output())
        (sources / "convoy.txt").unlink()
        w.wait_for(r"1 removed \(convoy\.txt\)", mark)
        index = rag.load_index(index_dir)
        assert "convoy.txt" not in index.doc_ids
        a = index.answer("How many tonnes of flour did convoy 3-2 carry to depot 2?")
        assert a.doc_id != "convoy.txt" and all(p.doc_id != "convoy.txt" for p in a.passages)
    finally:
        observer.stop()
    # every text convoy.txt ever had in any index was a whole version, never a piece of one
    assert observer.texts["convoy.txt"] <= {convoy_article(3, 1), convoy_article(3, 2)}
    assert observer.loads >= 4 and observer.errors == []
    assert w.stop() == 0 and "stopped watching" in w.output()
    assert "Traceback" not in w.output()


def test_a_web_chat_beside_the_watcher_loads_its_index_and_builds_nothing_twice(
    tmp_path: Path, watching: Callable[..., Watching], monkeypatch: pytest.MonkeyPatch
) -> None:
    sources, index_dir = tmp_path / "sources", tmp_path / "index"
    sources.mkdir()
    shutil.copy(SEEDS / SEED_ID, sources)
    w = watching(sources, index_dir, settle=0.5)
    w.wait_for(r"updated in ")
    chat = api.ensure_index(sources, index_dir)  # the web chat's index, cached in this process
    assert chat.doc_ids == (SEED_ID,)
    builds: list[rag.build.BuildReport] = []
    real_build = rag.build.build

    def counting_build(*args: Any, **kwargs: Any) -> rag.build.BuildReport:
        report = real_build(*args, **kwargs)
        builds.append(report)
        return report

    monkeypatch.setattr(rag.build, "build", counting_build)

    # the watcher builds first: the chat's next question loads that index and builds nothing
    mark = len(w.output())
    write_atomically(sources / "convoy.txt", convoy_article(5, 1))
    w.wait_for(r"1 added \(convoy\.txt\)", mark)
    chat = api.ensure_index(sources, index_dir)
    assert "convoy.txt" in chat.doc_ids and builds == []

    # the chat asks first: one of the two builds the change, the other finds the index up to date
    mark = len(w.output())
    write_atomically(sources / "convoy.txt", convoy_article(5, 2))
    chat = api.ensure_index(sources, index_dir)
    assert chat.document("convoy.txt").text == convoy_article(5, 2)
    assert len(builds) == 1
    time.sleep(3.0)  # time for the watcher to react to the same change
    watcher_built = re.search(r"1 changed \(convoy\.txt\)", w.output()[mark:]) is not None
    assert watcher_built == (builds[0].how == "unchanged")  # exactly one of the two embedded it
    a = chat.answer("How many tonnes of flour did convoy 5-2 carry to depot 1?")
    assert a.found and a.doc_id == "convoy.txt" and "120 tonnes" in a.text


# ----------------------------------------------------------------------------- churn


def _churn_size() -> tuple[int, int]:
    """(file operations, clients): RAG_CHURN_OPS / RAG_CHURN_CLIENTS, smaller by default under CI."""
    ops = int(os.environ.get("RAG_CHURN_OPS", "100" if os.environ.get("CI") else "500"))
    return ops, int(os.environ.get("RAG_CHURN_CLIENTS", "8"))


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
                errors.append(f"client {n}: {question}: {exc!r}")
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
