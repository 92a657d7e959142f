"""Measure time-expression resolution (rag.dates, or dateparser for comparison) on the hand-labelled set.

Run: `python -m rag.eval.dates eval/time_expressions [--method rules|dateparser|hybrid] [--speed DIR] [--failures]`.
A labelled sentence has every time expression it holds labelled (rows sharing the sentence); a prediction is
matched to the labelled phrase it overlaps. Exact: the resolved days equal the gold days; within: they lie
inside the gold range. A false positive is a prediction that overlaps no phrase with a gold date (decoys such as
"May the memory", "2014 missiles", "the 9th day of the war" are labelled with gold null to count them).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..dates import DateRange, TimeExpression, find_time_expressions, question_window

Finder = Callable[[str, date], list[TimeExpression]]
Window = Callable[[str, date], DateRange | None]


@dataclass(frozen=True)
class Tally:
    """Counts for one group of rows (a part, a kind, or everything)."""

    expressions: int = 0  # rows with a gold date
    exact: int = 0
    within: int = 0
    missed: int = 0  # nothing predicted over the phrase
    false_positives: int = 0  # predictions over no dated phrase
    sentences: int = 0

    @property
    def exact_rate(self) -> float | None:
        """Share of dated rows resolved to exactly the gold days."""
        return self.exact / self.expressions if self.expressions else None

    @property
    def within_rate(self) -> float | None:
        """Share of dated rows resolved inside the gold range."""
        return self.within / self.expressions if self.expressions else None


@dataclass(frozen=True)
class DatesReport:
    """Tallies per part ("fit", "held-out"), per kind within each part, and the speed figures."""

    method: str
    parts: dict[str, Tally]
    kinds: dict[str, dict[str, Tally]]
    failures: list[str] = field(default_factory=list)
    ms_per_sentence: float | None = None
    speed_sentences: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready tallies (rates rounded to 4 places)."""

        def tally(t: Tally) -> dict[str, Any]:
            rates = {"exact_rate": t.exact_rate, "within_rate": t.within_rate}
            return {**vars(t), **{k: None if v is None else round(v, 4) for k, v in rates.items()}}

        return {
            "method": self.method,
            "parts": {name: tally(t) for name, t in self.parts.items()},
            "kinds": {part: {kind: tally(t) for kind, t in kinds.items()} for part, kinds in self.kinds.items()},
            "ms_per_sentence": self.ms_per_sentence,
        }


def _gold(value: str | None) -> DateRange | None:
    if value is None:
        return None
    a, _, b = value.partition("/")
    return DateRange(date.fromisoformat(a), date.fromisoformat(b or a))


