"""The serving process of the full-path benchmark: load an index, answer the sample, report time, memory, answers.

`python -m bench.fullpath_serve INDEX QUESTIONS.json [--reference] [--busy] [--profile-load]` prints
one JSON line. Each process serves one index. Every question is answered on one thread (torch and
FAISS, the engine's default), interleaved question by question with the reference every size
shares, `embedding.encode` of the question alone (the floor of any answer), order rotated (the
machine is shared); the peak RSS (VmHWM) then is the serving figure. Then the same on two threads,
and (`--busy`) 1 and 2 threads with the other core kept busy.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import ROOT, log, median_ratio, peak_rss_mb, rss_mb, summary_ms
from .yearquestions import Question, from_json

WARMUP = 20
BUSY_EVERY = 3
BRIEFING_FILE = ROOT / "eval" / "ukraine_2022" / "briefing.jsonl"
# What the load profile reports: (label, substring of "file:function" in the profile).
LOAD_PARTS = (
    ("sha256 of every file", "documents.py:(sha256_file)"),
    ("documents.jsonl parsed", "reader.py:(_documents"),
    ("FAISS read", "search.py:(read_faiss)"),
    ("BM25 postings read", "bm25.py:(load)"),
    ("int tables read", "reader.py:(_int_table)"),
    ("Index() set-up", "index.py:(__init__)"),
    ("Retriever() set-up", "retrieval.py:(__init__)"),
)


def set_threads(n: int) -> None:
    """Let torch and FAISS use `n` threads (the engine follows `QUERY_THREADS` and `SEARCH_THREADS`)."""
    import faiss
    import torch

    from rag import embedding
    from rag.store import search

    torch.set_num_threads(n)
    embedding.QUERY_THREADS = n
    search.SEARCH_THREADS = n
    faiss.omp_set_num_threads(n)


def answer_row(index: Any, question: Question) -> dict[str, Any]:
    """What is compared between runs, and whether every offset of the answer is exact."""
    a = index.answer(question.q, as_of=question.as_of)
    spans = [(a.doc_id, a.start, a.end, a.text)] if a.found else []
    spans += [(p.doc_id, p.start, p.end, p.text) for p in a.passages]
    spans += [(c.doc_id, c.start, c.end, c.text) for c in (*a.updates, *a.also_in)]
    exact = all(index.document(d).text[s:e] == t for d, s, e, t in spans)
    return {
        "found": a.found,
        "doc_id": a.doc_id,
        "start": a.start,
        "end": a.end,
        "text": a.text if a.found else "",
        "confidence": round(a.confidence, 4),
        "offsets_exact": exact,
        "spans_checked": len(spans),
    }


def timed(questions: list[Question], calls: dict[str, tuple[int, Callable[[Question], Any]]]) -> dict[str, list[float]]:
    """Seconds of each call on each question; calls interleaved per question, order rotated."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for i, q in enumerate(questions):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            threads, fn = calls[name]
            set_threads(threads)
            t0 = time.perf_counter()
            fn(q)
            times[name].append(time.perf_counter() - t0)
    set_threads(1)
    return times


