"""The typo index gives exactly the corrections of a scan over the whole vocabulary."""

from __future__ import annotations

import random
import string
from collections import Counter

import pytest
from rapidfuzz import process
from rapidfuzz.distance import OSA
from support import ROOT

from rag import lexical
from rag.typos import TypoIndex, max_edits

DOCS = ROOT / "eval" / "ukraine_2022" / "docs"


@pytest.fixture(scope="module")
def vocabulary() -> Counter[str]:
    """Stemmed terms of the 175 Ukraine statements, with the number of lines holding each."""
    counts: Counter[str] = Counter()
    for path in sorted(DOCS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            counts.update(set(lexical.terms(line)))
    return counts


def scan(term: str, words: list[str], df: Counter[str]) -> str | None:
    """Every word within the allowed edits, measured one by one: the closest, commonest, first alphabetically."""
    edits = max_edits(term)
    if not edits:
        return None
    hits = process.extract(term, words, scorer=OSA.distance, score_cutoff=edits, limit=None)
    return min(((d, -df[w], w) for w, d, _ in hits), default=(0, 0, None))[2]


def scan_all(term: str, words: list[str], df: Counter[str], edits: int) -> list[str]:
    """Every word within `edits` edits, measured one by one: closest, commonest, then alphabetically."""
    hits = process.extract(term, words, scorer=OSA.distance, score_cutoff=edits, limit=None)
    return [w for _, _, w in sorted((d, -df[w], w) for w, d, _ in hits)]


def typo(word: str, rng: random.Random) -> str:
    """`word` with one or two random edits (deletion, insertion, substitution, swap)."""
    for _ in range(rng.choice((1, 1, 2))):
        i = rng.randrange(len(word))
        kind = rng.choice(("delete", "insert", "substitute", "swap"))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "delete" and len(word) > 1:
            word = word[:i] + word[i + 1 :]
        elif kind == "insert":
            word = word[:i] + letter + word[i:]
        elif kind == "substitute":
            word = word[:i] + letter + word[i + 1 :]
        elif i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def test_same_corrections_as_a_full_scan(vocabulary: Counter[str]) -> None:
    words = sorted(vocabulary)
    index = TypoIndex(lambda: words, vocabulary.__getitem__)
    rng = random.Random(3)
    long_words = [w for w in words if len(w) >= 5]
    queries = [typo(rng.choice(long_words), rng) for _ in range(600)]
    queries += ["coridor", "zelensky", "ukrainain", "kharkov", "mariupl", "x" * 9, "é" * 6, "ab"]
    expected = [scan(q, words, vocabulary) for q in queries]
    assert [index.nearest(q) for q in queries] == expected
    assert [index.within(q, 2) for q in queries[:100]] == [scan_all(q, words, vocabulary, 2) for q in queries[:100]]
    # the sample exercises both outcomes and both edit budgets
    assert sum(e is not None for e in expected) > 300 and sum(e is None for e in expected) > 20
    assert any(max_edits(q) == 2 and e is not None for q, e in zip(queries, expected))


def test_ties_go_to_the_commonest_then_alphabetical_whatever_the_order() -> None:
    df = Counter({"reach": 5, "rescu": 5, "resco": 9, "march": 1})
    words = ["rescu", "march", "reach", "resco"]
    for seed in range(3):
        random.Random(seed).shuffle(words)
        index = TypoIndex(lambda: list(words), df.__getitem__)
        assert index.nearest("resch") == "resco"  # one edit from reach, rescu and resco: the commonest
    df["resco"] = 5
    assert TypoIndex(lambda: words, df.__getitem__).nearest("resch") == "reach"  # equally common: alphabetical


def test_two_letters_swapped_are_one_edit() -> None:
    df = Counter({"judaism": 3, "caspian": 2})
    index = TypoIndex(lambda: ["caspian", "judaism"], df.__getitem__)
    assert index.nearest(lexical.terms("Judiasm")[0]) == "judaism"
    assert index.nearest(lexical.terms("Capsian")[0]) == "caspian"


def test_short_words_and_empty_vocabularies_are_not_corrected() -> None:
    index = TypoIndex(lambda: ["kyiv", "kiev"], Counter().__getitem__)
    assert index.nearest("kyv") is None  # under 5 letters: too many neighbours to guess from
    assert TypoIndex(lambda: [], Counter().__getitem__).nearest("ukraine") is None
    assert TypoIndex(lambda: ["", "ukraine"], Counter().__getitem__).nearest("ukrane") == "ukraine"
