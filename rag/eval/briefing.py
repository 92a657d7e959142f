"""Evaluate briefings on a suite's `briefing.jsonl` against three baselines: newest leads, LexRank, TextRank.

    rag eval eval/ukraine_2022 --briefing      (or: python -m rag.eval.briefing eval/ukraine_2022 [--items 10]
                                                [--no-baselines] [--json out.json])

Per request: `Index.brief` over the suite's index, and the baselines over the same window's
sentences (articles dated within [since, until], not after as_of) and stored vectors; each
system gives the same number of items. Scores:
- recall: share of the gold developments covered (an item covers one when its quote contains one
  of its phrases, both after `rag.eval.suite.normalize`);
- redundancy: share of items that repeat an earlier item of the same briefing (they cover a
  common development, or `same_sentence` calls them near-duplicates);
- dates: share of covering items whose timeline day is the development's day, or the day after
  when that is the article's own date (evening addresses published after midnight);
- offsets: share of items whose `document.text[start:end] == text` (must be 1.0);
- article recall (a diagnostic, not the metric): share of the gold developments with an item quoting
  their `doc`, whatever sentence of it; the gap to recall is items in the right article but on
  another statement (the gold names one article per development, so restatements elsewhere count
  in neither).
Rows br-01..br-04 are "fit" (weights were set on them), br-05..br-08 "held-out".
The baselines rank the sentences the engine may quote (greetings, slogans repeated across
addresses and fragments under four words left out) and, with a topic, only those about it
(relevance >= `Options.min_relevance`): all systems answer the same question from the same pool.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..brief import Options, topic_relevance
from ..brief.baselines import graph_summary, newest_leads
from ..brief.from_index import window_bounds
from ..brief.items import event_day
from ..brief.salience import salience
from ..config import MODEL_NAME
from ..dates import parse_date
from ..documents import Document
from ..duplicates import fingerprint, same_sentence
from ..embedding import encode
from .suite import normalize

BRIEFING_FILE = "briefing.jsonl"
FIT_ROWS = frozenset({"br-01", "br-02", "br-03", "br-04"})
SYSTEMS = ("brief", "leads", "lexrank", "textrank")


@dataclass(frozen=True)
class Development:
    """A gold development: its id, the day it happened, phrases that identify it, the article reporting it."""

    id: str
    date: date
    phrases: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class Request:
    """One briefing request of the gold set."""

    id: str
    since: date
    until: date
    as_of: date
    topic: str | None
    developments: tuple[Development, ...]

    @property
    def part(self) -> str:
        """The row's part: "fit" for the rows the weights were set on, else "held-out"."""
        return "fit" if self.id in FIT_ROWS else "held-out"


@dataclass(frozen=True)
class Quote:
    """An item as scored: where it is, what it says, the day a reader sees it at."""

    doc_id: str
    start: int
    end: int
    text: str
    day: date | None


@dataclass
class Score:
    """The scores of one system on one request."""

    items: int = 0
    covered: set[str] = field(default_factory=set)
    in_article: set[str] = field(default_factory=set)  # developments with an item from their article
    gold: int = 0
    redundant: int = 0
    dated: int = 0
    covering: int = 0
    exact: int = 0

    @property
    def recall(self) -> float:
        """Share of the gold developments covered."""
        return len(self.covered) / self.gold if self.gold else 0.0

    @property
    def article_recall(self) -> float:
        """Share of the gold developments whose article some item quotes (a diagnostic)."""
        return len(self.in_article) / self.gold if self.gold else 0.0

    @property
    def redundancy(self) -> float:
        """Share of items repeating an earlier item."""
        return self.redundant / self.items if self.items else 0.0

    @property
    def dates(self) -> float:
        """Share of covering items shown at the right day."""
        return self.dated / self.covering if self.covering else 0.0

    @property
    def offsets(self) -> float:
        """Share of items whose offsets give back their text."""
        return self.exact / self.items if self.items else 1.0


def load_requests(path: str | os.PathLike[str]) -> list[Request]:
    """The requests of a `briefing.jsonl`; `ValueError` naming the line of the first malformed one."""
    out = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            devs = tuple(
                Development(d["id"], _day(d["date"]), tuple(d["phrases"]), d["doc"]) for d in row["developments"]
            )
            out.append(
                Request(row["id"], _day(row["since"]), _day(row["until"]), _day(row["as_of"]), row.get("topic"), devs)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{path}:{lineno}: not a briefing request ({exc}); see eval/ukraine_2022/README.md"
            ) from None
    if not out:
        raise ValueError(f"{path}: no briefing requests")
    return out