def _summaries(times: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {name: summary_ms(ts) for name, ts in times.items()}
    for name in times:
        if name != "encode":
            out[name]["x_encode"] = median_ratio(times[name], times["encode"])
    return out


def brief_timings(index: Any) -> dict[str, Any]:
    """`Index.brief` on the stream suite's briefing requests, when the index has one (hook for rag/brief.py)."""
    brief = getattr(index, "brief", None)
    if brief is None:
        return {"available": False}
    rows = [json.loads(line) for line in BRIEFING_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    times, items = [], []
    for r in rows:
        kwargs = {k: r[k] for k in ("since", "until", "topic", "as_of") if r.get(k) is not None}
        t0 = time.perf_counter()
        try:
            result = brief(**kwargs)
        except TypeError as exc:  # the signature is not settled yet: say so rather than guess
            return {"available": True, "error": f"Index.brief({', '.join(kwargs)}): {exc}"}
        times.append(time.perf_counter() - t0)
        items.append(len(getattr(result, "items", ()) or ()))
    return {"available": True, "requests": len(rows), **summary_ms(times), "items": items}


def serve(index_dir: Path, questions: list[Question], reference: bool, busy: bool) -> dict[str, Any]:
    """Load `index_dir`, answer `questions` under every condition, report."""
    t0 = time.perf_counter()
    import rag
    from rag import embedding

    out: dict[str, Any] = {"import_s": round(time.perf_counter() - t0, 3), "rss_imported_mb": round(rss_mb(), 1)}
    if reference:
        from . import reference as ref

        ref.install()
    t0 = time.perf_counter()
    index = rag.load_index(index_dir)
    out["load_s"] = round(time.perf_counter() - t0, 3)
    out["rss_loaded_mb"] = round(rss_mb(), 1)
    out["peak_rss_loaded_mb"] = round(peak_rss_mb(), 1)
    t0 = time.perf_counter()
    embedding.get_model(index.settings.model_name)
    out["model_s"] = round(time.perf_counter() - t0, 3)
    set_threads(1)
    t0 = time.perf_counter()
    index.answer(questions[0].q, as_of=questions[0].as_of)
    out["first_answer_s"] = round(time.perf_counter() - t0, 3)
    for q in questions[:WARMUP]:
        index.answer(q.q, as_of=q.as_of)
    out["rss_warm_mb"] = round(rss_mb(), 1)

    def encode(q: Question) -> Any:
        return embedding.encode(index.settings.model_name, [q.q], progress=False)

    answers: list[dict[str, Any]] = []
    out["load_avg_before"] = os.getloadavg()
    log(f"serve: {len(questions)} questions on 1 thread, then on 2, each interleaved with encoding alone")
    one = timed(questions, {"1 thread": (1, lambda q: answers.append(answer_row(index, q))), "encode": (1, encode)})
    # the serving figure: load, model, warm-up and every question once, on one thread (the engine's default)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["rss_one_thread_mb"] = round(rss_mb(), 1)
    two = timed(questions, {"2 threads": (2, lambda q: index.answer(q.q, as_of=q.as_of)), "encode": (1, encode)})
    out["as_is"] = {**_summaries(one), "2 threads": _summaries(two)["2 threads"]}
    out["answers"] = answers
    if busy:
        from .threads import one_core_busy

        log("serve: the same with the other core busy")
        calls = {
            "1 thread": (1, lambda q: index.answer(q.q, as_of=q.as_of)),
            "2 threads": (2, lambda q: index.answer(q.q, as_of=q.as_of)),
            "encode": (1, encode),
        }
        with one_core_busy():  # a third of the sample: the busy core stops itself after threads.BUSY_MAX_S
            out["one_core_busy"] = _summaries(timed(questions[::BUSY_EVERY], calls))
    out["load_avg_after"] = os.getloadavg()
    out["rss_end_mb"] = round(rss_mb(), 1)
    out["brief"] = brief_timings(index)
    out["peak_rss_all_mb"] = round(peak_rss_mb(), 1)  # after 2 threads, the busy pass and briefings too
    return out


def answers_only(index_dir: Path, questions: list[Question], reference: bool) -> dict[str, Any]:
    """Each question answered once on one thread (for comparing two indexes)."""
    import rag

    if reference:
        from . import reference as ref

        ref.install()
    index = rag.load_index(index_dir)
    set_threads(1)
    return {"answers": [answer_row(index, q) for q in questions]}


def profile_load(index_dir: Path) -> dict[str, Any]:
    """Where `rag.load_index` spends its time (cProfile, cumulative seconds of its parts)."""
    import rag

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    rag.load_index(index_dir)
    profiler.disable()
    total = time.perf_counter() - t0
    stats = pstats.Stats(profiler)
    parts: dict[str, float] = {}
    for (path, _, func), row in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{Path(path).name}:({func})"
        for label, pattern in LOAD_PARTS:
            if where.startswith(pattern.split("(")[0]) and pattern.split("(")[1].rstrip(")") in func:
                parts[label] = round(parts.get(label, 0.0) + row[3], 3)
    return {"profiled_load_s": round(total, 3), "parts_s": parts}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the serving subprocess (one JSON line on stdout)."""
    p = argparse.ArgumentParser(prog="python -m bench.fullpath_serve")
    p.add_argument("index", type=Path)
    p.add_argument("questions", type=Path)
    p.add_argument("--reference", action="store_true", help="the unoptimised code paths (bench/reference.py)")
    p.add_argument("--busy", action="store_true", help="also time with the other core busy")
    p.add_argument("--profile-load", action="store_true", help="only profile the load")
    p.add_argument("--answers-only", action="store_true", help="only answer each question once (no timing)")
    a = p.parse_args(argv)
    if a.profile_load:
        if a.reference:
            from . import reference as ref

            ref.install()
        res = profile_load(a.index)
    else:
        questions = from_json(json.loads(a.questions.read_text(encoding="utf-8")))
        if a.answers_only:
            res = answers_only(a.index, questions, a.reference)
        else:
            res = serve(a.index, questions, a.reference, a.busy)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
