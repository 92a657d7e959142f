"""The committed QA suites are sound: the seed suite, the SQuAD sample, and the dated-stream suite
(eval/ukraine_2022), which passes its validator; the validator catches broken rows."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date

import pytest
from support import ROOT, load_script

from rag import eval as ev
from rag.eval import normalize as scorer_normalize

SEED_SUITE = ROOT / "eval" / "seed"
SQUAD_SUITE = ROOT / "eval" / "squad_v2_small"
SUITE = ROOT / "eval" / "ukraine_2022"

check = load_script("check_stream_suite")


def test_seed_suite_is_sound(seed_dir):
    suite = ev.load_suite(SEED_SUITE)
    seed_files = sorted(p.name for p in seed_dir.glob("*.txt"))
    assert sorted(p.name for p in suite.docs_dir.rglob("*.txt")) == seed_files
    for name in seed_files:  # a byte-identical copy: offsets of answers mean the same in both
        assert (suite.docs_dir / name).read_bytes() == (seed_dir / name).read_bytes()
    article = ev.normalize("\n".join((seed_dir / n).read_text(encoding="utf-8") for n in seed_files))
    answerable = [r for r in suite.rows if r.answerable]
    assert len(answerable) >= 50 and len(suite.rows) - len(answerable) >= 20
    missing = [(r.id, g) for r in answerable for g in r.gold if ev.normalize(g) not in article]
    assert missing == []
    assert suite.parts == ("fit", "held-out")
    fit = sum(r.part == "fit" for r in suite.rows)
    assert abs(2 * fit - len(suite.rows)) <= 2


def test_squad_suite_is_the_converted_sample():
    suite = ev.load_suite(SQUAD_SUITE)
    assert len(suite.rows) == 626 and sum(r.answerable for r in suite.rows) == 293
    assert {r.part for r in suite.rows if r.doc and r.doc.startswith("normans/")} == {"fit"}
    assert {r.part for r in suite.rows if r.doc and not r.doc.startswith("normans/")} == {"held-out"}
    assert "CC BY-SA 4.0" in (SQUAD_SUITE / "SOURCE.md").read_text(encoding="utf-8")
    for row in suite.rows[:40]:  # gold answers are verbatim text of their paragraph
        text = ev.normalize((suite.docs_dir / row.doc).read_text(encoding="utf-8"))
        assert all(ev.normalize(g) in text for g in row.gold)


# ----------------------------------------------------------------------------- the dated-stream suite


@pytest.fixture(scope="module")
def loaded():
    return check.check_suite(SUITE)


@pytest.fixture(scope="module")
def articles(loaded):
    return loaded[3]


def test_the_committed_suite_has_no_problems(loaded):
    problems, qa, briefing, _ = loaded
    assert problems == []
    assert len(qa) >= 100 and len(briefing) >= 5


def test_the_update_labels_name_questions_of_the_suite_and_say_why_one_is_wrong(loaded, tmp_path):
    review = load_script("updates_review")
    labels = review.load_labels(SUITE / review.LABELS)
    assert set(labels) <= {row["id"] for row in loaded[1]}
    rows = [json.loads(line) for line in (SUITE / review.LABELS).read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) >= 50 and all(r["right"] or r.get("why") for r in rows)
    # a label is found by the start of the listed sentence, whatever its spacing
    assert review.label_of(labels, "ua-001", "45 children  were\nwounded.") is False
    assert review.label_of(labels, "ua-001", "Another sentence.") is None
    broken = tmp_path / "updates.jsonl"
    broken.write_text('{"id": "ua-001", "starts": "", "right": true}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="updates.jsonl:1: each line needs"):
        review.load_labels(broken)


def test_docs_are_the_175_dated_corpus_articles(articles):
    assert len(articles) == 175
    assert min(a.date for a in articles.values()) == date(2022, 2, 24)
    assert max(a.date for a in articles.values()) == date(2022, 5, 17)
    source = (SUITE / "SOURCE.md").read_text(encoding="utf-8")
    assert "CC0" in source and "Copied unchanged" in source


def test_parts_are_a_seeded_half_of_the_articles(articles, loaded):
    held = check.held_out_articles(set(articles))
    assert len(held) == 88 and held == check.held_out_articles(list(articles))
    assert held != check.held_out_articles(set(articles), seed=check.PART_SEED + 1)
    # split by article: no article gives rows to both parts
    part_of_doc: dict[str, set[str]] = {}
    for row in loaded[1]:
        part_of_doc.setdefault(row["doc"], set()).add(row["part"])
    assert all(len(parts) == 1 for parts in part_of_doc.values())


def test_every_kind_is_represented_in_both_parts(loaded):
    seen = {(r["kind"], r["part"]) for r in loaded[1]}
    assert {(k, p) for k in check.KINDS for p in (check.FIT, check.HELD_OUT)} <= seen


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        ("latest", lambda r: r.update(gold=["a phrase no article has"]), "is not in"),
        ("latest", lambda r: r.update(as_of="2022-02-24"), "dated after as_of"),
        ("latest", lambda r: r.update(as_of="2022-3-01"), "YYYY-MM-DD"),
        ("latest", lambda r: r.update(answers=["x"]), "unknown key"),
        ("latest", lambda r: r.update(part="held-out" if r["part"] == "fit" else "fit"), "the part of its doc"),
        ("latest", lambda r: r.update(doc="missing.txt"), "not a file of docs/"),
        ("when", lambda r: r.pop("date"), "required for when rows"),
        ("after-as-of", lambda r: r.update(as_of="2022-05-17"), "must be dated after as_of"),
        ("absent", lambda r: r.update(gold=["x"]), "unknown key"),
        ("absent", lambda r: r.pop("unanswerable"), "unanswerable"),
        ("plain", lambda r: r.update(kind="trivia"), "kind must be one of"),
    ],
)
def test_a_broken_row_is_reported(loaded, articles, kind, change, message):
    rows = copy.deepcopy(loaded[1])
    index = next(i for i, r in enumerate(rows) if r["kind"] == kind)
    change(rows[index])
    problems = check.check_qa(rows, articles)
    assert any(message in p and rows[index]["id"] in p for p in problems), problems


def test_a_duplicate_id_and_a_short_suite_are_reported(loaded, articles):
    rows = copy.deepcopy(loaded[1])
    rows[1]["id"] = rows[0]["id"]
    assert any("duplicate id" in p for p in check.check_qa(rows, articles))
    few = [r for r in rows if r["kind"] != "absent"]
    assert check.count_problems(few, loaded[2]) == ["only 0 absent rows; README.md promises at least 14"]
    assert check.count_problems(loaded[1], loaded[2][:4]) == ["only 4 briefing rows; README.md promises at least 5"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b["developments"][0].update(phrases=["not in the article"]), "is not in"),
        (lambda b: b.update(since="2022-05-16", until="2022-05-17", as_of="2022-05-17"), "outside the window"),
        (lambda b: b.update(until="2022-02-01"), "since <= until <= as_of"),
        (lambda b: b.update(developments=b["developments"][:2]), "developments"),
        (lambda b: b["developments"][0].update(date="2021-12-31"), '"date" must be'),
        (lambda b: b["developments"][1].update(id=b["developments"][0]["id"]), "id must be unique"),
    ],
)
def test_a_broken_briefing_row_is_reported(loaded, articles, change, message):
    rows = copy.deepcopy(loaded[2])
    change(rows[0])
    assert any(message in p for p in check.check_briefing(rows, articles))


def test_validator_compares_phrases_as_the_scorer_does():
    samples = ["“We’ll  SEE,”\tsaid he", "ＵＡＨ 15 million", "Kyiv's\u00a0Bankova Street", "ǅemal"]
    assert [check.normalize(s) for s in samples] == [scorer_normalize(s) for s in samples]


def test_latest_aid_flags_an_article_newer_than_the_gold(articles):
    # gold set to the 7 April count while the question is asked on 10 May: the 2 and 4 May articles answer it
    row = {
        "id": "t",
        "q": "How many Ukrainian children have been killed?",
        "as_of": "2022-05-10",
        "kind": "latest",
        "gold": ["167 children"],
        "doc": "2022-04-07-Yf1ifcL_UJc.txt",
    }
    newer = [line for line in check.author_aids([row], articles) if line.lstrip().startswith("NEWER")]
    assert any("220" in line for line in newer)


def test_absent_aid_puts_the_rare_subject_first(articles):
    row = {
        "id": "t",
        "q": "When did Pope Francis visit Kyiv?",
        "as_of": "2022-05-17",
        "kind": "absent",
        "unanswerable": True,
        "doc": "2022-03-22--K1NlX4TFb0.txt",
    }
    lines = check.author_aids([row], articles)
    assert "Pope Francis" in lines[1]


def test_cli_exit_status(tmp_path, capsys):
    assert check.main(["--quiet", str(SUITE)]) == 0
    broken = tmp_path / "suite"
    shutil.copytree(SUITE / "docs", broken / "docs")
    shutil.copy(SUITE / "briefing.jsonl", broken / "briefing.jsonl")
    rows = [json.loads(line) for line in (SUITE / "qa.jsonl").read_text(encoding="utf-8").splitlines()]
    rows[0]["gold"] = ["not in the article"]
    (broken / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n", encoding="utf-8")
    assert check.main(["--quiet", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "not valid JSON" in out and "not in the article" in out
    assert check.main(["--quiet", str(tmp_path / "nowhere")]) == 2
