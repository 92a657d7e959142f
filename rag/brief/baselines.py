"""Briefings a user could pick instead, for comparison: newest leads, LexRank and TextRank (sumy).

Each returns indices into the window's sentences, as many as asked. They quote single sentences
and know nothing of dates, figures or duplicates. `sumy` is an evaluation dependency only
(`pip install -e ".[dev]"`); its sentence and word splitting is replaced by the engine's own
(pysbd sentences, `rag.lexical.words`), so it needs no NLTK data download.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .. import lexical
from .types import DatedSentence


def newest_leads(sentences: Sequence[DatedSentence], count: int) -> list[int]:
    """The first sentence of each of the newest `count` articles (newest first)."""
    first: dict[str, int] = {}
    for i, s in enumerate(sentences):
        if s.doc_id not in first or s.start < sentences[first[s.doc_id]].start:
            first[s.doc_id] = i
    newest = sorted(first.values(), key=lambda i: (sentences[i].article_date or date.min, sentences[i].doc_id))
    return newest[::-1][:count]


class _Words:
    """A sumy tokenizer made of the engine's own word splitting (sentences are given already split)."""

    language = "english"

    def to_words(self, text: str) -> tuple[str, ...]:
        return tuple(lexical.words(text))

    def to_sentences(self, text: str) -> tuple[str, ...]:
        return (text,)


def graph_summary(sentences: Sequence[DatedSentence], count: int, method: str) -> list[int]:
    """The `count` best sentences by sumy's "lexrank" or "textrank" over the window, as indices."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    kinds = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer}
    if method not in kinds:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(kinds)}")
    if not sentences or count < 1:
        return []
    words = _Words()
    document = ObjectDocumentModel([Paragraph([Sentence(s.text, words) for s in sentences])])
    summarizer = kinds[method](Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    chosen = {str(s) for s in summarizer(document, count)}
    # sumy returns sentence objects in document order; map each text back to its first occurrence
    out: list[int] = []
    for i, s in enumerate(sentences):
        if s.text.strip() in chosen:
            chosen.discard(s.text.strip())
            out.append(i)
    return out
