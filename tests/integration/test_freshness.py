"""Answers follow the source folder: an edited, added, removed or broken article is seen before the next answer."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from support import GENEVA_Q, SEED_ID, assert_exact, copy_seeds, write_articles

import rag
from rag import build, chunking, dates, lexical, store
from rag.sources import READING_VERSION, text_files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sources, index folder): the seeds plus two made-up articles, indexed once for the module (copy them)."""
    root = tmp_path_factory.mktemp("freshness")
    sources = copy_seeds(root / "seeds")
    write_articles(sources, 2, sentences=3)
    rag.build_index(sources, root / "index")
    return sources, root / "index"


@pytest.fixture
def live(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of `built` answering through the default path (freshness goes by content: nothing is re-embedded)."""
    sources, index_dir = shutil.copytree(built[0], tmp_path / "seeds"), shutil.copytree(built[1], tmp_path / "index")
    a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
    assert a.found and "Geneva" in a.text
    return sources, index_dir


def _assert_served_from_the_file(sources: Path, a: rag.Answer) -> None:
    if a.found:
        assert a.doc_id is not None
        assert (sources / a.doc_id).read_text(encoding="utf-8")[a.start : a.end] == a.text
    for p in a.passages:
        assert (sources / p.doc_id).read_text(encoding="utf-8")[p.start : p.end] == p.text


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    path = sources / SEED_ID
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Geneva", "Lisbon"), encoding="utf-8")  # same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p`, `rsync -t` or `tar x` would leave it
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
    assert a.found and "Lisbon" in a.text and "Geneva" not in a.text
    _assert_served_from_the_file(sources, a)


def test_a_file_replaced_by_rename_with_the_same_size_and_mtime_is_still_seen(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    path = sources / SEED_ID
    st = path.stat()
    new = sources / ".edit.tmp"
    new.write_text(path.read_text(encoding="utf-8").replace("Geneva", "Vienna"), encoding="utf-8")
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, path)  # how editors save
    a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
    assert a.found and "Vienna" in a.text
    _assert_served_from_the_file(sources, a)


def test_quick_successive_edits_are_each_seen(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    path = sources / SEED_ID
    original = path.read_text(encoding="utf-8")
    for city in ("Lisbon", "Vienna", "Bogota"):
        path.write_text(original.replace("Geneva", city), encoding="utf-8")
        a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
        assert a.found and city in a.text and "Geneva" not in a.text
        _assert_served_from_the_file(sources, a)


def test_an_added_article_is_answered_and_a_removed_one_is_never_quoted(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    (sources / "later.txt").write_text(
        "date 2022-01-12 The grain corridor through the port of Odesa reopened on Wednesday, the port authority said.\n",
        encoding="utf-8",
    )
    question = "When did the grain corridor through Odesa reopen?"
    a = rag.answer(question, sources=sources, index_dir=index_dir)
    assert a.found and a.doc_id == "later.txt" and "Wednesday" in a.text
    (sources / "later.txt").unlink()
    a = rag.answer(question, sources=sources, index_dir=index_dir)
    assert a.doc_id != "later.txt" and all(p.doc_id != "later.txt" for p in a.passages)
    assert "later.txt" not in rag.load_index(index_dir).doc_ids
    _assert_served_from_the_file(sources, a)


def test_an_article_turned_into_garbage_is_no_longer_quoted(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    (sources / SEED_ID).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    with pytest.warns(UserWarning, match=SEED_ID):
        a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
    assert a.doc_id != SEED_ID and all(p.doc_id != SEED_ID for p in a.passages)
    _assert_served_from_the_file(sources, a)


def test_when_every_article_is_deleted_nothing_deleted_is_quoted(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    for path in sources.iterdir():
        path.unlink()
    with pytest.raises(rag.SourceError, match="no .txt or .md files"):
        rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)


def test_without_a_source_folder_the_index_is_served_as_it_is(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    shutil.rmtree(sources)  # a deployment that ships only the index
    a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
    assert a.found and "Geneva" in a.text
    assert_exact(rag.load_index(index_dir), a)


def test_index_settings_that_differ_rebuild_the_index(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    rag.answer("Who is Zelenskiy?", sources=sources, index_dir=index_dir)
    settings = rag.Settings(chunk_size=300, chunk_overlap=50)
    rag.answer("Who is Zelenskiy?", sources=sources, index_dir=index_dir, settings=settings)
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["settings"]["chunk_size"] == 300


def _vocabulary(index_dir: Path) -> set[str]:
    return {t for p in index_dir.glob("seg-*/terms/vocab.json") for t in json.loads(p.read_text())}


def _older(old_rules: pytest.MonkeyPatch, key: str, version: int) -> None:
    """Build as under rules of another version: the manifest records `version` under `key`."""
    old_rules.setitem(store.RULE_VERSIONS, key, replace(store.RULE_VERSIONS[key], version=version))


def test_an_index_made_under_older_word_rules_is_rewritten_without_embedding_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    with monkeypatch.context() as old_rules:  # version 1: "US" was the pronoun "us"
        old_rules.setattr(lexical, "_LOOKALIKES", lexical.STOPWORDS)
        _older(old_rules, "terms_version", 1)
        rag.build_index(sources, index_dir)
    assert "US" not in _vocabulary(index_dir) and "us" in _vocabulary(index_dir)  # "US President Joe Biden"
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert store.stale_reason(manifest, sources, rag.Settings()) == "the word rules changed (rag.lexical.TERMS_VERSION)"
    assert store.stale_reason(manifest, tmp_path / "no-sources", rag.Settings()) is None  # served as it is

    report = rag.build_index(sources, index_dir).report
    assert report is not None and report.how == "compacted" and report.embedded_units == 0
    assert "US" in _vocabulary(index_dir)
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["terms_version"] == lexical.TERMS_VERSION
    assert store.stale_reason(manifest, sources, rag.Settings()) is None
    a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
    assert a.found and "Geneva" in a.text
    assert_exact(rag.load_index(index_dir), a)


def _cut_by_paragraph(doc: rag.Document) -> list[chunking.Span]:
    """Units as older rules might have cut them: one per paragraph of the body."""
    spans, at = [], doc.body_start
    for block in doc.text[doc.body_start :].split("\n\n"):
        if block.strip():
            spans.append(chunking.Span(doc.doc_id, at, at + len(block), block))
        at += len(block) + 2
    return spans


def test_an_index_cut_under_older_sentence_rules_is_cut_and_embedded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    with monkeypatch.context() as old_rules:
        old_rules.setattr(chunking, "sentence_units", _cut_by_paragraph)
        _older(old_rules, "units_version", 0)
        rag.build_index(sources, index_dir)
    old_units = len(rag.load_index(index_dir)._data.units)
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert store.stale_reason(manifest, sources, rag.Settings()) == (
        "the sentence rules changed (rag.chunking.UNITS_VERSION)"
    )
    assert store.stale_reason(manifest, tmp_path / "no-sources", rag.Settings()) is None  # served as it is

    # every stored vector belongs to a paragraph, not a sentence: none can be reused
    report = rag.build_index(sources, index_dir).report
    index = rag.load_index(index_dir)
    cut = chunking.sentence_units(index.document(SEED_ID))
    assert report is not None and report.how == "new" and report.reembedded == (SEED_ID,)
    assert report.embedded_units == len(cut) > old_units
    assert [(u.start, u.end) for u in index._data.units] == [(u.start, u.end) for u in cut]
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["units_version"] == chunking.UNITS_VERSION
    assert store.stale_reason(manifest, sources, rag.Settings()) is None
    a = index.answer(GENEVA_Q)
    assert a.found and "Geneva" in a.text
    assert_exact(index, a)


def test_an_index_dated_under_older_date_rules_resolves_again_without_embedding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    with monkeypatch.context() as old_rules:  # rules that resolved nothing
        old_rules.setattr(build, "find_time_expressions", lambda text, reference: [])
        _older(old_rules, "events_version", 0)
        rag.build_index(sources, index_dir)
    assert len(rag.load_index(index_dir)._data.events) == 0
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert store.stale_reason(manifest, sources, rag.Settings()) == (
        "the date rules changed (rag.dates.EVENTS_VERSION)"
    )

    report = rag.build_index(sources, index_dir).report
    assert report is not None and report.how == "compacted" and report.embedded_units == 0
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["events_version"] == dates.EVENTS_VERSION
    assert store.stale_reason(manifest, sources, rag.Settings()) is None
    a = rag.load_index(index_dir).answer("When did Biden speak with Zelenskiy?")
    assert a.found and a.events and a.events[0].first == "2022-01-02"  # "on Sunday", of Tuesday 4 January
    assert_exact(rag.load_index(index_dir), a)


def test_an_index_made_under_older_reading_rules_reads_its_files_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    (sources / "2022-01-11-later.txt").write_text("Talks continued in Brussels on Wednesday.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    with monkeypatch.context() as old_rules:  # version 1: a file's name did not date it
        old_rules.setattr(text_files, "_NAME_DAY", re.compile("(?!)"))
        _older(old_rules, "reading_version", 1)
        rag.build_index(sources, index_dir)
    assert rag.load_index(index_dir).document("2022-01-11-later.txt").date is None
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert store.stale_reason(manifest, sources, rag.Settings()) == (
        "the reading rules changed (rag.sources.READING_VERSION)"
    )

    report = rag.build_index(sources, index_dir).report
    assert report is not None and report.changed == ("2022-01-11-later.txt",) and report.embedded_units == 1
    index = rag.load_index(index_dir)
    assert index.document("2022-01-11-later.txt").date == "2022-01-11"
    assert index.document(SEED_ID).date == "2022-01-04"  # read the same: kept as it was
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["reading_version"] == READING_VERSION
    assert store.stale_reason(manifest, sources, rag.Settings()) is None
    a = index.answer("Where did talks continue?")
    assert a.found and a.date == "2022-01-11" and a.events and a.events[0].first == "2022-01-05"
    assert_exact(index, a)
