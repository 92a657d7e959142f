"""`python -m bench [--full] [--only SECTION ...]`: run the benchmarks, print tables, write results.

Default sizes finish in about ten minutes on the 2-core machine; `--full` adds the 1M-unit
scale point (HNSW build of 1M vectors: see bench/README.md for how long it takes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Before anything imports torch or faiss, like the engine's own entry points.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from . import coldstart, fullpath, fullpath_report, incremental, latency, report, scale, serving, threads, throughput  # noqa: E402
from .common import RESULTS, log  # noqa: E402
from .corpus import SEED_DIR  # noqa: E402

SECTIONS = ("latency", "coldstart", "throughput", "incremental", "scale", "serving", "threads", "fullpath")


def sizes(full: bool, toy: bool) -> dict[str, Any]:
    """Workload sizes: toy (smoke test, seconds), default (~10 min) or full (adds 1M units)."""
    if toy:
        return {
            "questions": 4,
            "warmup": 1,
            "cold_reps": 1,
            "cold_warm": False,
            "cold_profile": False,
            "build_articles": 4,
            "build_rounds": 1,
            "incr_articles": 6,
            "incr_sentences": 3,
            "incr_questions": 26,
            "scale": (2_000,),
            "scale_queries": 20,
            "bm25_max": 2_000,
            "serving_questions": 3,
            "threads_units": 2_000,
            "threads_queries": 5,
            "fullpath": (600,),  # past the toy base's ~460 units: variants are made too
            "fullpath_compare": (600,),
            "fullpath_stream": True,
        }
    return {
        "questions": 240,
        "warmup": 10,
        "cold_reps": 5,
        "cold_warm": True,
        "cold_profile": True,
        "build_articles": 120,
        "build_rounds": 3,
        "incr_articles": 1000,
        "incr_sentences": 3,
        "incr_questions": 60,
        "scale": (10_000, 100_000, 1_000_000) if full else (10_000, 100_000),
        "scale_queries": 300,
        "bm25_max": 1_000_000 if full else 100_000,
        "serving_questions": 200,
        "threads_units": 100_000,
        "threads_queries": 200,
        "fullpath": (10_000, 200_000, 1_000_000) if full else (10_000, 200_000),
        "fullpath_compare": (200_000, 1_000_000) if full else (200_000,),
        "fullpath_stream": full,
    }


def run(
    only: tuple[str, ...] = SECTIONS,
    full: bool = False,
    toy: bool = False,
    out: Path = RESULTS,
    plot: bool = True,
    seed_index: Path | None = None,
    in_process: bool = False,
    fullpath_sizes: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Run the chosen sections; return (and write to `out`/latest.json) every figure.

    `seed_index` is an existing index of the seeds to use instead of building one, and
    `in_process` runs the serving and scale workers in this process rather than in fresh
    ones (cold start always starts fresh processes: that is what it measures). The smoke
    test passes both to check every code path cheaply; their memory figures are then
    meaningless. `fullpath_sizes` runs the full-path section at those sizes only (its questions
    still sampled from the smallest default size) and merges them into the previous results'
    points of other sizes.
    """
    import rag

    cfg = sizes(full, toy)
    res: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "mode": "toy" if toy else "full" if full else "default",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_start": os.getloadavg()},
        "settings": rag.Settings().to_dict(),
    }
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if seed_index is None:
            seed_index = Path(tmp) / "seed-index"
            rag.build_index(SEED_DIR, seed_index)
        for name in only:
            t0 = time.perf_counter()
            log(f"section {name}")
            if name == "latency":
                res[name] = latency.run(cfg["questions"], cfg["warmup"], index_dir=seed_index)
            elif name == "coldstart":
                res[name] = coldstart.run(
                    seed_index, cfg["cold_reps"], warm=cfg["cold_warm"], with_profile=cfg["cold_profile"]
                )
            elif name == "throughput":
                res[name] = throughput.run(cfg["build_articles"], cfg["build_rounds"])
            elif name == "incremental":
                res[name] = incremental.run(cfg["incr_articles"], cfg["incr_sentences"], cfg["incr_questions"])
            elif name == "scale":
                res[name] = scale.run(cfg["scale"], cfg["scale_queries"], cfg["bm25_max"], in_process=in_process)
            elif name == "serving":
                res[name] = serving.run(seed_index, cfg["serving_questions"], in_process=in_process)
            elif name == "threads":
                res[name] = threads.run(cfg["threads_units"], cfg["threads_queries"])
            elif name == "fullpath" and fullpath_sizes:
                res[name] = fullpath.run(
                    fullpath_sizes,
                    tuple(u for u in fullpath_sizes if u in sizes(True, toy)["fullpath_compare"]),
                    stream=max(fullpath_sizes) == max(sizes(True, toy)["fullpath"]),
                    toy=toy,
                    sample_units=min(cfg["fullpath"]),
                )
                res[name] = _merged_points(res[name], out / "latest.json")
            elif name == "fullpath":
                res[name] = fullpath.run(cfg["fullpath"], cfg["fullpath_compare"], cfg["fullpath_stream"], toy=toy)
            res[name]["section_s"] = round(time.perf_counter() - t0, 1)
            res[name]["when"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    res["total_s"] = round(time.perf_counter() - t_all, 1)
    res["machine"]["load_avg_end"] = os.getloadavg()
    previous = out / "latest.json"
    if set(only) != set(SECTIONS) and previous.exists():
        # a partial run updates its sections and keeps the others (each says when it ran)
        res = {**json.loads(previous.read_text(encoding="utf-8")), **{k: v for k, v in res.items() if k in only}}
    report.write_json(res, out / "latest.json")
    if plot and "scale" in res:
        report.plot(res["scale"], out / "scale.png")
    if plot and "fullpath" in res:
        fullpath_report.plot(res["fullpath"], out / "fullpath.png")
    return res


def _merged_points(new: dict[str, Any], previous: Path) -> dict[str, Any]:
    """`new` full-path results with the previous run's points of the sizes `new` did not measure."""
    if not previous.exists():
        return new
    old = json.loads(previous.read_text(encoding="utf-8")).get("fullpath")
    if not old or old.get("questions") != new["questions"]:
        return new  # another question sample: not comparable
    measured = {p["target_units"] for p in new["points"]}
    kept = [p for p in old["points"] if p["target_units"] not in measured]
    for p in kept:
        p.setdefault("when", old.get("when"))
    new["points"] = sorted(kept + new["points"], key=lambda p: p["target_units"])
    if "stream" not in new and "stream" in old:
        new["stream"] = old["stream"]
    return new


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the tables; exit 1 when a correctness check failed."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="add the 1M-unit scale point (long HNSW build)")
    p.add_argument(
        "--toy", action="store_true", help="tiny sizes: checks the code paths in seconds, figures meaningless"
    )
    p.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="run only these sections")
    p.add_argument("--out", type=Path, default=RESULTS, help=f"results folder (default {RESULTS})")
    p.add_argument(
        "--fullpath-sizes",
        nargs="+",
        type=int,
        default=[],
        help="full-path section at these sizes only, merged into the previous results (e.g. 1000000)",
    )
    p.add_argument("--fullpath-no-busy", action="store_true", help="full path: skip the pass with the other core busy")
    a = p.parse_args(argv)
    fullpath.BUSY = not a.fullpath_no_busy
    res = run(tuple(a.only), full=a.full, toy=a.toy, out=a.out, fullpath_sizes=tuple(a.fullpath_sizes))
    print(report.targets_table(res))
    if "scale" in res:
        print()
        print(report.scale_table(res["scale"]))
    if "fullpath" in res:
        for make in (
            fullpath_report.targets_table,
            fullpath_report.size_table,
            fullpath_report.quality_table,
            fullpath_report.before_after_table,
            fullpath_report.ranker_table,
            fullpath_report.profile_table,
        ):
            print()
            print(make(res["fullpath"]))
    print(f"\nresults: {a.out / 'latest.json'}" + (f", plot: {a.out / 'scale.png'}" if "scale" in res else ""))
    if "incremental" in res and res["incremental"]["problems"]:
        print("incremental update problems:\n  " + "\n  ".join(res["incremental"]["problems"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
