"""Section 7: why FAISS searches on one thread (store.SEARCH_THREADS = 1).

One exact single-query search over 100k vectors with one OpenMP thread vs two, toggled
query by query in one process; run twice: as the machine is, and with one core kept busy by
a spinning subprocess (bounded: it stops itself after `BUSY_MAX_S`), since a serving machine
rarely has both cores free (concurrent requests, builds, other services).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from typing import Any

from .common import PYTHON, log, median_ratio, summary_ms

BUSY_MAX_S = 600


@contextlib.contextmanager
def one_core_busy() -> Iterator[None]:
    """A subprocess spinning on one core for the duration of the block."""
    proc = subprocess.Popen([PYTHON, "-c", f"import time\nt = time.time()\nwhile time.time() - t < {BUSY_MAX_S}: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        proc.terminate()
        proc.wait()


def faiss_threads(vectors: Any, qv: Any) -> dict[str, Any]:
    """Single-query exact search with 1 and 2 OpenMP threads, alternating per query."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    times: dict[int, list[float]] = {1: [], 2: []}
    for i, row in enumerate(qv):
        for threads in (1, 2) if i % 2 == 0 else (2, 1):
            faiss.omp_set_num_threads(threads)
            t0 = time.perf_counter()
            index.search(row[None], 40)
            times[threads].append(time.perf_counter() - t0)
    faiss.omp_set_num_threads(1)
    return {
        "one_thread": summary_ms(times[1]),
        "two_threads": summary_ms(times[2]),
        "two_over_one_median": median_ratio(times[2], times[1]),
    }


def run(n: int = 100_000, queries: int = 200) -> dict[str, Any]:
    """The comparison as the machine is and with one core busy."""
    from .corpus import clustered_vectors, perturbed_queries

    vectors = clustered_vectors(n)
    qv = perturbed_queries(vectors, queries)
    out: dict[str, Any] = {"units": n}
    for condition in ("as is", "one core busy"):
        log(f"threads ({condition}): FAISS single-query search on 1 vs 2 threads at {n:,} vectors")
        busy = one_core_busy() if condition != "as is" else contextlib.nullcontext()
        with busy:
            out[condition] = {"load_avg_1min": round(os.getloadavg()[0], 2), "faiss_search": faiss_threads(vectors, qv)}
    return out