def _day(value: Any) -> date:
    day = parse_date(value)
    if day is None:
        raise ValueError("a date is required")
    return day


def score(quotes: Sequence[Quote], request: Request, documents: dict[str, Document]) -> Score:
    """Recall, redundancy, date accuracy and offset exactness of one system's items (see the module doc)."""
    result = Score(items=len(quotes), gold=len(request.developments))
    seen: list[tuple[set[str], Any]] = []
    for q in quotes:
        text = normalize(q.text)
        covers = {d.id for d in request.developments if any(normalize(p) in text for p in d.phrases)}
        fp = fingerprint(q.text)
        if any((covers & other) or same_sentence(fp, ofp) for other, ofp in seen):
            result.redundant += 1
        seen.append((covers, fp))
        result.covered |= covers
        result.in_article |= {d.id for d in request.developments if d.doc == q.doc_id}
        result.exact += documents[q.doc_id].text[q.start : q.end] == q.text
        if covers:
            result.covering += 1
            article = documents[q.doc_id].date
            ok = any(_right_day(q.day, article, d.date) for d in request.developments if d.id in covers)
            result.dated += ok
    return result


def _right_day(shown: date | None, article: str | None, happened: date) -> bool:
    """The day shown is the event's, or the next day when that is the article's date (published after midnight)."""
    if shown is None:
        return False
    return shown == happened or (shown == happened + timedelta(days=1) and article == shown.isoformat())


def run(suite: str | os.PathLike[str], items: int = 10, baselines: bool = True) -> dict[str, Any]:
    """Every request of `suite` through `Index.brief` and the baselines; per-row scores and summaries.

    The suite's index (`<suite>/.index`, shared with its QA run) is built when missing and
    updated when stale; the baselines read the same window's sentences and stored vectors.
    """
    from ..api import build_index
    from .run import INDEX_DIR

    root = Path(suite)
    if not (root / BRIEFING_FILE).is_file() or not (root / "docs").is_dir():
        raise FileNotFoundError(f"{root} is not a briefing suite: it needs {BRIEFING_FILE} and a docs/ folder")
    requests = load_requests(root / BRIEFING_FILE)
    index = build_index(root / "docs", root / INDEX_DIR)
    documents = {doc_id: index.document(doc_id) for doc_id in index.doc_ids}
    # warm-up, outside the timed calls: the sentence features, and the model a topic is embedded with
    index.brief(max_items=1)
    index.brief("warm-up", max_items=1)
    rows = []
    for req in requests:
        started = time.perf_counter()
        briefing = index.brief(req.topic, since=req.since, until=req.until, as_of=req.as_of, max_items=items)
        seconds = time.perf_counter() - started
        quotes = {"brief": [Quote(i.doc_id, i.start, i.end, i.text, _day_of(i.timeline_date)) for i in briefing.items]}
        if baselines:
            # the baselines rank what the engine may quote: no greetings, slogans or fragments, and
            # with a topic only the sentences about it; they differ from it only in how they choose
            first, last = window_bounds(req.since, req.until, req.as_of, index.newest_date)
            window, wvec = index.dated_sentences(first, last) if first and last else ([], np.zeros((0, 1)))
            usable = np.isfinite(salience(window).score) if window else np.zeros(0, dtype=bool)
            if req.topic and window:
                topic_vector = encode(MODEL_NAME, [req.topic])[0]
                usable &= topic_relevance(req.topic, window, wvec, topic_vector) >= Options().min_relevance
            pool = [s for s, ok in zip(window, usable) if ok]
            count = len(briefing.items) or items
            for name in SYSTEMS[1:]:
                chosen = newest_leads(pool, count) if name == "leads" else graph_summary(pool, count, name)
                quotes[name] = [_as_quote(pool[i]) for i in chosen]
        scores = {name: score(q, req, documents) for name, q in quotes.items()}
        rows.append(
            {"request": req, "scores": scores, "seconds": seconds, "briefing": briefing, "articles": briefing.articles}
        )
    return {"rows": rows, "items": items}


