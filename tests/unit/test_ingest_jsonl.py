"""JSONL exports -> articles: 1,000 real articles with bad lines mixed in, and a 200 MB file in bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "ingest"))

from ingest_support import corpus_articles, write_dump  # noqa: E402

from rag.ingest import extract, extract_file  # noqa: E402
from rag.ingest.article import MAX_JSONL_LINE_BYTES, WARNINGS_KEPT_PER_KIND  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    path = tmp_path_factory.mktemp("jsonl") / "export.jsonl"
    return path, write_dump(path)


def test_every_good_line_becomes_its_article_and_every_bad_line_is_named(dump):
    path, info = dump
    result = extract_file(path)
    assert {a.key for a in result.articles} == set(info.good) and len(result.articles) == 1000
    by_key = {a.key: a for a in result.articles}
    for key, record in info.good.items():
        article = by_key[key]
        assert article.text == record["text"]  # paragraphs joined by a blank line, already tidy
        assert (
            article.title == record.get("title")
            and article.url == record["url"]
            and article.source == "Statements export"
        )
        if key not in info.undated:
            assert article.date == record["date"][:10]
    for kind, line_numbers in info.skipped.items():
        named = [w for w in result.warnings if f"line {line_numbers[0]}:" in w]
        assert named, f"first skipped line of kind {kind!r} (line {line_numbers[0]}) not named"


def test_bytes_and_file_give_the_same_articles(dump):
    path, _ = dump
    assert extract(path.name, path.read_bytes()) == extract_file(path)


def test_absurd_or_unparseable_dates_keep_the_article_without_a_date(dump):
    path, info = dump
    result = extract_file(path)
    undated = [a for a in result.articles if a.date is None]
    assert sorted(a.key for a in undated) == sorted(info.undated) and undated
    # the first few date warnings are kept word for word: the dump's first four undated lines hold one of each
    for phrase in (
        "2999-12-31 is implausible",
        "'not a date' is not a date",
        "'31/02/2022' is not a date",
        "1900-01-01 is implausible",
    ):
        assert any(phrase in w and "kept without one" in w for w in result.warnings), phrase


def test_thousands_of_bad_lines_collapse_into_a_readable_log(tmp_path):
    lines = [json.dumps({"id": "ok", "text": "A real sentence.", "date": "2022-03-01"})]
    lines += ["{not json" for _ in range(5000)]
    path = tmp_path / "noisy.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = extract_file(path)
    assert len(result.articles) == 1
    assert len(result.warnings) == WARNINGS_KEPT_PER_KIND + 1
    assert result.warnings[0] == "noisy.jsonl: line 2: not valid JSON; skipped"
    assert result.warnings[-1] == "noisy.jsonl: ... and 4,995 more warnings of this kind: not JSON"


def test_duplicate_id_keeps_the_first_line_and_names_both(tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text(
        '{"id": 7, "text": "First."}\n{"id": "7", "text": "Second."}\n{"text": "No id."}\n{"text": "No id."}\n'
    )
    result = extract_file(path)
    assert [(a.key, a.text) for a in result.articles] == [("7", "First."), (result.articles[1].key, "No id.")]
    assert result.articles[1].key.startswith("sha256:")
    assert [w.split(": ", 1)[1] for w in result.warnings if "already used" in w] == [
        "line 2: id '7' already used on line 1; skipped",
        f"line 4: id {result.articles[1].key!r} already used on line 3; skipped",
    ]


def test_text_is_tidied_deterministically():
    line = json.dumps(
        {"id": "t", "text": "  First  para\r\nwrapped line.\n\n\n Second\u00a0para.\u200b \n\nThird \ud800 one. "}
    )
    article = extract("t.jsonl", line.encode()).articles[0]
    assert article.text == "First para wrapped line.\n\nSecond para.\n\nThird \ufffd one."


def test_a_text_without_blank_lines_has_one_paragraph_per_line():
    line = json.dumps({"id": "t", "text": "One sentence.\nAnother sentence.\n"})
    assert extract("t.jsonl", line.encode()).articles[0].text == "One sentence.\n\nAnother sentence."


_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from rag.ingest import extract_file
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = extract_file(sys.argv[1])
    print(json.dumps({
        "articles": len(result.articles), "warnings": result.warnings,
        "seconds": time.perf_counter() - started,
        "growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_kb) / 1024,
        "text_mb": sum(len(a.text) for a in result.articles) / 2**20,
    }))
    """
)


