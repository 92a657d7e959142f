"""The suite-making scripts: the SQuAD v2 converter, the seeded fit/held-out split, the dated SQuAD probe."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from support import load_script

from rag import eval as ev
from rag.documents import read_sources

TINY_SQUAD = {
    "version": "v2.0",
    "data": [
        {
            "title": "Normans",
            "paragraphs": [
                {
                    "context": "The Normans lived in Normandy, a region in France.",
                    "qas": [
                        {
                            "id": "q1",
                            "question": "Where is Normandy?",
                            "is_impossible": False,
                            "answers": [
                                {"text": "France", "answer_start": 43},
                                {"text": "in France", "answer_start": 40},
                                {"text": "France", "answer_start": 43},
                            ],
                        },
                        {
                            "id": "q2",
                            "question": "Who lived in Paris?",
                            "is_impossible": True,
                            "answers": [],
                            "plausible_answers": [{"text": "The Normans", "answer_start": 0}],
                        },
                    ],
                }
            ],
        },
        {
            "title": "Computational_complexity_theory",
            "paragraphs": [
                {"context": "Skipped paragraph.", "qas": []},
                {
                    "context": "A problem is hard. P is a class.",
                    "qas": [
                        {
                            "id": "q3",
                            "question": "What is P?",
                            "is_impossible": False,
                            "answers": [{"text": "a class", "answer_start": 24}],
                        },
                    ],
                },
            ],
        },
    ],
}


def test_converter_writes_paragraph_files_and_rows(tmp_path):
    convert_squad = load_script("convert_squad")
    out = tmp_path / "squad"
    assert convert_squad.main([str(_json_file(tmp_path, TINY_SQUAD)), str(out)]) == 0
    assert sorted(p.relative_to(out / "docs").as_posix() for p in (out / "docs").rglob("*.txt")) == [
        "computational_complexity_theory/p000.txt",
        "computational_complexity_theory/p001.txt",
        "normans/p000.txt",
    ]
    assert (out / "docs/normans/p000.txt").read_text(
        encoding="utf-8"
    ) == "title: Normans\n\nThe Normans lived in Normandy, a region in France.\n"
    rows = [json.loads(line) for line in (out / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {
            "id": "q1",
            "q": "Where is Normandy?",
            "gold": ["France", "in France"],
            "doc": "normans/p000.txt",
            "part": "fit",
        },
        {"id": "q2", "q": "Who lived in Paris?", "unanswerable": True, "doc": "normans/p000.txt", "part": "fit"},
        {
            "id": "q3",
            "q": "What is P?",
            "gold": ["a class"],
            "doc": "computational_complexity_theory/p001.txt",
            "part": "held-out",
        },
    ]
    # rag reads the title and the paragraph offsets survive the header
    docs = {d.doc_id: d for d in read_sources(out / "docs")}
    doc = docs["computational_complexity_theory/p001.txt"]
    assert doc.title == "Computational complexity theory"
    assert doc.text[doc.body_start + 24 : doc.body_start + 31] == "a class"
    assert ev.load_suite(out).parts == ("fit", "held-out")


def test_converter_refuses_a_misplaced_answer(tmp_path):
    convert_squad = load_script("convert_squad")
    broken = json.loads(json.dumps(TINY_SQUAD))
    broken["data"][0]["paragraphs"][0]["qas"][0]["answers"][0]["answer_start"] = 3
    with pytest.raises(ValueError, match="q1"):
        convert_squad.convert(broken)


def _json_file(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_assign_parts_is_stratified_and_keeps_existing_parts():
    assign_parts = load_script("assign_parts")
    rows = [{"q": f"a{i}", "gold": ["x"]} for i in range(10)] + [{"q": f"u{i}", "unanswerable": True} for i in range(4)]
    rows[0]["part"] = "held-out"
    out = assign_parts.assign(rows, seed=1)
    assert out[0]["part"] == "held-out" and all("part" in r for r in out)
    assert sum(r["part"] == "fit" for r in out[1:10]) == 4 and sum(r["part"] == "fit" for r in out[10:]) == 2
    assert assign_parts.assign(rows, seed=1) == out  # the seed fixes the split


def test_squad_news_probe_dates_each_paragraph_and_asks_its_question_on_or_after_that_day(tmp_path):
    news = load_script("squad_news_suite")
    out = tmp_path / "news"
    n = news.write_suite(out, titles=2, lag=7, seed=1)
    suite = ev.load_suite(out)  # the suite loader's own checks pass
    assert len(suite.rows) == n == len(list((out / "docs").iterdir()))
    assert {r.part for r in suite.rows} == {"fit", "held-out"}  # split by title
    for row in suite.rows:
        text = (out / "docs" / row.doc).read_text(encoding="utf-8")
        day = row.doc[:10]
        assert text.startswith(f"date: {day}\n") and any(g in text for g in row.gold)
        assert 0 <= (dt.date.fromisoformat(row.as_of) - dt.date.fromisoformat(day)).days <= 7
