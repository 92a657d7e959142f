"""Section 8, `fullpath`: the whole `Index.answer` path on a year of news at 10k, 200k and 1M units.

For each size (`bench.yearindex`): the index is built once (cached under `bench/cache/`, the build
cost recorded), then a fresh serving process (`bench.fullpath_serve`) loads it and answers the
question sample (`bench.yearquestions`) on 1 and 2 threads, as is and with the other core busy,
interleaved with the reference every size shares (encoding the question alone). A second process
profiles the load. At the sizes in `compare`, the same corpus is also built without SQ8 and served
with the engine's previous code paths (`bench.reference`): its answers must be the same, and its
memory and time are the "before" figures. `bench.yearstream` appends one article to the largest.

    python -m bench --only fullpath            # 10k and 200k (+ the 200k comparison)
    python -m bench --only fullpath --full     # adds 1M, its comparison and the one-article append
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .common import log, run_json
from .fullpath_serve import RANKER_N
from .yearvectors import CACHE

# Targets of the scale issue (this machine): size -> (peak RSS MB, load s, p50 ms, p95 ms or None)
TARGETS = {200_000: (800.0, 2.0, 40.0, 100.0), 1_000_000: (2048.0, 5.0, 60.0, None)}
# Settings of the "before" index: every segment keeps float32 vectors.
NO_SQ8 = {"sq8_above": 2**62}
# Also time every third question with the other core busy (`python -m bench --fullpath-no-busy` skips it).
BUSY = True


def settings_for(flat: bool) -> Any:
    """The engine's default settings, or the same without SQ8."""
    from rag.config import Settings

    return Settings(**NO_SQ8) if flat else Settings()


def build_main(units: int, folder: Path, flat: bool, cache: Path, toy: bool, reuse: Path | None) -> dict[str, Any]:
    """Build (or reuse) one corpus index in this process, at a lower priority (the machine is shared)."""
    from . import yearindex

    os.nice(10)
    return yearindex.build(folder, units, settings_for(flat), cache, toy=toy, reuse=reuse)


def _folder(cache: Path, units: int, flat: bool) -> Path:
    return cache / f"year-{units}{'-float32' if flat else ''}"


def _build(cache: Path, units: int, flat: bool, toy: bool) -> dict[str, Any]:
    args = ["-m", "bench.fullpath", "build", str(units), str(_folder(cache, units, flat)), "--cache", str(cache)]
    if flat:  # the same corpus as the SQ8 index: its content is read back, not computed again
        args += ["--flat", "--reuse", str(_folder(cache, units, False))]
    return run_json(args + (["--toy"] if toy else []), timeout=6 * 3600)


def _serve(index: Path, questions: Path, *flags: str) -> dict[str, Any]:
    return run_json(["-m", "bench.fullpath_serve", str(index), str(questions), *flags], timeout=3 * 3600)


def default_rerank() -> list[str]:
    """`--rerank` at the engine's default: a cached index keeps the query settings of the code that built it."""
    from rag.config import Settings

    return ["--rerank", str(Settings().rerank)]


def answer_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """What must agree between two runs: the quote (or refusal) and where it is."""
    return (row["found"], row["doc_id"], row["start"], row["end"])


def differences(ours: list[dict[str, Any]], theirs: list[dict[str, Any]], questions: list[Any]) -> list[dict[str, Any]]:
    """The questions answered differently, with both answers."""
    out = []
    for q, a, b in zip(questions, ours, theirs, strict=True):
        if answer_key(a) != answer_key(b):
            out.append({"id": q.id, "q": q.q, "ours": a, "reference": b})
    return out


