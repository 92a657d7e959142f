"""Held-out quality and latency of a ranker, next to the bi-encoder baseline.

Quality is measured twice per question: among the sentences of its own paragraph (the SQuAD
setting), and among the top-N sentences of the whole article that a hybrid retriever returns
(BM25 + MiniLM cosine, fused by reciprocal rank like the engine), which is what the ranker sees
at answer time. Answerable vs unanswerable uses the best score of the candidates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import MODEL_NAME
from ..embedding import encode
from .pairs import article_indexes, neighbours
from .squad import Corpus

TOP_NS = (4, 6, 8, 10)
RRF_K = 60
# (question index, candidates as (paragraph, sentence)) -> one score per candidate
Scorer = Callable[[int, Sequence[tuple[int, int]]], np.ndarray]


@dataclass(frozen=True)
class Part:
    """A held-out part with what every scorer needs: embeddings and each question's retrieved candidates."""

    name: str
    corpus: Corpus
    where: dict[tuple[int, int], int]  # (paragraph, sentence) -> row of `sentence_vectors`
    sentence_vectors: np.ndarray
    question_vectors: np.ndarray
    retrieved: tuple[tuple[tuple[int, int], ...], ...]  # per question, the fused top max(TOP_NS)


def prepare(name: str, corpus: Corpus) -> Part:
    """Embed the part with MiniLM and retrieve each question's top candidates in its article."""
    where = {(p, i): 0 for p, para in enumerate(corpus.paragraphs) for i in range(len(para.sentences))}
    where = {key: row for row, key in enumerate(where)}
    sentence_vectors = encode(MODEL_NAME, [corpus.paragraphs[p].sentences[i] for p, i in where], progress=False)
    question_vectors = encode(MODEL_NAME, [q.text for q in corpus.questions], progress=False)
    indexes = article_indexes(corpus)
    retrieved = []
    for qi, q in enumerate(corpus.questions):
        index = indexes[q.article]
        rows = np.array([where[key] for key in index.where])
        dense = sentence_vectors[rows] @ question_vectors[qi]
        fused: dict[int, float] = {}
        for scores in (index.scores(q.text), dense):
            for rank, j in enumerate(np.argsort(-scores, kind="stable")[: 4 * max(TOP_NS)]):
                fused[int(j)] = fused.get(int(j), 0.0) + 1.0 / (RRF_K + rank + 1)
        top = sorted(fused, key=lambda j: (-fused[j], j))[: max(TOP_NS)]
        retrieved.append(tuple(index.where[j] for j in top))
    return Part(name, corpus, where, sentence_vectors, question_vectors, tuple(retrieved))


def subset(part: Part, limit: int | None) -> Part:
    """`part` with at most `limit` evenly spread questions (embeddings and retrieval reused)."""
    if limit is None or limit >= len(part.corpus.questions):
        return part
    picks = np.linspace(0, len(part.corpus.questions) - 1, limit).round().astype(int).tolist()
    corpus = Corpus(part.corpus.paragraphs, tuple(part.corpus.questions[i] for i in picks))
    return Part(
        part.name, corpus, part.where, part.sentence_vectors, part.question_vectors[picks],
        tuple(part.retrieved[i] for i in picks),
    )  # fmt: skip


def cosine_scorer(part: Part) -> Scorer:
    """The baseline: MiniLM bi-encoder cosine of question and sentence."""

    def score(qi: int, candidates: Sequence[tuple[int, int]]) -> np.ndarray:
        rows = [part.where[c] for c in candidates]
        return np.asarray(part.sentence_vectors[rows] @ part.question_vectors[qi], dtype=np.float32)

    return score


def ranker_scorer(part: Part, score_texts: Callable[[str, list[str], list[str]], np.ndarray]) -> Scorer:
    """A scorer from a `Ranker.score`-like function of texts."""
    paragraphs = part.corpus.paragraphs

    def score(qi: int, candidates: Sequence[tuple[int, int]]) -> np.ndarray:
        sentences = [paragraphs[p].sentences[i] for p, i in candidates]
        contexts = [neighbours(paragraphs[p].sentences, i) for p, i in candidates]
        return score_texts(part.corpus.questions[qi].text, sentences, contexts)

    return score


def rank_position_scorer(part: Part) -> Scorer:
    """The retriever's own order (higher for earlier), for `acc@1` of the retriever alone."""

    def score(qi: int, candidates: Sequence[tuple[int, int]]) -> np.ndarray:
        order = {c: r for r, c in enumerate(part.retrieved[qi])}
        return np.array([-order.get(c, len(order)) for c in candidates], dtype=np.float32)

    return score


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """ROC-AUC: P(a random positive outscores a random negative), ties counting half."""
    pos, neg = np.asarray(positive, dtype=np.float64), np.asarray(negative, dtype=np.float64)
    if not len(pos) or not len(neg):
        return float("nan")
    values = np.concatenate([pos, neg])
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def best_threshold(best: Sequence[float], answerable: Sequence[bool]) -> float:
    """The threshold on the best score that classifies answerable vs not most accurately (midpoint)."""
    values = np.sort(np.unique(np.asarray(best, dtype=np.float64)))
    cuts = np.concatenate([[values[0] - 1e-6], (values[1:] + values[:-1]) / 2, [values[-1] + 1e-6]])
    labels = np.asarray(answerable)
    accuracy = [float(np.mean((np.asarray(best) >= c) == labels)) for c in cuts]
    return float(cuts[int(np.argmax(accuracy))])


