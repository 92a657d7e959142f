"""The Python API contract, on the real model and the real seed article."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import support

import rag

ACCEPTANCE = [
    ("How many troops are massed near the border?", "100,000 troops"),
    ("In which city will the talks take place?", "Geneva"),
    ("Who issued the White House statement after the call?", "Jen Psaki"),
]


def assert_exact(index: rag.Index, a: rag.Answer) -> None:
    """The offset rule for an answer and each of its passages, and the quote's length limit."""
    support.assert_exact(index, a)
    assert len(a.text) <= index.settings.max_quote_chars or not a.found


@pytest.mark.parametrize("question, phrase", ACCEPTANCE)
def test_acceptance_questions_quote_the_answer(seed_index, question, phrase):
    a = seed_index.answer(question)
    assert a.found, a
    assert phrase in a.text
    assert a.date == "2022-01-04"
    assert_exact(seed_index, a)


def test_off_topic_question_is_refused(seed_index):
    a = seed_index.answer("What is the boiling point of water?")
    assert not a.found
    assert "don't say" in a.text
    assert_exact(seed_index, a)


def test_highlight_pinpoints_the_answering_phrase(seed_index):
    a = seed_index.answer("How many troops are massed near the border?")
    assert a.highlight is not None
    assert "100,000" in a.text[a.highlight[0] : a.highlight[1]]
    a = seed_index.answer("In which city will the talks take place?")
    assert a.highlight is not None and a.text[a.highlight[0] : a.highlight[1]] == "Geneva"


def test_passages_are_best_first_deduplicated_and_exact(seed_index):
    a = seed_index.answer("What did Zelenskiy write on Twitter?", k=4)
    assert 1 <= len(a.passages) <= 4
    scores = [p.score for p in a.passages]
    assert scores == sorted(scores, reverse=True)
    assert len({(p.doc_id, p.start, p.end) for p in a.passages}) == len(a.passages)
    assert_exact(seed_index, a)
    assert all(p.date == "2022-01-04" and "dense" in p.signals for p in a.passages)


def test_document_text_is_the_file_content(seed_index, seed_dir):
    for doc_id in seed_index.doc_ids:
        assert seed_index.document(doc_id).text == (seed_dir / doc_id).read_bytes().decode("utf-8")


@pytest.mark.parametrize("bad", ["nope.txt", "../README.md", "/etc/passwd", "", None])
def test_unknown_document_raises_key_error(seed_index, bad):
    with pytest.raises(KeyError):
        seed_index.document(bad)


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_a_value_error(seed_index, question):
    with pytest.raises(ValueError, match="empty"):
        seed_index.answer(question)


def test_save_then_load_gives_identical_answers(seed_index):
    loaded = rag.load_index(seed_index.path)
    for q, _ in ACCEPTANCE + [("What is the boiling point of water?", "")]:
        assert loaded.answer(q) == seed_index.answer(q)


