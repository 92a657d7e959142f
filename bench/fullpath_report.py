"""Tables and the plot of the full-path section (`bench.fullpath`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .report import table


def _ms(stats: dict[str, Any]) -> str:
    return f"{stats['p50_ms']:.1f} / {stats['p95_ms']:.1f}"


def size_table(res: dict[str, Any]) -> str:
    """One row per size: answer latency (1 and 2 threads, as is and one core busy), load, memory, disk, build."""
    rows = []
    for p in res["points"]:
        s, b = p["serve"], p["build"]
        busy = s.get("one_core_busy", {})
        rows.append(
            [
                f"{b['units']:,}",
                f"{b['articles']:,}",
                _ms(s["as_is"]["1 thread"]),
                _ms(s["as_is"]["2 threads"]),
                _ms(busy["1 thread"]) if busy else "-",
                _ms(busy["2 threads"]) if busy else "-",
                s["as_is"]["1 thread"]["x_encode"],
                s["load_s"],
                s["peak_rss_mb"],
                b["index_mb"],
                b["build_s"],
                b["faiss"],
            ]
        )
    return table(
        rows,
        [
            "units",
            "articles",
            "1 thread p50/p95 ms",
            "2 threads",
            "1 thread, core busy",
            "2 threads, core busy",
            "p50 x encode",
            "load s",
            "peak RSS MB",
            "index MB",
            "build s",
            "FAISS",
        ],
    )


def quality_table(res: dict[str, Any]) -> str:
    """Per size and suite: answered, gold in the quote, from the gold article; offsets exact."""
    rows = []
    for p in res["points"]:
        for suite, q in p["quality"].items():
            rows.append(
                [
                    f"{p['build']['units']:,}",
                    suite,
                    q["questions"],
                    q["answered"],
                    q["gold_in_quote"],
                    q["from_gold_article"],
                    "-" if q["unanswerable_refused"] is None else q["unanswerable_refused"],
                    p["offsets_exact"],
                ]
            )
    return table(
        rows,
        [
            "units",
            "suite",
            "questions",
            "answered",
            "gold in quote",
            "gold article",
            "refused (unanswerable)",
            "offsets exact",
        ],
    )


def before_after_table(res: dict[str, Any]) -> str:
    """At the compared sizes: before (float32 vectors, previous code) and after, and whether answers agree."""
    rows = []
    for p in res["points"]:
        if "before" not in p:
            continue
        for label, s, b in (("before", p["before"], p["before_build"]), ("after", p["serve"], p["build"])):
            one = s["as_is"]["1 thread"]
            rows.append(
                [
                    f"{b['units']:,}",
                    label,
                    b["faiss"],
                    f"{one['p50_ms']:.1f} / {one['p95_ms']:.1f}",
                    one["x_encode"],
                    s["load_s"],
                    s["peak_rss_mb"],
                    b["index_mb"],
                    p.get("recall", {}).get(label, {}).get("recall@10", "-"),
                    p["answers_identical"] if label == "after" else "",
                ]
            )
    return table(
        rows,
        [
            "units",
            "",
            "FAISS",
            "1 thread p50/p95 ms",
            "p50 x encode",
            "load s",
            "peak RSS MB",
            "index MB",
            "recall@10 vs exact",
            "answers identical",
        ],
    )


def ranker_table(res: dict[str, Any]) -> str:
    """Per size: one thread with the answer ranker and without it, interleaved in one process; load and memory of each."""
    rows = []
    for p in res["points"]:
        s = p["serve"]
        side = s.get("ranker_on_off")
        if not side:
            continue
        on_name = next(k for k in side if k.startswith("rerank ") and k != "rerank 0")
        procs = {s["rerank"]: s, **({p["serve_alt"]["rerank"]: p["serve_alt"]} if "serve_alt" in p else {})}
        qualities = {s["rerank"]: p["quality"], s.get("alt_rerank"): p.get("quality_alt", {})}
        for name in (on_name, "rerank 0"):
            n = int(name.split()[1])
            proc, quality = procs.get(n), qualities.get(n, {})
            answerable = sum(q["answerable"] for q in quality.values())
            gold = sum(q["gold_in_quote"] * q["answerable"] for q in quality.values())
            rows.append(
                [
                    f"{p['build']['units']:,}",
                    f"Settings.rerank = {n}" + (" (default)" if n == s["rerank"] else ""),
                    _ms(side[name]),
                    _ms(side["encode"]),
                    side[name]["x_encode"],
                    proc["load_s"] if proc else "-",
                    proc["peak_rss_mb"] if proc else "-",
                    f"{gold / answerable:.3f}" if answerable else "-",
                ]
            )
    return table(
        rows,
        [
            "units",
            "answer ranker",
            "1 thread p50/p95 ms (interleaved)",
            "encode only",
            "p50 x encode",
            "load s",
            "peak RSS MB",
            "gold in quote (answerable)",
        ],
    )


def profile_table(res: dict[str, Any]) -> str:
    """Per size: where a warm answer spends its time (cProfile, ms per question), with and without the ranker."""
    rows = []
    for p in res["points"]:
        for label, key in (("ranker on", "answer_profile"), ("ranker off", "answer_profile_no_ranker")):
            prof = p.get(key)
            if not prof:
                continue
            for part, ms in prof["parts_ms_per_question"].items():
                rows.append([f"{p['build']['units']:,}", label, part, ms])
    return table(rows, ["units", "", "part of Index.answer (cProfile, cumulative)", "ms per question"])


def targets_table(res: dict[str, Any]) -> str:
    """Each target of the scale issue at the sizes measured: the figure, the target, met; and the stream's append."""
    rows: list[list[Any]] = []
    for p in res["points"]:
        for name, (got, want, met) in p.get("targets", {}).items():
            rows.append([f"{p['build']['units']:,} units", name, got, f"<= {want}", met])
        if "answers_identical" in p:
            same = p["answers_identical"].split("/")
            rows.append(
                [
                    f"{p['build']['units']:,} units",
                    "answers = previous path",
                    p["answers_identical"],
                    "all",
                    same[0] == same[1],
                ]
            )
        if "answers_identical_alt" in p:
            same = p["answers_identical_alt"].split("/")
            rows.append(
                [
                    f"{p['build']['units']:,} units",
                    f"answers = previous path, rerank {p['serve']['alt_rerank']}",
                    p["answers_identical_alt"],
                    "all",
                    same[0] == same[1],
                ]
            )
        rows.append([f"{p['build']['units']:,} units", "offsets exact", p["offsets_exact"], "all", p["offsets_exact"]])
    stream = res.get("stream")
    if stream:
        t = stream["timed"]
        rows.append(
            [
                "one article appended",
                "rag.build_index s (model loaded)",
                t["build_s"],
                "seconds",
                t["how"] == "appended",
            ]
        )
        same = stream["answers_identical"].split("/")
        rows.append(
            ["one article appended", "answers = full rebuild", stream["answers_identical"], "all", same[0] == same[1]]
        )
    return table(rows, ["size", "target", "measured", "target value", "met"])