def run(
    sizes: tuple[int, ...],
    compare: tuple[int, ...] = (),
    stream: bool = False,
    toy: bool = False,
    cache: Path = CACHE,
    sample_units: int | None = None,
) -> dict[str, Any]:
    """Build, serve and compare every size; the append of one article at the largest when `stream`.

    The questions are sampled from the corpus of `sample_units` (default the smallest size), so
    that a run of some sizes only asks what a run of all sizes asks.
    """
    from . import yearquestions, yearstream
    from .yearindex import select
    from .yearvectors import load_base

    cache = cache / "toy" if toy else cache
    articles = load_base(cache, toy=toy)
    questions = yearquestions.sample(articles, select(articles, sample_units or min(sizes)), toy=toy)
    qfile = cache / "questions.json"
    qfile.parent.mkdir(parents=True, exist_ok=True)
    qfile.write_text(json.dumps(yearquestions.to_json(questions)), encoding="utf-8")
    out: dict[str, Any] = {"questions": len(questions), "question_suites": _count(questions), "points": []}
    for units in sizes:
        log(f"fullpath: {units:,} units: build")
        point: dict[str, Any] = {"target_units": units, "build": _build(cache, units, False, toy)}
        index = _folder(cache, units, False) / "index"
        log(f"fullpath: {units:,} units: serve {len(questions)} questions")
        served = _serve(index, qfile, *default_rerank(), *([] if toy or not BUSY else ["--busy"]))
        answers = served.pop("answers")
        alt_answers = served.pop("answers_alt", None)
        point["serve"] = served
        point["quality"] = yearquestions.quality(questions, answers)
        point["offsets_exact"] = all(a["offsets_exact"] for a in answers)
        alt = served.get("alt_rerank")
        if alt_answers is not None:  # the other ranker condition, from the interleaved on/off pass
            point["quality_alt"] = yearquestions.quality(questions, alt_answers)
            point["offsets_exact"] = point["offsets_exact"] and all(a["offsets_exact"] for a in alt_answers)
        if not toy and alt is not None:  # a whole process in the other condition: its load time and memory
            log(f"fullpath: {units:,} units: serve with Settings.rerank = {alt}")
            other = _serve(index, qfile, "--rerank", str(alt))
            other.pop("answers")
            other.pop("answers_alt", None)
            point["serve_alt"] = other
        point["load_profile"] = _serve(index, qfile, "--profile-load", "--rerank", str(RANKER_N))
        point["answer_profile"] = _serve(index, qfile, "--profile-answers", "--rerank", str(RANKER_N))
        point["answer_profile_no_ranker"] = _serve(index, qfile, "--profile-answers", "--rerank", "0")
        point["typos"] = run_json(["-m", "bench.fullpath_typos", str(index), str(qfile)])
        if units in compare:
            log(f"fullpath: {units:,} units: the same corpus without SQ8, served by the previous code")
            point["before_build"] = _build(cache, units, True, toy)
            before = _serve(_folder(cache, units, True) / "index", qfile, "--reference", *default_rerank())
            before_answers = before.pop("answers")
            before_alt = before.pop("answers_alt", None)
            point["before"] = before
            point["before_quality"] = yearquestions.quality(questions, before_answers)
            point["differences"] = differences(answers, before_answers, questions)
            if before_alt is not None and alt_answers is not None:
                diff = differences(alt_answers, before_alt, questions)
                point["differences_alt"] = diff
                point["answers_identical_alt"] = f"{len(questions) - len(diff)}/{len(questions)}"
            point["recall"] = run_json(
                ["-m", "bench.fullpath", "recall", str(index), str(_folder(cache, units, True) / "index"), str(qfile)]
            )
            point["answers_identical"] = f"{len(questions) - len(point['differences'])}/{len(questions)}"
        point["targets"] = _targets(point)
        out["points"].append(point)
        log(f"fullpath: {units:,} units: {_line(point)}")
    if stream:
        out["stream"] = yearstream.run(_folder(cache, max(sizes), False), qfile, questions, cache, toy)
    return out


def _count(questions: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.suite] = counts.get(q.suite, 0) + 1
    return counts


def _targets(point: dict[str, Any]) -> dict[str, Any]:
    """Each target of this size with the measured figure and whether it is met."""
    size = point["target_units"]
    target = TARGETS.get(size)
    if target is None:
        return {}
    rss, load, p50, p95 = target
    s = point["serve"]
    one = s["as_is"]["1 thread"]
    out = {
        "peak_rss_mb": [s["peak_rss_mb"], rss, s["peak_rss_mb"] <= rss],
        "load_s": [s["load_s"], load, s["load_s"] <= load],
        "p50_ms": [one["p50_ms"], p50, one["p50_ms"] <= p50],
    }
    if p95 is not None:
        out["p95_ms"] = [one["p95_ms"], p95, one["p95_ms"] <= p95]
    # the other ranker condition (the scale targets were set before the ranker existed)
    other = point.get("serve_alt")
    if other:
        o, tag = other["as_is"]["1 thread"], f"rerank {other['rerank']}"
        out[f"peak_rss_mb, {tag}"] = [other["peak_rss_mb"], rss, other["peak_rss_mb"] <= rss]
        out[f"load_s, {tag}"] = [other["load_s"], load, other["load_s"] <= load]
        out[f"p50_ms, {tag}"] = [o["p50_ms"], p50, o["p50_ms"] <= p50]
        if p95 is not None:
            out[f"p95_ms, {tag}"] = [o["p95_ms"], p95, o["p95_ms"] <= p95]
    side = s.get("ranker_on_off")
    if side:  # interleaved in one process: the ranker's own cost
        for name, stats in side.items():
            if name != "encode":
                out[f"p50_ms, interleaved: {name}"] = [stats["p50_ms"], p50, stats["p50_ms"] <= p50]
    return out


def _line(point: dict[str, Any]) -> str:
    s = point["serve"]
    one = s["as_is"]["1 thread"]
    return (
        f"load {s['load_s']} s, peak RSS {s['peak_rss_mb']} MB, 1 thread p50 {one['p50_ms']} / p95 {one['p95_ms']} ms"
        + (f", answers identical {point['answers_identical']}" if "answers_identical" in point else "")
    )


