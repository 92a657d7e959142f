"""The reference pipeline of the latency ratio: chunks, exact dense search, top-1 chunk.

What a first RAG prototype does: langchain's splitter with stock settings, one FAISS
`IndexFlatIP`, the best chunk returned as is. It shares the engine's loaded model, so
the ratio measures only what the engine adds (BM25, fusion, signals, quote selection).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class NaivePipeline:
    """Dense top-1 chunk retrieval over `texts` with an already loaded SentenceTransformer."""

    def __init__(self, texts: Sequence[str], model: Any, chunk_size: int = 400, chunk_overlap: int = 80) -> None:
        import faiss
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        self.chunks = [chunk for text in texts for chunk in splitter.split_text(text)]
        self.model = model
        vectors = self._encode(self.chunks)
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def answer(self, question: str) -> str:
        """The chunk most similar to `question`."""
        _, ids = self.index.search(self._encode([question]), 1)
        return self.chunks[int(ids[0][0])]
