"""Fit the signals' rank weights (`RANK_WEIGHTS` of rag/signals.py) on SQuAD 1.1 train questions.

    python scripts/fit_rank_weights.py --check eval/seed eval/squad_dev eval/ukraine_2022   (~5 minutes)

Answer choice is learnt from data no suite reports on: `--articles` articles of SQuAD 1.1 train
(`train/squad/train-v1.1.json.gz`, CC BY-SA 4.0; it shares no article with SQuAD 2.0 dev, where
`eval/squad_dev` and `eval/squad_v2_small` come from) are written as paragraph files
(`scripts/convert_squad.py`) into a temporary suite and indexed. Each question's candidates are
ranked by the engine (`Index.candidates`) and those whose sentence holds a gold answer are its
targets. A conditional logit (a softmax over one question's candidates) fits one weight per signal
of `FEATURES`, each of the sign its evidence has (only `missing` lowers a score). The weights are
then scaled so that one question's scores spread as under the current weights (the first run: the
hand-set ones), because the margins of rag/temporal.py and rag/updates.py ("near the best") are
in those units. `--learn` adds the "fit" part of suites to the training questions (each suite
weighing the same); the shipped weights were learnt without it. Printed: the weights to paste into
rag/signals.py, and top-1 accuracy (the first candidate holds a gold phrase) for the current and
the fitted weights on the questions learnt from and, with `--check`, on the "fit" part of each
suite given (as of each row's date), which the choice to ship them was made on. Deterministic:
the articles are drawn with `--seed`, and L-BFGS starts from zeros.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(ROOT / "scripts"))

from convert_squad import convert, write_suite  # noqa: E402

from rag import signals  # noqa: E402
from rag.eval import load_suite, suite_index  # noqa: E402
from rag.eval.suite import normalize  # noqa: E402
from rag.train import squad  # noqa: E402

FEATURES = (
    "dense",
    "dense_context",
    "article_dense",
    "bm25",
    "rrf",
    "coverage",
    "coverage_context",
    "missing",
    "bigrams",
    "names",
    "names_context",
    "answer_type",
)
# signals that may only lower a score (the others may only raise it)
LOWERING = frozenset({"missing"})
L2 = 1e-3


@dataclass(frozen=True)
class Question:
    """One answerable question's candidates: their signals (rows of `FEATURES`), which hold a gold phrase, the current score."""

    suite: str
    part: str
    x: np.ndarray
    right: np.ndarray
    current: np.ndarray


def training_suite(articles: int, seed: int, out: Path) -> Path:
    """`articles` SQuAD 1.1 train articles drawn with `seed`, written as a suite under `out`."""
    data = squad._read_json(squad.DATA_DIR / squad.TRAIN_FILE)
    order = list(data["data"])
    random.Random(seed).shuffle(order)
    chosen = []
    for article in order:
        try:  # a few titles make a header the parser reads back otherwise: skip them
            convert({"data": [article]}, fit_titles=[article["title"]])
        except ValueError:
            continue
        chosen.append(article)
        if len(chosen) == articles:
            break
    docs, rows = convert({"data": chosen}, fit_titles=[a["title"] for a in chosen])
    write_suite(out, docs, rows, source_md="SQuAD 1.1 train articles (CC BY-SA 4.0), written by fit_rank_weights.py\n")
    return out


def collect(path: Path, only_fit: bool) -> list[Question]:
    """The answerable questions of the suite at `path` (its "fit" part only if `only_fit`) with their candidates."""
    suite = load_suite(path)
    index, _ = suite_index(suite)
    out = []
    for row in suite.rows:
        if not row.answerable or (only_fit and (row.part or "fit") != "fit"):
            continue
        found = index.candidates(row.q, as_of=row.as_of)
        if not found:
            continue
        golds = [normalize(g) for g in row.gold]
        right = np.array([any(g in normalize(index.unit_text(c.unit)) for g in golds) for c in found])
        x = np.array([[c.signals[f] for f in FEATURES] for c in found], dtype=np.float64)
        out.append(Question(suite.name, row.part or "fit", x, right, np.array([c.score for c in found])))
    return out


def fit(questions: list[Question]) -> np.ndarray:
    """Weights maximising the mean log-probability of a question's right candidates under a softmax of `x @ w`.

    Each suite weighs the same, however many questions it has: the small news suites are not
    drowned by SQuAD.
    """
    usable = [q for q in questions if q.right.any()]
    per_suite = {s: sum(q.suite == s for q in usable) for s in {q.suite for q in usable}}
    weight = [1.0 / (len(per_suite) * per_suite[q.suite]) for q in usable]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for q, share in zip(usable, weight, strict=True):
            s = q.x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = q.right / q.right.sum()
            total -= share * float(target @ np.log(p + 1e-12))
            grad -= share * (q.x.T @ (target - p))
        return total + L2 * float(w @ w), grad + 2 * L2 * w

    # more evidence never lowers a score: without the signs, correlated signals take opposite
    # weights (names_context fell below 0 beside coverage_context) and a sentence naming what is
    # asked would lose for it
    bounds = [(None, 0.0) if f in LOWERING else (0.0, None) for f in FEATURES]
    return minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B", bounds=bounds).x


def spread(scores: list[np.ndarray]) -> float:
    """Mean over questions of the standard deviation of their candidates' scores."""
    return float(np.mean([s.std() for s in scores if len(s) > 1]))


def top1(questions: list[Question], w: np.ndarray | None) -> dict[tuple[str, str], float]:
    """Share of questions whose best candidate (by `w`, else the current score) holds a gold phrase, per (suite, part)."""
    hits: dict[tuple[str, str], list[bool]] = {}
    for q in questions:
        score = q.current if w is None else q.x @ w
        hits.setdefault((q.suite, q.part), []).append(bool(q.right[int(np.argmax(score))]))
    return {k: float(np.mean(v)) for k, v in sorted(hits.items())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=50, help="SQuAD 1.1 train articles to learn from")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--learn", type=Path, nargs="*", default=[], help="suites whose fit part is learnt from too")
    ap.add_argument("--check", type=Path, nargs="*", default=[], help="suites whose fit part is only scored")
    args = ap.parse_args()
    if any(s.name == "squad_v2_small" for s in args.learn + args.check):
        raise SystemExit("eval/squad_v2_small is the public benchmark: report on it, never fit or choose on it")
    with tempfile.TemporaryDirectory(prefix="rank-weights-") as tmp:
        learnt = collect(training_suite(args.articles, args.seed, Path(tmp) / "squad_train"), only_fit=False)
    learnt += [q for path in args.learn for q in collect(path, only_fit=True)]
    w = fit(learnt)
    w *= spread([q.current for q in learnt]) / spread([q.x @ w for q in learnt])
    print("RANK_WEIGHTS (paste as the rank_weight of each Signal):")
    print({f: round(float(v), 3) for f, v in zip(FEATURES, w)})
    checked = [q for path in args.check for q in collect(path, only_fit=True)]
    for name, questions in (("questions learnt from", learnt), ("fit parts only scored", checked)):
        if not questions:
            continue
        now, fitted = top1(questions, None), top1(questions, w)
        print(f"top-1 on the {name}, current -> fitted:")
        for key in now:
            count = sum((q.suite, q.part) == key for q in questions)
            print(f"  {key[0]}/{key[1]}: {now[key]:.3f} -> {fitted[key]:.3f}  ({count} questions)")
    print(f"(the current weights: {dict(signals.RANK_WEIGHTS)})")


if __name__ == "__main__":
    main()
