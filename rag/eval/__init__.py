"""Score an answer function on QA suites: accuracy, abstention, retrieval, offsets, latency.

A suite is a folder::

    eval/seed/
      docs/       the articles (.txt/.md, any depth); a row's `doc` is a path relative to it
      qa.jsonl    one question per line, see `load_suite`
      .index/     the suite's index, built on first use, refreshed when docs change (gitignored)

Library use (what `rag eval` does)::

    from rag import eval as ev
    suite = ev.load_suite("eval/seed")
    index, seconds = ev.suite_index(suite)
    report = ev.evaluate_index(index, suite, build_seconds=seconds)
    print(ev.format_report(report, failures=10))

`evaluate(answer_fn, suite)` scores any function question -> Answer-like object (tests pass
a fake with known results). Each question is answered once. The refusal threshold is
applied here, not by the answer function: `evaluate_index` answers with threshold 0, keeps
every quote and its confidence, and a question counts as answered at threshold t iff
confidence >= t. So the whole coverage/accuracy curve costs one retrieval per question,
and the headline numbers are exactly the curve's point at the index's threshold.
"""

from .metrics import CURVE_THRESHOLDS, CurvePoint, Metrics, SuiteReport, curve, percentile, summarize
from .report import format_report
from .run import INDEX_DIR, evaluate, evaluate_index, iter_reports, main, run, suite_index
from .score import (
    CAUSES,
    FALSE_ANSWER,
    MAX_ANSWER_CHARS,
    OFFSETS,
    REFUSED,
    TOO_LONG,
    WRONG,
    AnswerLike,
    Outcome,
    check_offsets,
    doc_rank,
    holds_gold,
    score_answer,
)
from .suite import DOCS_DIR, QA_FILE, QARow, Suite, load_suite, normalize

__all__ = [
    "CAUSES",
    "CURVE_THRESHOLDS",
    "DOCS_DIR",
    "FALSE_ANSWER",
    "INDEX_DIR",
    "MAX_ANSWER_CHARS",
    "OFFSETS",
    "QA_FILE",
    "REFUSED",
    "TOO_LONG",
    "WRONG",
    "AnswerLike",
    "CurvePoint",
    "Metrics",
    "Outcome",
    "QARow",
    "Suite",
    "SuiteReport",
    "check_offsets",
    "curve",
    "doc_rank",
    "evaluate",
    "evaluate_index",
    "format_report",
    "holds_gold",
    "iter_reports",
    "load_suite",
    "main",
    "normalize",
    "percentile",
    "run",
    "score_answer",
    "suite_index",
    "summarize",
]
