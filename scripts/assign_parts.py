"""Give each row of a suite's qa.jsonl a part, "fit" or "held-out", at random with a fixed seed.

    python scripts/assign_parts.py eval/seed/qa.jsonl [--seed 20220104]

Only rows without a "part" are assigned, so adding questions later never moves the old
ones between parts (tuning on "fit" and reading "held-out" stays honest). Answerable and
unanswerable rows are split separately, each half and half (the odd one goes to
held-out), so both parts measure accuracy and abstention.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

SEED = 20220104
FIT, HELD_OUT = "fit", "held-out"


def assign(rows: list[dict[str, Any]], seed: int = SEED) -> list[dict[str, Any]]:
    """`rows` with a "part" on each; rows that have one keep it."""
    rng = random.Random(seed)
    out = [dict(r) for r in rows]
    for answerable in (True, False):
        todo = [i for i, r in enumerate(out) if "part" not in r and (not r.get("unanswerable")) == answerable]
        fit = set(rng.sample(todo, len(todo) // 2))
        for i in todo:
            out[i]["part"] = FIT if i in fit else HELD_OUT
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Assign fit/held-out parts to the rows of a qa.jsonl that have none.")
    p.add_argument("qa", type=Path, help="qa.jsonl to rewrite in place")
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    args = p.parse_args(argv)
    rows = [json.loads(line) for line in args.qa.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = assign(rows, args.seed)
    args.qa.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
    counts = {part: sum(r["part"] == part for r in rows) for part in (FIT, HELD_OUT)}
    print(f"{args.qa}: {counts[FIT]} fit, {counts[HELD_OUT]} held-out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
