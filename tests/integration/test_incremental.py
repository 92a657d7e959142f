"""Incremental update: only the edited article is embedded again, and the result equals a full rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rag
from bench.corpus import article, questions_from, seed_sentences, template_questions, write_corpus
from bench.incremental import _live_vectors, answer_key, check_update, unit_count

pytestmark = pytest.mark.slow  # the module's corpus is built and updated once: ~10 s in all

N_ARTICLES = 30
N_SENTENCES = 4


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A 30-article corpus indexed, then edited (one added, one changed, one removed) and updated."""
    tmp = tmp_path_factory.mktemp("incremental")
    src, index_dir = tmp / "articles", tmp / "index"
    paths = write_corpus(src, N_ARTICLES, N_SENTENCES, seed=7)
    before = rag.build_index(src, index_dir)
    sentences = seed_sentences()
    new_name, new_text = article(N_ARTICLES, sentences, N_SENTENCES, seed=7)
    (src / new_name).write_text(new_text, encoding="utf-8")
    changed, removed = paths[10], paths[20]
    removed_text = removed.read_text(encoding="utf-8")
    changed.write_text(article(N_ARTICLES + 1, sentences, N_SENTENCES, seed=7)[1], encoding="utf-8")
    removed.unlink()
    after = rag.build_index(src, index_dir)
    return {
        "src": src,
        "tmp": tmp,
        "before": before,
        "after": after,
        "added": new_name,
        "changed": changed.name,
        "removed": removed.name,
        "removed_text": removed_text,
    }


def _body_lines(text: str) -> list[str]:
    return [line for line in text.split("\n\n", 1)[-1].splitlines() if line]


def test_first_build_embeds_every_unit(edited: dict) -> None:
    before = edited["before"]
    assert before.report.added == before.doc_ids
    assert before.report.embedded_units == before.manifest["counts"]["units"]


def test_only_the_edited_articles_are_embedded(edited: dict) -> None:
    before, after = edited["before"], edited["after"]
    report = after.report
    assert report.added == (edited["added"],)
    assert report.changed == (edited["changed"],)
    assert report.removed == (edited["removed"],)
    assert sorted(report.reused) == sorted(set(before.doc_ids) - {edited["changed"], edited["removed"]})
    assert report.embedded_units == unit_count(after, edited["added"]) + unit_count(after, edited["changed"])
    assert (
        check_update(
            before, after, added=(edited["added"],), changed=(edited["changed"],), removed=(edited["removed"],)
        )
        == []
    )


def test_unchanged_folder_embeds_nothing(edited: dict, tmp_path: Path) -> None:
    again = rag.build_index(edited["src"], edited["after"].path)
    assert again.report.embedded_units == 0
    assert again.report.added == again.report.changed == again.report.removed == ()
    assert sorted(again.report.reused) == sorted(edited["after"].doc_ids)


def test_force_embeds_everything_again_and_says_so(edited: dict) -> None:
    after = edited["after"]
    forced = rag.build_index(edited["src"], edited["tmp"] / "forced", force=True)
    assert forced.report.added == forced.doc_ids  # a new folder: everything is new
    again = rag.build_index(edited["src"], forced.path, force=True)
    assert again.report.reembedded == after.doc_ids
    assert again.report.reused == again.report.added == again.report.changed == ()
    assert again.report.embedded_units == after.manifest["counts"]["units"]
    assert f"{len(after.doc_ids)} re-embedded" in again.report.summary()


def test_removed_article_is_gone(edited: dict) -> None:
    before, after = edited["before"], edited["after"]
    gone = edited["removed"]
    assert gone in before.doc_ids and gone not in after.doc_ids
    with pytest.raises(KeyError):
        after.document(gone)
    units_gone = unit_count(before, gone)
    units_new = unit_count(after, edited["added"])
    delta_changed = unit_count(after, edited["changed"]) - unit_count(before, edited["changed"])
    assert (
        after.manifest["counts"]["units"] == before.manifest["counts"]["units"] - units_gone + units_new + delta_changed
    )
    for q in questions_from(_body_lines(edited["removed_text"]), 4, seed=1):
        assert after.answer(q).doc_id != gone


