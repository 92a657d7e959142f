"""One frozen `Settings` of defaults; it is written into every index manifest."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

# Fields that shape what is stored in an index: changing one makes an index stale.
# The others only steer answering, so they may change without a rebuild.
INDEX_FIELDS = ("model_name", "chunk_size", "chunk_overlap", "approximate_above", "hnsw_m")


@dataclass(frozen=True)
class Settings:
    """Every tunable number of the pipeline, with its default."""

    model_name: str = MODEL_NAME
    # Passages shown as context: characters per chunk and overlap (RecursiveCharacterTextSplitter).
    chunk_size: int = 600
    chunk_overlap: int = 120
    batch_size: int = 64
    # Above this many units the FAISS index is HNSW (approximate) instead of exact inner product.
    approximate_above: int = 200_000
    hnsw_m: int = 32
    hnsw_ef_search: int = 128
    # Retrieval: candidates taken from each retriever before fusing with reciprocal rank fusion.
    candidates: int = 40
    rrf_k: int = 60
    # The quote: at most this many characters, one or two adjacent sentences of one document.
    max_quote_chars: int = 400
    # Questions longer than this are trimmed (the model reads 256 word pieces at most anyway).
    max_question_chars: int = 1000
    # Refusal: an answer is given when its confidence reaches this threshold (see answer.py).
    threshold: float = 0.5
    passages: int = 5

    def __post_init__(self) -> None:
        if self.chunk_size <= 0 or not 0 <= self.chunk_overlap < self.chunk_size:
            raise ValueError("chunk_size must be positive and 0 <= chunk_overlap < chunk_size")
        if self.candidates < 1 or self.passages < 1 or self.batch_size < 1:
            raise ValueError("candidates, passages and batch_size must be at least 1")
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
