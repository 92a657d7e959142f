"""The naive pipeline the engine is measured against: chunks, exact dense search, the top-1 chunk.

What a first RAG prototype does: langchain's splitter with stock settings (400 characters,
80 of overlap), one FAISS `IndexFlatIP` over the chunks' vectors, the best chunk returned as
is. It shares the engine's loaded model, so `bench` can time only what the engine adds (BM25,
fusion, signals, quote selection), and `rag eval --naive` can score both on the same questions.

Asked `as_of` a day, it searches only the chunks of articles dated on or before it (and of
undated ones), as the engine does: chunks are stored oldest article first, undated first of
all, so the visible chunks are a prefix and FAISS searches it with an `IDSelectorRange`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dates import parse_date
from ..sources import Document

CHUNK_SIZE = 400
CHUNK_OVERLAP = 80


@dataclass(frozen=True)
class NaiveAnswer:
    """The chunk a naive pipeline returns: `text == document.text[start:end]` of `doc_id`.

    `start` is the splitter's stock `start_index`: for a chunk repeated nearby, its first copy.
    """

    doc_id: str
    start: int
    end: int
    text: str


class NaivePipeline:
    """Dense top-1 chunk retrieval over `documents` with an already loaded SentenceTransformer."""

    def __init__(self, documents: Sequence[Document], model: Any) -> None:
        import faiss
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        # undated first, then oldest first: the chunks visible as of a day are a prefix
        # an indexed article's date is a real day or None: every reader checks it (`rag.ingest.dates.checked_date`)
        days = {d.doc_id: parse_date(d.date) for d in documents}
        ordered = sorted(documents, key=lambda d: (days[d.doc_id] is not None, days[d.doc_id] or dt.date.min, d.doc_id))
        self.chunks: list[NaiveAnswer] = []
        self._last_day: list[dt.date] = []  # per chunk, its article's day (date.min when undated)
        for document in ordered:
            for piece in splitter.create_documents([document.text]):
                start = piece.metadata["start_index"]
                self.chunks.append(
                    NaiveAnswer(document.doc_id, start, start + len(piece.page_content), piece.page_content)
                )
                self._last_day.append(days[document.doc_id] or dt.date.min)
        self.model = model
        vectors = self._encode([c.text for c in self.chunks])
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def answer(self, question: str, as_of: dt.date | None = None) -> NaiveAnswer | None:
        """The chunk most similar to `question` among articles dated on or before `as_of`; None if none is."""
        import faiss

        visible = len(self.chunks) if as_of is None else bisect.bisect_right(self._last_day, as_of)
        if visible == 0:
            return None
        params = None
        if visible < len(self.chunks):
            prefix = faiss.IDSelectorRange(0, visible)  # a name of its own keeps it alive through the search
            params = faiss.SearchParameters(sel=prefix)  # type: ignore[call-arg]
        _, ids = self.index.search(self._encode([question]), 1, params=params)
        return self.chunks[int(ids[0][0])]
