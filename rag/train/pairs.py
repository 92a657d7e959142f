"""Turn questions into labelled (question, sentence, context) pairs with hard negatives, in a fixed order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..bm25 import BM25, Postings
from ..lexical import terms
from .squad import Corpus, Question


@dataclass(frozen=True)
class Pair:
    """One training or scoring example: label 1.0 when `sentence` answers `question`."""

    question: str
    sentence: str
    context: str
    label: float


@dataclass(frozen=True)
class PairPlan:
    """How many negatives each answerable question gets."""

    # the paragraph's other sentences that share most terms with the question (BM25)
    hard_in_paragraph: int = 1
    # another sentence of the paragraph, drawn at random (the easy ones must stay easy)
    random_in_paragraph: int = 1
    # sentences of the article's other paragraphs that BM25 ranks highest for the question
    other_paragraphs: int = 1


def neighbours(sentences: Sequence[str], i: int) -> str:
    """The previous and next sentence of sentence `i` within its paragraph (what context means here)."""
    return " ".join(
        s for s in (sentences[i - 1] if i > 0 else "", sentences[i + 1] if i + 1 < len(sentences) else "") if s
    )


class ArticleBM25:
    """BM25 over every sentence of one article, with the engine's own terms and scoring (rag.bm25)."""

    def __init__(self, corpus: Corpus, paragraph_ids: Sequence[int]) -> None:
        self.where: list[tuple[int, int]] = [
            (p, i) for p in paragraph_ids for i in range(len(corpus.paragraphs[p].sentences))
        ]
        # an empty sentence still counts as one (empty) term, as the training of the shipped model had it
        postings = Postings.build([terms(corpus.paragraphs[p].sentences[i]) or [""] for p, i in self.where])
        self.retriever = BM25([postings], [0], np.ones(len(self.where), dtype=bool))
        self.vocab = self.retriever.vocabulary()

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every sentence of the article, in `where` order."""
        out = np.zeros(len(self.where), dtype=np.float32)
        known = [t for t in terms(question) if t in self.vocab]
        if known:
            ids, scores = self.retriever.scores(known)
            out[ids] = scores
        return out


def article_indexes(corpus: Corpus) -> dict[str, ArticleBM25]:
    """One BM25 index per article of `corpus`."""
    by_article: dict[str, list[int]] = {}
    for p, para in enumerate(corpus.paragraphs):
        by_article.setdefault(para.article, []).append(p)
    return {title: ArticleBM25(corpus, ids) for title, ids in by_article.items()}


def _order_by(scores: np.ndarray) -> list[int]:
    """Indices by descending score, ties by position (stable: the same order on every run)."""
    return [int(i) for i in np.argsort(-scores, kind="stable")]


def build_pairs(corpus: Corpus, questions: Sequence[Question], plan: PairPlan, rng: np.random.Generator) -> list[Pair]:
    """Labelled pairs for `questions`, in question order.

    An answerable question gives its gold sentence (label 1) and the negatives of `plan`; an
    unanswerable one gives every sentence of its paragraph with label 0 (that is what teaches the
    model to refuse a near-copy of a real sentence). A sentence that contains a gold answer's text
    but not its marked start is never used, as either label.
    """
    indexes = article_indexes(corpus)
    pairs: list[Pair] = []
    for q in questions:
        sentences = corpus.paragraphs[q.paragraph].sentences

        def pair(p: int, i: int, label: float, q: Question = q) -> Pair:
            sents = corpus.paragraphs[p].sentences
            return Pair(q.text, sents[i], neighbours(sents, i), label)

        if not q.answerable:
            pairs.extend(pair(q.paragraph, i, 0.0) for i in range(len(sentences)))
            continue
        gold = min(q.gold)
        pairs.append(pair(q.paragraph, gold, 1.0))
        index = indexes[q.article]
        scores = index.scores(q.text)
        ranked = [index.where[j] for j in _order_by(scores)]
        same = [i for p, i in ranked if p == q.paragraph and i not in q.gold and i not in q.unsure]
        hard = same[: plan.hard_in_paragraph]
        rest = [i for i in same if i not in hard]
        easy = [rest[int(j)] for j in rng.permutation(len(rest))[: plan.random_in_paragraph]]
        pairs.extend(pair(q.paragraph, i, 0.0) for i in hard + sorted(easy))
        # another paragraph's sentence holding the answer text may answer too: left out
        others = [
            (p, i)
            for p, i in ranked
            if p != q.paragraph and not any(a in corpus.paragraphs[p].sentences[i] for a in q.answers)
        ][: plan.other_paragraphs]
        pairs.extend(pair(p, i, 0.0) for p, i in others)
    return pairs


def batches_by_length(
    pairs: Sequence[Pair], batch_size: int, rng: np.random.Generator, window: int = 64
) -> list[list[int]]:
    """Shuffled batches of pair indices, each of similar length (less padding), in a seeded order.

    The pairs are shuffled, cut into windows of `window` batches, sorted by length inside each window,
    cut into batches, and the batches shuffled again: every batch is a random draw, only its
    neighbours in length are grouped.
    """
    order = rng.permutation(len(pairs))
    batches: list[list[int]] = []
    span = batch_size * window
    for w in range(0, len(order), span):
        chunk = sorted(order[w : w + span].tolist(), key=lambda k: len(pairs[k].question) + len(pairs[k].sentence))
        batches.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    return [batches[int(i)] for i in rng.permutation(len(batches))]
