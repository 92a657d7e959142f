"""The benchmark runs end to end at toy size and produces every figure (no timing assertions).

The toy run shares the session's seed index and runs the serving and scale workers in this
process (cold start still starts its fresh processes); one worker also runs as a child
process, as a full run starts them all.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import bench.__main__ as bench_main
import rag
from bench import common, report


@pytest.mark.slow
def test_toy_run_produces_every_figure(seed_index: rag.Index, tmp_path: Path) -> None:
    res = bench_main.run(full=False, toy=True, out=tmp_path, seed_index=seed_index.path, in_process=True)
    saved = json.loads((tmp_path / "latest.json").read_text())
    assert set(bench_main.SECTIONS) <= set(saved)
    assert (tmp_path / "scale.png").stat().st_size > 0

    assert res["latency"]["ours"]["n"] == res["latency"]["questions"] > 0
    assert res["latency"]["ratio_median"] > 0
    assert res["coldstart"]["ratio"] > 0 and res["coldstart"]["rag_ask_peak_rss_mb"] > 0
    assert res["throughput"]["ratio_median"] > 0 and res["throughput"]["units"] > 0
    assert res["incremental"]["problems"] == [] and len(res["incremental"]["steps"]) == 3
    point = res["scale"]["points"][0]
    assert 0 < point["recall@10"] <= 1 and not math.isnan(point["latency"]["hnsw"]["p50_ms"])
    assert {"flat", "hnsw", "bm25"} <= set(point["serving_peak_rss_mb"])
    assert res["serving"]["peak_rss_mb"] > 0
    for condition in ("as is", "one core busy"):
        assert res["threads"][condition]["faiss_search"]["two_over_one_median"] > 0
    assert "serving memory" in report.targets_table(res) and "HNSW" in report.scale_table(res["scale"])


def test_a_worker_runs_as_a_child_process() -> None:
    assert common.run_json(["-m", "bench.scale", "baseline"])["peak_rss_mb"] > 0


def test_filtered_search_recall_runs_on_a_dated_hnsw_index(seed_dir: Path, tmp_path: Path) -> None:
    """`python -m bench.fullpath filtered`: recall of the graph walk and of the engine's search over date windows."""
    from bench import fullpath
    from bench.yearquestions import Question, to_json

    rag.build_index(seed_dir, tmp_path / "index", settings=rag.Settings(approximate_above=0))
    questions = tmp_path / "questions.json"
    rows = [Question("q1", "seed", "How many troops has Russia massed?", ("100,000",), None, None)]
    questions.write_text(json.dumps(to_json(rows)))
    res = fullpath.filtered_main(tmp_path / "index", questions, [1, 7], sample=1)
    assert res["faiss"] == "IndexHNSWFlat" and res["queries"] == 1
    for window in ("1d", "7d"):
        for search in ("graph", "engine"):
            assert 0 < res[window][search]["recall@40"] <= 1 and res[window][search]["slots_filled"] == 1
