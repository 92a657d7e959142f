"""The dated-stream suite asked with its `as_of` said in the question instead of passed: are the answers the same?

    python scripts/as_of_in_question.py eval/ukraine_2022

People type the day into the question ("As of April 10, 2022, how many ...") rather than into the
date box, or call `answer` without `as_of`. Each row is asked three ways: with `as_of` passed, as "As of <day>, <question>" and as
"<question> by <day>?", both without `as_of`. Prints, per form and part, answered right (found,
gold phrase in the quote) and unanswerables refused, then every row whose outcome differs from the
passed `as_of`. Nothing is fitted. The suite's index is built in `<suite>/.index` if missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict
from pathlib import Path

import rag
from rag.eval import holds_gold
from rag.eval.suite import load_suite


def forms(question: str, day: dt.date) -> dict[str, str]:
    """The question with `day` written into it, each way people write it."""
    words = f"{day:%B} {day.day}, {day.year}"
    return {"as of": f"As of {words}, {question[0].lower()}{question[1:]}", "by": f"{question.rstrip('?')} by {words}?"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", type=Path, help="a suite folder whose rows carry as_of, e.g. eval/ukraine_2022")
    args = ap.parse_args()
    suite = load_suite(args.suite)
    index = rag.build_index(args.suite / "docs", args.suite / ".index")
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    differ = []
    for row in suite.rows:
        if row.as_of is None:
            continue
        asked = {"passed": index.answer(row.q, as_of=row.as_of)}
        asked |= {name: index.answer(text) for name, text in forms(row.q, dt.date.fromisoformat(row.as_of)).items()}
        outcome = {}
        for name, a in asked.items():
            t = tally[(name, row.part or "-")]
            if row.gold:
                t["answerable"] += 1
                outcome[name] = bool(a.found and holds_gold(a.text, row.gold))
                t["right"] += outcome[name]
            else:
                t["unanswerable"] += 1
                outcome[name] = not a.found
                t["refused"] += outcome[name]
        differ += [(name, row, asked[name]) for name in outcome if outcome[name] != outcome["passed"]]
    print("form     part      answered right   unanswerables refused")
    for (name, part), t in sorted(tally.items()):
        n, u = t["answerable"], t["unanswerable"]
        print(
            f"{name:8} {part:9} {t['right']:3}/{n:<3} {t['right'] / max(n, 1):6.1%}   {t['refused']:3}/{u:<3} {t['refused'] / max(u, 1):6.1%}"
        )
    for name, row, a in differ:
        print(f"\n{name}: {row.id} ({row.part}, {row.kind}) {forms(row.q, dt.date.fromisoformat(row.as_of))[name]}")
        print(f"  -> {a.text[:160]!r}" if a.found else f"  -> refused: {a.text[:160]}")


if __name__ == "__main__":
    main()