def recall_main(after: Path, before: Path, questions: Path) -> dict[str, Any]:
    """Recall@10 and @40 of both indexes' vector search (engine settings) against exact float32 search.

    The truth is an exact inner-product search over the float32 vectors of `before` (the same
    corpus without SQ8); the queries are the sample's questions, encoded as the engine does.
    """
    import faiss

    from rag import embedding, store

    from .yearquestions import from_json

    searched = {name: store.load(path).segments for name, path in (("after", after), ("before", before))}
    if any(len(s) != 1 for s in searched.values()):
        raise ValueError("recall is measured on one-segment indexes")
    float32 = searched["before"][0].faiss_index
    exact = faiss.IndexFlatIP(float32.d)
    exact.add(float32.reconstruct_n(0, float32.ntotal))
    texts = [q.q for q in from_json(json.loads(questions.read_text(encoding="utf-8")))]
    queries = embedding.encode(settings_for(False).model_name, texts, progress=False)
    k = settings_for(False).candidates
    truth = exact.search(queries, k)[1]
    out: dict[str, Any] = {"queries": len(texts), "k": k}
    for name, segments in searched.items():
        index = segments[0].faiss_index
        found = index.search(queries, k)[1]
        out[name] = {
            "faiss": type(index).__name__,
            "recall@10": round(_recall(found, truth, 10), 4),
            f"recall@{k}": round(_recall(found, truth, k), 4),
            "top1_same": round(float(np.mean(found[:, 0] == truth[:, 0])), 4),
        }
    return out


def filtered_main(index_dir: Path, questions: Path, windows: list[int], sample: int) -> dict[str, Any]:
    """Recall@k of a date-filtered vector search, the filtered HNSW graph walk against the engine's search.

    Each of `sample` questions is searched over the units of a random window of each length (days,
    from a random article day); the truth is every visible unit scored against its stored vector.
    """
    from rag import embedding, store

    from .yearquestions import from_json

    data = store.load(index_dir)
    if len(data.segments) != 1:
        raise ValueError("filtered recall is measured on one-segment indexes")
    faiss_index = data.segments[0].faiss_index
    day = data.doc_day[data.units.doc_rows]
    days = np.unique(day[day >= 0])
    texts = [q.q for q in from_json(json.loads(questions.read_text(encoding="utf-8")))][:sample]
    queries = embedding.encode(settings_for(False).model_name, texts, progress=False)
    k = settings_for(False).candidates
    rng = np.random.default_rng(0)
    out: dict[str, Any] = {"faiss": type(faiss_index).__name__, "units": int(faiss_index.ntotal), "queries": len(texts)}
    for span in windows:
        masks = [(day >= d) & (day < d + span) for d in rng.choice(days, len(texts))]
        row: dict[str, Any] = {"visible_p50": int(np.median([m.sum() for m in masks]))}
        for name, exact_below in (("graph", 0), ("engine", store.search.EXACT_BELOW)):
            recalls, filled, seconds = [], [], []
            for query, mask in zip(queries, masks, strict=True):
                ids = np.flatnonzero(mask)
                if not len(ids):
                    continue
                n = min(k, len(ids))
                sims = faiss_index.reconstruct_batch(ids) @ query
                truth = set(ids[np.argsort(-sims, kind="stable")[:n]].tolist())
                t0 = time.perf_counter()
                found = store.search.search(faiss_index, query[None, :], k, mask, exact_below)[1]
                seconds.append(time.perf_counter() - t0)
                recalls.append(len(truth & set(found.tolist())) / n)
                filled.append(len(found) / n)
            row[name] = {
                f"recall@{k}": round(float(np.mean(recalls)), 3),
                "slots_filled": round(float(np.mean(filled)), 3),
                "p50_ms": round(1000 * float(np.median(seconds)), 2),
            }
        out[f"{span}d"] = row
    return out


def _recall(found: Any, truth: Any, k: int) -> float:
    return float(np.mean([len(set(a[:k]) & set(b[:k])) / k for a, b in zip(found, truth, strict=True)]))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the build, recall and filtered subprocesses (`python -m bench.fullpath build|recall|filtered ...`): one JSON line."""
    p = argparse.ArgumentParser(prog="python -m bench.fullpath")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("units", type=int)
    b.add_argument("folder", type=Path)
    b.add_argument("--cache", type=Path, default=CACHE)
    b.add_argument("--flat", action="store_true", help="float32 vectors (no SQ8)")
    b.add_argument("--toy", action="store_true")
    b.add_argument("--reuse", type=Path, help="a built folder of the same corpus whose content to read back")
    r = sub.add_parser("recall")
    r.add_argument("after", type=Path)
    r.add_argument("before", type=Path)
    r.add_argument("questions", type=Path)
    f = sub.add_parser("filtered", help="recall of date-filtered vector search (bench/README.md, section 8)")
    f.add_argument("index", type=Path)
    f.add_argument("questions", type=Path)
    f.add_argument("--windows", type=int, nargs="+", default=[1, 7, 30, 180], help="window lengths in days")
    f.add_argument("--sample", type=int, default=120, help="questions searched (default 120)")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    if a.cmd == "recall":
        res = recall_main(a.after, a.before, a.questions)
    elif a.cmd == "filtered":
        res = filtered_main(a.index, a.questions, a.windows, a.sample)
    else:
        res = build_main(a.units, a.folder, a.flat, a.cache, a.toy, a.reuse)
    res["worker_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
