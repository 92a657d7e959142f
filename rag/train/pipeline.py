"""One training run end to end: data, pairs, fit, held-out metrics, latency, model folder."""

from __future__ import annotations

import copy
import logging
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..rerank import PRECISIONS, Ranker, RankerSpec, for_inference
from . import export, fit, measure, pairs, squad

log = logging.getLogger("rag.train")


@dataclass(frozen=True)
class RunOptions:
    """Everything a run depends on besides the data files."""

    out: Path
    fit: fit.FitSettings = field(default_factory=fit.FitSettings)
    plan: pairs.PairPlan = field(default_factory=pairs.PairPlan)
    train_questions: int = 5_000
    dev_repeats: int = 2
    # bf16: the quality of fp32 on held-out articles (int8-dynamic lost 1.7 points of acc@1 top-8 and made
    # a score depend on the other sentences of its batch), at 45 ms for 8 sentences on one thread
    precision: str = "bf16"
    recommended_n: int = 8
    # smoke: a few articles, `max_pairs` pairs and `eval_questions` questions per part, for CI
    limit_articles: int | None = None
    max_pairs: int | None = None
    eval_questions: int | None = None
    latency_questions: int = 200
    # fit-tune questions for the threshold, report questions for the precision comparison (evenly spread)
    tune_questions: int | None = 800
    precision_questions: int | None = 800
    latency_threads: tuple[int, ...] = (1, 2)
    command: str = ""


def training_pairs(data: squad.SquadData, options: RunOptions) -> list[pairs.Pair]:
    """SQuAD 1.1 pairs for a seeded sample of questions, then the fit-train pairs `dev_repeats` times."""
    rng = np.random.default_rng(options.fit.seed)
    available = data.train.questions
    chosen = sorted(rng.choice(len(available), min(options.train_questions, len(available)), replace=False).tolist())
    result = pairs.build_pairs(data.train, [available[i] for i in chosen], options.plan, rng)
    dev = pairs.build_pairs(data.fit_train, data.fit_train.questions, options.plan, rng)
    result += dev * options.dev_repeats
    if options.max_pairs is not None:  # smoke runs: a fixed, class-mixed prefix
        result = [result[int(i)] for i in rng.permutation(len(result))[: options.max_pairs]]
    return result


def shipped_ranker(model: Any, tokenizer: Any, spec: RankerSpec) -> Ranker:
    """The ranker exactly as `load_ranker` will build it from the saved fp16 weights."""
    return Ranker(for_inference(copy.deepcopy(model).half().float(), spec.precision), tokenizer, spec)


def evaluate_all(ranker: Ranker, parts: dict[str, measure.Part], n: int) -> dict[str, dict[str, Any]]:
    """Ranker and baselines on fit-tune (threshold chosen there) and on the report part."""
    out: dict[str, dict[str, Any]] = {}
    scorers = {
        "ranker": lambda p: measure.ranker_scorer(p, ranker.score),
        "bi-encoder cosine (baseline)": measure.cosine_scorer,
        "retriever order (baseline)": measure.rank_position_scorer,
    }
    for name, make in scorers.items():
        tune = measure.evaluate(parts["fit_tune"], make(parts["fit_tune"]), n)
        thresholds = tune["fitted_thresholds"]
        out.setdefault("fit_tune", {})[name] = tune
        out.setdefault("report", {})[name] = measure.evaluate(parts["report"], make(parts["report"]), n, thresholds)
    return out


