"""One frozen `Settings` of defaults; it is written into every index manifest."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

# Fields that shape what is stored in an index: changing one makes an index stale.
# The others only steer answering, so they may change without a rebuild.
INDEX_FIELDS = (
    "model_name",
    "chunk_size",
    "chunk_overlap",
    "approximate_above",
    "hnsw_m",
    "hnsw_ef_construction",
    "sq8_above",
)


@dataclass(frozen=True)
class Settings:
    """Every tunable number of the pipeline, with its default."""

    model_name: str = MODEL_NAME
    # Passages shown as context: characters per chunk and overlap (RecursiveCharacterTextSplitter).
    chunk_size: int = 600
    chunk_overlap: int = 120
    batch_size: int = 64
    # Above this many units the FAISS index is HNSW (approximate) instead of exact inner product.
    # Measured by `python -m bench --full` (bench/README.md), one query at a time on 2 cores:
    # exact search costs ~0.08 ms per 1k units (8.5 ms at 100k, 76 ms at 1M), so past 100k it
    # would outweigh the rest of an answer (~15 ms); below, exact is free to build and perfect.
    approximate_above: int = 100_000
    # HNSW: the build is the cost (every build_index rebuilds the graph: 1M vectors took 219 s
    # with M=16, efConstruction=40, and 690 s while the machine was shared; at 100k, M=32 with
    # efConstruction=80 took 109 s against 18 s for M=16/40), so the graph is kept cheap and recall is
    # bought at query time: on clustered synthetic vectors at 1M, recall@10 vs exact was 0.93
    # at efSearch 256, 0.957 at 768 and 0.963 at 1024 (p50 5.8 ms, exact 76 ms).
    hnsw_m: int = 16
    hnsw_ef_construction: int = 40
    hnsw_ef_search: int = 1024
    # Above this many units a segment stores its vectors as 8-bit scalars (FAISS SQ8: one byte per
    # dimension instead of four, trained per dimension on the segment's own vectors). Measured at
    # 200k units on 421 questions (`python -m bench --only fullpath`): recall@10 against exact
    # float32 search 0.985 (the float32 HNSW graph: 0.979), vectors 321 -> 101 MB, peak serving
    # RSS 1,273 -> 826 MB; 3 answers of 421 differ from float32, one right answer lost.
    sq8_above: int = 100_000
    # Retrieval: candidates taken from each retriever before fusing with reciprocal rank fusion.
    candidates: int = 40
    rrf_k: int = 60
    # The quote: at most this many characters, one or two adjacent sentences of one document.
    max_quote_chars: int = 400
    # Questions longer than this are trimmed (the model reads 256 word pieces at most anyway).
    max_question_chars: int = 1000
    # The answer ranker (rag.rerank, models/answer-ranker) reads this many of the best candidates
    # by the weighted signals and the refusal model fitted with it decides; 0 (the default) answers
    # from the weighted signals alone and loads no model. Off by default: on the held-out news
    # suites it refused far more right answers than it caught wrong ones (README, answer quality).
    rerank: int = 0
    # Refusal: an answer is given when its confidence reaches this threshold (see answer.py).
    threshold: float = 0.5
    passages: int = 5

    def __post_init__(self) -> None:
        if self.chunk_size <= 0 or not 0 <= self.chunk_overlap < self.chunk_size:
            raise ValueError("chunk_size must be positive and 0 <= chunk_overlap < chunk_size")
        if self.candidates < 1 or self.passages < 1 or self.batch_size < 1:
            raise ValueError("candidates, passages and batch_size must be at least 1")
        if self.rerank < 0:
            raise ValueError("rerank must be >= 0 (candidates the answer ranker reads; 0 turns it off)")
        if self.approximate_above < 0 or self.sq8_above < 0:
            raise ValueError("approximate_above and sq8_above must be >= 0 (a number of units)")
        if self.max_quote_chars < 40 or self.max_question_chars < 10:
            raise ValueError("max_quote_chars must be >= 40 and max_question_chars >= 10")

    def to_dict(self) -> dict[str, Any]:
        """All fields as a JSON-ready dict."""
        return dataclasses.asdict(self)

    def index_key(self) -> dict[str, Any]:
        """The fields that shape the stored index (compared for staleness)."""
        return {name: getattr(self, name) for name in INDEX_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Settings from a manifest; unknown keys are ignored, missing ones take defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
