"""Command line of the ranker training: `python -m rag.train [--out DIR] [--smoke] [--seed N] ...`."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
from pathlib import Path

from ..rerank import DEFAULT_RANKER_DIR, PRECISIONS
from .fit import FitSettings
from .pipeline import RunOptions, run


def options_from(argv: list[str]) -> RunOptions:
    """Parse the command line into run options (`--smoke`: ~50 pairs and a few questions, for CI)."""
    defaults, fit_defaults = RunOptions(out=DEFAULT_RANKER_DIR), FitSettings()
    parser = argparse.ArgumentParser(prog="python -m rag.train", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_RANKER_DIR, help="model folder to write (replaced atomically)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="train on ~50 pairs in seconds (checks the pipeline, not the model)"
    )
    parser.add_argument("--seed", type=int, default=fit_defaults.seed)
    parser.add_argument("--layers", type=int, default=fit_defaults.layers, help="MiniLM layers kept (1-6)")
    parser.add_argument("--max-length", type=int, default=fit_defaults.max_length, help="word pieces per pair")
    parser.add_argument("--context", action="store_true", help="also read the neighbour sentences")
    parser.add_argument(
        "--train-questions", type=int, default=defaults.train_questions, help="SQuAD 1.1 questions sampled"
    )
    parser.add_argument("--epochs", type=int, default=fit_defaults.epochs)
    parser.add_argument("--learning-rate", type=float, default=fit_defaults.learning_rate)
    parser.add_argument(
        "--precision",
        dest="precision",
        choices=PRECISIONS,
        default=defaults.precision,
        help="encoder at inference",
    )
    parser.add_argument("--recommended-n", type=int, default=defaults.recommended_n, help="candidates to rerank")
    parser.add_argument(
        "--threads", type=int, default=fit_defaults.threads, help="torch threads (results depend on it)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.layers <= 6:
        parser.error("--layers must be between 1 and 6 (MiniLM-L6 has six)")
    if args.max_length < 16 or args.train_questions < 1 or args.epochs < 1 or args.recommended_n < 1:
        parser.error("--max-length must be >= 16; --train-questions, --epochs and --recommended-n >= 1")
    settings = FitSettings(
        layers=args.layers, max_length=args.max_length, uses_context=args.context, epochs=args.epochs,
        learning_rate=args.learning_rate, seed=args.seed, threads=args.threads,
    )  # fmt: skip
    smoke = (
        {"limit_articles": 1, "max_pairs": 50, "eval_questions": 24, "latency_questions": 12, "latency_threads": (1,)}
        if args.smoke
        else {}
    )
    return RunOptions(
        out=args.out, fit=settings, train_questions=args.train_questions, precision=args.precision,
        recommended_n=args.recommended_n, command=shlex.join(["python", "-m", "rag.train", *argv]), **smoke,  # type: ignore[arg-type]
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run one training; 0 on success, 2 with a one-line message on bad input."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    try:
        run(options_from(sys.argv[1:] if argv is None else argv))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
