"""Read the bundled SQuAD files into sentence-level questions, and split SQuAD 2.0 dev by article.

Sentences come from the engine's own unit rule (`rag.chunking.sentence_units`), so the ranker
is trained on exactly the spans it will score at answer time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..chunking import sentence_units
from ..documents import Document

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "train" / "squad"
TRAIN_FILE = "train-v1.1.json.gz"
DEV_FILE = "dev-v2.0-train-split.json.gz"
# The project's public eval suite (eval/squad_v2_small): never fitted on, in any part.
PUBLIC_EVAL_ARTICLES = frozenset({"Normans", "Computational_complexity_theory"})
# The SQuAD 2.0 dev split is part of the data definition, not of the training run: a fixed
# seed, so changing `--seed` retrains on the same articles and reports on the same ones.
SPLIT_SEED = 20240601
REPORT_ARTICLES = 10
TUNE_ARTICLES = 4


@dataclass(frozen=True)
class Paragraph:
    """One SQuAD paragraph as the engine's sentence units."""

    article: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """A question about `paragraphs[paragraph]`.

    `gold` are the sentences holding the start of a gold answer (empty when unanswerable);
    `unsure` are other sentences that contain a gold answer's text, never used as negatives;
    `answers` are the gold answer texts.
    """

    text: str
    article: str
    paragraph: int
    gold: frozenset[int]
    unsure: frozenset[int]
    answers: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        """True when the paragraph answers the question."""
        return bool(self.gold)


@dataclass(frozen=True)
class Corpus:
    """Paragraphs and questions of a set of articles (indices into `paragraphs`)."""

    paragraphs: tuple[Paragraph, ...]
    questions: tuple[Question, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        """The article titles, in order of first appearance."""
        return tuple(dict.fromkeys(p.article for p in self.paragraphs))

    def spread(self, limit: int | None) -> Corpus:
        """At most `limit` questions, evenly spaced so every article keeps some (all when `limit` is None)."""
        if limit is None or limit >= len(self.questions):
            return self
        picks = np.linspace(0, len(self.questions) - 1, limit).round().astype(int)
        return Corpus(self.paragraphs, tuple(self.questions[int(i)] for i in picks))


@dataclass(frozen=True)
class DevSplit:
    """SQuAD 2.0 dev split by article: trained on, used to choose settings, reported on."""

    fit_train: tuple[str, ...]
    fit_tune: tuple[str, ...]
    report: tuple[str, ...]


def file_sha256(path: Path) -> str:
    """Hex sha256 of a data file (recorded in the model's manifest)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ValueError(
            f"training data missing: {path.name} not in {path.parent} "
            "(restore train/squad/ from the repository: git checkout -- train/squad)"
        )
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _unit_of(ends: Sequence[int], offset: int) -> int | None:
    """The sentence holding character `offset`, else the first sentence after it."""
    return next((i for i, end in enumerate(ends) if offset < end), None)


def parse(articles: Iterable[dict[str, Any]], max_questions_per_paragraph: int | None = None) -> Corpus:
    """Sentence-split every paragraph of `articles` (SQuAD JSON) and locate each answer's sentence.

    A gold answer whose text is not at its `answer_start` is ignored; an answerable question left
    with no gold sentence is dropped.
    """
    paragraphs: list[Paragraph] = []
    questions: list[Question] = []
    for article in articles:
        title = article["title"]
        for para in article["paragraphs"]:
            context = para["context"]
            units = sentence_units(Document(doc_id=title, text=context, sha256=""))
            if not units:
                continue
            ends = [u.end for u in units]
            index = len(paragraphs)
            paragraphs.append(Paragraph(title, tuple(u.text for u in units)))
            qas = para["qas"][:max_questions_per_paragraph] if max_questions_per_paragraph else para["qas"]
            for qa in qas:
                gold: set[int] = set()
                texts: set[str] = set()
                for ans in [] if qa.get("is_impossible") else qa["answers"]:
                    start, text = ans["answer_start"], ans["text"].strip()
                    if not text or context[start : start + len(ans["text"])] != ans["text"]:
                        continue
                    unit = _unit_of(ends, start + len(ans["text"]) - len(ans["text"].lstrip()))
                    if unit is not None:
                        gold.add(unit)
                        texts.add(text)
                if not qa.get("is_impossible") and not gold:
                    continue
                unsure = {i for i, u in enumerate(units) if i not in gold and any(t in u.text for t in texts)}
                questions.append(
                    Question(
                        qa["question"].strip(), title, index, frozenset(gold), frozenset(unsure), tuple(sorted(texts))
                    )
                )
    return Corpus(tuple(paragraphs), tuple(questions))


def split_dev(titles: Sequence[str], seed: int = SPLIT_SEED) -> DevSplit:
    """Split the dev articles into fit-train / fit-tune / report parts, by a seeded shuffle of sorted titles."""
    order = sorted(titles)
    random.Random(seed).shuffle(order)
    report = tuple(sorted(order[:REPORT_ARTICLES]))
    tune = tuple(sorted(order[REPORT_ARTICLES : REPORT_ARTICLES + TUNE_ARTICLES]))
    fit = tuple(sorted(order[REPORT_ARTICLES + TUNE_ARTICLES :]))
    return DevSplit(fit_train=fit, fit_tune=tune, report=report)


def check_public_eval_absent(*article_lists: Iterable[str]) -> None:
    """Refuse to go on if an article of the public eval suite is in data that is fitted on."""
    for titles in article_lists:
        leaked = PUBLIC_EVAL_ARTICLES & set(titles)
        if leaked:
            raise AssertionError(f"public eval articles {sorted(leaked)} found in training data: remove them")


@dataclass(frozen=True)
class SquadData:
    """Everything training reads: SQuAD 1.1 train and the three parts of the SQuAD 2.0 dev split."""

    train: Corpus
    fit_train: Corpus
    fit_tune: Corpus
    report: Corpus
    split: DevSplit
    hashes: dict[str, str]


def load(data_dir: Path = DATA_DIR, limit_articles: int | None = None) -> SquadData:
    """Read and sentence-split both files; `limit_articles` keeps the first few of each (smoke runs)."""
    train_json = _read_json(data_dir / TRAIN_FILE)["data"]
    dev_json = _read_json(data_dir / DEV_FILE)["data"]
    split = split_dev([a["title"] for a in dev_json])
    check_public_eval_absent([a["title"] for a in train_json], split.fit_train, split.fit_tune, split.report)
    by_title = {a["title"]: a for a in dev_json}

    def part(titles: Sequence[str]) -> Corpus:
        chosen = titles[:limit_articles] if limit_articles else titles
        return parse(by_title[t] for t in chosen)

    return SquadData(
        train=parse(train_json[:limit_articles] if limit_articles else train_json),
        fit_train=part(split.fit_train),
        fit_tune=part(split.fit_tune),
        report=part(split.report),
        split=split,
        hashes={name: file_sha256(data_dir / name) for name in (TRAIN_FILE, DEV_FILE)},
    )