def plot(res: dict[str, Any], path: Path) -> None:
    """Answer latency (p50/p95, 1 and 2 threads, busy) and memory/disk against corpus size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = res["points"]
    units = [p["build"]["units"] for p in points]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    lines = (("as_is", "1 thread", "C0"), ("as_is", "2 threads", "C1"), ("one_core_busy", "1 thread", "C2"))
    for cond, threads, color in lines:
        xs = [u for u, p in zip(units, points, strict=True) if cond in p["serve"]]
        if not xs:
            continue
        stats = [p["serve"][cond][threads] for p in points if cond in p["serve"]]
        label = f"{threads}{', other core busy' if cond != 'as_is' else ''}"
        ax1.plot(xs, [s["p50_ms"] for s in stats], "o-", color=color, label=f"{label} p50")
        ax1.plot(xs, [s["p95_ms"] for s in stats], "x--", color=color, alpha=0.6, label=f"{label} p95")
    ax1.plot(
        units, [p["serve"]["as_is"]["encode"]["p50_ms"] for p in points], "s:", color="grey", label="encode only p50"
    )
    ax1.set(
        xscale="log", yscale="log", xlabel="corpus size (units)", ylabel="ms", title="Index.answer, warm, one at a time"
    )
    ax1.legend(fontsize=7)
    ax2.plot(units, [p["serve"]["peak_rss_mb"] for p in points], "o-", color="C0", label="serving peak RSS")
    ax2.plot(units, [p["serve"]["rss_imported_mb"] for p in points], ":", color="grey", label="after import rag")
    ax2.plot(units, [p["build"]["index_mb"] for p in points], "s--", color="C1", label="index on disk")
    before = [(p["build"]["units"], p["before"]["peak_rss_mb"]) for p in points if "before" in p]
    if before:
        ax2.plot(*zip(*before), "x", color="C3", ms=9, label="peak RSS before (float32, previous code)")
    ax2.set(xscale="log", yscale="log", xlabel="corpus size (units)", ylabel="MB", title="Memory and disk")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
