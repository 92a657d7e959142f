"""Article changes from the web chat (`ui.uploads`): added through `rag.add`, broken files refused with the reason,
a failed build undone, a removal; each one audited with its sha256 and size, and traceable from an answer."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest
from support import SEED_ID, SEEDS

import rag
from rag.access import audit_trail, read_events
from ui.backend import Backend
from ui.signin import Caller
from ui.uploads import Articles, Upload

EDITOR = Caller("ed", "editor", "127.0.0.1")
GOOD = "date 2022-03-01 The harbour of Velmar was closed on Monday after a storm wrecked the northern pier.\n"
NEWER = "date 2022-03-03 The harbour of Velmar reopened on Thursday once the northern pier was repaired.\n"


@pytest.fixture
def articles(tmp_path: Path, seed_index: rag.Index) -> Articles:
    sources, index_dir = tmp_path / "seeds", tmp_path / "index"
    shutil.copytree(SEEDS, sources)
    shutil.copytree(seed_index.path, index_dir)
    (tmp_path / "uploads").mkdir()
    return Articles(Backend(sources, index_dir, tmp_path / "data"), tmp_path / "uploads")


def _uploaded(articles: Articles, name: str, data: bytes) -> Upload:
    """A file as Gradio keeps an upload: in a folder of its own under the upload folder."""
    folder = articles.upload_root / hashlib.sha256(data + name.encode()).hexdigest()[:16]
    folder.mkdir()
    (folder / name).write_bytes(data)
    return Upload(str(folder / name), name)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_good_file_is_added_and_a_broken_one_refused_with_the_reason(articles: Articles):
    good, broken = GOOD.encode(), b"\x00\x01\x02 not text \xff\xfe" * 50
    report = articles.add([_uploaded(articles, "velmar.txt", good), _uploaded(articles, "broken.html", broken)], EDITOR)
    outcomes = {f.name: f for f in report.files}
    assert outcomes["velmar.txt"].action == "add" and outcomes["velmar.txt"].articles == ("velmar.txt",)
    assert outcomes["broken.html"].action == "refuse" and outcomes["broken.html"].reason.startswith("skipped:")
    assert sorted(p.name for p in articles.backend.sources.iterdir()) == sorted([SEED_ID, "velmar.txt"])
    assert list(articles.upload_root.iterdir()) == []  # the uploads are deleted once handled

    index = articles.backend.index()
    assert sorted(index.doc_ids) == sorted([SEED_ID, "velmar.txt"])
    answer = index.answer("Why was the harbour of Velmar closed?")
    assert answer.found and answer.doc_id == "velmar.txt" and "storm" in answer.text

    lines = articles.audit_log.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert [(e["user"], e["action"], e["file"]) for e in events] == [
        ("ed", "refuse", "broken.html"),
        ("ed", "add", "velmar.txt"),
    ]
    assert (events[1]["sha256"], events[1]["size"]) == (_sha(good), len(good))
    assert (events[0]["sha256"], events[0]["size"]) == (_sha(broken), len(broken))
    # the quote's citation traces back to the line that brought its article in
    trail = audit_trail(answer.doc_id, articles.audit_log, index)
    assert trail.source is not None and trail.source.sha256 == _sha(good) and trail.source.action == "add"
    assert audit_trail(SEED_ID, articles.audit_log, index).source is None  # came with the source folder


def test_a_clash_needs_replace_and_the_trail_follows_the_indexed_version(articles: Articles):
    articles.add([_uploaded(articles, "velmar.txt", GOOD.encode())], EDITOR)
    refused = articles.add([_uploaded(articles, "velmar.txt", NEWER.encode())], EDITOR)
    assert refused.files[0].action == "refuse" and "tick “Replace”" in refused.files[0].reason
    assert (articles.backend.sources / "velmar.txt").read_text(encoding="utf-8") == GOOD

    replaced = articles.add([_uploaded(articles, "velmar.txt", NEWER.encode())], EDITOR, replace=True)
    assert replaced.files[0].action == "replace"
    index = articles.backend.index()
    trail = audit_trail("velmar.txt", articles.audit_log, index)
    assert trail.source is not None and trail.source.action == "replace" and trail.source.sha256 == _sha(NEWER.encode())
    assert [e.action for e in trail.events] == ["add", "refuse", "replace"]


def test_a_failed_build_leaves_the_folder_and_the_index_as_they_were(articles: Articles, monkeypatch):
    articles.add([_uploaded(articles, "velmar.txt", GOOD.encode())], EDITOR)
    before = {p.name: p.read_bytes() for p in articles.backend.sources.iterdir()}
    manifest = (articles.backend.index_dir / "manifest.json").read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full (made up by the test)")

    monkeypatch.setattr(sys.modules["rag.build"], "build", crash)  # what rag.add calls after copying
    report = articles.add(
        [
            _uploaded(articles, "velmar.txt", NEWER.encode()),
            _uploaded(articles, "ferry.txt", b"date 2022-03-04 A ferry sailed.\n"),
        ],
        EDITOR,
        replace=True,
    )
    assert report.error is not None and "disk full" in report.error and "as they were" in report.error
    assert {p.name: p.read_bytes() for p in articles.backend.sources.iterdir()} == before
    assert (articles.backend.index_dir / "manifest.json").read_bytes() == manifest
    events, _ = read_events(articles.audit_log)
    assert [(e.action, e.file) for e in events[-2:]] == [("refuse", "velmar.txt"), ("refuse", "ferry.txt")]


def test_a_removed_file_leaves_the_index_and_is_audited(articles: Articles):
    articles.add([_uploaded(articles, "velmar.txt", GOOD.encode())], EDITOR)
    assert "velmar.txt" in articles.files()
    report = articles.remove("velmar.txt", EDITOR)
    assert report.files[0].action == "remove"
    assert not (articles.backend.sources / "velmar.txt").exists()
    assert list(articles.backend.index().doc_ids) == [SEED_ID]
    last = read_events(articles.audit_log)[0][-1]
    assert (last.action, last.file, last.sha256, last.size) == ("remove", "velmar.txt", _sha(GOOD.encode()), len(GOOD))
    with pytest.raises(ValueError, match="no article file"):
        articles.remove("velmar.txt", EDITOR)
