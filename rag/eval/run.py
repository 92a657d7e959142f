"""Run QA suites: build each suite's index, answer every question once, and collect the reports."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .metrics import AgainstNaive, GoldArticle, SuiteReport, against_naive, gold_article, summarize
from .report import format_report
from .score import AnswerFn, TextOf, score_answer
from .suite import Suite, load_suite

if TYPE_CHECKING:
    import argparse

    from ..index import Index

INDEX_DIR = ".index"
T = TypeVar("T")


def evaluate(
    answer_fn: AnswerFn,
    suite: Suite | str | os.PathLike[str],
    *,
    index: Index | None = None,
    threshold: float | None = None,
    build_seconds: float | None = None,
) -> SuiteReport:
    """Answer every question of `suite` once with `answer_fn` and score the answers.

    Offsets are checked against `index.document(doc_id).text` when `index` is given, else
    against the suite's files. `threshold`, when given, is applied to the answers' confidence
    (see `curve`); None takes each answer's `found` as it is.
    """
    suite = suite if isinstance(suite, Suite) else load_suite(suite)
    text_of = (lambda d: index.document(d).text) if index is not None else _file_reader(suite.docs_dir)
    outcomes = []
    for row in suite.rows:
        t0 = time.perf_counter()
        answer = answer_fn(row.q, as_of=row.as_of) if row.as_of else answer_fn(row.q)
        seconds = time.perf_counter() - t0
        outcomes.append(score_answer(row, answer, text_of, threshold=threshold, seconds=seconds))
    parts = (
        tuple((part, summarize([o for o in outcomes if o.row.part == part], chosen=threshold)) for part in suite.parts)
        if len(suite.parts) > 1
        else ()
    )
    kinds = sorted({o.row.kind for o in outcomes if o.row.kind is not None})
    return SuiteReport(
        suite=suite.name,
        path=str(suite.path),
        threshold=threshold,
        overall=summarize(outcomes, chosen=threshold),
        parts=parts,
        outcomes=tuple(outcomes),
        build_seconds=build_seconds,
        index_note=_build_note(index),
        kinds=tuple((k, summarize([o for o in outcomes if o.row.kind == k], chosen=threshold)) for k in kinds),
    )


def _build_note(index: Index | None) -> str | None:
    report = getattr(index, "report", None)  # None too for a stand-in index in tests
    return report.summary() if report is not None else None


def _file_reader(docs_dir: Path) -> TextOf:
    @cache
    def text_of(doc_id: str) -> str:
        path = docs_dir / doc_id
        if not path.is_file():
            raise KeyError(doc_id)
        return path.read_bytes().decode("utf-8")  # as rag reads it: no newline translation

    return text_of


def evaluate_index(
    index: Index,
    suite: Suite | str | os.PathLike[str],
    *,
    threshold: float | None = None,
    build_seconds: float | None = None,
    with_gold_article: bool = False,
    with_naive: bool = False,
) -> SuiteReport:
    """Score `index` on `suite` at `threshold` (default: the index's own), with an exact curve.

    Questions are answered at threshold 0 (one retrieval each) and the threshold is applied
    to the recorded confidences. One untimed warm-up answer comes first, so latency does
    not include loading the model. `with_gold_article`: the answerable questions that name
    their article are answered again from that article alone (`Index.answer(within=...)`),
    and the report's `gold_article` compares the two. `with_naive`: the answerable questions
    are asked of the naive dense top-1 chunk pipeline too (`rag.eval.naive`), same articles,
    same `as_of`, and the report's `naive` compares the two.
    """
    suite = suite if isinstance(suite, Suite) else load_suite(suite)
    chosen = index.settings.threshold if threshold is None else threshold
    if not 0.0 <= chosen <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {chosen}")
    unrefusing = index.with_settings(threshold=0.0)
    unrefusing.answer(suite.rows[0].q)
    report = evaluate(unrefusing.answer, suite, index=index, threshold=chosen, build_seconds=build_seconds)
    if with_gold_article:
        report = replace(report, gold_article=_gold_article(index, unrefusing, report, chosen, suite.parts))
    if with_naive:
        report = replace(report, naive=_against_naive(index, report, suite.parts))
    return report


def _by_part(items: Sequence[T], part_of: Callable[[T], str | None], parts: Sequence[str]) -> list[tuple[str, list[T]]]:
    """("all", items), then (part, its items) for each part that has some, when there are several parts."""
    split = [(part, [x for x in items if part_of(x) == part]) for part in parts] if len(parts) > 1 else []
    return [("all", list(items))] + [(part, mine) for part, mine in split if mine]


def _gold_article(
    index: Index, unrefusing: Index, report: SuiteReport, chosen: float, parts: Sequence[str]
) -> tuple[GoldArticle, ...]:
    text_of = lambda d: index.document(d).text  # noqa: E731
    indexed = set(index.doc_ids)  # a suite's file skipped as a copy of another is not indexed
    pairs = []
    for o in report.outcomes:
        row = o.row
        if row.answerable and row.doc in indexed:
            given = unrefusing.answer(row.q, as_of=row.as_of, within=row.doc)
            pairs.append((o, score_answer(row, given, text_of, threshold=chosen)))
    return tuple(gold_article(part, mine) for part, mine in _by_part(pairs, lambda p: p[0].row.part, parts))


def _against_naive(index: Index, report: SuiteReport, parts: Sequence[str]) -> tuple[AgainstNaive, ...]:
    from .. import embedding
    from ..dates import parse_date
    from .naive import NaivePipeline

    naive = NaivePipeline([index.document(d) for d in index.doc_ids], embedding.get_model(index.settings.model_name))
    pairs = [(o, naive.answer(o.row.q, as_of=parse_date(o.row.as_of))) for o in report.outcomes if o.row.answerable]
    return tuple(against_naive(part, mine) for part, mine in _by_part(pairs, lambda p: p[0].row.part, parts))


def suite_index(suite: Suite) -> tuple[Index, float]:
    """The index of `suite`'s docs in `<suite>/.index` (a temp folder if that is read-only).

    `rag.build_index` re-embeds only changed files, so after the first run this is quick.
    Returns the index and the seconds the build took, not counting loading the model
    (once per process, and as slow as a small build: it would hide what the build costs).
    """
    from .. import embedding
    from ..api import build_index
    from ..config import Settings

    embedding.get_model(Settings().model_name)

    index_dir = suite.path / INDEX_DIR
    if not os.access(suite.path, os.W_OK) or (index_dir.exists() and not os.access(index_dir, os.W_OK)):
        index_dir = Path(tempfile.mkdtemp(prefix=f"rag-eval-{suite.name}-")) / "index"
    t0 = time.perf_counter()
    index = build_index(suite.docs_dir, index_dir)
    return index, time.perf_counter() - t0


def iter_reports(
    paths: Sequence[str | os.PathLike[str]],
    *,
    threshold: float | None = None,
    part: str | None = None,
    with_gold_article: bool = False,
    with_naive: bool = False,
) -> Iterator[SuiteReport]:
    """Load, index and score each suite folder in `paths`, yielding each report when done.

    Every suite is loaded and validated before the first index is built, so a bad row in
    the last suite fails at once.
    """
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    suites = [load_suite(p) for p in paths]
    if part is not None:
        suites = [s.only_part(part) for s in suites]
    for suite in suites:
        index, seconds = suite_index(suite)
        yield evaluate_index(
            index,
            suite,
            threshold=threshold,
            build_seconds=seconds,
            with_gold_article=with_gold_article,
            with_naive=with_naive,
        )


def run(
    paths: Sequence[str | os.PathLike[str]], *, threshold: float | None = None, part: str | None = None
) -> list[SuiteReport]:
    """The reports of `iter_reports`, as a list."""
    return list(iter_reports(paths, threshold=threshold, part=part))


def main(args: argparse.Namespace) -> int:
    """`rag eval`: print the reports; exit 1 when an offset check failed, else 0.

    A folder holding `expressions.jsonl` is a labelled set of time expressions: its
    resolution accuracy is reported (`rag.eval.dates`) instead of a QA run.
    """
    from . import dates

    failures: int | None = getattr(args, "failures", None)
    expression_sets = [p for p in args.suites if (Path(p) / "expressions.jsonl").is_file()]
    qa_suites = [p for p in args.suites if p not in expression_sets]
    out: list[dict[str, Any]] = []
    for path in expression_sets:
        found = dates.evaluate(path)
        if args.json:
            out.append({"expressions": str(path), **found.to_dict()})
        else:
            print(
                f"== time expressions ({path})\n" + dates.format_report(found, failures=failures is not None),
                flush=True,
            )
    if getattr(args, "briefing", False):
        from . import briefing

        for path in [p for p in qa_suites if (Path(p) / briefing.BRIEFING_FILE).is_file()]:
            result = briefing.run(path, items=10, baselines=True)
            if args.json:
                out.append({"briefing": str(path), **briefing.to_json(result)})
            else:
                print(f"== briefings ({path})")
                briefing.report(result)
                print(flush=True)
    reports: list[SuiteReport] = []
    compare = {"with_gold_article": getattr(args, "gold_article", False), "with_naive": getattr(args, "naive", False)}
    for report in iter_reports(qa_suites, threshold=args.threshold, part=args.part, **compare) if qa_suites else ():
        if not args.json:  # show each suite as soon as it is done
            print(("\n" if reports or expression_sets else "") + format_report(report, failures=failures), flush=True)
        reports.append(report)
    if args.json:
        out += [r.to_dict(failures=failures is not None) for r in reports]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    bad = [r.suite for r in reports if not r.offsets_ok]
    if bad:
        print(f"error: quotes or passages off their documents' text in {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0
