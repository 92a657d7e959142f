"""Near-duplicate sentences: copies across articles are one statement, updates of a figure are not."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import Span, sentence_units
from rag.documents import list_sources, read_document
from rag.duplicates import JACCARD_THRESHOLD, fingerprint, group_duplicates, same_sentence
from rag.signals import Candidate
from rag.updates import collapse_copies

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "eval" / "ukraine_2022" / "docs"
LABELLED = ROOT / "eval" / "duplicates"
# Held-out F1 of `same_sentence` on the real pairs, as reported in eval/duplicates/README.md.
REPORTED_HELD_OUT_F1 = 0.873
MARGIN = 0.02


def sentence(doc: str, text: str) -> str:
    """`text`, after checking it is written in the article `doc` of the dated stream."""
    assert text in (DOCS / doc).read_text(encoding="utf-8"), f"not in {doc}: {text}"
    return text


def same(a: str, b: str) -> bool:
    return same_sentence(fingerprint(a), fingerprint(b))


@cache
def corpus_sentences() -> tuple[str, ...]:
    out: list[str] = []
    for source in list_sources(DOCS):
        doc = read_document(source)
        assert not isinstance(doc, str)
        out.extend(unit.text for unit in sentence_units(doc))
    return tuple(out)


@cache
def rows(name: str) -> tuple[dict, ...]:
    return tuple(json.loads(line) for line in (LABELLED / name).read_text(encoding="utf-8").splitlines())


# -- real pairs from the corpus ------------------------------------------------------------


def test_a_sentence_repeated_across_articles_is_one_statement():
    a = sentence("2022-05-08-bqReAfaePfM.txt", "Glory to Ukraine!")
    b = sentence("2022-05-09-QQFSupESHw0.txt", "Glory to Ukraine!")
    assert same(a, b)
    long_a = sentence(
        "2022-03-16-nLRzT24BvRU.txt", "I also spoke with European Commission President Ursula von der Leyen."
    )
    long_b = sentence(
        "2022-04-19-PRLIlthRIwA.txt", "I also spoke with European Commission President Ursula von der Leyen."
    )
    assert same(long_a, long_b)


def test_the_two_copies_of_the_spain_speech_are_duplicates_sentence_by_sentence():
    first = read_document(next(s for s in list_sources(DOCS) if s.doc_id == "2022-04-05-bezQLqQFV5c.txt"))
    second = read_document(next(s for s in list_sources(DOCS) if s.doc_id == "2022-04-05-zUpcNlnY88g.txt"))
    assert not isinstance(first, str) and not isinstance(second, str)
    units_a, units_b = sentence_units(first), sentence_units(second)
    assert len(units_a) == len(units_b) > 50
    assert all(same(a.text, b.text) for a, b in zip(units_a, units_b))


def test_a_copy_with_a_word_changed_is_a_duplicate():
    a = sentence(
        "2022-04-08-EvMoHOcEL-Y.txt",
        "Russian banks must also be completely disconnected from the global financial system.",
    )
    b = sentence(
        "2022-05-03-dQG3abeRUQk.txt", "Russian banks must be completely disconnected from the global financial system."
    )
    assert same(a, b)
    c = sentence(
        "2022-03-15-cHfl0ivXmN8.txt",
        "20 days of full-scale invasion of the Russian Federation after eight years of war in Donbas.",
    )
    d = sentence("2022-03-16-HXIPiuXraik.txt", "Eight years of war in Donbas, 20 days of full-scale invasion.")
    assert same(c, d)


def test_a_changed_figure_is_an_update_not_a_duplicate():
    a = sentence("2022-03-15-cHfl0ivXmN8.txt", "They have already killed 97 Ukrainian children!")
    b = sentence("2022-03-23-WQeRZUMwZxg.txt", "Thousands were killed, including 121 children.")
    assert not same(a, b)
    day_63 = sentence("2022-04-27-5bd-4xEgIIM.txt", "The 63rd day of our defense is coming to an end.")
    day_82 = sentence("2022-05-17-ySx3hwJxjaQ.txt", "The 82nd day of our defense is coming to an end.")
    assert not same(day_63, day_82)
    a_killed = sentence("2022-03-16-oj6HTztCLM8.txt", "As of this morning, 103 children have been killed.")
    assert not same(a_killed, a_killed.replace("103", "108"))


def test_a_changed_name_is_a_different_statement():
    finland = sentence("2022-04-08-EvMoHOcEL-Y.txt", "I addressed the Parliament and the people of Finland today.")
    ireland = sentence("2022-04-06-IyXYbAd23sY.txt", "I addressed the parliament and the people of Ireland today.")
    assert not same(finland, ireland)
    # the seed article: a city changed, then a fuller name (the same statement)
    geneva = (
        "Senior US and Russian officials are scheduled to meet on Sunday and Monday in Geneva to discuss the situation."
    )
    assert geneva in (ROOT / "seeds" / "2022-01-04-biden-zelenskiy-call.txt").read_text(encoding="utf-8")
    assert not same(geneva, geneva.replace("Geneva", "Vienna"))
    assert not same(geneva, geneva.replace("Sunday and Monday", "Tuesday and Wednesday"))
    johnson = sentence("2022-04-02-XDpx-F68Tw4.txt", "I also spoke with British Prime Minister Johnson.")
    boris = sentence("2022-04-30-7lAiBARJkzo.txt", "I also spoke with British Prime Minister Boris Johnson.")
    assert same(johnson, boris)


# -- properties ---------------------------------------------------------------------------

SENTENCES_WITHOUT_FIGURES = [s for s in corpus_sentences() if not fingerprint(s).figures and len(s.split()) >= 4][::40]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_its_own_duplicate(text):
    assert same(text, text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(corpus_sentences()), st.sampled_from(corpus_sentences()) | st.text())
def test_same_sentence_is_symmetric(a, b):
    assert same(a, b) == same(b, a)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SENTENCES_WITHOUT_FIGURES),
    st.integers(min_value=0, max_value=10_000_000),
    st.integers(min_value=0, max_value=10_000_000),
    st.booleans(),
    st.data(),
)
def test_a_changed_number_is_never_a_duplicate(text, n, m, separators, data):
    if n == m:
        m = n + 1
    words = text.split()
    at = data.draw(st.integers(min_value=0, max_value=len(words)))

    def with_number(value: int) -> str:
        written = f"{value:,}" if separators else str(value)
        return " ".join([*words[:at], written, *words[at:]])

    assert not same(with_number(n), with_number(m))
    assert not same(with_number(n), text)  # a number added is a new fact too
    assert same(with_number(n), " ".join([*words[:at], f"{n:,}", *words[at:]]))  # 100000 == 100,000


# -- grouping ------------------------------------------------------------------------------


def test_group_duplicates_chains_close_copies_and_keeps_updates_apart():
    a = sentence("2022-03-04-FQgqrbBnZWs.txt", "Eternal memory to everyone who died for Ukraine!")
    b = sentence("2022-03-30-TcrDFyYDL7U.txt", "Eternal memory to all who died for Ukraine!")
    c = sentence("2022-04-05-Me7a6p-Z0-g.txt", "Eternal memory to all who gave their lives for Ukraine!")
    assert same(a, b) and same(b, c) and not same(a, c)  # only the chain joins a and c
    day_58 = sentence("2022-04-22-I1dE4pEb7po.txt", "The 58th day of our defense is coming to an end.")
    day_63 = sentence("2022-04-27-5bd-4xEgIIM.txt", "The 63rd day of our defense is coming to an end.")
    day_65 = sentence("2022-04-29-Dkd2aidrZxI.txt", "The 65th day of our defense is coming to an end.")
    glory = sentence("2022-05-08-bqReAfaePfM.txt", "Glory to Ukraine!")
    items = [day_58, a, glory, c, day_63, glory, b, day_65, day_58]
    groups = group_duplicates([fingerprint(s) for s in items])
    assert groups == [0, 1, 2, 1, 4, 2, 1, 7, 0]


def test_group_duplicates_never_joins_two_different_names_through_a_vaguer_copy():
    finland = sentence("2022-04-08-EvMoHOcEL-Y.txt", "I addressed the Parliament and the people of Finland today.")
    ireland = sentence("2022-04-06-IyXYbAd23sY.txt", "I addressed the parliament and the people of Ireland today.")
    vague = "I addressed the parliament and the people today."
    assert same(vague, finland) and same(vague, ireland) and not same(finland, ireland)
    groups = group_duplicates([fingerprint(s) for s in (vague, finland, ireland)])
    assert groups[0] == groups[1] != groups[2]


def test_group_duplicates_finds_a_pair_exactly_at_the_threshold():
    # 3 shared words of 5: Jaccard exactly at the threshold, which counts (>=) in every filter
    short = sentence("2022-05-08-bqReAfaePfM.txt", "Glory to Ukraine!")
    longer = "Glory to Ukraine and heroes!"
    assert same(short, longer)
    assert group_duplicates([fingerprint(longer), fingerprint(short)]) == [0, 0]
    assert group_duplicates([fingerprint(short), fingerprint(longer)]) == [0, 0]


def test_group_duplicates_agrees_with_same_sentence_on_real_candidates():
    rng = random.Random(3)
    items = rng.sample(corpus_sentences(), 400)
    prints = [fingerprint(s) for s in items]
    groups = group_duplicates(prints)
    assert all(groups[g] == g <= i for i, g in enumerate(groups))  # the id is the group's first item
    for i, j in itertools.combinations(range(len(items)), 2):
        if same_sentence(prints[i], prints[j]) and groups[i] != groups[j]:
            # refused only to keep two conflicting names apart
            members = [k for k in range(len(items)) if groups[k] in (groups[i], groups[j])]
            assert any(
                not (prints[x].names <= prints[y].names or prints[y].names <= prints[x].names)
                for x in members
                for y in members
            )
    for i, g in enumerate(groups):  # every member is linked to its group by a real copy
        if i != g:
            assert any(same_sentence(prints[i], prints[k]) for k in range(len(items)) if k != i and groups[k] == g)


def test_bad_input_gets_a_clear_error_and_empty_input_an_empty_answer():
    with pytest.raises(ValueError, match="text of one sentence"):
        fingerprint(None)  # type: ignore[arg-type]
    assert group_duplicates([]) == []
    assert same("", "") and not same("", "Glory to Ukraine!")


# -- the labelled set and its held-out figure ------------------------------------------------


def _part(doc: str) -> str:
    content = hashlib.sha256((ROOT / doc).read_bytes()).hexdigest()
    return "held-out" if hashlib.sha256(("dedup-part:" + content).encode()).digest()[0] % 2 else "fit"


@pytest.mark.parametrize("name", ["pairs.jsonl", "synthetic.jsonl"])
def test_labelled_pairs_quote_the_corpus_and_are_split_by_article(name):
    data = rows(name)
    assert len(data) >= (150 if name == "pairs.jsonl" else 50)
    assert len({r["id"] for r in data}) == len(data)
    for r in data:
        assert r["label"] in (0, 1)
        refs = [r["a"], r["b"]] if name == "pairs.jsonl" else [r["a"]]
        for ref in refs:
            text = (ROOT / ref["doc"]).read_text(encoding="utf-8")
            assert text[ref["start"] : ref["end"]] == ref["text"], r["id"]
            assert _part(ref["doc"]) == r["part"], r["id"]
        if name == "synthetic.jsonl":
            assert r["synthetic"] is True and r["b"]["text"] != r["a"]["text"]


def test_held_out_f1_is_at_least_the_reported_figure():
    held = [r for r in rows("pairs.jsonl") if r["part"] == "held-out"]
    assert sum(r["label"] for r in held) >= 50 and len(held) - sum(r["label"] for r in held) >= 50
    predicted = [same(r["a"]["text"], r["b"]["text"]) for r in held]
    tp = sum(1 for p, r in zip(predicted, held) if p and r["label"])
    precision = tp / sum(predicted)
    recall = tp / sum(r["label"] for r in held)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= REPORTED_HELD_OUT_F1 - MARGIN, (f1, JACCARD_THRESHOLD)
    synthetic = [r for r in rows("synthetic.jsonl") if r["part"] == "held-out"]
    figure_changes = [r for r in synthetic if r["kind"] in ("figure", "date")]
    assert figure_changes and not any(same(r["a"]["text"], r["b"]["text"]) for r in figure_changes)


# ----------------------------------------------------------------------------- copies ranked once


SENTENCE = "The ministers agreed to extend the grain corridor by 120 days."


def ranked(order: list[tuple[str, float]]) -> tuple[list[Candidate], list[Span], dict[int, int]]:
    """Candidates of `order` ((doc_id, score), best first), one unit each; doc "d<N>" is dated day N."""
    units = [Span(doc, 0, len(text), text) for doc, _ in order for text in [SENTENCE if doc != "x" else "Other."]]
    candidates = [Candidate(i, {}, score) for i, (_, score) in enumerate(order)]
    days = {i: int(doc[1:]) if doc[1:].isdigit() else -1 for i, (doc, _) in enumerate(order)}
    return candidates, units, days


@pytest.mark.parametrize(
    "order",
    [
        [("d1", 2.0), ("d3", 1.998), ("d2", 1.995)],
        [("d3", 2.0), ("d2", 1.999), ("d1", 1.999)],
        [("d2", 2.004), ("d1", 2.0), ("d3", 1.997)],
    ],
)
def test_copies_that_score_alike_cite_the_newest_article_whatever_their_order(order):
    candidates, units, days = ranked(order)
    kept, copies = collapse_copies(candidates, units, days.__getitem__)
    assert [units[c.unit].doc_id for c in kept] == ["d3"]
    assert sorted(units[u].doc_id for u in copies[kept[0].unit]) == ["d1", "d2"]


def test_a_clearly_better_copy_is_cited_and_the_group_keeps_its_place():
    candidates, units, days = ranked([("x", 3.0), ("d1", 2.5), ("d3", 2.0), ("d2", 1.99)])
    kept, copies = collapse_copies(candidates, units, days.__getitem__)
    assert [units[c.unit].doc_id for c in kept] == ["x", "d1"]
    assert sorted(units[u].doc_id for u in copies[kept[1].unit]) == ["d2", "d3"]


def test_repetitions_within_one_article_are_kept_and_undated_copies_come_last():
    candidates, units, days = ranked([("u", 2.0), ("d1", 1.999), ("d1", 1.5)])
    kept, copies = collapse_copies(candidates, units, days.__getitem__)
    assert [(units[c.unit].doc_id, c.score) for c in kept] == [("d1", 1.999), ("d1", 1.5)]
    assert [units[u].doc_id for u in copies[kept[0].unit]] == ["u"]
