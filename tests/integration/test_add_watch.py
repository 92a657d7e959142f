"""`rag add` and `rag watch` end to end: files copied in atomically, an index kept current, never a half-written article.

The watcher runs as a child process (`python -m rag watch`), as it would beside the web chat; this
process plays the chat (`rag.api.ensure_index`, as ui/backend.py calls it) and the producers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from source_helpers import (
    DOCS,
    IndexObserver,
    Watching,
    convoy_article,
    watch_processes,
    write_atomically,
    write_slowly,
)
from support import ROOT, SEEDS, assert_exact

import rag
from rag import api
from rag.chunking import sentence_units
from rag.cli import main
from rag.sources import copy_into

PAGES = ROOT / "tests" / "fixtures" / "ingest" / "pages"
SEED_ID = "2022-01-04-biden-zelenskiy-call.txt"


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
    # the page's date comes from its address and the export's from their fields: the span shows them read
    assert out.rstrip().endswith("articles dated 2022-01-04 to 2022-04-20")
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


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Callable[..., Watching]]:
    """Start `rag watch` processes; each is stopped after the test."""
    with watch_processes(tmp_path) as start:
        yield start


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
