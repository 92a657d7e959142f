"""Answer quality on the full-path benchmark's generated year of news, per suite and part, without timing anything.

    python -m bench --only fullpath --fullpath-sizes 200000   # once: builds bench/cache/year-200000
    python scripts/scale_quality.py bench/cache/year-200000/index [--naive] [--as-of-article [--lag DAYS]]

Asks the benchmark's question sample (`bench/cache/questions.json`: 200 SQuAD 1.1 questions, the
stream and seed suites) of an index it built, and prints, per suite and part (the suites' "fit" and
"held-out"; SQuAD's have none), answered right among the answerable (found, gold phrase in the
quote), from the gold article, and unanswerables refused. Nothing here is fitted; the numbers show
what the small suites do not: articles that repeat one another's sentences at scale.

`--naive` asks the answerable questions of the naive dense top-1 chunk pipeline too
(`rag.eval.naive`, right when a gold phrase is anywhere in its chunk; embedding the corpus's
chunks takes minutes). `--as-of-article` asks each question that has no `as_of` (SQuAD's, the
seed's) as of its article's date, as the independent measurement asks every question as of a
date: without it, "now" is the newest article of the year. `--lag N` asks them N days after it,
when later articles, and the benchmark's variants of the question's own, have appeared.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import rag
from rag.dates import parse_date
from rag.eval import holds_gold

ROOT = Path(__file__).resolve().parent.parent
SUITES = {"stream": ROOT / "eval" / "ukraine_2022" / "qa.jsonl", "seed": ROOT / "eval" / "seed" / "qa.jsonl"}


def parts() -> dict[tuple[str, str], str]:
    """(suite, question id) -> part, for the suites whose rows carry one."""
    out = {}
    for suite, path in SUITES.items():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out[(suite, row["id"])] = row.get("part", "-")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index", type=Path, help="an index the benchmark built, e.g. bench/cache/year-200000/index")
    ap.add_argument("--questions", type=Path, default=ROOT / "bench" / "cache" / "questions.json")
    ap.add_argument("--naive", action="store_true", help="also ask the naive dense top-1 chunk pipeline")
    ap.add_argument("--as-of-article", action="store_true", help="ask undated questions as of their article's date")
    ap.add_argument(
        "--lag", type=int, default=0, help="with --as-of-article: ask that many days after the article's date"
    )
    args = ap.parse_args()
    index = rag.load_index(args.index)
    naive = None
    if args.naive:
        from rag import embedding
        from rag.eval.naive import NaivePipeline

        model = embedding.get_model(index.settings.model_name)
        naive = NaivePipeline([index.document(d) for d in index.doc_ids], model)
    part_of = parts()
    indexed = set(index.doc_ids)  # a tuple built on each access: once, not per question
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for q in json.loads(args.questions.read_text(encoding="utf-8")):
        as_of = q["as_of"]
        if as_of is None and args.as_of_article and q["doc"] in indexed:
            as_of = index.document(q["doc"]).date
            if as_of and args.lag:
                as_of = (parse_date(as_of) + timedelta(days=args.lag)).isoformat()
        a = index.answer(q["q"], as_of=as_of)
        t = tally[(q["suite"], part_of.get((q["suite"], q["id"]), "-"))]
        if q["gold"]:
            t["answerable"] += 1
            t["right"] += bool(a.found and holds_gold(a.text, q["gold"]))
            t["gold_article"] += bool(a.found and a.doc_id == q["doc"])
            chunk = naive.answer(q["q"], as_of=parse_date(as_of)) if naive else None
            t["naive_right"] += bool(chunk and holds_gold(chunk.text, q["gold"]))
            t["naive_article"] += bool(chunk and chunk.doc_id == q["doc"])
        else:
            t["unanswerable"] += 1
            t["refused"] += not a.found
    print(
        "suite   part      answerable  right   gold article  unanswerable  refused"
        + ("  naive right  naive gold article" if naive else "")
    )
    for (suite, part), t in sorted(tally.items()):
        n, u = t["answerable"], t["unanswerable"]
        refused = f"{t['refused'] / u:7.1%}" if u else "      -"
        print(
            f"{suite:7} {part:9} {n:10}  {t['right'] / max(n, 1):6.1%}  {t['gold_article'] / max(n, 1):12.1%}"
            f"  {u:12}  {refused}"
            + (f"  {t['naive_right'] / max(n, 1):11.1%}  {t['naive_article'] / max(n, 1):18.1%}" if naive else "")
        )


if __name__ == "__main__":
    main()
