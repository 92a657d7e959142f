"""The benchmark's outputs: a text table, a JSON file and the scale plot."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def table(rows: list[list[Any]], header: list[str]) -> str:
    """A GitHub-flavoured markdown table (also readable as plain text)."""
    cells = [[_fmt(c) for c in row] for row in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def targets_table(res: dict[str, Any]) -> str:
    """One row per target (issue 5, then the ranker issue's) that this run measured."""
    rows: list[list[Any]] = []
    if "latency" in res:
        r = res["latency"]
        rows.append(
            [
                "1 warm answer latency (seed)",
                f"p50 {r['ours']['p50_ms']:.1f} / p95 {r['ours']['p95_ms']:.1f} ms",
                f"naive p50 {r['naive']['p50_ms']:.1f} / p95 {r['naive']['p95_ms']:.1f} ms",
                r["ratio_median"],
                r["target"],
                r["met"],
            ]
        )
        on = r.get("ranker_on")
        if on:
            rows.append(
                [
                    f"1 the same, answer ranker on (rerank {on['rerank']})",
                    f"p50 {on['ours']['p50_ms']:.1f} / p95 {on['ours']['p95_ms']:.1f} ms",
                    f"naive p50 {on['naive']['p50_ms']:.1f} / p95 {on['naive']['p95_ms']:.1f} ms",
                    on["ratio_median"],
                    r["target"],
                    on["met"],
                ]
            )
    if "coldstart" in res:
        r = res["coldstart"]
        rows.append(
            [
                "2 cold start, `rag ask`",
                f"{r['rag_ask_s']:.2f} s",
                f"import floor {r['floor_s']:.2f} s",
                r["ratio"],
                r["target"],
                r["met"],
            ]
        )
    if "throughput" in res:
        r = res["throughput"]
        rows.append(
            [
                "3 build throughput",
                f"{r['build_units_per_s']:.0f} units/s",
                f"model.encode {r['encode_units_per_s']:.0f} units/s",
                r["ratio_median"],
                r["target"],
                r["met"],
            ]
        )
    if "incremental" in res:
        r = res["incremental"]
        steps = ", ".join(f"{s['step']} {s['embedded_units']}/{s['article_units']}" for s in r["steps"])
        rows.append(
            [
                f"4 incremental update ({r['articles']} articles)",
                f"embedded/article units: {steps}",
                f"answers = full rebuild on {r['questions_compared']} q",
                "-",
                "only that article; same answers",
                r["met"],
            ]
        )
    if "scale" in res and res["scale"]["points"]:
        big = res["scale"]["points"][-1]
        ok = (
            big["recall@10"] >= res["scale"]["recall_target"]
            and big["latency"]["hnsw"]["p50_ms"] <= res["scale"]["p50_target_ms"]
        )
        rows.append(
            [
                f"5 HNSW at {big['units']:,} units",
                f"recall@10 {big['recall@10']:.3f}, p50 {big['latency']['hnsw']['p50_ms']:.2f} ms",
                f"exact p50 {big['latency']['flat']['p50_ms']:.1f} ms",
                big["hnsw_vs_flat_p50"],
                f">= {res['scale']['recall_target']}, <= {res['scale']['p50_target_ms']:.0f} ms",
                ok,
            ]
        )
    if "serving" in res:
        r = res["serving"]
        rows.append(["6 serving memory (seed)", f"peak RSS {r['peak_rss_mb']:.0f} MB", "-", "-", r["target"], r["met"]])
        on = r.get("ranker_on")
        if on:
            rows.append(
                [
                    f"6 the same, answer ranker on (rerank {on['rerank']})",
                    f"peak RSS {on['peak_rss_mb']:.0f} MB",
                    "-",
                    "-",
                    r["target"],
                    on["met"],
                ]
            )
    if "threads" in res:
        t = res["threads"]
        for condition in ("as is", "one core busy"):
            f = t[condition]["faiss_search"]
            rows.append(
                [
                    f"7 FAISS search, 1 thread ({t['units']:,} units; {condition})",
                    f"p50 {f['one_thread']['p50_ms']:.2f} ms",
                    f"2 threads p50 {f['two_threads']['p50_ms']:.2f} ms",
                    f["two_over_one_median"],
                    "(why SEARCH_THREADS = 1)",
                    "-",
                ]
            )
    return table(rows, ["measure", "ours", "reference (same run)", "ratio", "target", "met"])


def scale_table(scale: dict[str, Any]) -> str:
    """Per corpus size: latency, recall, build time, disk and serving memory of each index."""
    rows = []
    for p in scale["points"]:
        lat, mem = p["latency"], p["serving_peak_rss_mb"]
        for kind, label in (
            ("flat", "exact IndexFlatIP"),
            ("hnsw", f"HNSW M={p['hnsw']['M']} efC={p['hnsw']['efConstruction']} efS={p['hnsw']['efSearch']}"),
            ("bm25_argsort", "BM25 (rag.bm25 scores + argsort)"),
            ("bm25_argpartition", "BM25 (rag.bm25 scores + argpartition, as retrieval.py)"),
        ):
            if kind not in lat:
                continue
            disk = {"flat": p["flat_disk_mb"], "hnsw": p["hnsw_disk_mb"]}.get(kind, p.get("bm25_disk_mb"))
            build = {"flat": p["flat_build_s"], "hnsw": p["hnsw_build_s"]}.get(kind, p.get("bm25_build_s"))
            recall = {"flat": 1.0, "hnsw": p["recall@10"]}.get(kind, "-")
            rows.append(
                [
                    f"{p['units']:,}",
                    label,
                    lat[kind]["p50_ms"],
                    lat[kind]["p95_ms"],
                    lat[kind]["x_ref"],
                    recall,
                    build,
                    disk,
                    mem.get(kind.split("_")[0], "-"),
                ]
            )
    return table(
        rows,
        ["units", "index", "p50 ms", "p95 ms", "p50 x ref", "recall@10", "build s", "disk MB", "serving peak RSS MB"],
    )


def write_json(res: dict[str, Any], path: Path) -> None:
    """Write `res` atomically (a crash never leaves half a results file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def plot(scale: dict[str, Any], path: Path) -> None:
    """Query latency and memory against corpus size (log-log), one line per index kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = scale["points"]
    units = [p["units"] for p in points]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {
        "flat": ("exact (IndexFlatIP)", "C0"),
        "hnsw": ("HNSW", "C1"),
        "bm25_argsort": ("BM25 (engine: argsort)", "C2"),
        "bm25_argpartition": ("BM25 (argpartition)", "C3"),
    }
    for kind, (label, color) in styles.items():
        xs = [u for u, p in zip(units, points, strict=True) if kind in p["latency"]]
        if not xs:
            continue
        lat = [p["latency"][kind] for p in points if kind in p["latency"]]
        ax1.plot(xs, [s["p50_ms"] for s in lat], "o-", color=color, label=f"{label} p50")
        ax1.plot(xs, [s["p95_ms"] for s in lat], "x--", color=color, alpha=0.6, label=f"{label} p95")
    ax1.axhline(scale["p50_target_ms"], color="grey", lw=0.8, ls=":", label="20 ms")
    ax1.set(
        xscale="log",
        yscale="log",
        xlabel="corpus size (units)",
        ylabel="single-query latency (ms)",
        title="Query latency (top-40, one query at a time)",
    )
    ax1.legend(fontsize=7)
    for kind, (label, color) in styles.items():
        key = kind.split("_")[0]
        if kind == "bm25_argpartition":
            continue
        xs = [p["units"] for p in points if key in p["serving_peak_rss_mb"]]
        if xs:
            ax2.plot(
                xs,
                [p["serving_peak_rss_mb"][key] for p in points if key in p["serving_peak_rss_mb"]],
                "o-",
                color=color,
                label=f"{label.split(' (')[0] if key == 'bm25' else label}: serving peak RSS",
            )
        disk = {"flat": "flat_disk_mb", "hnsw": "hnsw_disk_mb", "bm25": "bm25_disk_mb"}[key]
        xs = [p["units"] for p in points if disk in p]
        if xs:
            ax2.plot(xs, [p[disk] for p in points if disk in p], "s:", color=color, alpha=0.6, label=f"{key}: on disk")
    ax2.axhline(scale["baseline_process_rss_mb"], color="grey", lw=0.8, ls=":", label="process with no index")
    ax2.set(xscale="log", yscale="log", xlabel="corpus size (units)", ylabel="MB", title="Memory and index size")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
