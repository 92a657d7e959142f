"""Section 1: warm answer latency on the seed index, against the naive pipeline."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .common import log, median_ratio, summary_ms, timed_pairs
from .corpus import SEED_DIR, seed_questions

RANKER_N = 8  # Settings.rerank when the answer ranker is on
TARGET = 2.5  # ours / naive, median over questions (ranker issue; was 1.5 before the ranker)


def run(n_questions: int = 240, warmup: int = 10, index_dir: Path | None = None) -> dict[str, Any]:
    """Time `index.answer` and the naive top-1 chunk side by side on each question.

    `index_dir` is an index of the seeds to load; without it one is built in a temp folder.
    """
    import rag
    from rag import embedding
    from rag.eval.naive import NaivePipeline

    questions, origin = seed_questions(n_questions)
    questions = questions[:n_questions]  # the eval set may hold more than a toy run asks
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        index = rag.load_index(index_dir) if index_dir else rag.build_index(SEED_DIR, Path(tmp) / "index")
        model = embedding.get_model(index.settings.model_name)
        naive = NaivePipeline([index.document(d) for d in index.doc_ids], model)
        for q in questions[:warmup]:  # first calls pay for lazy imports and allocator growth
            index.answer(q)
            naive.answer(q)
        log(f"latency: {len(questions)} questions, ours vs naive, interleaved")
        ours, ref = timed_pairs(index.answer, naive.answer, questions)
        found = sum(index.answer(q).found for q in dict.fromkeys(questions))
        # the same with the answer ranker on (Settings.rerank = RANKER_N), interleaved with naive too
        ranked = index if index.settings.rerank else index.with_settings(rerank=RANKER_N)
        for q in questions[:warmup]:
            ranked.answer(q)
        log(f"latency: {len(questions)} questions, ours with the answer ranker vs naive, interleaved")
        on, on_ref = timed_pairs(ranked.answer, naive.answer, questions)
    r = median_ratio(ours, ref)
    r_on = median_ratio(on, on_ref)
    return {
        "rerank": index.settings.rerank,
        "ranker_on": {
            "rerank": ranked.settings.rerank,
            "ours": summary_ms(on),
            "naive": summary_ms(on_ref),
            "ratio_median": r_on,
            "met": r_on <= TARGET,
        },
        "questions": len(questions),
        "question_source": origin,
        "distinct_questions_found": f"{found}/{len(set(questions))}",
        "naive_chunks": len(naive.chunks),
        "ours": summary_ms(ours),
        "naive": summary_ms(ref),
        "ratio_median": r,
        "target": f"<= {TARGET}",
        "met": r <= TARGET,
    }
