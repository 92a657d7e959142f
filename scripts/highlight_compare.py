"""Which phrase of a right quote to highlight: the answer-type rules against the answer ranker, measured.

    python scripts/highlight_compare.py eval/seed eval/squad_dev eval/ukraine_2022 eval/squad_v2_small

For every answerable question whose quote (refusal off) holds a gold phrase, both pickers choose
a phrase of the quote:

* rules: `Answer.highlight`, the engine's own (`rag.answer_types.best_phrase` for the question's kind;
  none for "why" questions and questions of no clear kind);
* ranker: occlusion with the trained answer ranker (`Ranker.key_phrase`). The candidates are the
  phrases `rag.answer_types.candidate_phrases` finds in the quote (of the question's kind, or of
  every kind when it has none or the quote holds none of it); each is blanked out in turn, and the
  one whose removal lowers the ranker's P(answers) the most is the answer: the words without
  which the sentence no longer answers;
* rules, else ranker: what the engine highlights with the ranker on (`Settings.rerank` > 0).

The quotes are the default engine's (ranker off), so the three pick within the same quotes.

Each highlight is scored against the gold phrase found in the quote by SQuAD's token F1 (after
`rag.eval.normalize`, punctuation dropped); no highlight scores 0. Prints mean F1 and the share
with F1 >= 0.5, per suite and part. Nothing is fitted: the parts are reported side by side.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from rag import answer_types, rerank
from rag.eval import load_suite, normalize, suite_index


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", normalize(text))


def f1(predicted: str, gold: str) -> float:
    """SQuAD's token F1 of a predicted phrase against a gold one."""
    p, g = tokens(predicted), tokens(gold)
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def gold_in(quote: str, gold: Sequence[str]) -> str | None:
    norm = normalize(quote)
    return next((g for g in gold if normalize(g) in norm), None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("suites", nargs="+", type=Path)
    a = ap.parse_args(argv)
    ranker = rerank.load_ranker()
    names = ("rules", "ranker", "rules, else ranker")
    print(
        f"{'suite':16} {'part':9} {'n':>5}  "
        + "  ".join(f"{n[:18]:>18} F1 >=0.5 none" for n in names)
        + "  | where rules pick: n, rules F1, ranker F1"
    )
    for path in a.suites:
        suite = load_suite(path)
        index = suite_index(suite)[0].with_settings(threshold=0.0, rerank=0)
        scores: dict[str, dict[str, list[float]]] = {}
        nones: dict[str, Counter[str]] = {}
        for row in suite.rows:
            if not row.gold:
                continue
            answer = index.answer(row.q, as_of=row.as_of)
            gold = gold_in(answer.text, row.gold) if answer.found else None
            if gold is None:
                continue  # a wrong quote has no right phrase to highlight
            part = row.part or "fit"
            phrases = answer_types.candidate_phrases(row.q, answer.text)
            picks = {"rules": answer.highlight, "ranker": ranker.key_phrase(row.q, answer.text, phrases)}
            picks["rules, else ranker"] = picks["rules"] or picks["ranker"]  # the engine's, with the ranker on
            for name, span in picks.items():
                value = 0.0 if span is None else f1(answer.text[span[0] : span[1]], gold)
                scores.setdefault(part, {}).setdefault(name, []).append(value)
                nones.setdefault(part, Counter())[name] += span is None
                if picks["rules"] is not None:  # where the rules pick at all: the two side by side
                    scores[part].setdefault(f"{name} (rules pick)", []).append(value)
        for part in sorted(scores):
            s, n = scores[part], len(scores[part]["rules"])
            cells = []
            for name in names:
                values = s[name]
                cells.append(
                    f"{sum(values) / n:21.3f} {sum(v >= 0.5 for v in values) / n:5.1%} {nones[part][name] / n:4.0%}"
                )
            both = s.get("rules (rules pick)", [])
            m = max(len(both), 1)
            side = f"{len(both)}, {sum(both) / m:.3f}, {sum(s.get('ranker (rules pick)', [])) / m:.3f}"
            print(f"{path.name:16} {part:9} {n:5}  " + "  ".join(cells) + f"  | {side}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