def compare_precisions(
    model: Any, tokenizer: Any, spec: RankerSpec, report: measure.Part, options: RunOptions
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Quality on a spread subset of the report part and latency, for each way of running the weights.

    "fp32 as trained" is the model before its weights are stored in fp16; the others load the fp16
    file as `load_ranker` would. Latency: every N of TOP_NS for the shipped precision, N =
    `recommended_n` for the others.
    """
    part = measure.subset(report, options.precision_questions)
    n = spec.recommended_n
    quality: dict[str, Any] = {}
    latency: dict[str, Any] = {}
    for name in ("fp32 as trained", *PRECISIONS):
        variant = replace(spec, precision="fp32" if name == "fp32 as trained" else name)
        ranker = (
            Ranker(model, tokenizer, variant)
            if name == "fp32 as trained"
            else shipped_ranker(model, tokenizer, variant)
        )
        result = measure.evaluate(part, measure.ranker_scorer(part, ranker.score), n)
        quality[name] = {k: v for k, v in result.items() if k.startswith(("acc1", "auc", "questions"))}
        if name != "fp32 as trained":
            ns = measure.TOP_NS if name == spec.precision else (n,)
            timed = measure.latency(ranker.score, report, ns, options.latency_threads, options.latency_questions)
            latency.update({f"{name} {key}": value for key, value in timed.items()})
    return quality, latency


def run(options: RunOptions) -> dict[str, Any]:
    """Train, measure and write the model folder `options.out`; returns its manifest."""
    import torch

    started = time.perf_counter()
    log.info("reading train/squad/ and splitting sentences with rag.chunking.sentence_units")
    data = squad.load(limit_articles=options.limit_articles)
    log.info(
        "dev split: fit-train %s | fit-tune %s | report %s",
        data.split.fit_train,
        data.split.fit_tune,
        data.split.report,
    )
    train_pairs = training_pairs(data, options)
    positives = sum(p.label for p in train_pairs)
    log.info("%d training pairs (%d positive) in %.0f s", len(train_pairs), positives, time.perf_counter() - started)

    model, tokenizer, info = fit.train(train_pairs, options.fit)
    log.info("trained in %.0f s", info["seconds"])

    n = options.recommended_n
    parts = {
        name: measure.prepare(name, getattr(data, name).spread(options.eval_questions))
        for name in ("fit_tune", "report")
    }
    parts["fit_tune"] = measure.subset(parts["fit_tune"], options.tune_questions)
    spec = RankerSpec(options.fit.layers, options.fit.max_length, options.fit.uses_context, options.precision, n)
    ranker = shipped_ranker(model, tokenizer, spec)
    metrics = evaluate_all(ranker, parts, n)
    threshold = metrics["fit_tune"]["ranker"]["fitted_thresholds"][f"top{n}"]
    log.info("held-out metrics (report articles):\n%s", export.metrics_table(metrics["report"], n))
    metrics["precision"], latency = compare_precisions(model, tokenizer, spec, parts["report"], options)
    log.info("precision (report subset): %s", metrics["precision"])
    log.info("latency ms: %s", latency)

    tmp = export.staging_folder(options.out)
    try:
        export.save_weights(tmp, model, tokenizer)
        manifest = {
            "model": {**asdict(spec), "threshold": threshold, "base": "sentence-transformers/all-MiniLM-L6-v2"},
            "training": {
                **asdict(options.fit), **asdict(options.plan),
                "train_questions": options.train_questions, "dev_repeats": options.dev_repeats,
                "pairs": info["pairs"], "steps": info["steps"], "train_seconds": info["seconds"],
                "total_seconds": round(time.perf_counter() - started, 1), "loss": info["loss"],
                "torch": torch.__version__, "command": options.command or " ".join(["python -m rag.train", *sys.argv[1:]]),
                "smoke": options.max_pairs is not None,
            },
            "data": {
                "sha256": data.hashes, "split_seed": squad.SPLIT_SEED, "split": asdict(data.split),
                "train_questions_available": len(data.train.questions),
            },
            "metrics": {
                **metrics, "retriever_recall": measure.retriever_recall(parts["report"]), "latency_ms": latency,
            },
        }  # fmt: skip
        manifest["files"] = {"model.safetensors": {"size": (tmp / "model.safetensors").stat().st_size}}
        manifest = export.publish(tmp, options.out, manifest, export.model_card(manifest))
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    log.info("wrote %s in %.1f min", options.out, (time.perf_counter() - started) / 60)
    return manifest
