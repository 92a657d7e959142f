"""The briefing's input from documents: their sentence units, with article dates and resolved event dates.

The index hands over the same `DatedSentence`s from its store; this builds them straight from
`Document`s, for evaluation, tests and benchmarks (unit ids are positions in the returned list).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..chunking import sentence_units
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
