"""The README's answer-quality comparison: the default engine and the answer ranker, on every suite's report part.

    python scripts/quality_curves.py            # prints the tables, writes eval/curve.png

Each suite is answered twice, by its index as built (`Settings.rerank = 0`) and with the ranker
on (`rerank = 8`, its own refusal model); `rag.eval.evaluate_index` answers once at threshold 0
and sweeps the threshold over the recorded confidences. The part read is the held-out one, or
every row for `eval/squad_v2_small` (its fit part was in view when the default weights were set,
so "all" is printed with that caveat in the README). Prints the README's rows and plots the
accuracy/abstention curves side by side.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.eval import Metrics, SuiteReport, evaluate_index, load_suite, suite_index

ROOT = Path(__file__).resolve().parents[1]
SUITES = (("seed", "held-out"), ("squad_v2_small", None), ("squad_dev", "held-out"), ("ukraine_2022", "held-out"))
RERANK = 8
SHOWN = (0.3, 0.5, 0.7)


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def part_of(report: SuiteReport, part: str | None) -> Metrics:
    return report.overall if part is None else dict(report.parts)[part]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "curve.png")
    a = ap.parse_args(argv)
    curves: dict[str, dict[str, Metrics]] = {}
    for name, part in SUITES:
        suite = load_suite(ROOT / "eval" / name)
        index = suite_index(suite)[0].with_settings(rerank=0)
        label = f"{name} ({part or 'all'})"
        curves[label] = {
            "default": part_of(evaluate_index(index, suite), part),
            "ranker": part_of(evaluate_index(index.with_settings(rerank=RERANK), suite), part),
        }
    print("| suite / part | answered right | unanswerables refused | precision | doc recall@1 / @5 | offsets exact |")
    for label, m in curves.items():
        d = m["default"]
        print(
            f"| {label} | {pct(d.accuracy)} | {pct(d.abstention)} | {pct(d.precision)} | "
            f"{pct(d.recall_at_1)} / {pct(d.recall_at_5)} | {pct(d.offset_exact)} |"
        )
    print()
    print(
        "| suite (part) | threshold | default: answered right / refused | with the ranker: answered right / refused |"
    )
    for label, m in curves.items():
        for t in SHOWN:
            cells = []
            for which in ("default", "ranker"):
                point = next(p for p in m[which].curve if abs(p.threshold - t) < 1e-9)
                cells.append(f"{pct(point.accuracy)} / {pct(point.abstention)}")
            print(f"| {label} | {t}{' (default)' if t == 0.5 else ''} | {cells[0]} | {cells[1]} |")
    plot(curves, a.out)
    print(f"\nwrote {a.out}")
    return 0


def plot(curves: dict[str, dict[str, Metrics]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves), figsize=(4 * len(curves), 4), sharey=True)
    for ax, (label, m) in zip(axes, curves.items(), strict=True):
        for which, style in (("default", "o-"), ("ranker", "s--")):
            points = [p for p in m[which].curve if p.accuracy is not None and p.abstention is not None]
            ax.plot([p.abstention for p in points], [p.accuracy for p in points], style, ms=3, label=which)
            chosen = [p for p in points if abs(p.threshold - 0.5) < 1e-9]
            ax.plot([p.abstention for p in chosen], [p.accuracy for p in chosen], "k*", ms=10)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("unanswerables refused")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("answerable questions answered right")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle("accuracy against abstention over thresholds (star: 0.5)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90)


if __name__ == "__main__":
    raise SystemExit(main())
