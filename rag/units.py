"""The sentence units and passages of a loaded index, as numpy arrays over its documents.

A unit's text is sliced from its document on demand, so memory does not grow with a Python
object per unit: a million units cost a few arrays of int32, not a million strings. The documents
themselves may be read on demand too (`store.articles.Articles`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np

from .chunking import Span
from .documents import Document


class Spans(Protocol):
    """What reads spans by position: a `SpanTable`, or a plain list of `Span`s."""

    def __len__(self) -> int: ...

    def __getitem__(self, i: int, /) -> Span: ...


class SpanTable:
    """Spans of documents held as arrays: `table[i]` is a `Span` made on demand."""

    def __init__(
        self, documents: Sequence[Document], doc_rows: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> None:
        self.documents = documents
        # ids without reading an article, when `documents` has them (`store.articles.Articles`)
        self._doc_ids: Sequence[str] | None = getattr(documents, "ids", None)
        self.doc_rows = doc_rows  # int32: row of each span's document in `documents`
        self.starts = starts
        self.ends = ends

    def __len__(self) -> int:
        return len(self.doc_rows)

    def __getitem__(self, i: int) -> Span:
        doc = self.documents[int(self.doc_rows[i])]
        start, end = int(self.starts[i]), int(self.ends[i])
        return Span(doc.doc_id, start, end, doc.text[start:end])

    def __iter__(self) -> Iterator[Span]:
        return (self[i] for i in range(len(self)))

    def doc_id(self, i: int) -> str:
        """The document id of span `i`."""
        row = int(self.doc_rows[i])
        return self._doc_ids[row] if self._doc_ids is not None else self.documents[row].doc_id

    def text(self, i: int) -> str:
        """The text of span `i`."""
        return self.documents[int(self.doc_rows[i])].text[int(self.starts[i]) : int(self.ends[i])]

    def same_document(self, i: int, j: int) -> bool:
        """True when spans `i` and `j` are in one document."""
        return bool(self.doc_rows[i] == self.doc_rows[j])
