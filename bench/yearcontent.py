"""A built index's segment content read back, and merged with articles sorted after it, to derive another index.

`build._content` (sentence units, passages, resolved dates, BM25 postings) costs ~1 ms per unit,
most of an hour at 1M units on the shared machine. The same corpus stored with other vectors
(float32 instead of SQ8), or with one article added after the last, has the same content, or
that content plus the article's: read back from the segment files the store wrote, and merged
exactly as `build._content` over all the articles would make it (`merge` is tested for that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.bm25 import Postings


@dataclass(frozen=True)
class Content:
    """Everything of a segment but its vectors: what `store.SegmentContent` holds besides them."""

    documents: list[Any]
    units: np.ndarray
    passages: np.ndarray
    events: np.ndarray
    postings: Postings

    def with_vectors(self, vectors: np.ndarray) -> Any:
        """The `store.SegmentContent` of this content and `vectors`."""
        from rag import store

        return store.SegmentContent(self.documents, self.units, self.passages, self.events, vectors, self.postings)


def stored(index_path: Path) -> Content:
    """The content of the one segment of the index at `index_path`."""
    from rag import store
    from rag.store import layout
    from rag.store.articles import ArticleFile, Articles

    (segment,) = store.read_manifest(index_path)["segments"]
    folder = index_path / segment["name"]
    tables = [np.load(folder / name, allow_pickle=False) for name in (layout.UNITS, layout.PASSAGES, layout.EVENTS)]
    postings = Postings.load(folder / layout.TERMS)
    arrays = [np.array(a) for a in (postings.offsets, postings.units, postings.freqs, postings.lengths)]
    documents = list(Articles([ArticleFile(folder / layout.DOCUMENTS)]))
    return Content(documents, *tables, Postings(postings.vocab, *arrays))


def computed(documents: Sequence[Any], per_doc: Sequence[Any], settings: Any) -> Content:
    """The content `build._content` makes of `documents` (their vectors are not needed for it)."""
    from rag import build

    c = build._content(documents, per_doc, np.zeros((sum(map(len, per_doc)), 1), np.float32), settings)
    return Content(list(c.documents), c.units, c.passages, c.events, c.postings)


def merge(a: Content, b: Content) -> Content:
    """The content of `a`'s articles followed by `b`'s, as one `build._content` over both would be."""
    rows, units = len(a.documents), len(a.postings.lengths)
    shift = np.array([rows, 0, 0], dtype=np.int32)
    return Content(
        [*a.documents, *b.documents],
        np.concatenate([a.units, b.units + shift]),
        np.concatenate([a.passages, b.passages + shift]),
        np.concatenate([a.events, b.events + np.array([units, 0, 0, 0, 0], dtype=np.int32)]),
        merge_postings(a.postings, b.postings),
    )


def merge_postings(a: Postings, b: Postings) -> Postings:
    """Postings of `a`'s units followed by `b`'s: columns in order of first use, units ascending in each."""
    vocab = dict(a.vocab)
    remap = np.array([vocab.setdefault(term, len(vocab)) for term in b.vocab], dtype=np.int64)
    columns = np.concatenate(
        [
            np.repeat(np.arange(len(a.vocab), dtype=np.int64), np.diff(a.offsets)),
            remap[np.repeat(np.arange(len(b.vocab), dtype=np.int64), np.diff(b.offsets))],
        ]
    )
    units = np.concatenate([a.units, b.units + len(a.lengths)]).astype(np.int32)
    freqs = np.concatenate([a.freqs, b.freqs])
    order = np.lexsort((units, columns))
    offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(columns, minlength=len(vocab)))
    return Postings(vocab, offsets, units[order], freqs[order], np.concatenate([a.lengths, b.lengths]))
