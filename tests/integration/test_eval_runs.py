"""Evaluation runs on the real model: a few seed questions through the harness, and `rag eval` on a tiny suite."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from support import ROOT

from rag import eval as ev
from rag.cli import main as cli_main

SEED_SUITE = ROOT / "eval" / "seed"


def test_smoke_five_seed_questions_on_the_real_index(seed_index):
    suite = ev.load_suite(SEED_SUITE)
    rows = [r for r in suite.rows if r.answerable][:3] + [r for r in suite.rows if not r.answerable][:2]
    small = ev.Suite(suite.name, suite.path, tuple(rows))
    report = ev.evaluate_index(seed_index, small)
    assert report.offsets_ok and report.overall.offset_exact == 1.0
    assert report.threshold == seed_index.settings.threshold
    assert report.overall.recall_at_1 == 1.0  # one article: it is always the first
    assert report.overall.latency_p50_ms is not None and report.overall.latency_p50_ms > 0
    # answered at threshold 0, so the curve is exact; only the rules refuse there, at every threshold,
    # and only unanswerable questions: one naming what no article mentions ("the capital of
    # Australia"), a count the closest passage gives no figure for ("How many Ukrainian soldiers have died?")
    by_rule = ("no article mentions", "the closest passage gives no figure")
    assert all(o.quoted or (not o.row.answerable and any(r in o.text for r in by_rule)) for o in report.outcomes)
    assert sum(o.quoted for o in report.outcomes) >= 3


def test_cli_eval_runs_a_suite(tmp_path, capsys):
    root = tmp_path / "mini"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "a.txt").write_text("Officials will meet in Geneva on Monday.\nThe weather was cold.\n")
    rows = [
        {"q": "Where will the talks take place?", "gold": ["Geneva"], "part": "fit"},
        {"q": "What is the capital of Australia?", "unanswerable": True, "part": "held-out"},
    ]
    (root / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert cli_main(["eval", str(root), "--json", "--failures", "--threshold", "0.4"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    assert data["threshold"] == 0.4 and data["overall"]["questions"] == 2 and "failures" in data
    assert (root / ".index" / "manifest.json").is_file()
    assert cli_main(["eval", str(root), "--part", "fit"]) == 0
    out = capsys.readouterr().out
    assert "1 question," in out and "coverage/accuracy" in out
    assert cli_main(["eval", str(root), "--part", "nope"]) == 2
    assert "no question of part 'nope'" in capsys.readouterr().err


def test_gold_article_measure_shows_what_choosing_the_article_costs(tmp_path, capsys):
    # two articles answer "how many troops" with different figures; the question names the older
    # one, so over both articles the newer figure is quoted (wrong here), from its own article right
    root = tmp_path / "gap"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "old.txt").write_text(
        "date: 2022-01-04\n\nRussia has massed 100,000 troops near the border.\nTalks are planned.\n"
    )
    (root / "docs" / "new.txt").write_text(
        "date: 2022-01-11\n\nRussia has now massed about 130,000 troops near the border.\nTalks go on.\n"
    )
    rows = [
        {"q": "How many troops has Russia massed near the border?", "gold": ["100,000"], "doc": "old.txt"},
        {"q": "What is the capital of Australia?", "unanswerable": True},
    ]
    (root / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    suite = ev.load_suite(root)
    index, _ = ev.suite_index(suite)
    report = ev.evaluate_index(index, suite, with_gold_article=True)
    (gold,) = report.gold_article  # one part: overall only; the unanswerable row is not in it
    assert (gold.part, gold.questions, gold.open_accuracy, gold.gold_accuracy) == ("all", 1, 0.0, 1.0)
    assert report.to_dict()["gold_article"]["all"]["gold_article_accuracy"] == 1.0
    assert ev.evaluate_index(index, suite).gold_article == ()  # only when asked for
    assert cli_main(["eval", str(root), "--gold-article"]) == 0
    assert "+100.0 points" in capsys.readouterr().out


def test_naive_pipeline_quotes_chunks_at_their_offsets_and_only_from_articles_dated_by_as_of(seed_index):
    from rag import embedding
    from rag.eval.naive import NaivePipeline

    seed = seed_index.document(seed_index.doc_ids[0])  # dated 2022-01-04, long enough for several chunks
    later = replace(
        seed, doc_id="later.txt", text="Russia has now massed 130,000 troops near the border.", date="2022-01-11"
    )
    naive = NaivePipeline([seed, later], embedding.get_model(seed_index.settings.model_name))
    texts = {seed.doc_id: seed.text, later.doc_id: later.text}
    assert len(naive.chunks) > 3 and all(texts[c.doc_id][c.start : c.end] == c.text for c in naive.chunks)
    question = "How many troops has Russia massed near the border?"
    assert naive.answer(question).doc_id == "later.txt"
    assert naive.answer(question, as_of=dt.date(2022, 1, 10)).doc_id == seed.doc_id
    assert naive.answer(question, as_of=dt.date(2022, 1, 3)) is None


def test_naive_comparison_scores_both_pipelines_on_the_same_answerable_questions(tmp_path, capsys):
    root = tmp_path / "naive"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "old.txt").write_text("date: 2022-01-04\n\nRussia has massed 100,000 troops near the border.\n")
    (root / "docs" / "new.txt").write_text(
        "date: 2022-01-11\n\nRussia has now massed 130,000 troops near the border.\n"
    )
    q = "How many troops has Russia massed near the border?"
    rows = [
        {"q": q, "gold": ["100,000"], "doc": "old.txt", "as_of": "2022-01-05"},  # only old.txt is visible
        {"q": q, "gold": ["100,000"], "doc": "old.txt", "as_of": "2021-12-01"},  # no article yet: neither answers
        {"q": "What is the capital of Australia?", "unanswerable": True},  # not asked of the naive pipeline
    ]
    (root / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    suite = ev.load_suite(root)
    index, _ = ev.suite_index(suite)
    (naive,) = ev.evaluate_index(index, suite, with_naive=True).naive
    assert (naive.questions, naive.accuracy, naive.naive_accuracy, naive.article, naive.naive_article) == (
        2,
        0.5,
        0.5,
        0.5,
        0.5,
    )
    assert ev.evaluate_index(index, suite).naive == ()  # only when asked for
    assert cli_main(["eval", str(root), "--naive", "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    assert data["naive"]["all"]["naive_accuracy"] == 0.5