def _as_quote(s: Any) -> Quote:
    when = event_day(s)
    return Quote(s.doc_id, s.start, s.end, s.text, when.first if when else s.article_date)


def _day_of(iso: str | None) -> date | None:
    return parse_date(iso) if iso else None


def _summary(rows: list[dict[str, Any]], name: str) -> Score:
    total = Score()
    for row in rows:
        s = row["scores"][name]
        total.covered |= {f"{row['request'].id}/{c}" for c in s.covered}
        total.in_article |= {f"{row['request'].id}/{c}" for c in s.in_article}
        for counter in ("items", "gold", "redundant", "dated", "covering", "exact"):
            setattr(total, counter, getattr(total, counter) + getattr(s, counter))
    return total


def _parts(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {
        part: [r for r in rows if part == "all" or r["request"].part == part] for part in ("fit", "held-out", "all")
    }


def report(result: dict[str, Any], out: Any = sys.stdout) -> None:
    """Print the side-by-side table: per row, then fit, held-out and overall."""
    rows = result["rows"]
    names = [n for n in SYSTEMS if n in rows[0]["scores"]]
    head = f"{'row':<8}{'part':<9}{'topic':<24}{'art':>4}{'gold':>5}"
    head += "".join(f" | {n:<8} rec  red" for n in names) + " | brief dates offs  art   ms"

    def line(label: str, part: str, topic: str, articles: str, parts: dict[str, Score], ms: str) -> str:
        cells = "".join(f" | {'':<8}{parts[n].recall:4.2f} {parts[n].redundancy:4.2f}" for n in names)
        b = parts["brief"]
        return (
            f"{label:<8}{part:<9}{topic[:23]:<24}{articles:>4}{b.gold:>5}{cells}"
            f" | {b.dates:11.2f} {b.offsets:4.2f} {b.article_recall:4.2f} {ms:>4}"
        )

    lines = [head, "-" * len(head)]
    for row in rows:
        req = row["request"]
        ms = f"{row['seconds'] * 1000:.0f}"
        lines.append(line(req.id, req.part, req.topic or "-", str(row["articles"]), row["scores"], ms))
    lines.append("-" * len(head))
    for part, chosen in _parts(rows).items():
        lines.append(line(part, "", "", "", {n: _summary(chosen, n) for n in names}, ""))
    lines.append(
        f"\n{result['items']} items per briefing; rec = event recall, red = redundancy; brief: its dates, offsets"
        " and art = share of developments with an item from their article (diagnostic)"
    )
    print("\n".join(lines), file=out)


def to_json(result: dict[str, Any]) -> dict[str, Any]:
    """The run as JSON: per-row scores and briefings, and the summaries."""

    def flat(s: Score) -> dict[str, Any]:
        numbers = {k: round(getattr(s, k), 4) for k in ("recall", "redundancy", "dates", "offsets", "article_recall")}
        return {"items": s.items, **numbers, "covered": sorted(s.covered)}

    rows = result["rows"]
    per_row = [
        {"id": r["request"].id, "part": r["request"].part, "topic": r["request"].topic,
         "scores": {n: flat(s) for n, s in r["scores"].items()}, "briefing": r["briefing"].to_dict()}
        for r in rows
    ]  # fmt: skip
    summary = {part: {n: flat(_summary(chosen, n)) for n in rows[0]["scores"]} for part, chosen in _parts(rows).items()}
    return {"items": result["items"], "rows": per_row, "summary": summary}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: evaluate the briefings of a suite folder and print the table (also `rag eval --briefing`)."""
    parser = argparse.ArgumentParser(prog="python -m rag.eval.briefing", description=__doc__.splitlines()[0])
    parser.add_argument("suite", help="suite folder with docs/ and briefing.jsonl, e.g. eval/ukraine_2022")
    parser.add_argument("--items", type=int, default=10, help="items per briefing (default 10)")
    parser.add_argument("--no-baselines", action="store_true", help="score the briefing only (LexRank takes minutes)")
    parser.add_argument("--json", help="also write per-row scores and the briefings to this file")
    args = parser.parse_args(argv)
    if args.items < 1:
        parser.error("--items must be at least 1")
    try:
        result = run(args.suite, args.items, not args.no_baselines)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(to_json(result), indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