def test_same_answers_as_a_full_rebuild(edited: dict) -> None:
    after = edited["after"]
    full = rag.build_index(edited["src"], edited["tmp"] / "full", force=True)
    assert full.report.embedded_units == full.manifest["counts"]["units"]
    assert full.doc_ids == after.doc_ids
    # the update appended one segment (the changed and removed articles masked in the first one)
    assert after.report.how == "appended" and after.manifest["counts"]["segments"] == 2
    assert full.manifest["counts"] == {**after.manifest["counts"], "segments": 1}
    lines = [
        line
        for d in (edited["added"], edited["changed"], after.doc_ids[0], after.doc_ids[-1])
        for line in _body_lines(after.document(d).text)
    ]
    questions = questions_from(lines, 12, seed=3) + template_questions(8)
    for q in questions:
        assert answer_key(after.answer(q)) == answer_key(full.answer(q)), q


def test_copies_beyond_the_candidate_slots_are_found_as_in_a_full_rebuild(tmp_path: Path) -> None:
    # twelve articles repeat one sentence, more copies than the 4 slots; an update appends a newer
    # copy after them all, a rebuild puts it first (its id sorts first): ties must not go by place
    settings = rag.Settings(candidates=4)
    src = tmp_path / "articles"
    src.mkdir()

    def write(name: str, day: str, n: int) -> None:
        (src / name).write_text(
            f"date {day} Talks on the grain corridor resumed today.\n"
            "The ministry said the next round would be held in Istanbul.\n"
            f"Rain is expected in region {n} tomorrow.\n",
            encoding="utf-8",
        )

    for n in range(1, 13):
        write(f"r{n:02d}.txt", f"2022-03-{n:02d}", n)
    rag.build_index(src, tmp_path / "index", settings=settings)
    write("r00.txt", "2022-03-20", 0)
    after = rag.build_index(src, tmp_path / "index", settings=settings)
    full = rag.build_index(src, tmp_path / "full", settings=settings, force=True)
    assert after.report.how == "appended"
    question = "Where will the next round of talks be held?"
    updated, rebuilt = after.answer(question), full.answer(question)
    assert answer_key(updated) == answer_key(rebuilt)
    assert updated.found and updated.doc_id == "r00.txt"  # the newest copy is quoted
    assert [c.doc_id for c in updated.also_in] == [c.doc_id for c in rebuilt.also_in]


def test_renamed_and_compacted_articles_reuse_their_stored_vectors(tmp_path: Path) -> None:
    """A file renamed keeps its vectors; past `MAX_SEGMENTS` appends one compaction rewrites them all, none embedded again."""
    from rag import build, store

    src, index_dir = tmp_path / "articles", tmp_path / "index"
    paths = write_corpus(src, 6, N_SENTENCES, seed=11)
    first = rag.build_index(src, index_dir)
    vectors = _live_vectors(store.load(index_dir))
    renamed = src / ("z-" + paths[2].name)
    paths[2].rename(renamed)
    after = rag.build_index(src, index_dir)
    assert after.report.how == "appended" and after.report.embedded_units == 0
    assert after.report.added == (renamed.name,) and after.report.removed == (paths[2].name,)
    moved = {(renamed.name, a, b): v for (doc, a, b), v in vectors.items() if doc == paths[2].name}
    now = _live_vectors(store.load(index_dir))
    assert moved and all(np.array_equal(now[key], v) for key, v in moved.items())

    sentences = seed_sentences()
    hows = []
    for n in range(build.MAX_SEGMENTS):  # one new article per build: a segment each, until a compaction
        name, text = article(100 + n, sentences, N_SENTENCES, seed=11)
        (src / name).write_text(text, encoding="utf-8")
        last = rag.build_index(src, index_dir)
        assert last.report.embedded_units == unit_count(last, name)
        hows.append(last.report.how)
        if last.report.how == "compacted":
            break
    assert hows == ["appended"] * (build.MAX_SEGMENTS - 2) + ["compacted"]
    assert last.manifest["counts"]["segments"] == 1
    compacted = _live_vectors(store.load(index_dir))
    assert all(np.array_equal(compacted[key], v) for key, v in now.items())
    assert len(last.doc_ids) == len(first.doc_ids) + len(hows)
