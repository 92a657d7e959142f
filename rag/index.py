"""`Index`: an index folder in memory, answering questions with verbatim quotes.

A question reads downward: `question` (clean) -> `retrieval` (candidates) -> `signals`
(evidence, ranking) -> `answer` (quote or refusal, supporting passages).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import signals, store
from .answer import NOT_FOUND, Answer, compose, supporting_passages
from .build import BuildReport
from .config import Settings
from .documents import Document
from .question import clean_question
from .retrieval import Retriever


class Index:
    """A loaded index. Use `rag.build_index` or `rag.load_index` to get one."""

    def __init__(self, data: store.IndexData, path: str | os.PathLike[str], report: BuildReport | None = None) -> None:
        self._data = data
        self.path = Path(path)
        self.settings: Settings = data.settings
        self.manifest = data.manifest
        self.report = report
        self._retriever = Retriever(data.faiss_index, data.bm25, len(data.units), data.settings)
        self._terms = signals.TermCache(data.units, data.documents)
        # passages by document, for attaching context to chosen sentences
        self._passages_by_doc: dict[str, list[int]] = {}
        for i, p in enumerate(data.passages):
            self._passages_by_doc.setdefault(p.doc_id, []).append(i)

    def __repr__(self) -> str:
        c = self.manifest["counts"]
        return f"<Index {self.path}: {c['documents']} documents, {c['units']} units, {c['passages']} passages>"

    @property
    def doc_ids(self) -> tuple[str, ...]:
        """Ids of the indexed documents, sorted."""
        return tuple(self._data.documents)

    def document(self, doc_id: str) -> Document:
        """The indexed document `doc_id`; `KeyError` for any other id (no file is read)."""
        try:
            return self._data.documents[doc_id]
        except (KeyError, TypeError):
            raise KeyError(f"no document {doc_id!r} in this index") from None

    def answer(self, question: str, k: int | None = None) -> Answer:
        """Answer `question` with a verbatim quote, or say the articles don't.

        `k` is the number of supporting passages (default `settings.passages`). Raises
        `ValueError` for an empty question; a very long one is trimmed, with a notice.
        """
        question, notice = clean_question(question, self.settings.max_question_chars)
        k = self.settings.passages if k is None else k
        if type(k) is not int or k < 1:  # bool is an int, but k=True is a mistake
            raise ValueError(f"k must be a positive integer, got {k!r}")
        data = self._data
        if not data.units:
            return Answer(question, False, NOT_FOUND, notice=notice)
        found = self._retriever.retrieve(question)
        candidates = signals.score_candidates(question, found, data.units, self._terms, self._retriever.idf)
        passages = supporting_passages(candidates, data.units, data.passages, self._passages_by_doc, data.documents, k)
        return compose(question, candidates, data.units, data.documents, passages, self.settings, notice)

    def candidates(self, question: str) -> list[signals.Candidate]:
        """Every candidate sentence of `question` with its signals, best first (for explaining a choice)."""
        question, _ = clean_question(question, self.settings.max_question_chars)
        found = self._retriever.retrieve(question)
        return signals.score_candidates(question, found, self._data.units, self._terms, self._retriever.idf)

    def unit_text(self, unit: int) -> str:
        """The text of sentence unit `unit`."""
        return self._data.units[unit].text

    def with_settings(self, **changes: Any) -> Index:
        """A copy answering with other query-time settings (threshold, candidates, ...)."""
        settings = replace(self.settings, **changes)
        if settings.index_key() != self.settings.index_key():
            raise ValueError("only query-time settings can change on a loaded index; rebuild for the others")
        return Index(replace(self._data, settings=settings), self.path, self.report)
