"""The signals of a candidate sentence: each defined once, by name, with the weights that use it.

A weighted sum of the `rank_weight`s orders the candidates. They are learnt, not set by hand:
`scripts/fit_rank_weights.py` fits a conditional logit (a softmax over one question's candidates)
on the candidates of 9,314 SQuAD 1.1 train questions, data no suite reports on, with each weight of
the sign its evidence has, then scales them to the hand-set weights' spread (the margins of
rag/temporal.py and rag/updates.py are in those units). The answer ranker's one weight is chosen on
a grid of fit-part quote accuracy by `scripts/fit_weights.py --rank-grid`. A logistic combination
of the `confidence_weight`s (plus `CONFIDENCE_BIAS`) is the refusal model's confidence; with the
answer ranker on (`Settings.rerank` > 0) the `ranker_confidence_weight`s and
`RANKER_CONFIDENCE_BIAS` are, fitted on the "fit" parts of eval/squad_dev, eval/seed and
eval/ukraine_2022 (`scripts/fit_weights.py`). Figures are reported on the "held-out" parts
(`rag eval`). Nothing is tuned per question.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from . import answer_types, lexical
from .retrieval import Retrieved
from .units import Spans, SpanTable


@dataclass(frozen=True)
class Signal:
    """One named piece of evidence about a candidate sentence."""

    name: str
    meaning: str
    rank_weight: float = 0.0
    # the refusal model without the answer ranker (the default) and with it (Settings.rerank > 0)
    confidence_weight: float = 0.0
    ranker_confidence_weight: float = 0.0


# A callable scoring sentences for a question: `Ranker.score(question, sentences, contexts)`.
SentenceScorer = Callable[[str, Sequence[str], Sequence[str] | None], np.ndarray]


SIGNALS: tuple[Signal, ...] = (
    Signal(
        "dense",
        "cosine of the sentence and the question (MiniLM)",
        rank_weight=0.683,
        confidence_weight=6.0,
        ranker_confidence_weight=0.43,
    ),
    Signal("dense_context", "the best cosine of its neighbours in the same article", rank_weight=0.087),
    Signal("article_dense", "cosine of the question and its article's mean sentence vector", rank_weight=0.522),
    Signal("bm25", "BM25 score, over the best BM25 score among the candidates", rank_weight=0.124),
    Signal("rrf", "fused reciprocal rank, 1 for rank 1 in both retrievers", rank_weight=0.127),
    Signal(
        "coverage",
        "IDF-weighted share of the question's terms in the sentence",
        rank_weight=0.324,
        confidence_weight=3.0,
    ),
    Signal(
        "coverage_context",
        "the same over the sentence and its neighbours",
        rank_weight=0.326,
        confidence_weight=1.5,
        ranker_confidence_weight=0.21,
    ),
    Signal(
        "missing",
        "IDF-weighted share of the question's key terms the whole article never uses",
        rank_weight=-0.381,
        confidence_weight=-4.0,
        ranker_confidence_weight=-1.22,
    ),
    Signal("bigrams", "share of the question's adjacent term pairs the sentence repeats", rank_weight=0.172),
    Signal(
        "names",
        "share of the question's names and numbers the article holds",
        rank_weight=0.101,
        confidence_weight=2.0,
        ranker_confidence_weight=1.61,
    ),
    Signal(
        "names_context",
        "share of them in the sentence and its neighbours",
        rank_weight=0.0,
        ranker_confidence_weight=0.9,
    ),
    Signal(
        "answer_type",
        "1 when it holds a phrase of the asked kind (number, date, ...), 0 when not, 0.5 unknown",
        rank_weight=0.278,
        confidence_weight=3.0,
        ranker_confidence_weight=0.76,
    ),
    Signal(
        "negation_mismatch",
        "1 when a negated question meets a sentence without negation",
        confidence_weight=-3.0,
        ranker_confidence_weight=-1.67,
    ),
    # The ranker's log-odds, not its probability: a linear score needs a linear input, and on the
    # fit parts its rank weight (`scripts/fit_weights.py --rank-grid`) raised quote accuracy by 1
    # point, the probability's by 0.3 at best. Unread candidates get the lowest log-odds read (`_reranked`).
    Signal(
        "ranker",
        "log-odds that it answers, by the trained answer ranker (rag.rerank) for the best `Settings.rerank` candidates; 0 when off",
        rank_weight=0.2,
        ranker_confidence_weight=0.44,
    ),
    Signal(
        "margin",
        "rank score of the best sentence minus the runner-up's (1 when alone); set on the best only",
        ranker_confidence_weight=0.78,
    ),
)
RANK_WEIGHTS: Mapping[str, float] = {s.name: s.rank_weight for s in SIGNALS if s.rank_weight}
# The default refusal model: weights set on the fit parts of the seed and SQuAD suites before the
# ranker existed; the bias puts the chosen operating point at Settings.threshold = 0.5.
CONFIDENCE_WEIGHTS: Mapping[str, float] = {s.name: s.confidence_weight for s in SIGNALS if s.confidence_weight}
CONFIDENCE_BIAS = -5.65
# The refusal model with the ranker: a sign-constrained logistic fit on the fit parts of eval/squad_dev,
# eval/seed and eval/ukraine_2022, its bias at their best share of questions handled right
# (scripts/fit_weights.py). It refuses far more: see the README's answer quality section.
RANKER_CONFIDENCE_WEIGHTS: Mapping[str, float] = {
    s.name: s.ranker_confidence_weight for s in SIGNALS if s.ranker_confidence_weight
}
RANKER_CONFIDENCE_BIAS = -2.76

_NEGATION = re.compile(r"\b(?:not|never|no|none|nor|neither|without|n't)\b|n['’]t\b", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A sentence under consideration: its unit id, its signals, its ranking score."""

    unit: int
    signals: Mapping[str, float]
    score: float


