"""Compare ranker settings for quality and latency: `python -m rag.train.sweep [--latency]`.

Quality: each setting (layers kept, neighbour context) is trained on the same reduced budget and
scored in fp32 on evenly spread questions of the fit-tune articles (where the setting is
chosen) and of the report articles. Latency (`--latency`): untrained models of each depth (speed
does not depend on the weights), timed scoring the top N retrieved sentences of
report questions at 1 and 2 threads, for fp32, bf16 and int8. Prints markdown tables and writes them, with the raw
figures, to `--out` (default rag/train/SWEEP.md, or SWEEP-latency.md).
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..rerank import Ranker, RankerSpec, for_inference
from . import fit, measure, squad
from .pipeline import RunOptions, training_pairs

log = logging.getLogger("rag.train")
# (name, layers, uses context, max_length)
SETTINGS = (
    ("2 layers", 2, False, 96),
    ("3 layers", 3, False, 96),
    ("4 layers", 4, False, 96),
    ("3 layers + neighbours", 3, True, 160),
)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def quality(data: squad.SquadData, parts: dict[str, measure.Part], args: argparse.Namespace) -> tuple[str, dict]:
    """Train each setting and score it on fit-tune and report; (markdown table, raw figures)."""
    n = args.n
    rows, raw = [], {}
    scorers: dict[str, Any] = {"bi-encoder cosine (baseline)": measure.cosine_scorer}
    for name, layers, context, max_length in SETTINGS:
        if not args.only or name in args.only:
            scorers[name] = (layers, context, max_length)
    for name, what in scorers.items():
        info: dict[str, Any] = {}
        if callable(what):
            make = what
        else:
            layers, context, max_length = what
            settings = replace(fit.FitSettings(), layers=layers, uses_context=context, max_length=max_length)
            options = RunOptions(
                out=args.out, fit=settings, train_questions=args.train_questions, dev_repeats=args.dev_repeats
            )
            model, tokenizer, info = fit.train(training_pairs(data, options), settings)
            # fp32: the settings are compared without precision effects (measured on the final model)
            ranker = Ranker(model, tokenizer, RankerSpec(layers, max_length, context, "fp32", n))

            def make(part: measure.Part, ranker: Ranker = ranker) -> measure.Scorer:
                return measure.ranker_scorer(part, ranker.score)

        tune = measure.evaluate(parts["fit_tune"], make(parts["fit_tune"]), n)
        report = measure.evaluate(parts["report"], make(parts["report"]), n, tune["fitted_thresholds"])
        raw[name] = {"fit_tune": tune, "report": report, "train": info}
        rows.append(
            f"| {name} | {_pct(tune[f'acc1_top{n}'])} | {tune[f'auc_top{n}']:.3f} | {_pct(report['acc1_paragraph'])} | "
            f"{_pct(report[f'acc1_top{n}'])} | {report['auc_paragraph']:.3f} | {report[f'auc_top{n}']:.3f} | "
            f"{_pct(report[f'answerable_accuracy_top{n}'])} | {info.get('seconds', 0) / 60:.1f} |"
        )
        log.info("%s", rows[-1])
    header = (
        f"| setting (fp32) | tune acc@1 top-{n} | tune AUC top-{n} | report acc@1 paragraph | report acc@1 top-{n} "
        f"| report AUC paragraph | report AUC top-{n} | report answerable acc. top-{n} | train min |\n"
        + "| --- " * 9
        + "|"
    )
    return "\n".join([header, *rows]), raw


def latency(parts: dict[str, measure.Part], args: argparse.Namespace) -> tuple[str, dict]:
    """Time untrained models of each depth, fp32 and int8; (markdown table, raw figures)."""
    rows, raw = [], {}
    ns = (6, 8, 10)
    for layers in (2, 3, 4):
        model, tokenizer = fit.base_model(layers)
        for quant in ("fp32", "bf16", "int8-dynamic"):
            spec = RankerSpec(layers, 96, False, quant, 8)
            ranker = Ranker(for_inference(copy.deepcopy(model), quant), tokenizer, spec)
            lat = measure.latency(ranker.score, parts["report"], ns, (1, 2), args.latency_questions)
            raw[f"{layers} layers {quant}"] = lat
            cells = " | ".join(
                f"{lat[f'N{k}_threads{t}']['p50_ms']:.1f} / {lat[f'N{k}_threads{t}']['p95_ms']:.1f}"
                for t in (1, 2)
                for k in ns
            )
            rows.append(f"| {layers} | {quant} | {cells} |")
            log.info("%s", rows[-1])
    header = (
        "| layers | weights | "
        + " | ".join(f"N={k} {t} thr p50/p95 ms" for t in (1, 2) for k in ns)
        + " |\n"
        + "| --- " * (2 + 2 * len(ns))
        + "|"
    )
    return "\n".join([header, *rows]), raw


def main(argv: list[str] | None = None) -> int:
    """Run the quality sweep (default) or the latency sweep (`--latency`); write and print the table."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m rag.train.sweep", description=__doc__)
    parser.add_argument("--latency", action="store_true", help="time untrained models instead of training")
    parser.add_argument("--out", type=Path, help="markdown file to write")
    parser.add_argument("--train-questions", type=int, default=2500)
    parser.add_argument("--dev-repeats", type=int, default=1)
    parser.add_argument("--eval-questions", type=int, default=800, help="questions per part, evenly spread")
    parser.add_argument("--latency-questions", type=int, default=200)
    parser.add_argument("--n", type=int, default=8, help="candidates reranked per question")
    parser.add_argument("--only", nargs="*", help="names of the settings to train (default: all)")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    out = args.out or Path(__file__).with_name("SWEEP-latency.md" if args.latency else "SWEEP.md")
    started = time.perf_counter()
    data = squad.load()
    parts = {
        name: measure.prepare(name, getattr(data, name).spread(args.eval_questions)) for name in ("fit_tune", "report")
    }
    table, raw = latency(parts, args) if args.latency else quality(data, parts, args)
    command = shlex.join(["python", "-m", "rag.train.sweep", *argv])
    if args.latency:
        what = (
            f"One call scoring the top N retrieved sentences of a report question ({args.latency_questions} "
            "questions, max_length 96), untrained weights of each depth, on a machine shared with other jobs."
        )
    else:
        what = (
            f"Each setting trained on {args.train_questions:,} SQuAD 1.1 questions + the fit-train articles "
            f"x{args.dev_repeats}, scored in fp32 on {args.eval_questions} evenly spread questions per part; the "
            "setting is chosen on fit-tune, report figures are for information."
        )
    minutes = (time.perf_counter() - started) / 60
    text = f"# Ranker settings compared\n\nCommand: `{command}` ({minutes:.0f} min). {what}\n\n{table}\n\n"
    text += f"```json\n{json.dumps(raw, indent=1)}\n```\n"
    out.write_text(text, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
