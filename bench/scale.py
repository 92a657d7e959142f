"""Section 5: dense (exact vs HNSW) and BM25 search at 10k, 100k and 1M units.

Each corpus size runs in a worker process (`python -m bench.scale worker ...`) so peak
memory and allocator state of one size never leak into the next; each index is then
loaded by a fresh serving process (`python -m bench.scale serve ...`) whose VmHWM is the
memory figure. Latencies are single queries, as the engine asks them, interleaved with a
fixed reference query (exact search over the same 10k vectors in every worker), so
figures of different sizes compare through `x_ref` even when the machine drifted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from .common import dir_bytes, log, peak_rss_mb, ratio, rotated_round, run_json, summary_ms
from .corpus import clustered_vectors, perturbed_queries, template_questions, unit_texts

DIM = 384
K_RECALL = 10
EF_SWEEP = (64, 128, 256, 512, 768, 1024)
RECALL_TARGET = 0.95
P50_TARGET_MS = 20.0


def _settings(m: int, efc: int, efs: int) -> Any:
    from rag.config import Settings

    return Settings(approximate_above=0, hnsw_m=m, hnsw_ef_construction=efc, hnsw_ef_search=efs)


def _recall(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    return float(np.mean([len(set(a[:k]) & set(b[:k])) / k for a, b in zip(found, truth, strict=True)]))


def worker(n: int, queries: int, m: int, efc: int, efs: int, bm25: bool, folder: Path) -> dict[str, Any]:
    """Build exact, HNSW (and BM25) indexes of `n` units in `folder`; time single queries."""
    import faiss

    from rag import store
    from rag.config import Settings

    k = Settings().candidates  # the engine asks FAISS for this many neighbours
    out: dict[str, Any] = {"units": n, "k_search": k, "threads": faiss.omp_get_max_threads()}
    vectors = clustered_vectors(n)
    qv = perturbed_queries(vectors, queries)
    ref = faiss.IndexFlatIP(DIM)
    ref.add(clustered_vectors(10_000, seed=99))

    t0 = time.perf_counter()
    flat = store.make_faiss(vectors, Settings(approximate_above=n))
    out["flat_build_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    hnsw = store.make_faiss(vectors, _settings(m, efc, efs))
    out["hnsw_build_s"] = round(time.perf_counter() - t0, 3)
    out["hnsw"] = {"type": type(hnsw).__name__, "M": m, "efConstruction": efc, "efSearch": efs}
    faiss.write_index(flat, str(folder / "flat.faiss"))
    faiss.write_index(hnsw, str(folder / "hnsw.faiss"))
    out["flat_disk_mb"] = round(dir_bytes(folder / "flat.faiss") / 2**20, 1)
    out["hnsw_disk_mb"] = round(dir_bytes(folder / "hnsw.faiss") / 2**20, 1)
    np.save(folder / "queries.npy", qv)
    del vectors

    _, truth = flat.search(qv, k)
    sweep = []
    for ef in EF_SWEEP:  # the recall/latency curve that chose efSearch
        hnsw.hnsw.efSearch = ef
        found = hnsw.search(qv, k)[1]
        times: list[float] = []
        for row in qv[: min(100, queries)]:
            t0 = time.perf_counter()
            hnsw.search(row[None], k)
            times.append(time.perf_counter() - t0)
        sweep.append(
            {
                "efSearch": ef,
                "recall@10": round(_recall(found, truth, K_RECALL), 4),
                f"recall@{k}": round(_recall(found, truth, k), 4),
                **summary_ms(times),
            }
        )
    out["ef_sweep"] = sweep
    hnsw.hnsw.efSearch = efs
    found = hnsw.search(qv, k)[1]
    out["recall@10"] = round(_recall(found, truth, K_RECALL), 4)
    out[f"recall@{k}"] = round(_recall(found, truth, k), 4)

    lat: dict[str, list[float]] = {}
    for i, row in enumerate(qv):  # one query at a time, as the engine asks; order rotated
        q = row[None]
        rotated_round(
            {
                "ref": lambda q=q: ref.search(q, k),
                "flat": lambda q=q: flat.search(q, k),
                "hnsw": lambda q=q: hnsw.search(q, k),
            },
            lat,
            i,
        )
    if bm25:
        lat |= _bm25(n, folder, out)
    out["latency"] = {name: summary_ms(ts) for name, ts in lat.items()}
    ref_p50 = out["latency"]["ref"]["p50_ms"]
    for stats in out["latency"].values():
        stats["x_ref"] = ratio(stats["p50_ms"], ref_p50)
    out["hnsw_vs_flat_p50"] = ratio(out["latency"]["hnsw"]["p50_ms"], out["latency"]["flat"]["p50_ms"])
    out["worker_peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def _bm25(n: int, folder: Path, out: dict[str, Any]) -> dict[str, list[float]]:
    """BM25 over `n` generated sentences, scored the way `Retriever.retrieve` (rag/retrieval.py) does."""
    import faiss

    from rag import lexical
    from rag.bm25 import BM25, Postings
    from rag.config import Settings

    k = Settings().candidates
    t0 = time.perf_counter()
    texts = unit_texts(n)
    out["bm25_text_gen_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    postings = Postings.build([lexical.terms(t) for t in texts])  # the engine's own tokenisation
    out["bm25_build_s"] = round(time.perf_counter() - t0, 3)
    postings.save(folder / "bm25")
    out["bm25_disk_mb"] = round(dir_bytes(folder / "bm25") / 2**20, 1)
    del texts
    retriever = BM25([postings], [0], np.ones(len(postings.lengths), dtype=bool))
    vocab = set(postings.vocab)
    questions = template_questions(200, seed=3)
    qterms = [[t for t in lexical.terms(q) if t in vocab] or ["nato"] for q in questions]
    ref = faiss.IndexFlatIP(DIM)
    ref.add(clustered_vectors(10_000, seed=99))
    refq = perturbed_queries(clustered_vectors(10_000, seed=99), len(qterms), seed=5)

    def sort_top(terms: list[str]) -> None:  # a full sort of the units that hold a term
        _, scores = retriever.scores(terms)
        np.argsort(-scores)[:k]

    def partition_top(terms: list[str]) -> None:  # what retrieval.py does
        _, scores = retriever.scores(terms)
        if len(scores) > k:
            top = np.argpartition(-scores, k)[:k]
            top[np.argsort(-scores[top])]

    times: dict[str, list[float]] = {}
    for i, terms in enumerate(qterms):
        q = refq[i : i + 1]
        rotated_round(
            {
                "ref_bm25": lambda q=q: ref.search(q, k),
                "bm25_argsort": lambda t=terms: sort_top(t),
                "bm25_argpartition": lambda t=terms: partition_top(t),
            },
            times,
            i,
        )
    return times


def serve(kind: str, path: Path, queries: int) -> dict[str, Any]:
    """Load one stored index in this fresh process, answer `queries` searches, report VmHWM."""
    t0 = time.perf_counter()
    if kind == "bm25":
        from rag.bm25 import BM25, Postings

        postings = Postings.load(path)
        retriever = BM25([postings], [0], np.ones(len(postings.lengths), dtype=bool))
        vocab = list(postings.vocab)[:1000]
        load_s = time.perf_counter() - t0
        for i in range(queries):
            _, scores = retriever.scores([vocab[(7 * i) % len(vocab)], vocab[(13 * i + 1) % len(vocab)]])
            if len(scores) > 40:
                np.argpartition(-scores, 40)[:40]
    else:
        import faiss

        index = faiss.read_index(str(path))
        load_s = time.perf_counter() - t0
        qv = np.load(path.parent / "queries.npy")
        for i in range(queries):
            index.search(qv[i % len(qv)][None], 40)
    return {"kind": kind, "load_s": round(load_s, 3), "peak_rss_mb": round(peak_rss_mb(), 1)}


def run(
    sizes: tuple[int, ...],
    queries: int = 300,
    bm25_max: int = 100_000,
    m: int | None = None,
    efc: int | None = None,
    efs: int | None = None,
    in_process: bool = False,
) -> dict[str, Any]:
    """Run one worker per corpus size and one serving process per stored index (or all in this process)."""
    from rag.config import Settings

    d = Settings()
    m, efc, efs = m or d.hnsw_m, efc or d.hnsw_ef_construction, efs or d.hnsw_ef_search
    points = []
    baseline = run_json(["-m", "bench.scale", "baseline"], in_process=in_process)
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-scale-{n}-") as tmp:
            log(
                f"scale: {n:,} units (HNSW M={m} efConstruction={efc} efSearch={efs}), BM25 {'on' if n <= bm25_max else 'off'}"
            )
            args = [
                "-m",
                "bench.scale",
                "worker",
                str(n),
                "--queries",
                str(queries),
                "--m",
                str(m),
                "--efc",
                str(efc),
                "--efs",
                str(efs),
                "--dir",
                tmp,
            ] + (["--bm25"] if n <= bm25_max else [])
            point = run_json(args, timeout=4 * 3600, in_process=in_process)
            point["serving_peak_rss_mb"] = {}
            for kind, rel in (("flat", "flat.faiss"), ("hnsw", "hnsw.faiss"), ("bm25", "bm25")):
                if (Path(tmp) / rel).exists():
                    res = run_json(
                        ["-m", "bench.scale", "serve", kind, str(Path(tmp) / rel), "--queries", "50"],
                        in_process=in_process,
                    )
                    point["serving_peak_rss_mb"][kind] = res["peak_rss_mb"]
            points.append(point)
            log(
                f"scale: {n:,} done: flat p50 {point['latency']['flat']['p50_ms']} ms, hnsw p50 "
                f"{point['latency']['hnsw']['p50_ms']} ms, recall@10 {point['recall@10']}, hnsw build {point['hnsw_build_s']} s"
            )
    return {
        "points": points,
        "baseline_process_rss_mb": baseline["peak_rss_mb"],
        "recall_target": RECALL_TARGET,
        "p50_target_ms": P50_TARGET_MS,
    }


def _baseline() -> dict[str, Any]:
    """Peak RSS of a serving process that imported faiss, numpy and the engine's BM25 but holds no index."""
    import faiss  # noqa: F401

    import rag.bm25  # noqa: F401

    return {"peak_rss_mb": round(peak_rss_mb(), 1)}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the worker and serving subprocesses (prints one JSON line)."""
    p = argparse.ArgumentParser(prog="python -m bench.scale")
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker")
    w.add_argument("n", type=int)
    w.add_argument("--queries", type=int, default=300)
    w.add_argument("--m", type=int, required=True)
    w.add_argument("--efc", type=int, required=True)
    w.add_argument("--efs", type=int, required=True)
    w.add_argument("--bm25", action="store_true")
    w.add_argument("--dir", type=Path, required=True)
    s = sub.add_parser("serve")
    s.add_argument("kind", choices=("flat", "hnsw", "bm25"))
    s.add_argument("path", type=Path)
    s.add_argument("--queries", type=int, default=50)
    sub.add_parser("baseline")
    a = p.parse_args(argv)
    if a.cmd == "worker":
        res = worker(a.n, a.queries, a.m, a.efc, a.efs, a.bm25, a.dir)
    elif a.cmd == "serve":
        res = serve(a.kind, a.path, a.queries)
    else:
        res = _baseline()
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
