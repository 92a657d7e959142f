"""How much each sentence of a window is about a topic, 0..1: meaning, topic words, and its neighbours.

A sentence is about the topic when its MiniLM vector is close to the topic's, when it uses the
topic's words, or when the sentences right around it do: "It is known that as of now, more than
130 people were rescued." is about Mariupol because the sentence before it names the theatre. A
sentence that names places or people of its own borrows nothing from its neighbours: "3,806
Ukrainians were evacuated from the Kyiv and Luhansk regions" is not about Mariupol because the
sentence before it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import lexical
from .features import term_id, terms_with_prefix
from .types import DatedSentence
from .window import Window

# Cosine of MiniLM vectors: below ~0.1 unrelated, from ~0.6 the same subject.
COSINE_FLOOR = 0.1
COSINE_FULL = 0.6
# A neighbour's relevance lends this much to a sentence (one away, two away).
NEIGHBOUR_WEIGHT = (0.8, 0.6)
# Long words match by their first letters: "negotiate" for "negotiations" (as in rag.signals).
PREFIX = 6
# Below this no sentence is about the topic: the briefing says so instead of quoting noise.
ABOUT_THRESHOLD = 0.45


def topic_relevance(
    topic: str,
    sentences: Sequence[DatedSentence],
    vectors: np.ndarray,
    topic_vector: np.ndarray,
    window: Window | None = None,
    *,
    words: Sequence[frozenset[int]] | None = None,
) -> np.ndarray:
    """Relevance of each sentence to `topic`, 0..1 (float32), from its own text and its neighbours'.

    `topic_vector` is the unit-length MiniLM vector of `topic` (`rag.embedding.encode`). Own
    relevance is the mean of the scaled cosine and the share of the topic's terms the sentence
    uses (a topic word counts when a word with its first six letters is there: "negotiate" for
    "negotiations"); to a sentence that names no place or person of its own, a neighbour lends 0.8
    (next) or 0.6 (two away) of its own relevance. `window` (the
    same sentences' `Window`) saves laying them out again, and `words` (`topic_words(topic)`, when the
    caller has them) looking the topic's words up again.
    """
    if len(sentences) != len(vectors):
        raise ValueError(f"{len(sentences)} sentences but {len(vectors)} vectors: give one vector per sentence")
    if not topic.strip():
        raise ValueError("topic is empty: give a few words such as 'humanitarian corridors', or no topic")
    if len(sentences) == 0:
        return np.zeros(0, dtype=np.float32)
    win = window if window is not None else Window(sentences)
    cosine = np.asarray(vectors, dtype=np.float32) @ np.asarray(topic_vector, dtype=np.float32).reshape(-1)
    dense = np.clip((cosine - COSINE_FLOOR) / (COSINE_FULL - COSINE_FLOOR), 0.0, 1.0)
    wanted = topic_words(topic) if words is None else words
    own = dense
    if wanted:
        cover = np.zeros(len(sentences), np.float32)
        for ids in wanted:
            hit = np.zeros(len(sentences), bool)
            hit[win.term_owner[np.isin(win.term_ids, np.fromiter(ids, np.int64, len(ids)))]] = True
            cover += hit
        own = 0.5 * dense + 0.5 * cover / len(wanted)
    own = own.astype(np.float32)
    # a sentence that names its own places or people says what it is about: it borrows nothing
    named = np.fromiter((bool(f.names) for f in win.found), bool, len(sentences))
    return np.where(named, own, win.lend(own, *NEIGHBOUR_WEIGHT)).astype(np.float32)


def topic_words(topic: str) -> list[frozenset[int]]:
    """For each content word of `topic`, the vocabulary ids that count as it (a long word: any with its first letters)."""
    return [
        frozenset({term_id(term), *(terms_with_prefix(term[:PREFIX]) if len(term) >= PREFIX else ())})
        for term in dict.fromkeys(lexical.terms(topic))
    ]
