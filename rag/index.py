"""`Index`: an index folder in memory, answering questions with verbatim quotes."""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import answer_types, embedding, lexical, store
from .answer import NOT_FOUND, Answer, Candidate, Passage, clip, confidence, quote_span, rank_score
from .config import Settings
from .documents import Document

# Typos: a question word the corpus never uses is matched to a corpus word this close.
_MAX_EDITS = {5: 1, 8: 2}
_NEGATION = re.compile(r"\b(?:not|never|no|none|nor|neither|without|n't)\b|n['’]t\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Index:
    """A loaded index. Use `rag.build_index` or `rag.load_index` to get one."""

    def __init__(self, data: store.IndexData, path: str | os.PathLike[str], report: store.BuildReport | None = None) -> None:
        self._data = data
        self.path = Path(path)
        self.settings: Settings = data.settings
        self.manifest = data.manifest
        self.report = report
        self._units = data.units
        self._doc_ids = list(data.documents)
        # document frequency of each BM25 term: columns of the CSC score matrix
        indptr = np.asarray(data.bm25.scores["indptr"])
        self._df = np.diff(indptr)
        self._vocab: dict[str, int] = data.bm25.vocab_dict
        self._vocab_list = [t for t in self._vocab if t]
        # passages by document, for attaching context to chosen sentences
        self._passages_by_doc: dict[str, list[int]] = {}
        for i, p in enumerate(data.passages):
            self._passages_by_doc.setdefault(p.doc_id, []).append(i)
        self._doc_terms: dict[str, frozenset[str]] = {}
        self._unit_terms: dict[int, frozenset[str]] = {}
        self._unit_bigrams: dict[int, frozenset[tuple[str, str]]] = {}

    def __repr__(self) -> str:
        c = self.manifest["counts"]
        return f"<Index {self.path}: {c['documents']} documents, {c['units']} units, {c['passages']} passages>"

    # ------------------------------------------------------------------ documents

    @property
    def doc_ids(self) -> tuple[str, ...]:
        """Ids of the indexed documents, sorted."""
        return tuple(self._doc_ids)

    def document(self, doc_id: str) -> Document:
        """The indexed document `doc_id`; `KeyError` for any other id (no file is read)."""
        try:
            return self._data.documents[doc_id]
        except (KeyError, TypeError):
            raise KeyError(f"no document {doc_id!r} in this index") from None

    # ------------------------------------------------------------------ answering

    def answer(self, question: str, k: int | None = None) -> Answer:
        """Answer `question` with a verbatim quote, or say the articles don't.

        `k` is the number of supporting passages (default `settings.passages`). Raises
        `ValueError` for an empty question; a very long one is trimmed, with a notice.
        """
        question, notice = self._clean(question)
        k = self.settings.passages if k is None else k
        if type(k) is not int or k < 1:  # bool is an int, but k=True is a mistake
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if not self._units:
            return Answer(question, False, NOT_FOUND, notice=notice)
        candidates = sorted(self._candidates(question), key=lambda c: -c.score)
        best = candidates[0]
        # how clearly the best sentence beats the runner-up: a tie often means a guess
        best.signals["margin"] = best.score - candidates[1].score if len(candidates) > 1 else 1.0
        passages = self._passages(candidates, k)
        conf = confidence(best.signals)
        if conf < self.settings.threshold:
            return Answer(question, False, NOT_FOUND, confidence=conf, passages=passages, notice=notice)
        units = self._units
        scores = {c.unit: c.score for c in candidates}
        first, last = quote_span(units, best.unit, scores, self.settings.max_quote_chars)
        doc = self._data.documents[units[best.unit].doc_id]
        start, end = clip(doc, units[first].start, units[last].end, self.settings.max_quote_chars, set(lexical.words(question)))
        text = doc.text[start:end]
        span = answer_types.best_phrase(answer_types.question_kind(question), text, question)
        return Answer(
            question=question, found=True, text=text, doc_id=doc.doc_id, start=start, end=end,
            date=doc.date, title=doc.title, highlight=span, confidence=conf, passages=passages, notice=notice,
        )

    def _clean(self, question: str) -> tuple[str, str | None]:
        if not isinstance(question, str):
            raise TypeError(f"question must be a string, got {type(question).__name__}")
        # lone surrogates (from JSON like "\ud800") cannot be encoded for the tokenizer
        question = question.encode("utf-8", "replace").decode("utf-8")
        question = _CONTROL.sub(" ", unicodedata.normalize("NFC", question)).strip()
        if not question:
            raise ValueError("the question is empty: ask something, e.g. 'Where will the talks take place?'")
        notice = None
        limit = self.settings.max_question_chars
        if len(question) > limit:
            cut = question.rfind(" ", 0, limit)
            question = question[: cut if cut > limit // 2 else limit].rstrip()
            notice = f"The question was trimmed to its first {len(question)} characters (limit {limit})."
        return question, notice

    # ------------------------------------------------------------------ retrieval

    def _query_terms(self, question: str) -> list[str]:
        """Stemmed content terms of the question, typos mapped onto corpus words."""
        out = []
        for term in lexical.terms(question):
            if term not in self._vocab and not term[0].isdigit():
                term = self._nearest_term(term) or term
            out.append(term)
        return list(dict.fromkeys(out))

    def _nearest_term(self, term: str) -> str | None:
        edits = max((e for n, e in _MAX_EDITS.items() if len(term) >= n), default=0)
        if not edits or not self._vocab_list:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        hits = process.extract(term, self._vocab_list, scorer=Levenshtein.distance, score_cutoff=edits, limit=20)
        if not hits:
            return None
        # Among equally close words, the commonest, then the first alphabetically: the
        # vocabulary's own order changes from build to build, and answers must not.
        return min(hits, key=lambda h: (h[1], -self._df[self._vocab[h[0]]], h[0]))[0]

    def _idf(self, term: str) -> float:
        n = len(self._units)
        col = self._vocab.get(term)
        df = int(self._df[col]) if col is not None and col < len(self._df) else 0
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _candidates(self, question: str) -> list[Candidate]:
        settings = self.settings
        n_units = len(self._units)
        qvec = embedding.encode(settings.model_name, [question], progress=False)
        c = min(settings.candidates, n_units)
        dense_sims, dense_ids = self._data.faiss_index.search(qvec, c)
        ranks: dict[int, float] = {}
        for rank, i in enumerate(dense_ids[0]):
            if i >= 0:
                ranks[int(i)] = ranks.get(int(i), 0.0) + 1.0 / (settings.rrf_k + rank + 1)
        qterms = self._query_terms(question)
        bm25_scores: dict[int, float] = {}
        known = [t for t in qterms if t in self._vocab]
        if known:
            scores = self._data.bm25.get_scores(known)
            # partition first: a full sort of a million scores costs 3x more than the rest
            top = np.argpartition(-scores, c - 1)[:c] if c < len(scores) else np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            for rank, i in enumerate(top):
                if scores[i] <= 0:
                    break
                bm25_scores[int(i)] = float(scores[i])
                ranks[int(i)] = ranks.get(int(i), 0.0) + 1.0 / (settings.rrf_k + rank + 1)
        ids = sorted(ranks)
        # neighbours give context to a sentence (its pronouns, its attribution)
        neighbours = {j for i in ids for j in (i - 1, i + 1) if 0 <= j < n_units}
        all_ids = sorted(set(ids) | neighbours)
        vecs = self._data.faiss_index.reconstruct_batch(np.asarray(all_ids, dtype=np.int64))
        sims = dict(zip(all_ids, (vecs @ qvec[0]).tolist()))
        weights = {t: self._idf(t) for t in qterms}
        # "which city" asks for a city's name: the article need not use the word "city"
        category = answer_types.category_noun(question)
        expected = {t: w for t, w in weights.items() if not category or t != lexical.stem(category)}
        total = sum(weights.values()) or 1.0
        names = _names(question)
        kind = answer_types.question_kind(question)
        found_focus = answer_types.focus(question)
        focus = lexical.stem(found_focus) if found_focus else None
        bm25_max = max(bm25_scores.values(), default=0.0) or 1.0
        qbigrams = _bigrams(qterms)
        negated = bool(_NEGATION.search(question))
        out = []
        for i in ids:
            unit = self._units[i]
            same = [j for j in (i - 1, i + 1) if 0 <= j < n_units and self._units[j].doc_id == unit.doc_id]
            own = self._terms_of(i)
            window = own.union(*(self._terms_of(j) for j in same))
            doc_terms = self._doc_term_set(unit.doc_id)
            signals = {
                "dense": sims[i],
                "dense_context": max((sims[j] for j in same), default=sims[i]),
                "bm25": bm25_scores.get(i, 0.0) / bm25_max,
                "rrf": ranks[i] * (settings.rrf_k + 1) / 2,
                "coverage": sum(w for t, w in weights.items() if _has(own, t)) / total,
                "coverage_context": sum(w for t, w in weights.items() if _has(window, t)) / total,
                "missing": sum(w for t, w in expected.items() if not _has(doc_terms, t)) / total,
                "bigrams": (len(qbigrams & self._unit_bigrams[i]) / len(qbigrams)) if qbigrams else 0.0,
                "names": (sum(1 for n in names if _has(doc_terms, n)) / len(names)) if names else 1.0,
                "names_context": (sum(1 for n in names if _has(window, n)) / len(names)) if names else 1.0,
                "answer_type": _type_signal(kind, unit.text, question, focus, window),
                # a question asking what did NOT happen is not answered by what did
                "negation_mismatch": float(negated and not any(_NEGATION.search(self._units[j].text) for j in (i, *same))),
            }
            out.append(Candidate(i, signals, rank_score(signals)))
        return out

    def _terms_of(self, unit: int) -> frozenset[str]:
        """Stemmed terms of a unit (and, in `_unit_bigrams`, their pairs), computed once per process."""
        found = self._unit_terms.get(unit)
        if found is None:
            terms = lexical.terms(self._units[unit].text)
            self._unit_bigrams[unit] = frozenset(_bigrams(terms))
            found = self._unit_terms[unit] = _with_prefixes(terms)
        return found

    def _doc_term_set(self, doc_id: str) -> frozenset[str]:
        """Stemmed terms of a whole document (names included), computed once per process."""
        found = self._doc_terms.get(doc_id)
        if found is None:
            found = self._doc_terms[doc_id] = _with_prefixes(lexical.terms(self._data.documents[doc_id].text))
        return found

    def _passages(self, candidates: list[Candidate], k: int) -> tuple[Passage, ...]:
        """Context passages holding the best candidates (given best first), each passage once."""
        best_for: dict[int, Candidate] = {}
        for cand in candidates:
            unit = self._units[cand.unit]
            for pi in self._passages_by_doc.get(unit.doc_id, []):
                p = self._data.passages[pi]
                if p.start <= unit.start and unit.end <= p.end:
                    best_for.setdefault(pi, cand)
                    break
            if len(best_for) >= k:
                break
        out = []
        for pi, cand in best_for.items():
            p = self._data.passages[pi]
            doc = self._data.documents[p.doc_id]
            out.append(Passage(p.doc_id, p.text, p.start, p.end, cand.score, doc.date, doc.title, dict(cand.signals)))
        return tuple(out)

    def with_settings(self, **changes: Any) -> Index:
        """A copy answering with other query-time settings (threshold, candidates, ...)."""
        settings = replace(self.settings, **changes)
        if settings.index_key() != self.settings.index_key():
            raise ValueError("only query-time settings can change on a loaded index; rebuild for the others")
        data = replace(self._data, settings=settings)
        return Index(data, self.path, self.report)


def _names(question: str) -> list[str]:
    """Stemmed proper names and numbers in the question (capitalised words not opening it)."""
    tokens = re.findall(r"[^\W\d_][\w’'-]*", question)
    out = [w for w in lexical.words(question) if w[0].isdigit()]
    for pos, tok in enumerate(tokens):
        if pos > 0 and tok[0].isupper() and tok.lower() not in lexical.STOPWORDS:
            out.extend(lexical.terms(tok))
    return out


# Stems sharing their first letters are one word for coverage: `Ukraine`/`Ukrainian`,
# `Russia`/`Russian`, which the stemmer keeps apart.
_PREFIX = 6


def _with_prefixes(terms: list[str]) -> frozenset[str]:
    """A term set that also holds a `~prefix` entry for every long term."""
    return frozenset(terms) | {"~" + t[:_PREFIX] for t in terms if len(t) >= _PREFIX}


def _has(term_set: frozenset[str], term: str) -> bool:
    """True when `term`, or a word with the same long prefix, is in `term_set`."""
    return term in term_set or (len(term) >= _PREFIX and "~" + term[:_PREFIX] in term_set)


def _bigrams(terms: list[str]) -> set[tuple[str, str]]:
    """Adjacent pairs of content terms: a question that copies a phrase shares them."""
    return set(zip(terms, terms[1:]))


def _type_signal(kind: str | None, sentence: str, question: str, focus: str | None, window: frozenset[str]) -> float:
    """1 when the sentence holds a phrase of the wanted kind, 0 when not, 0.5 for no kind.

    Names and places are everywhere in news copy, so their match says less than a date's
    or a number's: it moves the signal half as far. When the question names what it
    counts or whose holder it wants ("how many tanks", "who is the ambassador"), that
    word must be in the sentence or its neighbours too.
    """
    if kind is None:
        return 0.5
    match = next(answer_types.phrases(kind, sentence, question, names_only=True), None) is not None
    if focus is not None and not _has(window, focus):
        match = False
    spread = 0.5 if kind in (answer_types.NUMBER, answer_types.DATE) else 0.25
    return 0.5 + spread if match else 0.5 - spread
