"""How much each sentence of a window is about a topic, 0..1: meaning, topic words, and its neighbours.

A sentence is about the topic when its MiniLM vector is close to the topic's, when it uses the
topic's words, or when the sentences right around it do: "It is known that as of now, more than
130 people were rescued." is about Mariupol because the sentence before it names the theatre.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import lexical
from .features import features
from .types import DatedSentence

# Cosine of MiniLM vectors: below ~0.1 unrelated, from ~0.6 the same subject.
COSINE_FLOOR = 0.1
COSINE_FULL = 0.6
# A neighbour's relevance lends this much to a sentence (one away, two away).
NEIGHBOUR_WEIGHT = (0.8, 0.6)
# Below this no sentence is about the topic: the briefing says so instead of quoting noise.
ABOUT_THRESHOLD = 0.45


def neighbours(sentences: Sequence[DatedSentence]) -> list[tuple[int, ...]]:
    """For each sentence, the indices of the one and two before and after it in its article (-1 if none)."""
    order = sorted(range(len(sentences)), key=lambda i: (sentences[i].doc_id, sentences[i].start))
    out: list[tuple[int, ...]] = [()] * len(sentences)
    for pos, i in enumerate(order):
        near = []
        for step in (-1, 1, -2, 2):
            k = pos + step
            near.append(order[k] if 0 <= k < len(order) and sentences[order[k]].doc_id == sentences[i].doc_id else -1)
        out[i] = tuple(near)
    return out


def topic_relevance(
    topic: str,
    sentences: Sequence[DatedSentence],
    vectors: np.ndarray,
    topic_vector: np.ndarray,
) -> np.ndarray:
    """Relevance of each sentence to `topic`, 0..1 (float32), from its own text and its neighbours'.

    `topic_vector` is the unit-length MiniLM vector of `topic` (`rag.embedding.encode`). Own
    relevance is the mean of the scaled cosine and the share of the topic's terms the sentence
    uses (a topic word counts when a word with its first six letters is there: "negotiate" for
    "negotiations"); a neighbour lends 0.8 (next) or 0.6 (two away) of its own.
    """
    if len(sentences) != len(vectors):
        raise ValueError(f"{len(sentences)} sentences but {len(vectors)} vectors: give one vector per sentence")
    if not topic.strip():
        raise ValueError("topic is empty: give a few words such as 'humanitarian corridors', or no topic")
    if len(sentences) == 0:
        return np.zeros(0, dtype=np.float32)
    cosine = np.asarray(vectors, dtype=np.float32) @ np.asarray(topic_vector, dtype=np.float32).reshape(-1)
    dense = np.clip((cosine - COSINE_FLOOR) / (COSINE_FULL - COSINE_FLOOR), 0.0, 1.0)
    wanted = list(dict.fromkeys(lexical.terms(topic)))
    if wanted:
        prefixes = [t[:6] for t in wanted]
        cover = np.fromiter(
            (_coverage(features(s.text).terms, wanted, prefixes) for s in sentences), np.float32, len(sentences)
        )
        own = 0.5 * dense + 0.5 * cover
    else:
        own = dense
    lent = np.zeros_like(own)
    weights = (NEIGHBOUR_WEIGHT[0], NEIGHBOUR_WEIGHT[0], NEIGHBOUR_WEIGHT[1], NEIGHBOUR_WEIGHT[1])
    for i, near in enumerate(neighbours(sentences)):  # near: one before, one after, two before, two after
        for k, weight in zip(near, weights):
            if k >= 0:
                lent[i] = max(lent[i], weight * own[k])
    return np.maximum(own, lent).astype(np.float32)


def _coverage(terms: frozenset[str], wanted: list[str], prefixes: list[str]) -> float:
    """Share of the topic's terms present in `terms`, matching long words by their first six letters."""
    hits = 0
    for term, prefix in zip(wanted, prefixes):
        if term in terms or (len(term) >= 6 and any(t.startswith(prefix) for t in terms)):
            hits += 1
    return hits / len(wanted)
