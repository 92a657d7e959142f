"""The store at scale: BM25 scores as before, SQ8 vectors, memory-mapped postings."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from support import KNOWN, ROOT, assert_exact

import rag
from bench import reference
from rag import bm25, lexical, store
from rag.bm25 import BM25, Postings

DOCS = ROOT / "eval" / "ukraine_2022" / "docs"


@pytest.fixture(scope="module")
def unit_terms() -> list[list[str]]:
    """Stemmed terms of every line of the 175 Ukraine statements (one line = one unit here)."""
    out = []
    for path in sorted(DOCS.glob("*.txt")):
        out += [lexical.terms(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def previous_build(unit_terms: list[list[str]]) -> Postings:
    """`Postings.build` as it was before (commit ceb9103)."""
    vocab: dict[str, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    lengths = []
    for unit, terms in enumerate(unit_terms):
        lengths.append(max(len(terms), 1))
        for term in terms:
            col = vocab.setdefault(term, len(vocab))
            pairs[(col, unit)] = pairs.get((col, unit), 0) + 1
    keys = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    freqs = np.array([pairs[(int(c), int(u))] for c, u in keys], dtype=np.uint16)
    offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.add.at(offsets, keys[:, 0] + 1, 1)
    return Postings(vocab, np.cumsum(offsets), keys[:, 1].astype(np.int32), freqs, np.array(lengths, dtype=np.int32))


@pytest.mark.parametrize("part", [slice(0, 0), slice(0, 1), slice(0, 7), slice(None)])
def test_postings_are_built_exactly_as_before(unit_terms: list[list[str]], part: slice) -> None:
    terms = [*unit_terms[part], [], ["repeat", "repeat", "repeat"]]
    ours, theirs = Postings.build(terms), previous_build(terms)
    assert Postings.build([]).offsets.tolist() == previous_build([]).offsets.tolist() == [0]
    assert list(ours.vocab.items()) == list(theirs.vocab.items())
    for name in ("offsets", "units", "freqs", "lengths"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name


def test_bm25_scores_and_df_are_exactly_the_previous_ones(unit_terms: list[list[str]]) -> None:
    # three segments, some units of removed articles masked: the general case of a grown index
    cuts = [0, len(unit_terms) // 3, 2 * len(unit_terms) // 3, len(unit_terms)]
    segments = [Postings.build(unit_terms[a:b]) for a, b in zip(cuts, cuts[1:])]
    live = np.ones(len(unit_terms), dtype=bool)
    live[cuts[1] + 5 : cuts[1] + 400] = False
    index = BM25(segments, cuts[:3], live)
    before = BM25(segments, cuts[:3], live)
    rng = random.Random(1)
    vocab = sorted({t for terms in unit_terms for t in terms})
    common = sorted(vocab, key=lambda t: -index.df(t))[:20]
    visible = np.random.default_rng(2).random(len(unit_terms)) < 0.7
    for i in range(300):
        terms = rng.sample(vocab, rng.randint(1, 6)) + rng.sample(common, rng.randint(0, 2)) + ["notaword"]
        shown = visible if i % 2 else None
        ids, scores = index.scores(terms, shown)
        ref_ids, ref_scores = reference.scores_add_at(before, terms, shown)
        assert np.array_equal(ids, ref_ids) and np.array_equal(scores, ref_scores)  # bit for bit
        assert [index.df(t) for t in terms] == [reference.df_scan(before, t) for t in terms]
    assert index.scores(["notaword"])[0].size == 0


def _answers(index: rag.Index, questions: list[str]) -> list[tuple[object, ...]]:
    out = []
    for q in questions:
        a = index.answer(q)
        assert_exact(index, a)
        out.append((a.found, a.doc_id, a.start, a.end))
    return out


QUESTIONS = [q for q, _ in KNOWN] + ["how many troops has rusia masssed near the border", "Who spoke with Zelenskiy?"]


@pytest.mark.parametrize(
    ("changes", "kind"),
    [({"sq8_above": 0}, "IndexScalarQuantizer"), ({"sq8_above": 0, "approximate_above": 0}, "IndexHNSWSQ")],
)
def test_sq8_round_trip(seed_dir: Path, seed_index: rag.Index, tmp_path: Path, changes: dict, kind: str) -> None:
    settings = rag.Settings(**changes)
    index = rag.build_index(seed_dir, tmp_path / "index", settings=settings)
    assert index.manifest["segments"][0]["faiss"] == kind
    loaded = rag.load_index(tmp_path / "index")  # read back from disk
    faiss_index = loaded._data.segments[0].faiss_index  # noqa: SLF001
    if kind == "IndexHNSWSQ":
        assert faiss_index.hnsw.efSearch == settings.hnsw_ef_search
    exact = seed_index._data.segments[0].faiss_index.reconstruct_n(0, faiss_index.ntotal)  # noqa: SLF001
    stored = faiss_index.reconstruct_n(0, faiss_index.ntotal)
    # 8 bits over each dimension's range: every component within half a step, cosines unchanged to 1e-3
    assert np.abs(stored - exact).max() < (exact.max(0) - exact.min(0)).max() / 255
    assert (np.sum(stored * exact, axis=1) / np.linalg.norm(stored, axis=1)).min() > 0.999
    assert _answers(loaded, QUESTIONS) == _answers(seed_index, QUESTIONS)
    for question, phrase in KNOWN:
        assert phrase in loaded.answer(question).text


def test_sq8_above_is_an_index_setting(seed_index: rag.Index, seed_dir: Path) -> None:
    assert "sq8_above" in rag.Settings().index_key()
    assert store.stale_reason(seed_index.manifest, seed_dir, rag.Settings(sq8_above=5)) == "the index settings changed"
    with pytest.raises(ValueError, match="rebuild"):
        seed_index.with_settings(sq8_above=5)
    with pytest.raises(ValueError, match="sq8_above"):
        rag.Settings(sq8_above=-1)


def test_postings_are_memory_mapped_and_answer_alike(seed_index: rag.Index, monkeypatch: pytest.MonkeyPatch) -> None:
    mapped = rag.load_index(seed_index.path)
    postings = mapped._data.bm25._segments[0]  # noqa: SLF001
    assert all(isinstance(a, np.memmap) for a in (postings.offsets, postings.units, postings.freqs, postings.lengths))
    monkeypatch.setattr(bm25, "MEMORY_MAP", False)
    in_memory = rag.load_index(seed_index.path)
    assert not isinstance(in_memory._data.bm25._segments[0].units, np.memmap)  # noqa: SLF001
    assert _answers(mapped, QUESTIONS) == _answers(in_memory, QUESTIONS)


def test_content_merged_with_a_later_article_is_the_content_of_both() -> None:
    # bench.yearcontent lets a benchmark derive an index without computing the content again
    from bench import yearcontent
    from bench.yearcorpus import as_document
    from rag import chunking

    paths = sorted(DOCS.glob("*.txt"))[:5]
    documents = [as_document(p.name, p.read_text(encoding="utf-8")) for p in paths]
    per_doc = [chunking.sentence_units(d) for d in documents]
    settings = rag.Settings()
    whole = yearcontent.computed(documents, per_doc, settings)
    merged = yearcontent.merge(
        yearcontent.computed(documents[:3], per_doc[:3], settings),
        yearcontent.computed(documents[3:], per_doc[3:], settings),
    )
    assert [d.doc_id for d in merged.documents] == [d.doc_id for d in whole.documents]
    for name in ("units", "passages", "events"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name)), name
    assert len(whole.events) and list(merged.postings.vocab.items()) == list(whole.postings.vocab.items())
    for name in ("offsets", "units", "freqs", "lengths"):
        assert np.array_equal(getattr(merged.postings, name), getattr(whole.postings, name)), name
