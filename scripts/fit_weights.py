"""Fit the ranking and refusal weights of rag/answer.py on the "fit" part of QA suites.

    python scripts/fit_weights.py eval/squad_v2_small eval/seed [--part fit]

Ranking: a listwise softmax over each question's candidate sentences, the positives being
those that contain a gold phrase. Refusal: a logistic regression over the signals of the
top-ranked sentence, the label being "that sentence answers". Prints both as Python to
paste into rag/answer.py, with accuracy/abstention on the fit and held-out parts.
Only the fit part is used for fitting; the held-out figures are for reading.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

import rag
from rag import answer as answer_mod

RANK_FEATURES = ["dense", "dense_context", "coverage", "coverage_context", "answer_type", "bm25", "rrf"]
CONF_FEATURES = ["dense", "coverage", "coverage_context", "names", "answer_type", "missing", "margin"]


def norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def load(suite: Path) -> tuple[rag.Index, list[dict]]:
    index = rag.build_index(suite / "docs", suite / ".index")
    rows = [json.loads(line) for line in (suite / "qa.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return index, rows


def collect(index: rag.Index, rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        cands = index._candidates(row["q"])  # noqa: SLF001
        gold = [norm(g) for g in row.get("gold", [])]
        items = []
        for c in cands:
            unit = index._units[c.unit]  # noqa: SLF001
            window_text = norm(unit.text)
            items.append({"signals": c.signals, "pos": any(g in window_text for g in gold)})
        out.append({"row": row, "cands": items})
    return out


def rank_matrix(cands: list[dict], names: list[str]) -> np.ndarray:
    return np.array([[c["signals"].get(n, 0.0) for n in names] for c in cands])


def fit_rank(data: list[dict]) -> np.ndarray:
    groups = [(rank_matrix(d["cands"], RANK_FEATURES), np.array([c["pos"] for c in d["cands"]])) for d in data if not d["row"].get("unanswerable")]
    groups = [(x, y) for x, y in groups if y.any() and len(y) > 1]

    def loss(w: np.ndarray) -> float:
        total = 0.0
        for x, y in groups:
            s = x @ w
            m = s.max()
            lse = m + np.log(np.exp(s - m).sum())
            pm = s[y].max()
            total += lse - (pm + np.log(np.exp(s[y] - pm).sum()))
        return total / len(groups) + 0.01 * float(w @ w)

    res = minimize(loss, np.ones(len(RANK_FEATURES)), method="L-BFGS-B")
    return res.x


def top_signals(d: dict, w: np.ndarray) -> tuple[dict, bool]:
    x = rank_matrix(d["cands"], RANK_FEATURES)
    s = x @ w
    order = np.argsort(-s)
    best = d["cands"][int(order[0])]
    sig = dict(best["signals"])
    sig["margin"] = float(s[order[0]] - s[order[1]]) if len(order) > 1 else 1.0
    return sig, bool(best["pos"]) and not d["row"].get("unanswerable")


def fit_conf(data: list[dict], w: np.ndarray) -> tuple[np.ndarray, float]:
    xs, ys = [], []
    for d in data:
        sig, ok = top_signals(d, w)
        xs.append([sig.get(n, 0.0) for n in CONF_FEATURES])
        ys.append(ok)
    x, y = np.array(xs), np.array(ys, dtype=float)

    def loss(p: np.ndarray) -> float:
        z = x @ p[:-1] + p[-1]
        return float(np.mean(np.logaddexp(0, z) - y * z) + 0.001 * (p[:-1] @ p[:-1]))

    res = minimize(loss, np.zeros(len(CONF_FEATURES) + 1), method="L-BFGS-B")
    return res.x[:-1], float(res.x[-1])


def report(name: str, data: list[dict], w: np.ndarray, cw: np.ndarray, bias: float) -> None:
    for t in (0.3, 0.4, 0.5, 0.6, 0.7):
        ans_ok = ans_n = abst = un_n = 0
        for d in data:
            sig, ok = top_signals(d, w)
            p = 1 / (1 + np.exp(-(bias + sum(cw[i] * sig.get(n, 0.0) for i, n in enumerate(CONF_FEATURES)))))
            if d["row"].get("unanswerable"):
                un_n += 1
                abst += p < t
            else:
                ans_n += 1
                ans_ok += ok and p >= t
        print(f"  {name:28s} t={t:.1f} accuracy {ans_ok / max(ans_n, 1):.3f} ({ans_n})  abstention {abst / max(un_n, 1):.3f} ({un_n})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("suites", nargs="+", type=Path)
    args = ap.parse_args()
    fit, held = [], {}
    for suite in args.suites:
        index, rows = load(suite)
        data = collect(index, rows)
        fit += [d for d in data if d["row"].get("part", "fit") == "fit"]
        held[suite.name] = [d for d in data if d["row"].get("part") == "held-out"]
        held[suite.name + " (fit)"] = [d for d in data if d["row"].get("part", "fit") == "fit"]
    w = fit_rank(fit)
    cw, bias = fit_conf(fit, w)
    print("RANK_WEIGHTS =", {n: round(float(v), 3) for n, v in zip(RANK_FEATURES, w)})
    print("CONFIDENCE_WEIGHTS =", {n: round(float(v), 3) for n, v in zip(CONF_FEATURES, cw)})
    print("CONFIDENCE_BIAS =", round(bias, 3))
    print("current weights:")
    cur_w = np.array([answer_mod.RANK_WEIGHTS.get(n, 0.0) for n in RANK_FEATURES])
    cur_cw = np.array([answer_mod.CONFIDENCE_WEIGHTS.get(n, 0.0) for n in CONF_FEATURES])
    for name, data in held.items():
        report(name, data, cur_w, cur_cw, answer_mod.CONFIDENCE_BIAS)
    print("fitted weights:")
    for name, data in held.items():
        report(name, data, w, cw, bias)


if __name__ == "__main__":
    main()