def load_rows(path: str | Path) -> list[dict]:
    """The labelled rows of `path` (a folder holding expressions.jsonl, or the file itself)."""
    path = Path(path)
    file = path / "expressions.jsonl" if path.is_dir() else path
    if not file.is_file():
        raise ValueError(f"{file} not found: pass the folder that holds expressions.jsonl, e.g. eval/time_expressions")
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(path: str | Path, *, finder: Finder | None = None, window: Window | None = None,
             method: str = "rules") -> DatesReport:  # fmt: skip
    """Score `finder`/`window` (default: rag.dates) on every row of the labelled set at `path`."""
    finder = finder or (lambda text, ref: find_time_expressions(text, ref))
    window = window or question_window
    rows = load_rows(path)
    counts: dict[tuple[str, str], defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    failures: list[str] = []

    def add(part: str, kind: str, name: str, n: int = 1) -> None:
        for key in ((part, "all"), (part, kind), ("all", "all"), ("all", kind)):
            counts[key][name] += n

    sentences: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if "question" in row:
            _score_question(row, window, add, failures)
        else:
            sentences[(row["sentence"], row["article_date"])].append(row)
    for (sentence, day), labelled in sentences.items():
        predicted = finder(sentence, date.fromisoformat(day))
        part = labelled[0]["part"]
        add(part, "sentence", "sentences")
        dated = [r for r in labelled if r["gold"] is not None]
        for row in dated:
            span = (row["start"], row["start"] + len(row["phrase"]))
            hits = [e for e in predicted if e.start < span[1] and span[0] < e.end]
            gold = _gold(row["gold"])
            assert gold is not None  # `dated` rows only
            add(part, row["kind"], "expressions")
            if not hits:
                add(part, row["kind"], "missed")
                failures.append(f"{row['id']} missed   {row['phrase']!r} gold {row['gold']} | {sentence}")
                continue
            when = hits[0].when
            add(part, row["kind"], "exact", int(when == gold))
            add(part, row["kind"], "within", int(gold.first <= when.first and when.last <= gold.last))
            if when != gold:
                failures.append(
                    f"{row['id']} wrong    {hits[0].phrase!r} -> {when.iso()} gold {row['gold']} | {sentence}"
                )
        for e in predicted:
            if not any(e.start < r["start"] + len(r["phrase"]) and r["start"] < e.end for r in dated):
                over = [
                    r
                    for r in labelled
                    if r["phrase"] and e.start < r["start"] + len(r["phrase"]) and r["start"] < e.end
                ]
                add(part, over[0]["kind"] if over else "unlabelled", "false_positives")
                failures.append(f"{labelled[0]['id']} false+   {e.phrase!r} -> {e.when.iso()} | {sentence}")
    parts = {p: Tally(**counts[(p, "all")]) for p in ("fit", "held-out", "all")}
    kinds: dict[str, dict[str, Tally]] = defaultdict(dict)
    for (p, k), c in counts.items():
        if k != "all":
            kinds[p][k] = Tally(**c)
    return DatesReport(method, parts, dict(kinds), failures)


def _score_question(row: dict, window: Window, add: Callable[..., None], failures: list[str]) -> None:
    part = row["part"]
    got = window(row["question"], date.fromisoformat(row["as_of"]))
    gold = _gold(row["gold"])
    add(part, "question", "sentences")
    if gold is None:
        if got is not None:
            add(part, "question", "false_positives")
            failures.append(f"{row['id']} false+   {got.iso()} | {row['question']}")
        return
    add(part, "question", "expressions")
    if got is None:
        add(part, "question", "missed")
        failures.append(f"{row['id']} missed   gold {row['gold']} | {row['question']}")
        return
    add(part, "question", "exact", int(got == gold))
    add(part, "question", "within", int(gold.first <= got.first and got.last <= gold.last))
    if got != gold:
        failures.append(f"{row['id']} wrong    {got.iso()} gold {row['gold']} | {row['question']}")


def measure_speed(sentences: list[str], finder: Finder, reference: date, repeat: int = 3) -> float:
    """Milliseconds per sentence, the best of `repeat` passes over `sentences`."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for s in sentences:
            finder(s, reference)
        best = min(best, time.perf_counter() - t0)
    return 1000 * best / max(1, len(sentences))


def corpus_sentences(folder: str | Path) -> list[str]:
    """Sentences of every .txt file under `folder` (split at ., ! or ? before a space: enough for timing)."""
    files = sorted(Path(folder).rglob("*.txt"))
    if not files:
        raise ValueError(f"no .txt files under {folder}: pass a folder of articles")
    out: list[str] = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            out.extend(s for s in re.split(r"(?<=[.!?])\s+", line) if s.strip())
    return out


def dateparser_methods(hybrid: bool = False) -> tuple[Finder, Window]:
    """dateparser.search.search_dates as a finder and window, for comparison.

    Dates are relative to the article date, past preferred; `hybrid` keeps rag.dates and adds what it leaves unmatched.
    """
    try:
        from dateparser.search import search_dates
    except ImportError as exc:  # the comparison is optional; the library does not need dateparser
        raise ValueError("the dateparser comparison needs dateparser: pip install dateparser") from exc

    def search(text: str, ref: date) -> list[TimeExpression]:
        base = datetime(ref.year, ref.month, ref.day)
        hits = search_dates(text, languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}) or []
        found, pos = [], 0
        for phrase, moment in hits:
            start = text.find(phrase, pos)
            if start < 0:
                continue
            pos = start + len(phrase)
            found.append(TimeExpression(start, pos, phrase, DateRange(moment.date(), moment.date())))
        return found

    def finder(text: str, ref: date) -> list[TimeExpression]:
        if not hybrid:
            return search(text, ref)
        ours = find_time_expressions(text, ref)
        extra = [e for e in search(text, ref) if not any(e.start < o.end and o.start < e.end for o in ours)]
        return sorted(ours + extra, key=lambda e: e.start)

    def window(question: str, as_of: date) -> DateRange | None:
        if hybrid and (got := question_window(question, as_of)):
            return got
        found = search(question, as_of)
        return DateRange(min(e.when.first for e in found), max(e.when.last for e in found)) if found else None

    return finder, window


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "    –"


def format_report(report: DatesReport, *, failures: bool = False) -> str:
    """The report as a table: one line per part, then per kind of the held-out and fit parts."""
    head = f"{'':22} {'rows':>5} {'exact':>7} {'within':>7} {'missed':>6} {'false+':>6} {'sentences':>9}"
    lines = [f"method: {report.method}", head]

    def line(name: str, t: Tally) -> str:
        return (f"{name:22} {t.expressions:5} {_pct(t.exact, t.expressions):>7} {_pct(t.within, t.expressions):>7} "
                f"{t.missed:6} {t.false_positives:6} {t.sentences:9}")  # fmt: skip

    for part in ("held-out", "fit", "all"):
        lines.append(line(part, report.parts[part]))
    for part in ("held-out", "fit"):
        lines.append(f"\nby kind, {part}:")
        for kind, tally in sorted(report.kinds.get(part, {}).items()):
            lines.append(line("  " + kind, tally))
    if report.ms_per_sentence is not None:
        lines.append(f"\nspeed: {report.ms_per_sentence:.4f} ms per sentence over {report.speed_sentences} sentences")
    if failures and report.failures:
        lines += ["\nfailures:", *report.failures]
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    """Command line: print the table for one method."""
    ap = argparse.ArgumentParser(prog="python -m rag.eval.dates", description=__doc__.splitlines()[0])
    ap.add_argument("path", help="folder holding expressions.jsonl, e.g. eval/time_expressions")
    ap.add_argument("--method", choices=["rules", "dateparser", "hybrid"], default="rules")
    ap.add_argument("--speed", metavar="DIR", help="also time the finder on every sentence of the .txt files in DIR")
    ap.add_argument(
        "--sample", type=int, metavar="N", help="time only every k-th sentence, N in all (dateparser is slow)"
    )
    ap.add_argument("--failures", action="store_true", help="list every miss, wrong date and false positive")
    args = ap.parse_args(list(argv) if argv is not None else None)
    try:
        finder, window = (None, None) if args.method == "rules" else dateparser_methods(args.method == "hybrid")
        report = evaluate(args.path, finder=finder, window=window, method=args.method)
        if args.speed:
            sentences = corpus_sentences(args.speed)
            if args.sample:
                sentences = sentences[:: max(1, len(sentences) // args.sample)][: args.sample]
            timed = finder or (lambda text, ref: find_time_expressions(text, ref))
            ms = measure_speed(sentences, timed, date(2022, 3, 1), repeat=1 if finder else 3)
            report = DatesReport(report.method, report.parts, report.kinds, report.failures, ms, len(sentences))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(report, failures=args.failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
