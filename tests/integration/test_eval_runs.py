"""Evaluation runs on the real model: a few seed questions through the harness, and `rag eval` on a tiny suite."""

from __future__ import annotations

import json

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
    assert all(o.quoted for o in report.outcomes)  # answered at threshold 0: the curve is exact


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
