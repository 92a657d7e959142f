"""Fit the ranker's rank weight and the refusal model of rag/signals.py on the "fit" part of QA suites.

    python scripts/squad_dev_suite.py      # writes eval/squad_dev (fit: the ranker's fit-tune articles)
    python scripts/fit_weights.py eval/squad_dev eval/seed eval/ukraine_2022 --rank-grid 0 1 2 3 4 6

`eval/squad_v2_small` is never fitted on (its articles are the public benchmark's).

Each question is answered once with refusal off (`rag.eval.evaluate_index`); the label
is its `quote_ok`: the quote holds a gold phrase within 400 characters (never, for an
unanswerable question). A logistic regression over the signals
of the chosen sentence gives RANKER_CONFIDENCE_WEIGHTS and RANKER_CONFIDENCE_BIAS (the refusal
model used with the ranker, Settings.rerank > 0), printed as Python to paste into rag/signals.py. Signs are constrained (more evidence never lowers confidence)
and each suite weighs the same, so the small news suite is not drowned by SQuAD. Only
"fit" rows are used; accuracy/abstention are printed for every part to read the trade-off.

The hand-set ranking weights (RANK_WEIGHTS) stay: coordinate ascent on the fit part raised its
top-1 accuracy by 3 points but lowered the held-out one. The answer ranker's one rank weight is
chosen with `--rank-grid`: each value is tried (every question answered again, the ranker's
scores memoised) and the one with the best mean fit-part quote accuracy wins, each suite weighing
the same. The bias is then moved so that the threshold 0.5 is the fit parts' best operating
point: the largest share of questions handled right (a right quote, or a refusal of an
unanswerable one), per suite, averaged over the suites.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from rag import rerank, signals
from rag.eval import evaluate_index, load_suite, suite_index
from rag.signals import RANKER_CONFIDENCE_BIAS, RANKER_CONFIDENCE_WEIGHTS

# candidates the ranker reads while fitting (Settings.rerank is 0, off, by default)
RERANK = 8

# feature -> sign constraint: +1 may only raise confidence, -1 may only lower it
# (every signal RANKER_CONFIDENCE_WEIGHTS uses must be here, or "current weights" replays wrongly)
FEATURES = {
    "dense": +1,
    "coverage": +1,
    "coverage_context": +1,
    "names": +1,
    "names_context": +1,
    "answer_type": +1,
    "margin": +1,
    "missing": -1,
    "negation_mismatch": -1,
    "ranker": +1,
}
assert set(RANKER_CONFIDENCE_WEIGHTS) <= set(FEATURES), "a confidence signal is missing from FEATURES"


def collect(suite: Path, only_fit: bool = False) -> list[dict]:
    """One row per question (of the fit part only if `only_fit`): its part, whether the (unrefused) quote is right, its signals."""
    loaded = load_suite(suite)
    if only_fit:
        loaded = replace(loaded, rows=tuple(r for r in loaded.rows if (r.part or "fit") == "fit"))
    index, _ = suite_index(loaded)
    report = evaluate_index(index.with_settings(rerank=RERANK), loaded)  # answered once with refusal off; signals kept
    return [
        {
            "suite": suite.name,
            "part": o.row.part or "fit",
            "unanswerable": not o.row.answerable,
            "ok": o.quote_ok,
            "x": [float(o.signals.get(n, 0.0)) for n in FEATURES],
        }
        for o in report.outcomes
    ]


def fit(rows: list[dict]) -> tuple[np.ndarray, float]:
    x = np.array([r["x"] for r in rows])
    y = np.array([r["ok"] for r in rows], dtype=float)
    counts = {s: sum(r["suite"] == s for r in rows) for s in {r["suite"] for r in rows}}
    sw = np.array([len(rows) / (len(counts) * counts[r["suite"]]) for r in rows])

    def loss(p: np.ndarray) -> float:
        z = x @ p[:-1] + p[-1]
        return float(np.sum(sw * (np.logaddexp(0, z) - y * z)) / sw.sum() + 0.001 * (p[:-1] @ p[:-1]))

    bounds = [(0, None) if sign > 0 else (None, 0) for sign in FEATURES.values()] + [(None, None)]
    res = minimize(loss, np.zeros(len(FEATURES) + 1), method="L-BFGS-B", bounds=bounds)
    return res.x[:-1], float(res.x[-1])


def table(rows: list[dict], w: np.ndarray, bias: float) -> None:
    groups = sorted({(r["suite"], r["part"]) for r in rows})
    for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        cells = []
        for g in groups:
            part = [r for r in rows if (r["suite"], r["part"]) == g]
            conf = [1 / (1 + np.exp(-(bias + np.dot(w, r["x"])))) for r in part]
            ans = [(r, c) for r, c in zip(part, conf) if not r["unanswerable"]]
            un = [c for r, c in zip(part, conf) if r["unanswerable"]]
            acc = sum(r["ok"] and c >= t for r, c in ans) / max(len(ans), 1)
            abst = sum(c < t for c in un) / max(len(un), 1)
            cells.append(f"{g[0]}/{g[1]} {acc:.2f}/{abst:.2f}")
        print(f"  t={t:.1f}  " + "  ".join(cells))


def memoise_ranker() -> None:
    """Score each (question, sentences) once per process: only the rank weight changes between passes."""
    ranker = rerank.load_ranker()
    score, seen = ranker.score, {}

    def cached(question, sentences, contexts=None):  # type: ignore[no-untyped-def]
        key = (question, tuple(sentences))
        if key not in seen:
            seen[key] = score(question, sentences, contexts)
        return seen[key]

    ranker.score = cached  # type: ignore[method-assign]


def quote_accuracy(rows: list[dict]) -> dict[tuple[str, str], float]:
    """Share of answerable questions whose (unrefused) quote holds a gold phrase, per (suite, part)."""
    groups = sorted({(r["suite"], r["part"]) for r in rows})
    out = {}
    for g in groups:
        part = [r for r in rows if (r["suite"], r["part"]) == g and not r["unanswerable"]]
        out[g] = sum(r["ok"] for r in part) / max(len(part), 1)
    return out


def choose_rank_weight(suites: list[Path], grid: list[float]) -> float:
    """The grid value with the best mean fit-part quote accuracy (suites weigh the same); held-out parts are not read."""
    memoise_ranker()
    weights = signals.RANK_WEIGHTS
    assert isinstance(weights, dict)
    best, best_score = grid[0], -1.0
    for w in grid:
        weights["ranker"] = w
        acc = quote_accuracy([r for suite in suites for r in collect(suite, only_fit=True)])
        fit_mean = float(np.mean([v for (s, p), v in acc.items() if p == "fit"]))
        print(
            f"rank weight {w:g}: fit mean {fit_mean:.3f}  " + "  ".join(f"{s}/{p} {v:.3f}" for (s, p), v in acc.items())
        )
        if fit_mean > best_score:
            best, best_score = w, fit_mean
    weights["ranker"] = best
    return best


def ablate_rank_weights(suites: list[Path]) -> None:
    """Mean fit-part quote accuracy with each rank weight set to 0 in turn: which signals earn their place."""
    memoise_ranker()
    weights = signals.RANK_WEIGHTS
    assert isinstance(weights, dict)

    def fit_mean() -> float:
        acc = quote_accuracy([r for suite in suites for r in collect(suite, only_fit=True)])
        return float(np.mean([v for (_, p), v in acc.items() if p == "fit"]))

    print(f"all rank weights: fit mean {fit_mean():.3f}")
    for name, weight in list(weights.items()):
        weights[name] = 0.0
        print(f"without {name} ({weight:g}): fit mean {fit_mean():.3f}", flush=True)
        weights[name] = weight


def operating_bias(rows: list[dict], w: np.ndarray, bias: float) -> float:
    """`bias` moved so that confidence 0.5 is the fit parts' best share of questions handled right.

    Handled right: an answerable question answered with a right quote, an unanswerable one
    refused. The share is taken per suite over its own mix of questions, then averaged over the
    suites (each weighs the same).
    """
    fit_rows = [r for r in rows if r["part"] == "fit"]
    suites = sorted({r["suite"] for r in fit_rows})
    z = {id(r): bias + float(np.dot(w, r["x"])) for r in fit_rows}

    def handled(shift: float) -> float:
        shares = []
        for s in suites:
            mine = [r for r in fit_rows if r["suite"] == s]
            right = sum(
                (z[id(r)] + shift < 0) if r["unanswerable"] else (r["ok"] and z[id(r)] + shift >= 0) for r in mine
            )
            shares.append(right / len(mine))
        return float(np.mean(shares))

    shifts = np.round(np.arange(-3.0, 3.01, 0.05), 2)
    return bias + float(max(shifts, key=lambda t: (handled(t), -abs(t))))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("suites", nargs="+", type=Path)
    ap.add_argument("--rank-grid", type=float, nargs="+", help="rank weights of the ranker signal to try")
    ap.add_argument("--ablate", action="store_true", help="only print the fit accuracy without each rank weight")
    ap.add_argument("--rows", type=Path, help="JSON of the answered rows: read if it exists, else written")
    args = ap.parse_args()
    if "squad_v2_small" in {s.name for s in args.suites}:
        raise SystemExit("eval/squad_v2_small is the public benchmark: report on it, never fit on it")
    if args.ablate:
        ablate_rank_weights(args.suites)
        return
    if args.rank_grid:
        print("RANKER_RANK_WEIGHT =", choose_rank_weight(args.suites, args.rank_grid))
    if args.rows and args.rows.exists():
        rows = json.loads(args.rows.read_text(encoding="utf-8"))
    else:
        rows = [r for suite in args.suites for r in collect(suite)]
        if args.rows:
            args.rows.write_text(json.dumps(rows), encoding="utf-8")
    w, bias = fit([r for r in rows if r["part"] == "fit"])
    bias = operating_bias(rows, w, bias)
    print("RANKER_CONFIDENCE_WEIGHTS =", {n: round(float(v), 2) for n, v in zip(FEATURES, w)})
    print("RANKER_CONFIDENCE_BIAS =", round(bias, 2))
    print("accuracy/abstention, current weights:")
    table(rows, np.array([RANKER_CONFIDENCE_WEIGHTS.get(n, 0.0) for n in FEATURES]), RANKER_CONFIDENCE_BIAS)
    print("accuracy/abstention, fitted weights:")
    table(rows, w, bias)


if __name__ == "__main__":
    main()