def test_index_folder_is_readable_and_versioned(seed_index):
    manifest = json.loads((seed_index.path / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["model"] == {"name": "sentence-transformers/all-MiniLM-L6-v2", "dimension": 384}
    assert manifest["settings"]["chunk_size"] == seed_index.settings.chunk_size
    data = seed_index.path / manifest["data"]
    rows = [json.loads(line) for line in (data / "units.jsonl").read_text().splitlines()]
    assert len(rows) == manifest["counts"]["units"]
    (sha,) = [s["sha256"] for s in manifest["sources"].values()]
    assert len(sha) == 64
    assert not list(seed_index.path.rglob("*.pkl")) and not list(seed_index.path.rglob("*.pickle"))


def test_load_missing_index_explains_how_to_build(tmp_path):
    with pytest.raises(rag.IndexNotFoundError, match="rag build") as info:
        rag.load_index(tmp_path / "none")
    assert isinstance(info.value, FileNotFoundError)


def test_missing_or_empty_source_folder_is_a_clear_error(tmp_path):
    with pytest.raises(rag.SourceError, match="not found"):
        rag.build_index(tmp_path / "missing", tmp_path / "index")
    (tmp_path / "empty").mkdir()
    with pytest.raises(rag.SourceError, match="no .txt or .md"):
        rag.build_index(tmp_path / "empty", tmp_path / "index")


def test_unreadable_files_are_skipped_with_a_warning_naming_them(seed_copy, tmp_path):
    (seed_copy / "latin1.txt").write_bytes("Caf\xe9 talks in Gen\xe8ve".encode("latin-1"))
    (seed_copy / "empty.md").write_text("")
    (seed_copy / "nested").mkdir()
    (seed_copy / "nested" / "other.md").write_text("date 2022-01-05 NATO ministers met in Brussels on Friday.\n")
    with pytest.warns(UserWarning) as record:
        index = rag.build_index(seed_copy, tmp_path / "index")
    messages = " | ".join(str(w.message) for w in record)
    assert "latin1.txt" in messages and "not UTF-8" in messages
    assert "empty.md" in messages and "empty" in messages
    assert "nested/other.md" in index.doc_ids
    assert set(index.report.skipped) == {"latin1.txt", "empty.md"}
    a = index.answer("Where did NATO ministers meet?")
    assert a.found and a.doc_id == "nested/other.md" and "Brussels" in a.text
    assert a.date == "2022-01-05"


def test_default_answer_rebuilds_when_a_source_changes(seed_copy, tmp_path):
    index_dir = tmp_path / "index"
    q = "In which city will the talks take place?"
    first = rag.answer(q, sources=seed_copy, index_dir=index_dir)
    assert "Geneva" in first.text
    path = next(seed_copy.glob("*.txt"))
    path.write_text(path.read_text(encoding="utf-8").replace("Geneva", "Vienna"), encoding="utf-8")
    second = rag.answer(q, sources=seed_copy, index_dir=index_dir)
    assert "Vienna" in second.text and "Geneva" not in second.text
    assert path.read_text(encoding="utf-8")[second.start : second.end] == second.text


def test_default_answer_rebuilds_when_a_source_is_added_or_removed(seed_copy, tmp_path):
    index_dir = tmp_path / "index"
    rag.answer("Who is Zelenskiy?", sources=seed_copy, index_dir=index_dir)
    (seed_copy / "later.txt").write_text("date 2022-01-10 Talks in Geneva ended without a breakthrough on Monday.\n")
    a = rag.answer("How did the Geneva talks end?", sources=seed_copy, index_dir=index_dir)
    assert a.found and a.doc_id == "later.txt"
    (seed_copy / "later.txt").unlink()
    assert (
        "later.txt" not in rag.load_index(index_dir).doc_ids
        or rag.answer("How did the Geneva talks end?", sources=seed_copy, index_dir=index_dir).doc_id != "later.txt"
    )
    assert "later.txt" not in rag.load_index(index_dir).doc_ids


def test_default_answer_rebuilds_when_index_settings_differ(seed_copy, tmp_path):
    index_dir = tmp_path / "index"
    rag.answer("Who is Zelenskiy?", sources=seed_copy, index_dir=index_dir)
    settings = rag.Settings(chunk_size=300, chunk_overlap=50)
    rag.answer("Who is Zelenskiy?", sources=seed_copy, index_dir=index_dir, settings=settings)
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["settings"]["chunk_size"] == 300


def test_committed_index_matches_the_seeds():
    root = Path(__file__).resolve().parent.parent
    index = rag.load_index(root / "index")
    from rag.store import stale_reason

    assert stale_reason(index.manifest, root / "seeds", rag.Settings()) is None


def test_build_is_atomic_when_it_fails_midway(seed_copy, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    rag.build_index(seed_copy, index_dir)
    before = (index_dir / "manifest.json").read_bytes()
    (seed_copy / "new.txt").write_text("date 2022-01-11 A new article about sanctions.\n")
    from rag.store import search

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(search, "make_bm25", boom)
    with pytest.raises(OSError, match="disk full"):
        rag.build_index(seed_copy, index_dir)
    assert (index_dir / "manifest.json").read_bytes() == before
    assert rag.load_index(index_dir).answer("In which city will the talks take place?").found
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]
    shutil.rmtree(index_dir)
