"""Section 3: build throughput, units embedded per second by `build_index` vs raw `model.encode`."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import log
from .corpus import write_corpus

TARGET = 0.9  # build rate / raw encode rate


def run(n_articles: int = 200, rounds: int = 3) -> dict[str, Any]:
    """Alternate a full `build_index(force=True)` with `model.encode` of the same unit texts."""
    import rag
    from rag import chunking, embedding, lexical
    from rag.bm25 import Postings

    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        src = Path(tmp) / "articles"
        write_corpus(src, n_articles)
        # The first build loads the model and pysbd and tells which unit texts a build embeds.
        index = rag.build_index(src, Path(tmp) / "index", force=True)
        settings = index.settings
        docs = [index.document(d) for d in index.doc_ids]
        texts = [u.text for d in docs for u in chunking.sentence_units(d)]
        model = embedding.get_model(settings.model_name)
        log(f"throughput: {n_articles} articles, {len(texts)} units, {rounds} rounds")

        def raw() -> float:
            t0 = time.perf_counter()
            model.encode(
                texts,
                batch_size=settings.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return len(texts) / (time.perf_counter() - t0)

        def build() -> float:
            report = rag.build_index(src, Path(tmp) / "index", force=True).report
            assert report is not None and report.embedded_units == len(texts)
            return report.embedded_units / report.seconds

        pairs = []
        for r in range(rounds):  # flip the order each round: the machine drifts
            if r % 2 == 0:
                b, e = build(), raw()
            else:
                e, b = raw(), build()
            pairs.append((b, e))

        # Where a build's time goes besides embedding, measured once (explains a miss).
        stages: dict[str, float] = {}
        t0 = time.perf_counter()
        units = [u for d in docs for u in chunking.sentence_units(d)]
        stages["sentence_units_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for d in docs:
            chunking.passages(d, settings.chunk_size, settings.chunk_overlap)
        stages["passages_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        Postings.build([lexical.terms(u.text) for u in units])
        stages["bm25_s"] = time.perf_counter() - t0
    ratios = [b / e for b, e in pairs]
    r = round(statistics.median(ratios), 3)
    build_rate = statistics.median(b for b, _ in pairs)
    raw_rate = statistics.median(e for _, e in pairs)
    return {
        "articles": n_articles,
        "units": len(texts),
        "batch_size": settings.batch_size,
        "rounds": rounds,
        "build_units_per_s": round(build_rate, 1),
        "encode_units_per_s": round(raw_rate, 1),
        "ratio_per_round": [round(x, 3) for x in ratios],
        "ratio_median": r,
        "non_embedding_stages": {k: round(v, 3) for k, v in stages.items()},
        "embedding_s_at_raw_rate": round(len(texts) / raw_rate, 3),
        "target": f">= {TARGET}",
        "met": r >= TARGET,
    }
