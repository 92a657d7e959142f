"""The briefing's input from documents: their sentence units, with article dates and resolved event dates.

The index hands over the same `DatedSentence`s from its store; this builds them straight from
`Document`s, for evaluation, tests and benchmarks (unit ids are positions in the returned list).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..chunking import sentence_units
from ..config import MODEL_NAME
from ..dates import find_time_expressions, parse_date
from ..documents import Document
from .types import DatedSentence


def dated_sentences(documents: Iterable[Document]) -> list[DatedSentence]:
    """Every quotable sentence of `documents`, in document then text order."""
    out: list[DatedSentence] = []
    for doc in documents:
        day = parse_date(doc.date, name=f"date of {doc.doc_id}") if doc.date else None
        for span in sentence_units(doc):
            events = tuple(e.when for e in find_time_expressions(span.text, day))
            out.append(
                DatedSentence(len(out), doc.doc_id, span.start, span.end, span.text, day, events, doc.title, doc.source)
            )
    return out


def sentence_vectors(texts: Sequence[str], cache: Path | None = None) -> np.ndarray:
    """MiniLM vectors of `texts`; with `cache`, kept there between runs as a .npy named by a hash of the texts.

    Embedding the 15,884 sentences of eval/ukraine_2022 takes minutes on two shared cores; the
    evaluation and the benchmark read them back instead. The file is written atomically.
    """
    from ..embedding import encode

    key = hashlib.sha256("\n".join([MODEL_NAME, *texts]).encode()).hexdigest()[:20]
    path = cache / f"vectors-{key}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    vectors = encode(MODEL_NAME, list(texts))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, vectors)
        os.replace(tmp, path)
    return vectors