def rank_score(signals: Mapping[str, float]) -> float:
    """The ranking score of a candidate from its signals."""
    return sum(w * signals[name] for name, w in RANK_WEIGHTS.items())


def names_as_much(candidate: Candidate, best: Candidate) -> bool:
    """True when `candidate`'s article names at least the share of the question's names that `best`'s does.

    The time rules and the updates weigh answers about as good as the best one, and an article
    that never names the asked place is not: "How many missiles hit Kharkiv today?" is neither
    answered nor contradicted by another city's "Today 3 missiles hit ...".
    """
    return candidate.signals.get("names", 1.0) >= best.signals.get("names", 1.0)


def confidence(signals: Mapping[str, float], with_ranker: bool = False) -> float:
    """Probability-like confidence that the sentence answers the question (`with_ranker`: the ranker's model)."""
    weights, bias = (
        (RANKER_CONFIDENCE_WEIGHTS, RANKER_CONFIDENCE_BIAS) if with_ranker else (CONFIDENCE_WEIGHTS, CONFIDENCE_BIAS)
    )
    z = bias + sum(w * signals.get(name, 0.0) for name, w in weights.items())
    return 1.0 / (1.0 + math.exp(-z))


# Term sets are cached per process, but bounded: a long-running server would otherwise come to hold
# every unit it ever ranked (measured at 200k units: 1.9 kB per unit). Most hits are inside one
# question (a sentence's neighbours), so this holds the units of the last ~25 questions.
UNIT_CACHE = 4_096


class TermCache:
    """Stemmed terms of units (computed on demand, the most recently used kept) and of every article's header."""

    def __init__(self, units: SpanTable) -> None:
        self._units = units
        self._unit_sets = functools.lru_cache(maxsize=UNIT_CACHE)(self._compute_unit)

    @functools.cached_property
    def _header_rows(self) -> dict[str, np.ndarray]:
        # built on the first question, from every article (~15 ms per 1,000): the store's articles
        # keep each header line at load, so none is parsed for it
        documents = self._units.documents
        texts = getattr(documents, "headers", None) or [d.header_words() for d in documents]
        rows: dict[str, list[int]] = {}
        for row, text in enumerate(texts):
            for term in _with_prefixes(lexical.terms(text)):
                rows.setdefault(term, []).append(row)
        return {term: np.array(found, dtype=np.int64) for term, found in rows.items()}

    def header_holders(self, term: str) -> np.ndarray:
        """Rows of the articles (live or not) whose title, source or author uses `term` (or its long prefix, as `_has`)."""
        found = [self._header_rows[k] for k in _match_keys(term) if k in self._header_rows]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    def _compute_unit(self, i: int) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        terms = lexical.terms(self._units[i].text)
        return _with_prefixes(terms), frozenset(_bigrams(terms))

    def unit(self, i: int) -> frozenset[str]:
        """Terms of unit `i` (with long-prefix entries, see `_with_prefixes`)."""
        return self._unit_sets(i)[0]

    def unit_bigrams(self, i: int) -> frozenset[tuple[str, str]]:
        """Adjacent content-term pairs of unit `i`."""
        return self._unit_sets(i)[1]


