"""Print the ranked candidate sentences and their signals for a question (debugging aid).

python scripts/explain.py "Where will the talks take place?" [--index index] [-n 8]
"""

from __future__ import annotations

import argparse

import rag


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("question")
    ap.add_argument("--index", default="index")
    ap.add_argument("-n", type=int, default=8)
    args = ap.parse_args()
    index = rag.load_index(args.index)
    cands = index.candidates(args.question)
    for c in cands[: args.n]:
        sig = " ".join(f"{k}={v:.2f}" for k, v in c.signals.items())
        print(f"{c.score:.3f} {index.unit_text(c.unit)[:90]!r}\n      {sig}")
    a = index.answer(args.question)
    print("\nANSWER", a.found, round(a.confidence, 3), repr(a.text))


if __name__ == "__main__":
    main()