def evaluate(part: Part, scorer: Scorer, n: int, thresholds: dict[str, float] | None = None) -> dict[str, Any]:
    """Quality of `scorer` on `part`; `thresholds` (chosen on another part) give the refusal accuracy.

    Returns acc@1 among the paragraph's sentences and among the top-N retrieved (for every N of
    TOP_NS), ROC-AUC of the best score for answerable vs unanswerable, the accuracy-maximising
    thresholds on this part, and the accuracy at `thresholds` when given.
    """
    paragraphs = part.corpus.paragraphs
    para_hits: list[bool] = []
    top_hits: dict[int, list[bool]] = {k: [] for k in TOP_NS}
    best_para: list[float] = []
    best_top: list[float] = []
    answerable: list[bool] = []
    for qi, q in enumerate(part.corpus.questions):
        own = [(q.paragraph, i) for i in range(len(paragraphs[q.paragraph].sentences))]
        candidates = list(dict.fromkeys(own + list(part.retrieved[qi])))
        scores = dict(zip(candidates, scorer(qi, candidates)))
        gold = {(q.paragraph, g) for g in q.gold}
        answerable.append(q.answerable)
        best_para.append(max(scores[c] for c in own))
        best_top.append(max(scores[c] for c in part.retrieved[qi][:n]))
        if q.answerable:
            para_hits.append(max(own, key=lambda c: scores[c]) in gold)
            for k in TOP_NS:
                top = part.retrieved[qi][:k]
                top_hits[k].append(bool(top) and max(top, key=lambda c: scores[c]) in gold)
    labels = np.asarray(answerable)
    result: dict[str, Any] = {
        "questions": len(answerable),
        "answerable": int(labels.sum()),
        "acc1_paragraph": float(np.mean(para_hits)),
        **{f"acc1_top{k}": float(np.mean(top_hits[k])) for k in TOP_NS},
        "auc_paragraph": auc(np.asarray(best_para)[labels], np.asarray(best_para)[~labels]),
        f"auc_top{n}": auc(np.asarray(best_top)[labels], np.asarray(best_top)[~labels]),
        "fitted_thresholds": {
            "paragraph": best_threshold(best_para, answerable),
            f"top{n}": best_threshold(best_top, answerable),
        },
    }
    if thresholds:
        for key, best in (("paragraph", best_para), (f"top{n}", best_top)):
            result[f"answerable_accuracy_{key}"] = float(np.mean((np.asarray(best) >= thresholds[key]) == labels))
    return result


def retriever_recall(part: Part) -> dict[str, float]:
    """Share of answerable questions whose gold sentence is among the retrieved top N (the ceiling of acc@1)."""
    hits = {k: [] for k in TOP_NS}  # type: dict[int, list[bool]]
    for qi, q in enumerate(part.corpus.questions):
        if q.answerable:
            for k in TOP_NS:
                hits[k].append(any((q.paragraph, g) in part.retrieved[qi][:k] for g in q.gold))
    return {f"recall_top{k}": float(np.mean(v)) for k, v in hits.items()}


def latency(
    score_texts: Callable[[str, list[str], list[str]], np.ndarray],
    part: Part,
    ns: Sequence[int],
    threads: Sequence[int],
    questions: int = 200,
) -> dict[str, dict[str, float]]:
    """p50/p95 milliseconds of one call scoring a question's top N retrieved sentences, per (N, threads)."""
    import torch

    paragraphs = part.corpus.paragraphs
    before = torch.get_num_threads()
    out: dict[str, dict[str, float]] = {}
    try:
        for t in threads:
            torch.set_num_threads(t)
            for n in ns:
                times = []
                for qi in range(min(questions, len(part.corpus.questions))):
                    cands = part.retrieved[qi][:n]
                    sentences = [paragraphs[p].sentences[i] for p, i in cands]
                    contexts = [neighbours(paragraphs[p].sentences, i) for p, i in cands]
                    started = time.perf_counter()
                    score_texts(part.corpus.questions[qi].text, sentences, contexts)
                    times.append((time.perf_counter() - started) * 1000)
                times = times[min(10, len(times) // 4) :]  # warm-up calls left out
                out[f"N{n}_threads{t}"] = {
                    "p50_ms": float(np.percentile(times, 50)),
                    "p95_ms": float(np.percentile(times, 95)),
                }
    finally:
        torch.set_num_threads(before)
    return out