class ArticleEvidence(Protocol):
    """What the signals read about whole articles (`rag.retrieval.Retriever` provides it)."""

    def articles_using(self, term: str, rows: np.ndarray) -> np.ndarray:
        """Whether each article of `rows` (document rows) uses `term` in any sentence (bool array)."""
        ...

    def article_similarity(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine of `query_vector` with each article's mean sentence vector."""
        ...


def articles_naming(term: str, rows: np.ndarray, articles: ArticleEvidence, terms: TermCache) -> np.ndarray:
    """Whether each article of `rows` (document rows) uses `term` in a sentence or in its header (bool array).

    An address need not name its speaker: the header counts ("According to Zelenskyy, ...").
    """
    return articles.articles_using(term, rows) | np.isin(rows, terms.header_holders(term))


def score_candidates(
    question: str,
    found: Retrieved,
    units: SpanTable,
    terms: TermCache,
    idf: Callable[[str], float],
    articles: ArticleEvidence,
    ranker: SentenceScorer | None = None,
    rerank: int = 0,
) -> list[Candidate]:
    """Every candidate of `found` with its signals, best first; the best one also carries `margin`.

    With a `ranker`, the `rerank` best candidates by the weighted signals are read by it too
    (its `ranker` signal; 0 for the others) and all are ranked again with it.
    """
    weights = {t: idf(t) for t in found.query_terms}
    # "which city" asks for a city's name: the article need not use the word "city"
    category = answer_types.category_noun(question)
    expected = {t: w for t, w in weights.items() if not category or t != lexical.stem(category)}
    total = sum(weights.values()) or 1.0
    names = _names(question)
    kind = answer_types.question_kind(question)
    found_focus = answer_types.focus(question)
    focus = lexical.stem(found_focus) if found_focus else None
    bm25_max = max(found.bm25.values(), default=0.0) or 1.0
    qbigrams = _bigrams(list(found.query_terms))
    negated = bool(_NEGATION.search(question))
    sims = found.similarity
    ids = found.ids
    # whole-article evidence, one value per candidate: which asked terms and names its article uses
    rows = units.doc_rows[np.asarray(ids, dtype=np.int64)] if ids else np.zeros(0, dtype=np.int64)
    uses = {t: articles_naming(t, rows, articles, terms) for t in dict.fromkeys([*expected, *names])}
    missing = sum((w * ~uses[t] for t, w in expected.items()), np.zeros(len(ids))) / total
    named = np.mean([uses[n] for n in names], axis=0) if names else np.ones(len(ids))
    article_dense = articles.article_similarity(found.query_vector, rows)
    out = []
    for at, i in enumerate(ids):
        unit = units[i]
        if answer_types.is_address(unit.text):
            continue  # "Dear Minister of Foreign Affairs, Minister of Defense!" answers no question
        if answer_types.names_another(question, unit.text):
            continue  # "Prime Minister of Canada Trudeau" is not the prime minister of Ukraine
        same = [j for j in (i - 1, i + 1) if 0 <= j < len(units) and units[j].doc_id == unit.doc_id]
        own = terms.unit(i)
        window = own.union(*(terms.unit(j) for j in same))
        signals = {
            "dense": sims[i],
            "dense_context": max((sims[j] for j in same), default=sims[i]),
            "article_dense": float(article_dense[at]),
            "bm25": found.bm25.get(i, 0.0) / bm25_max,
            "rrf": found.fused(i),
            "coverage": sum(w for t, w in weights.items() if _has(own, t)) / total,
            "coverage_context": sum(w for t, w in weights.items() if _has(window, t)) / total,
            "missing": float(missing[at]),
            "bigrams": (len(qbigrams & terms.unit_bigrams(i)) / len(qbigrams)) if qbigrams else 0.0,
            "names": float(named[at]),
            "names_context": (sum(1 for n in names if _has(window, n)) / len(names)) if names else 1.0,
            "answer_type": _type_signal(kind, unit.text, question, focus, window),
            # a question asking what did NOT happen is not answered by what did
            "negation_mismatch": float(negated and not any(_NEGATION.search(units[j].text) for j in (i, *same))),
            "ranker": 0.0,
        }
        out.append(Candidate(i, signals, rank_score(signals)))
    if not out:  # nothing found: an HNSW search filtered down to a few visible units can miss them all
        return out
    out.sort(key=lambda c: -c.score)
    if ranker is not None and rerank > 0:
        out = _reranked(question, out, units, ranker, rerank)
    # how clearly the best sentence beats the runner-up: a tie often means a guess
    margin = out[0].score - out[1].score if len(out) > 1 else 1.0
    out[0] = replace(out[0], signals={**out[0].signals, "margin": margin})
    return out


def _reranked(question: str, ranked: list[Candidate], units: Spans, ranker: SentenceScorer, n: int) -> list[Candidate]:
    """`ranked` with the `ranker` signal of every candidate set, in the new rank order.

    The first `n` are read; the others get the lowest log-odds read, so that a candidate the
    ranker never saw is not preferred to one it judged.
    """
    top = ranked[:n]
    contexts = [_neighbours(units, c.unit) for c in top]
    probabilities = ranker(question, [units[c.unit].text for c in top], contexts)
    read = {c.unit: log_odds(float(p)) for c, p in zip(top, probabilities, strict=True)}
    floor = min(read.values(), default=0.0)
    out = [_with_signal(c, "ranker", read.get(c.unit, floor)) for c in ranked]
    out.sort(key=lambda c: -c.score)
    return out


# The ranker's probabilities are float32: 1e-6 keeps the log-odds finite (within about +-14).
_LOG_ODDS_EPSILON = 1e-6


def log_odds(probability: float) -> float:
    """log(p / (1 - p)), with p kept inside [1e-6, 1 - 1e-6]."""
    p = min(max(probability, _LOG_ODDS_EPSILON), 1.0 - _LOG_ODDS_EPSILON)
    return math.log(p / (1.0 - p))


def _with_signal(candidate: Candidate, name: str, value: float) -> Candidate:
    """`candidate` with signal `name` set to `value` and its score recomputed."""
    changed = {**candidate.signals, name: value}
    return replace(candidate, signals=changed, score=rank_score(changed))


def _neighbours(units: Spans, i: int) -> str:
    """The sentences before and after unit `i` in its article, joined (what the ranker reads as context)."""
    doc_id = units[i].doc_id
    return " ".join(units[j].text for j in (i - 1, i + 1) if 0 <= j < len(units) and units[j].doc_id == doc_id)


def _names(question: str) -> list[str]:
    """Stemmed proper names and numbers in the question (capitalised words not opening it)."""
    tokens = re.findall(r"[^\W\d_][\w’'-]*", question)
    out = [w for w in lexical.words(question) if w[0].isdigit()]
    for pos, tok in enumerate(tokens):
        if pos > 0 and tok[0].isupper() and tok.lower() not in lexical.STOPWORDS:
            out.extend(lexical.terms(tok))
    return out


_PREFIX = lexical.SAME_WORD_PREFIX


def _with_prefixes(terms: list[str]) -> frozenset[str]:
    """A term set that also holds a `~prefix` entry for every long term."""
    return frozenset(terms) | {"~" + t[:_PREFIX] for t in terms if len(t) >= _PREFIX}


@functools.lru_cache(maxsize=4_096)
def _match_keys(term: str) -> tuple[str, ...]:
    """The entries of a `_with_prefixes` set that stand for `term`.

    `term` and its other form (`lexical.forms`), each with its `~prefix` entry when it is long.
    """
    return tuple(k for f in lexical.forms(term) for k in ([f, "~" + f[:_PREFIX]] if len(f) >= _PREFIX else [f]))


def _has(term_set: frozenset[str], term: str) -> bool:
    """True when `term` or its other form (`lexical.forms`), or a word with the same long prefix, is in `term_set`."""
    return any(k in term_set for k in _match_keys(term))


def mentions(text: str, word: str) -> bool:
    """True when `text` uses `word`, or a word of the same stem or long prefix, as the signals match terms."""
    return _has(_with_prefixes(lexical.terms(text)), lexical.stem(word))


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