@pytest.mark.slow
def test_a_200_mb_export_is_read_in_bounded_memory_and_time(tmp_path):
    # Bounded how: the extraction runs in a child process that is killed after 300 s (subprocess timeout:
    # a hang fails the test instead of blocking the run), and the child reports its peak memory growth,
    # which must stay near the size of the articles it keeps: the 50 MB line without a newline and the
    # 20 MB lines are never held whole (at most MAX_JSONL_LINE_BYTES of a line is read at once).
    path = tmp_path / "big.jsonl"
    articles = corpus_articles()
    bodies = [
        json.dumps({k: a[k] for k in ("title", "date")} | {"text": "\n\n".join(a["paragraphs"])})[1:] for a in articles
    ]
    good = 0
    with path.open("wb") as out:
        while out.tell() < 120 * 2**20:
            out.write(f'{{"id": "n{good}", {bodies[good % len(bodies)]}\n'.encode())
            good += 1
        for _ in range(2):
            out.write(b'{"id": "big", "text": "' + b"y" * (20 * 2**20) + b'"}\n')
        out.write(b"not json at all\n" * 500_000)
        out.write(b'{"text": "' + b"z" * (50 * 2**20))  # no closing quote, no newline
    size_mb = path.stat().st_size / 2**20
    assert size_mb > 200
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=300, env=env
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout)
    assert report["articles"] == good
    warnings = report["warnings"]
    assert sum("over the" in w and "byte limit" in w for w in warnings) == 3
    assert any(w.endswith("more warnings of this kind: not JSON") for w in warnings)
    assert report["growth_mb"] < 2 * report["text_mb"] + 3 * MAX_JSONL_LINE_BYTES / 2**20 + 100, report
    print(
        f"\n200 MB JSONL: {size_mb:.0f} MB, {good} articles ({report['text_mb']:.0f} MB of text), "
        f"{report['seconds']:.1f} s, peak growth {report['growth_mb']:.0f} MB"
    )


def test_a_date_written_in_words_or_with_a_time_dates_the_article_and_a_guess_does_not():
    rows = [
        {"id": "words", "text": "Convoys left Mariupol.", "date": "Saturday, March 5, 2022"},
        {"id": "clock", "text": "Convoys reached Zaporizhzhia.", "date": "Mar. 5, 2022, 2:22 p.m. EST"},
        {"id": "iso", "text": "Convoys were shelled.", "date": "2022-03-05T23:30:00-05:00"},
        {"id": "guess", "text": "Convoys were stopped.", "date": "03/05/2022"},  # 3 May or 5 March: no guess
    ]
    result = extract("export.jsonl", "".join(json.dumps(r) + "\n" for r in rows).encode())
    assert {a.key: a.date for a in result.articles} == {
        "words": "2022-03-05",
        "clock": "2022-03-05",
        "iso": "2022-03-05",
        "guess": None,
    }
    assert len(result.warnings) == 1 and "'03/05/2022' is not a date" in result.warnings[0]


def test_the_field_names_of_other_exports_are_read():
    news_api = {
        "source": {"id": "bbc-news", "name": "BBC News"},
        "author": "A. Reporter",
        "title": "Convoys leave Mariupol",
        "url": "https://example.org/convoys",
        "publishedAt": "2022-03-05T12:00:00Z",
        "content": "Convoys left Mariupol on Saturday.",
    }
    scraped = {
        "headline": "Talks resume",
        "body": "Talks resumed in Istanbul.",
        "published": "March 29, 2022",
        "link": "x",
    }
    both = {"text": "The text field wins.", "content": "Not this one.", "guid": "g-1"}
    result = extract("export.jsonl", "".join(json.dumps(r) + "\n" for r in (news_api, scraped, both)).encode())
    first, second, third = result.articles
    assert (first.text, first.title, first.date, first.source, first.author, first.url) == (
        "Convoys left Mariupol on Saturday.",
        "Convoys leave Mariupol",
        "2022-03-05",
        "BBC News",
        "A. Reporter",
        "https://example.org/convoys",
    )
    assert (second.text, second.title, second.date, second.url) == (
        "Talks resumed in Istanbul.",
        "Talks resume",
        "2022-03-29",
        "x",
    )
    assert (third.text, third.key) == ("The text field wins.", "g-1")
    assert [w.split(": ", 1)[1] for w in result.warnings] == ["line 3: no date; kept without one"]
