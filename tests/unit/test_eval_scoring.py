"""Scoring a QA suite with a fake answer function of known results: metrics, offsets, threshold, report, suite loading."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rag import eval as ev

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
