"""The evaluation harness: known answers give known metrics; suites, converter and seed suite are sound."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

from rag import eval as ev
from rag.cli import main as cli_main
from rag.documents import read_sources

ROOT = Path(__file__).resolve().parent.parent
SEED_SUITE = ROOT / "eval" / "seed"
SQUAD_SUITE = ROOT / "eval" / "squad_v2_small"

ALPHA = "title: Alpha\n\nThe talks will be held in Geneva on Monday. “We’ll see,” he said.\nNothing else happened.\n"
BETA = "The army has 100,000   troops near the border.\nThe weather was cold.\n"


# ----------------------------------------------------------------------------- a fake answer function


@dataclass(frozen=True)
class FakePassage:
    doc_id: str
    text: str
    start: int
    end: int
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeAnswer:
    found: bool
    text: str
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None
    highlight: tuple[int, int] | None = None
    confidence: float = 0.0
    passages: tuple[FakePassage, ...] = ()


DOCS = {"alpha.txt": ALPHA, "sub/beta.txt": BETA}


def span(doc_id: str, phrase: str) -> tuple[int, int]:
    start = DOCS[doc_id].index(phrase)
    return start, start + len(phrase)


def passage(doc_id: str, phrase: str) -> FakePassage:
    start, end = span(doc_id, phrase)
    return FakePassage(doc_id, phrase, start, end, {"dense": 0.5})


def quote(
    doc_id: str,
    phrase: str,
    confidence: float,
    passages: tuple[FakePassage, ...] = (),
    highlight: tuple[int, int] | None = None,
) -> FakeAnswer:
    start, end = span(doc_id, phrase)
    return FakeAnswer(True, phrase, doc_id, start, end, highlight, confidence, passages or (passage(doc_id, phrase),))


def refusal(confidence: float = 0.1, passages: tuple[FakePassage, ...] = ()) -> FakeAnswer:
    return FakeAnswer(False, "The articles don't say.", confidence=confidence, passages=passages)


def write_suite(root: Path, rows: list[dict], docs: dict[str, str] = DOCS) -> Path:
    for doc_id, text in docs.items():
        path = root / "docs" / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    (root / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return root


ROWS = [
    # right: gold has straight quotes and other spacing/case than the curly-quoted text
    {"id": "a1", "q": "What did he say?", "gold": ['"we\'ll  SEE,"'], "doc": "alpha.txt", "part": "fit"},
    # wrong sentence, gold document second among the passages' documents
    {"id": "a2", "q": "How many troops?", "gold": ["100,000 troops"], "doc": "sub/beta.txt", "part": "fit"},
    # refused, gold document not among the passages
    {"id": "a3", "q": "Where are the talks?", "gold": ["Geneva"], "doc": "alpha.txt", "part": "held-out"},
    # holds the gold phrase but is over 400 characters
    {"id": "a4", "q": "How was the weather?", "gold": ["cold"], "doc": "sub/beta.txt", "part": "held-out"},
    {"id": "u1", "q": "Who won the match?", "unanswerable": True, "part": "fit"},
    {"id": "u2", "q": "What did Macron say?", "unanswerable": True, "part": "held-out"},
]

LONG = FakeAnswer(True, "cold " * 90, "sub/beta.txt", 0, 450, None, 0.9, ())
ANSWERS = {
    "What did he say?": quote("alpha.txt", "“We’ll see,” he said.", 0.9, highlight=(0, 5)),
    "How many troops?": quote(
        "alpha.txt",
        "Nothing else happened.",
        0.6,
        passages=(
            passage("alpha.txt", "Nothing else happened."),
            passage("alpha.txt", "The talks"),
            passage("sub/beta.txt", "The weather was cold."),
        ),
    ),
    "Where are the talks?": refusal(0.3, passages=(passage("sub/beta.txt", "The weather was cold."),)),
    "How was the weather?": LONG,
    "Who won the match?": refusal(0.2),
    "What did Macron say?": quote("sub/beta.txt", "The weather was cold.", 0.7),
}


@pytest.fixture
def suite(tmp_path: Path) -> ev.Suite:
    return ev.load_suite(write_suite(tmp_path / "tiny", ROWS))


def fake_answer(question: str) -> FakeAnswer:
    return ANSWERS[question]


def test_known_answers_give_known_metrics(suite):
    report = ev.evaluate(fake_answer, suite)
    m = report.overall
    assert (m.questions, m.answerable, m.unanswerable) == (6, 4, 2)
    assert m.accuracy == pytest.approx(1 / 4)  # only a1; a4 is over 400 chars
    assert m.abstention == pytest.approx(1 / 2)  # u1 refused, u2 answered
    assert m.precision == pytest.approx(1 / 3)  # a1 of a1, a2, a4
    # ranks: a1 1, a2 2 (alpha quoted, beta in the third passage), a3 none, a4 1 (the quote's doc)
    assert [o.rank for o in report.outcomes[:4]] == [1, 2, None, 1]
    assert m.recall_at_1 == pytest.approx(2 / 4) and m.recall_at_5 == pytest.approx(3 / 4)
    assert m.mrr == pytest.approx((1 + 0.5 + 0 + 1) / 4)
    # the long answer has no offsets to check against (0..450 of a short doc): caught
    assert m.offset_exact == pytest.approx(5 / 6)
    causes = {o.row.id: o.cause for o in report.outcomes}
    assert causes == {"a1": None, "a2": ev.WRONG, "a3": ev.REFUSED, "a4": ev.OFFSETS, "u1": None, "u2": ev.FALSE_ANSWER}
    assert not report.offsets_ok


def test_parts_are_scored_separately(suite):
    report = ev.evaluate(fake_answer, suite)
    parts = dict(report.parts)
    assert list(parts) == ["fit", "held-out"]
    assert parts["fit"].accuracy == pytest.approx(1 / 2) and parts["fit"].abstention == 1.0
    assert parts["held-out"].accuracy == 0.0 and parts["held-out"].abstention == 0.0


def test_quote_over_400_chars_is_wrong_even_with_the_gold_phrase(tmp_path):
    text = "Filler words here. " * 30 + "It was cold.\n"
    root = write_suite(tmp_path / "long", [{"q": "weather?", "gold": ["cold"], "doc": "d.txt"}], {"d.txt": text})
    long_quote = FakeAnswer(True, text[:-1], "d.txt", 0, len(text) - 1, None, 0.9, ())
    report = ev.evaluate(lambda q: long_quote, root)
    (o,) = report.outcomes
    assert len(o.text) > ev.MAX_ANSWER_CHARS and o.offset_errors == ()
    assert not o.correct and o.cause == ev.TOO_LONG and report.overall.accuracy == 0.0
    short = FakeAnswer(True, "It was cold.", "d.txt", text.index("It was"), len(text) - 1, None, 0.9, ())
    assert ev.evaluate(lambda q: short, root).overall.accuracy == 1.0


def test_offset_check_catches_wrong_offsets_highlight_and_passages():
    def text_of(doc_id: str) -> str:
        return DOCS[doc_id]

    good = quote("alpha.txt", "Nothing else happened.", 0.9, highlight=(0, 7))
    assert ev.check_offsets(good, text_of) == ()
    shifted = FakeAnswer(True, good.text, good.doc_id, good.start + 1, good.end + 1, None, 0.9, good.passages)
    assert "quote" in ev.check_offsets(shifted, text_of)[0]
    outside = FakeAnswer(True, good.text, good.doc_id, good.start, good.end, (3, 99), 0.9, good.passages)
    assert "highlight" in ev.check_offsets(outside, text_of)[0]
    bad_passage = FakePassage("sub/beta.txt", "The weather", 0, 11)
    assert "passage 1" in ev.check_offsets(refusal(passages=(bad_passage,)), text_of)[0]
    unknown = FakeAnswer(True, "x", "nope.txt", 0, 1, None, 0.9, ())
    assert "unknown document" in ev.check_offsets(unknown, text_of)[0]
    missing = FakeAnswer(True, "x", None, None, None, None, 0.9, ())
    assert "missing" in ev.check_offsets(missing, text_of)[0]


def test_offsets_are_checked_against_the_index_when_given(suite):
    class StandIn:
        def document(self, doc_id: str):
            return type("Doc", (), {"text": DOCS[doc_id].upper()})()  # every quote is now off

    report = ev.evaluate(fake_answer, suite, index=StandIn())  # type: ignore[arg-type]
    # only u1 has nothing to check: a refusal without passages
    assert [o.row.id for o in report.outcomes if not o.offset_errors] == ["u1"]
    assert report.overall.offset_exact == pytest.approx(1 / 6)


def test_threshold_applies_to_confidence_and_the_curve_matches(suite):
    report = ev.evaluate(fake_answer, suite, threshold=0.65)
    by_id = {o.row.id: o for o in report.outcomes}
    assert by_id["a2"].found is False and by_id["a2"].quoted is True  # 0.6 < 0.65: refused now
    assert by_id["u2"].found is True  # 0.7
    chosen = [p for p in report.overall.curve if p.chosen]
    assert [p.threshold for p in chosen] == [0.65]
    assert chosen[0].accuracy == report.overall.accuracy and chosen[0].abstention == report.overall.abstention
    points = {p.threshold: p for p in report.overall.curve}
    # a1 right at 0.9; u1 never quoted; u2 quoted at 0.7
    assert points[0.05].accuracy == pytest.approx(1 / 4) and points[0.05].abstention == pytest.approx(1 / 2)
    assert points[0.75].abstention == 1.0 and points[0.75].accuracy == pytest.approx(1 / 4)
    assert points[0.95].accuracy == 0.0 and points[0.95].answered == 0.0
    # quoted 5 of 6 (a3 and u1 refused on their own) -> at 0.05 a1, a2, a4, u2 = 4 of 6
    assert points[0.05].answered == pytest.approx(4 / 6)


def test_report_text_and_json(suite):
    report = ev.evaluate(fake_answer, suite, threshold=0.5)
    text = ev.format_report(report, failures=0)
    for needle in (
        "accuracy",
        "abstain",
        "R@1",
        "MRR",
        "0.50 *",
        "held-out",
        ev.WRONG,
        ev.FALSE_ANSWER,
        "What did Macron say?",
    ):
        assert needle in text
    data = json.loads(json.dumps(report.to_dict(failures=True)))
    assert data["overall"]["accuracy"] == 0.25 and set(data["parts"]) == {"fit", "held-out"}
    assert data["failures"][ev.REFUSED][0]["id"] == "a3"


def test_percentile_and_normalize():
    assert ev.percentile([], 50) is None
    assert ev.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert ev.percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    assert ev.normalize("  “Nothing ABOUT\n you’re”  ") == '"nothing about you\'re"'


# ----------------------------------------------------------------------------- loading suites


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["q"]', "JSON object"),
        ('{"gold": ["x"]}', '"q"'),
        ('{"q": "  ", "gold": ["x"]}', '"q"'),
        ('{"q": "x"}', '"gold"'),
        ('{"q": "x", "gold": []}', '"gold"'),
        ('{"q": "x", "gold": [""]}', "gold"),
        ('{"q": "x", "gold": ["a"], "unanswerable": true}', "not both"),
        ('{"q": "x", "unanswerable": "yes"}', "unanswerable"),
        ('{"q": "x", "answers": ["a"]}', "unknown key"),
        ('{"q": "x", "gold": ["a"], "doc": "missing.txt"}', "missing.txt"),
        ('{"q": "x", "gold": ["a"], "part": ""}', "part"),
        ('{"q": "x", "gold": ["a"], "id": true}', "id"),
    ],
)
def test_bad_rows_name_their_line(tmp_path, line, message):
    root = write_suite(tmp_path / "bad", [])
    (root / "qa.jsonl").write_text('{"q": "fine?", "unanswerable": true}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"qa\.jsonl:3: ") as err:
        ev.load_suite(root)
    assert message in str(err.value)


def test_suite_folder_problems(tmp_path):
    with pytest.raises(FileNotFoundError, match="docs/"):
        ev.load_suite(tmp_path)
    root = write_suite(
        tmp_path / "dup", [{"id": "x", "q": "a?", "unanswerable": True}, {"id": "x", "q": "b?", "unanswerable": True}]
    )
    with pytest.raises(ValueError, match=r"qa\.jsonl:2: duplicate id 'x'"):
        ev.load_suite(root)
    (root / "qa.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no questions"):
        ev.load_suite(root)


def test_only_part(suite):
    assert {r.id for r in suite.only_part("fit").rows} == {"a1", "a2", "u1"}
    with pytest.raises(ValueError, match="fit, held-out"):
        suite.only_part("test")


# ----------------------------------------------------------------------------- the SQuAD converter


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


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


# ----------------------------------------------------------------------------- the committed suites


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


# ----------------------------------------------------------------------------- with the real model


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
    root = write_suite(
        tmp_path / "mini", [], {"a.txt": "Officials will meet in Geneva on Monday.\nThe weather was cold.\n"}
    )
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
