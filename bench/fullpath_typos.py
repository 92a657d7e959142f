"""Typo mapping at scale: the letter-pair index against the previous rapidfuzz scan, on the sample's words.

`python -m bench.fullpath_typos INDEX QUESTIONS.json` prints one JSON line. The words are every
question word the index does not know (as the engine looks them up) plus one and two random edits
of every question word of five letters or more (a reader's typos: a letter deleted, inserted,
replaced, or two neighbours swapped). Both methods answer each word, timed one after the other
(order alternated); corrections must be the same.
"""

from __future__ import annotations

import json
import random
import string
import sys
import time
from pathlib import Path
from typing import Any

from .common import summary_ms
from .yearquestions import from_json


def _typo(word: str, rng: random.Random, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(len(word))
        kind = rng.choice(("delete", "insert", "substitute", "swap"))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "swap" and i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            word = (
                word[:i] + word[i + 1 :]
                if kind == "delete"
                else word[:i] + letter + word[i:]
                if kind == "insert"
                else word[:i] + letter + word[i + 1 :]
            )
    return word


def compare(index_dir: Path, questions: Path) -> dict[str, Any]:
    """Same corrections, and the time per word, of the index and the scan on one loaded index."""
    import rag
    from rag import lexical

    from . import reference

    index = rag.load_index(index_dir)
    retriever = index._retriever  # noqa: SLF001
    rng = random.Random(9)
    words: list[str] = []
    for q in from_json(json.loads(questions.read_text(encoding="utf-8"))):
        for term in lexical.terms(q.q):
            if term[0].isdigit():
                continue
            if retriever._bm25.df(term) == 0:  # noqa: SLF001
                words.append(term)
            if len(term) >= 5:
                words += [_typo(term, rng, 1), _typo(term, rng, 2)]
    words = list(dict.fromkeys(w for w in words if w and retriever._bm25.df(w) == 0))  # noqa: SLF001
    t0 = time.perf_counter()
    retriever.nearest_term(words[0])  # builds the sorted vocabulary and the letter-pair index
    index_build = time.perf_counter() - t0
    vocabulary = len(retriever._vocab_list)  # noqa: SLF001
    times: dict[str, list[float]] = {"letter-pair index": [], "rapidfuzz scan": []}
    same = differ = 0
    examples = []
    for i, word in enumerate(words):
        order = [("letter-pair index", retriever.nearest_term), ("rapidfuzz scan", None)]
        if i % 2:
            order.reverse()
        found = {}
        for name, fn in order:
            t0 = time.perf_counter()
            found[name] = fn(word) if fn else reference.nearest_term_scan(retriever, word)
            times[name].append(time.perf_counter() - t0)
        if found["letter-pair index"] == found["rapidfuzz scan"]:
            same += 1
        else:
            differ += 1
            examples.append([word, found["letter-pair index"], found["rapidfuzz scan"]])
    return {
        "vocabulary": vocabulary,
        "words": len(words),
        "corrected": sum(1 for w in words if retriever.nearest_term(w) is not None),
        "same": same,
        "different": differ,
        "different_examples": examples[:10],
        "index_build_s": round(index_build, 3),
        **{name: summary_ms(ts) for name, ts in times.items()},
    }


if __name__ == "__main__":
    print(json.dumps(compare(Path(sys.argv[1]), Path(sys.argv[2]))))
