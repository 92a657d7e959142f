"""Time a briefing over a window of ~1,000 articles: prints cold and warm seconds, no pass/fail.

    python scripts/bench_brief.py [--copies 6] [--repeat 3]

The corpus is real text made larger: the 175 statements of eval/ukraine_2022 repeated `--copies`
times, each copy shifted by the corpus's span (83 days) so the copies follow each other as one
stream of dated articles; event dates are resolved again against the shifted dates. Identical
texts share one vector, so only the 175 statements are embedded (cached with the briefing
evaluation's vectors in eval/ukraine_2022/.index/briefing/). The timed part is what a request
costs once the index has handed over the window: `make_briefing` without and with a topic
(topic relevance included, the topic's own embedding not).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np

from rag.brief import DatedSentence, dated_sentences, make_briefing
from rag.brief.features import features
from rag.brief.inputs import sentence_vectors
from rag.config import MODEL_NAME
from rag.dates import find_time_expressions
from rag.documents import read_sources
from rag.embedding import encode

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "eval" / "ukraine_2022"
SPAN = timedelta(days=83)


def corpus(copies: int) -> tuple[list[DatedSentence], np.ndarray]:
    """The statements repeated `copies` times with shifted dates, and one vector per sentence."""
    base = dated_sentences(read_sources(SUITE / "docs"))
    vectors = sentence_vectors([s.text for s in base], SUITE / ".index" / "briefing")
    out: list[DatedSentence] = []
    rows: list[int] = []
    for k in range(copies):
        for i, s in enumerate(base):
            day = s.article_date + k * SPAN if s.article_date else None
            events = tuple(e.when for e in find_time_expressions(s.text, day)) if k else s.events
            out.append(replace(s, unit=len(out), doc_id=f"copy{k}/{s.doc_id}", article_date=day, events=events))
            rows.append(i)
    return out, vectors[rows]


def timed(call, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(first call, median of the next `repeat`) in seconds."""
    started = time.perf_counter()
    call()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6, help="copies of the 175 statements (6 -> 1,050 articles)")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs to take the median of")
    args = parser.parse_args()
    sentences, vectors = corpus(args.copies)
    articles = len({s.doc_id for s in sentences})
    topic = "humanitarian corridors"
    topic_vector = encode(MODEL_NAME, [topic])[0]
    print(f"window: {articles} articles, {len(sentences)} sentences, vectors {vectors.shape}")
    features.cache_clear()
    plain = timed(lambda: make_briefing(sentences, vectors, max_items=10), args.repeat)
    about = timed(
        lambda: make_briefing(sentences, vectors, topic=topic, topic_vector=topic_vector, max_items=10), args.repeat
    )
    print(f"{'briefing':<34}{'cold s':>8}{'warm s':>8}")
    print(f"{'no topic':<34}{plain[0]:8.2f}{plain[1]:8.2f}")
    print(f"{'topic ' + repr(topic):<34}{about[0]:8.2f}{about[1]:8.2f}")
    print("cold: first call of the process (sentence features not cached yet); warm: median of the next calls")
    result = make_briefing(sentences, vectors, max_items=10)
    if result.items:
        first = result.items[0]
        print(f"{len(result.items)} items; first: {first.text[:80]!r}, also in {len(first.also_in)} other articles")
    else:
        print(result.notice)


if __name__ == "__main__":
    main()
