"""The serving process of the full-path benchmark: load an index, answer the sample, report time, memory, answers.

`python -m bench.fullpath_serve INDEX QUESTIONS.json [--reference] [--busy] [--rerank N] [--profile-load]
[--profile-answers]` prints one JSON line. Each process serves one index. Every question is answered
on one thread (torch and FAISS, the engine's default), interleaved question by question with the
reference every size shares, `embedding.encode` of the question alone (the floor of any answer),
order rotated (the machine is shared); the peak RSS (VmHWM) then is the serving figure. Then the
same on two threads; then one thread with the answer ranker (`Settings.rerank`) and without it
(`index.with_settings(rerank=0)`), interleaved with each other and with encoding alone, so the
ranker's share of an answer is measured side by side; and (`--busy`) 1 and 2 threads with the
other core kept busy. `--rerank N` serves the whole process with `Settings.rerank = N` (0: the
ranker model is not even loaded, so load time and memory are those of an engine without it).
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
# Settings.rerank when the answer ranker is on (the ranker's recommended_n): what the "ranker on" figures use.
RANKER_N = 8
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
    ("answer ranker loaded (files verified)", "rerank.py:(load_ranker)"),
)
# What the answer profile reports: the parts of `Index.answer`, cumulative seconds over the sample.
ANSWER_PARTS = (
    ("Index.answer (all)", "index.py:(answer)"),
    ("retrieval (encode + FAISS + BM25 + typos + similarities)", "retrieval.py:(retrieve)"),
    ("question encoding (MiniLM)", "embedding.py:(encode)"),
    ("FAISS search (candidates and copies)", "retrieval.py:(_dense)"),
    ("stored vectors read back", "retrieval.py:(vectors)"),
    ("BM25 scores", "bm25.py:(scores)"),
    ("typo mapping", "typos.py:(nearest)"),
    ("signals + ranker (score_candidates)", "signals.py:(score_candidates)"),
    ("answer ranker (cross-encoder)", "rerank.py:(score)"),
    ("article-level signals", "retrieval.py:(articles_using)"),
    ("article mean vectors", "retrieval.py:(article_similarity)"),
    ("article texts read (documents.jsonl)", "articles.py:(_parse)"),
    ("copies collapsed", "updates.py:(collapse_copies)"),
    ("updates found", "updates.py:(find_updates)"),
    ("similar units (copies elsewhere)", "retrieval.py:(similar)"),
    ("supporting passages", "answer.py:(supporting_passages)"),
    ("quote composed", "answer.py:(compose)"),
    ("time frame and preferences", "temporal.py:(prefer_"),
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


# Questions whose `Index.answer` raised, by id: the error (reported, and the question counted as refused).
ERRORS: dict[str, str] = {}


def ask(index: Any, question: Question) -> Any:
    """`index.answer` of `question`, or None when it raises (recorded in `ERRORS`: an engine bug to report)."""
    try:
        return index.answer(question.q, as_of=question.as_of)
    except Exception as exc:  # noqa: BLE001  (one failing question must not lose the whole run)
        ERRORS.setdefault(question.id, f"{type(exc).__name__}: {exc}")
        return None


def answer_row(index: Any, question: Question) -> dict[str, Any]:
    """What is compared between runs, and whether every offset of the answer is exact."""
    a = ask(index, question)
    if a is None:
        error = ERRORS[question.id]
        return {
            "found": False,
            "doc_id": None,
            "start": None,
            "end": None,
            "text": "",
            "confidence": 0.0,
            "offsets_exact": True,
            "spans_checked": 0,
            "error": error,
        }
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
    errors: dict[str, str] = {}
    for r in rows:
        kwargs = {k: r[k] for k in ("since", "until", "topic", "as_of") if r.get(k) is not None}
        t0 = time.perf_counter()
        try:
            result = brief(**kwargs)
        except Exception as exc:  # noqa: BLE001  (an engine bug to report, not a reason to lose the run)
            errors[r.get("id", str(len(errors)))] = f"Index.brief({kwargs}): {type(exc).__name__}: {exc}"
            continue
        times.append(time.perf_counter() - t0)
        items.append(len(getattr(result, "items", ()) or ()))
    return {"available": True, "requests": len(rows), **summary_ms(times), "items": items, "errors": errors}


def serve(
    index_dir: Path, questions: list[Question], reference: bool, busy: bool, rerank: int | None = None
) -> dict[str, Any]:
    """Load `index_dir`, answer `questions` under every condition, report."""
    t0 = time.perf_counter()
    import rag  # noqa: F401
    from rag import embedding

    out: dict[str, Any] = {"import_s": round(time.perf_counter() - t0, 3), "rss_imported_mb": round(rss_mb(), 1)}
    if reference:
        from . import reference as ref

        ref.install()
    t0 = time.perf_counter()
    index = load(index_dir, rerank)
    out["load_s"] = round(time.perf_counter() - t0, 3)
    out["rerank"] = index.settings.rerank
    out["rss_loaded_mb"] = round(rss_mb(), 1)
    out["peak_rss_loaded_mb"] = round(peak_rss_mb(), 1)
    t0 = time.perf_counter()
    embedding.get_model(index.settings.model_name)
    out["model_s"] = round(time.perf_counter() - t0, 3)
    out["rss_model_mb"] = round(rss_mb(), 1)  # the index, the ranker (when on) and the embedding model
    set_threads(1)
    t0 = time.perf_counter()
    ask(index, questions[0])
    out["first_answer_s"] = round(time.perf_counter() - t0, 3)
    for q in questions[:WARMUP]:
        ask(index, q)
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
    two = timed(questions, {"2 threads": (2, lambda q: ask(index, q)), "encode": (1, encode)})
    out["as_is"] = {**_summaries(one), "2 threads": _summaries(two)["2 threads"]}
    out["answers"] = answers
    # the ranker's share: the same questions with it (Settings.rerank = RANKER_N) and without it
    # (0), interleaved; the condition the index was not loaded with is a copy with its own caches,
    # so this pass comes after the serving figure above
    on = index if index.settings.rerank else index.with_settings(rerank=RANKER_N)
    off = index.with_settings(rerank=0) if index.settings.rerank else index
    on_name = f"rerank {on.settings.rerank}"
    rows: dict[str, list[dict[str, Any]]] = {on_name: [], "rerank 0": []}
    log("serve: 1 thread with the answer ranker and without it, interleaved")
    ranker = timed(
        questions,
        {
            on_name: (1, lambda q: rows[on_name].append(answer_row(on, q))),
            "rerank 0": (1, lambda q: rows["rerank 0"].append(answer_row(off, q))),
            "encode": (1, encode),
        },
    )
    out["ranker_on_off"] = _summaries(ranker)
    on_ms, off_ms = out["ranker_on_off"][on_name], out["ranker_on_off"]["rerank 0"]
    out["ranker_cost_ms"] = {
        "p50": round(on_ms["p50_ms"] - off_ms["p50_ms"], 3),
        "mean": round(on_ms["mean_ms"] - off_ms["mean_ms"], 3),
        "median_ratio_on_off": median_ratio(ranker[on_name], ranker["rerank 0"]),
    }
    # the answers of the condition the index was not loaded with (the loaded one's are `answers`)
    out["alt_rerank"] = 0 if index.settings.rerank else on.settings.rerank
    out["answers_alt"] = rows["rerank 0"] if index.settings.rerank else rows[on_name]
    if busy:
        from .threads import one_core_busy

        log("serve: the same with the other core busy")
        calls = {
            "1 thread": (1, lambda q: ask(index, q)),
            "2 threads": (2, lambda q: ask(index, q)),
            "encode": (1, encode),
        }
        with one_core_busy():  # a third of the sample: the busy core stops itself after threads.BUSY_MAX_S
            out["one_core_busy"] = _summaries(timed(questions[::BUSY_EVERY], calls))
    out["load_avg_after"] = os.getloadavg()
    out["rss_end_mb"] = round(rss_mb(), 1)
    out["brief"] = brief_timings(index)
    out["peak_rss_all_mb"] = round(peak_rss_mb(), 1)  # after 2 threads, the busy pass and briefings too
    out["errors"] = dict(ERRORS)
    return out


def answers_only(
    index_dir: Path, questions: list[Question], reference: bool, rerank: int | None = None
) -> dict[str, Any]:
    """Each question answered once on one thread (for comparing two indexes)."""
    if reference:
        from . import reference as ref

        ref.install()
    index = load(index_dir, rerank)
    set_threads(1)
    return {"answers": [answer_row(index, q) for q in questions], "errors": dict(ERRORS)}


def _parts(profiler: cProfile.Profile, wanted: tuple[tuple[str, str], ...]) -> dict[str, float]:
    """Cumulative seconds of each (label, "file.py:(function prefix") part of a profile."""
    stats = pstats.Stats(profiler)
    parts: dict[str, float] = {}
    for (path, _, func), row in stats.stats.items():  # type: ignore[attr-defined]
        for label, pattern in wanted:
            name, prefix = pattern.split(":(")
            if Path(path).name == name and func.startswith(prefix.rstrip(")")):
                parts[label] = round(parts.get(label, 0.0) + row[3], 3)
    return {label: parts[label] for label, _ in wanted if label in parts}


def _top(profiler: cProfile.Profile, n: int = 15) -> list[list[Any]]:
    """The `n` functions with the most time of their own: [file:function, own s, cumulative s, calls]."""
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:n]  # type: ignore[attr-defined]
    return [[f"{Path(p).name}:{f}", round(r[2], 3), round(r[3], 3), r[1]] for (p, _, f), r in rows]


def load(index_dir: Path, rerank: int | None = None) -> Any:
    """`rag.load_index`, or the same index answering with `Settings.rerank = rerank` (0: no ranker loaded)."""
    import rag

    if rerank is None:
        return rag.load_index(index_dir)
    from dataclasses import replace

    from rag import store
    from rag.index import Index

    data = store.load(index_dir)
    return Index(replace(data, settings=replace(data.settings, rerank=rerank)), index_dir)


def profile_load(index_dir: Path, rerank: int | None = None) -> dict[str, Any]:
    """Where loading spends its time (cProfile, cumulative seconds of its parts)."""
    import rag  # noqa: F401  (imports are not load time)

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    load(index_dir, rerank)
    profiler.disable()
    total = time.perf_counter() - t0
    return {"profiled_load_s": round(total, 3), "parts_s": _parts(profiler, LOAD_PARTS), "top_own_s": _top(profiler)}


def profile_answers(index_dir: Path, questions: list[Question], rerank: int | None = None) -> dict[str, Any]:
    """Where `Index.answer` spends its time on one thread, warm (cProfile over the sample answered once).

    cProfile inflates Python-heavy parts against native ones (torch, FAISS): read the parts as shares.
    """
    from rag import embedding

    index = load(index_dir, rerank)
    embedding.get_model(index.settings.model_name)
    set_threads(1)
    for q in questions[:WARMUP]:
        ask(index, q)
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for q in questions:
        ask(index, q)
    profiler.disable()
    total = time.perf_counter() - t0
    parts = _parts(profiler, ANSWER_PARTS)
    return {
        "questions": len(questions),
        "rerank": index.settings.rerank,
        "profiled_s": round(total, 3),
        "parts_s": parts,
        "parts_ms_per_question": {k: round(1000 * v / len(questions), 2) for k, v in parts.items()},
        "top_own_s": _top(profiler, 20),
        "errors": dict(ERRORS),
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point of the serving subprocess (one JSON line on stdout)."""
    p = argparse.ArgumentParser(prog="python -m bench.fullpath_serve")
    p.add_argument("index", type=Path)
    p.add_argument("questions", type=Path)
    p.add_argument("--reference", action="store_true", help="the unoptimised code paths (bench/reference.py)")
    p.add_argument("--busy", action="store_true", help="also time with the other core busy")
    p.add_argument("--profile-load", action="store_true", help="only profile the load")
    p.add_argument("--answers-only", action="store_true", help="only answer each question once (no timing)")
    p.add_argument("--rerank", type=int, help="serve with Settings.rerank = N (0: no answer ranker loaded)")
    p.add_argument("--profile-answers", action="store_true", help="only profile answering the sample once, warm")
    a = p.parse_args(argv)
    if a.reference and (a.profile_load or a.profile_answers):
        from . import reference as ref

        ref.install()
    if a.profile_load:
        res = profile_load(a.index, a.rerank)
    else:
        questions = from_json(json.loads(a.questions.read_text(encoding="utf-8")))
        if a.profile_answers:
            res = profile_answers(a.index, questions, a.rerank)
        elif a.answers_only:
            res = answers_only(a.index, questions, a.reference, a.rerank)
        else:
            res = serve(a.index, questions, a.reference, a.busy, a.rerank)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
