"""Saved pages, feeds and JSONL exports in a source folder: built beside .txt, answered with the offset rule.

Real data: the fixture pages and the 50-entry feed of tests/fixtures/ingest (bodies from the CC0
ukraine-2022-statements corpus, see its SOURCE.md) and articles of eval/ukraine_2022/docs (same corpus,
CC0, see eval/ukraine_2022/SOURCE.md) written as JSONL exports.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from source_helpers import export_record, write_jsonl
from support import SEEDS, assert_exact

import rag
from rag.ingest import SUFFIXES as INGEST_SUFFIXES
from rag.ingest import extract_file
from rag.sources import ARTICLE_SUFFIXES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "ingest"))

from ingest_support import FEEDS, PAGES, install_tripwire  # noqa: E402

SEED_ID = "2022-01-04-biden-zelenskiy-call.txt"
FEED_ENTRIES = json.loads((FEEDS / "newsroom-50.expected.json").read_text(encoding="utf-8"))
PAGE_IDS = ("01-classic-news.html", "04-date-in-url.html", "07-amp.html")
EXPORT_DOCS = ("2022-03-29-9VznmWF2Tpo", "2022-04-20-qupuXkuek58", "2022-04-30-7lAiBARJkzo")

QUESTIONS = [
    ("How many troops has Russia massed near the border?", SEED_ID, "troops"),
    # "in Energodar": the feed's newer "From tanks - at the Zaporizhzhia nuclear power plant" answers the
    # question without it too, and ties go to the newest article
    (
        "Which nuclear power plant in Energodar did the occupier keep under fire all night?",
        "04-date-in-url.html",
        "Zaporizhzhya",
    ),
    (
        "How many defenders and civilians have been killed in this war?",
        "newsroom-50.rss#2022-02-24-pufA6K8k1QY",
        "14,000",
    ),
    ("How many foreign diplomatic missions are working in Kyiv now?", "export.jsonl#2022-04-20-qupuXkuek58", "18"),
]

HOSTILE_TEXT = {
    "impossible-date.txt": "date 2022-02-30 The ferry to Odesa was cancelled on Monday after the harbour was mined.\n",
    "future-date.txt": "date 2999-12-31 The grain silo in Mykolaiv burned for three days, the fire service said.\n",
    "ancient-date.txt": "date 1900-01-01 Volunteers in Lviv collected 4,000 sleeping bags for the front.\n",
}
MALFORMED_HTML = (
    b"<html><head><title>Broken page</title><body><div class=story><p>The night train to Przemysl left "
    b"Kyiv with 900 passengers on board, the railway company said.<div><p>Unclosed <b>bold <i>italic "
    b"</table></td> text &nbsp &bogus; entity<p>More text <span>without end"
)
BROKEN_JSONL_LINES = [
    b'{"id": "cut", "text": "cut off in the middle of',  # not JSON
    '{"id": "latin", "text": "caf\xe9 in Latin-1"}'.encode("latin-1"),  # not UTF-8
    b'["an", "array"]',  # not an object
    b'{"id": "no-text", "title": "No text"}',  # no text
    json.dumps(
        {"id": "old", "date": "1900-01-01", "text": "The river port of Izmail handled 30 barges of wheat in a week."}
    ).encode(),  # kept, without its date
]


@dataclass(frozen=True)
class Mixed:
    """An index of every format, built once; then the same folder with hostile files added, built again."""

    sources: Path
    before: rag.Index
    after: rag.Index
    answers_before: dict[str, rag.Answer]
    warnings: list[str]  # of the second build


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Mixed:
    root = tmp_path_factory.mktemp("formats")
    sources, index_dir = root / "sources", root / "index"
    sources.mkdir()
    shutil.copy(SEEDS / SEED_ID, sources)
    for name in PAGE_IDS:
        shutil.copy(PAGES / name, sources)
    shutil.copy(FEEDS / "newsroom-50.rss", sources)
    write_jsonl(sources / "export.jsonl", [export_record(stem) for stem in EXPORT_DOCS])
    before = rag.build_index(sources, index_dir)
    answers_before = {q: before.answer(q) for q, _, _ in QUESTIONS}

    for name in ("billion-laughs.rss", "xxe.rss"):
        shutil.copy(FEEDS / name, sources)
    shutil.copy(PAGES / "13-utf8-declared-cp1252.html", sources)  # declares utf-8, is cp1252
    (sources / "malformed.html").write_bytes(MALFORMED_HTML)
    (sources / "junk.html").write_bytes(bytes(range(1, 256)) * 40)
    (sources / "latin1.txt").write_bytes("date 2022-03-01 Caf\xe9 talks in Gen\xe8ve.\n".encode("latin-1"))
    (sources / "broken.jsonl").write_bytes(b"\n".join(BROKEN_JSONL_LINES) + b"\n")
    for name, text in HOSTILE_TEXT.items():
        (sources / name).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp, warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        calls = install_tripwire(mp)
        after = rag.build_index(sources, index_dir)
    assert calls == []  # nothing tried to reach the network or a file outside
    return Mixed(sources, before, after, answers_before, [str(w.message) for w in record])


def test_the_listed_suffixes_are_those_rag_ingest_reads() -> None:
    assert set(ARTICLE_SUFFIXES) == set(INGEST_SUFFIXES)


@pytest.mark.parametrize("question, doc_id, phrase", QUESTIONS, ids=["txt", "html", "feed", "jsonl"])
def test_each_format_answers_with_the_offset_rule_and_a_citation(
    mixed: Mixed, question: str, doc_id: str, phrase: str
) -> None:
    index = mixed.after
    a = index.answer(question)
    assert a.found and a.doc_id == doc_id and phrase in a.text
    assert_exact(index, a)
    doc = index.document(doc_id)
    assert (a.url, a.source, a.title, a.date) == (doc.url, doc.source, doc.title, doc.date)
    for p in a.passages:
        cited = index.document(p.doc_id)
        assert (p.url, p.source) == (cited.url, cited.source)


def test_citations_carry_where_each_article_was_published(mixed: Mixed) -> None:
    index = mixed.after
    page = index.document("04-date-in-url.html")
    assert page.url == "https://www.eastern-wire.example/2022/03/05/address-by-the-prime-minister-of-ukraine-denys.html"
    assert page.source == "eastern-wire.example" and page.date == "2022-03-05"
    for entry in FEED_ENTRIES:
        doc = index.document(f"newsroom-50.rss#{entry['key']}")
        assert (doc.url, doc.date, doc.title, doc.author) == (
            entry["url"],
            entry["date"],
            entry["title"],
            "Press Office",
        )
        assert doc.source == "Ukraine Statements Newsroom"
    row = export_record(EXPORT_DOCS[1])
    doc = index.document(f"export.jsonl#{EXPORT_DOCS[1]}")
    assert (doc.url, doc.source, doc.author, doc.date) == (row["url"], "Statements export", row["author"], row["date"])


def test_ids_and_texts_per_format(mixed: Mixed) -> None:
    index, sources = mixed.after, mixed.sources
    # a .txt stays byte for byte; a page keeps its path as id and its extracted text
    assert index.document(SEED_ID).text == (sources / SEED_ID).read_text(encoding="utf-8")
    for name in PAGE_IDS:
        assert index.document(name).text == extract_file(sources / name).articles[0].text
    # a feed and an export give one article per entry or line, "<path>#<key>"
    feed_ids = {d for d in index.doc_ids if d.startswith("newsroom-50.rss#")}
    assert feed_ids == {f"newsroom-50.rss#{e['key']}" for e in FEED_ENTRIES}
    assert {d for d in index.doc_ids if d.startswith("export.jsonl#")} == {f"export.jsonl#{s}" for s in EXPORT_DOCS}


def test_hostile_files_are_skipped_or_kept_with_one_warning_line_each(mixed: Mixed) -> None:
    index, lines = mixed.after, mixed.warnings
    assert all("\n" not in line for line in lines), lines

    def naming(name: str) -> list[str]:
        return [line for line in lines if line.startswith((f"{name}:", f"skipped {name}:"))]

    for name in ("billion-laughs.rss", "xxe.rss", "junk.html", "latin1.txt"):
        assert len(naming(name)) == 1 and naming(name)[0].startswith(f"skipped {name}:"), lines
        assert not any(d == name or d.startswith(f"{name}#") for d in index.doc_ids)
    assert "DTD" in naming("xxe.rss")[0] and "not UTF-8" in naming("latin1.txt")[0]
    for name in HOSTILE_TEXT:
        assert len(naming(name)) == 1 and "kept without one" in naming(name)[0], lines
        assert index.document(name).date is None
    # a page in the wrong declared encoding is read, and says so
    assert any("declares charset utf-8 but is not" in line for line in naming("13-utf8-declared-cp1252.html"))
    assert "13-utf8-declared-cp1252.html" in index.doc_ids
    # malformed markup costs that page at most: indexed, or skipped with its one line
    assert "malformed.html" in index.doc_ids or len(naming("malformed.html")) == 1
    # the export: each bad line named once, the good line kept without its implausible date
    bad = naming("broken.jsonl")
    for line_no in (1, 2, 3, 4):
        assert sum(f"line {line_no}:" in line for line in bad) == 1, bad
    assert sum("line 5:" in line and "1900-01-01" in line for line in bad) == 1
    assert index.document("broken.jsonl#old").date is None


def test_nothing_indexed_before_is_lost(mixed: Mixed) -> None:
    before, after = mixed.before, mixed.after
    assert set(before.doc_ids) <= set(after.doc_ids)
    for doc_id in before.doc_ids:
        assert after.document(doc_id) == before.document(doc_id)
    for question, first in mixed.answers_before.items():
        again = after.answer(question)
        assert (again.doc_id, again.start, again.end, again.text) == (first.doc_id, first.start, first.end, first.text)
    report = after.report
    assert report is not None and not report.changed and not report.removed
    assert set(report.reused) == set(before.doc_ids)


def test_an_article_with_a_dropped_date_answers_but_is_never_the_newest(mixed: Mixed) -> None:
    index = mixed.after
    a = index.answer("When was the ferry to Odesa cancelled?")
    assert a.found and a.doc_id == "impossible-date.txt" and a.date is None and "Monday" in a.text
    assert_exact(index, a)
    assert index.newest_date is not None and index.newest_date.year == 2022  # not 2999


def test_an_article_id_given_by_two_files_is_indexed_once_and_named(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    write_jsonl(
        sources / "wire.jsonl",
        [{"id": "k.txt", "date": "2022-03-01", "text": "The bridge at Velmar reopened to lorries."}],
    )
    (sources / "wire.jsonl#k.txt").write_text("date 2022-03-01 The ferry at Ostrin ran twice a day.\n")
    with pytest.warns(UserWarning, match=r"skipped wire\.jsonl#k\.txt: another file gives an article of the same id"):
        index = rag.build_index(sources, tmp_path / "index")
    assert index.doc_ids == ("wire.jsonl#k.txt",)
    assert index.document("wire.jsonl#k.txt").text == "The bridge at Velmar reopened to lorries."  # listed first
