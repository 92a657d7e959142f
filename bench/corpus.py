"""Synthetic workloads: news-like articles recombined from the seed, questions, clustered vectors."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np

from .common import ROOT

SEED_DIR = ROOT / "seeds"
QA_FILE = ROOT / "eval" / "seed" / "qa.jsonl"

# Names and places of the seed, each replaced by one of the stand-ins below per article, so
# that generated articles differ in the words BM25 and the names signal look at.
_PEOPLE = {
    "Joe Biden": "{first0} {last0}",
    "Biden": "{last0}",
    "Volodymyr Zelenskiy": "{first1} {last1}",
    "Zelenskiy": "{last1}",
    "Vladimir Putin": "{first2} {last2}",
    "Putin": "{last2}",
    "Jen Psaki": "{first3} {last3}",
    "Psaki": "{last3}",
}
_PLACES = ["Geneva", "Washington", "Moscow", "Europe", "Ukraine", "Russia"]
FIRST = [
    "Ada",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Marek",
    "Nadia",
    "Omar",
    "Petra",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Petrov",
    "Sato",
    "Haddad",
    "Novak",
    "Costa",
    "Brennan",
    "Kowalski",
    "Mendes",
    "Arslan",
    "Dubois",
    "Ferreira",
    "Ivanova",
    "Jansen",
    "Keller",
    "Larsen",
    "Mwangi",
    "Nakamura",
]
CITIES = [
    "Vienna",
    "Oslo",
    "Helsinki",
    "Istanbul",
    "Warsaw",
    "Brussels",
    "Minsk",
    "Riga",
    "Ankara",
    "Rome",
    "Lisbon",
    "Prague",
    "Tbilisi",
    "Vilnius",
    "Baku",
    "Sofia",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_NUMBER = re.compile(r"\b\d[\d,]*\b")
_DAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_SENTENCE_END = re.compile(r"(?<=[.!?”])\s+(?=[“A-Z])")


def seed_sentences() -> list[str]:
    """Sentences of the seed articles: header, captions and blank lines left out."""
    out: list[str] = []
    for path in sorted(SEED_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"^\s*date:?\s+\d{4}-\d{2}-\d{2}\s*", "", line).strip()
            if not line or line.lower().startswith(("photo:", "title:", "source:", "url:")):
                continue
            out.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return out


def _rewrite(sentence: str, rng: random.Random, people: dict[str, str], places: dict[str, str]) -> str:
    for old in sorted(people, key=len, reverse=True):
        sentence = re.sub(rf"\b{re.escape(old)}\b", people[old], sentence)
    for old, new in places.items():
        sentence = re.sub(rf"\b{old}\b", new, sentence)
    sentence = _NUMBER.sub(
        lambda m: f"{rng.randint(2, 250) * 10 ** max(0, len(m.group().replace(',', '')) - 2):,}", sentence
    )
    return _DAY.sub(lambda _: rng.choice(_DAYS), sentence)


def article(i: int, sentences: list[str], n_sentences: int, seed: int = 0) -> tuple[str, str]:
    """(file name, text) of synthetic article `i`: dated header, seed sentences recombined.

    Names, places, numbers and weekdays are replaced per article, so every file is unique
    and the corpus is not one article repeated (which would make retrieval trivially tied).
    """
    rng = random.Random(seed * 1_000_003 + i)
    slots = {f"first{k}": rng.choice(FIRST) for k in range(4)} | {f"last{k}": rng.choice(LAST) for k in range(4)}
    people = {old: new.format(**slots) for old, new in _PEOPLE.items()}
    places = {p: rng.choice(CITIES) for p in _PLACES}
    body = [_rewrite(s, rng, people, places) for s in rng.sample(sentences, min(n_sentences, len(sentences)))]
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    date = f"{2022 + i // 336:04d}-{month:02d}-{day:02d}"
    title = f"{slots['first0']} {slots['last0']} meets {slots['last1']} in {places['Geneva']} (report {i})"
    lines, k = [], 0
    while k < len(body):  # one or two sentences per paragraph line, like wire copy
        take = 1 + rng.random().__lt__(0.3)
        lines.append(" ".join(body[k : k + take]))
        k += take
    text = f"date: {date}\ntitle: {title}\nsource: Synthetic Wire\n\n" + "\n".join(lines) + "\n"
    return f"{date}-report-{i:05d}.txt", text


def write_corpus(folder: Path, n_articles: int, n_sentences: int = 8, seed: int = 0) -> list[Path]:
    """Write `n_articles` synthetic articles into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    sentences = seed_sentences()
    paths = []
    for i in range(n_articles):
        name, text = article(i, sentences, n_sentences, seed)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def unit_texts(n_units: int, seed: int = 0) -> list[str]:
    """`n_units` sentence texts drawn from synthetic articles (for BM25 at scale, no files)."""
    sentences = seed_sentences()
    out: list[str] = []
    i = 0
    while len(out) < n_units:
        _, text = article(i, sentences, 12, seed)
        out.extend(line for line in text.split("\n\n", 1)[1].splitlines() if line)
        i += 1
    return out[:n_units]


# ----------------------------------------------------------------------------- questions

_TEMPLATES = [
    "What did {person} say about {topic}?",
    "Where will {topic} take place?",
    "When did {person} speak about {topic}?",
    "Who is {person}?",
    "How many troops are near the border of {place}?",
    "What does {org} want from {place}?",
    "Why is {person} worried about {topic}?",
    "What did {org} demand about {topic}?",
    "Did {person} discuss {topic} with {person2}?",
    "what happened with {topic} in {place}",
]
_FILL = {
    "person": ["Biden", "Joe Biden", "Putin", "Zelenskiy", "Jen Psaki", "the White House press secretary"],
    "person2": ["Putin", "Zelenskiy", "the allies"],
    "topic": [
        "the talks",
        "sanctions",
        "NATO expansion",
        "the troop buildup",
        "the crisis",
        "military action",
        "the call",
        "membership",
        "escalation",
        "the economy",
        "an invasion",
        "offensive weaponry",
    ],
    "place": ["Ukraine", "Russia", "Europe", "Geneva", "Washington"],
    "org": ["NATO", "the Kremlin", "the White House", "the alliance", "Moscow"],
}


def template_questions(n: int, seed: int = 0) -> list[str]:
    """`n` distinct questions from templates over the seed article's names and topics."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        template = rng.choice(_TEMPLATES)
        q = template.format(**{k: rng.choice(v) for k, v in _FILL.items()})
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def seed_questions(n: int, seed: int = 0) -> tuple[list[str], str]:
    """At least `n` seed questions and where they came from.

    The eval set (eval/seed/qa.jsonl) is used when present, repeated to reach `n`;
    otherwise template variants over the seed's vocabulary are generated.
    """
    if QA_FILE.exists():
        with QA_FILE.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        qs = [str(r.get("q") or r.get("question")) for r in rows if r.get("q") or r.get("question")]
        if qs:
            reps = -(-n // len(qs))
            return (qs * reps)[: max(n, len(qs))], f"{QA_FILE.relative_to(ROOT)} ({len(qs)} questions, x{reps})"
    return template_questions(n, seed), "templates over the seed vocabulary"


def questions_from(texts: list[str], n: int, seed: int = 0) -> list[str]:
    """Questions that paraphrase-lite `n` of the given sentences (their first words)."""
    rng = random.Random(seed)
    out = []
    for text in rng.sample(texts, min(n, len(texts))):
        words = re.findall(r"[\w’'-]+", text)
        out.append("What about " + " ".join(words[: min(9, len(words))]) + "?")
    return out


# ----------------------------------------------------------------------------- vectors


def clustered_vectors(n: int, dim: int = 384, seed: int = 0, chunk: int = 100_000) -> np.ndarray:
    """`n` unit-length float32 vectors with the structure of sentence embeddings.

    Points of a Gaussian mixture (topics of ~100 points) in a 96-dimensional latent space,
    mapped into `dim` dimensions by one random linear map, plus isotropic noise. Uniform
    noise in 384 dimensions has no neighbours worth the name and makes every approximate
    index look bad; real embeddings have clusters and a low intrinsic dimension. The
    spreads were picked so that a perturbed query has the similarity profile of a question
    against MiniLM sentence vectors (top-1 ~0.7, 10th ~0.4, random pairs ~0); a lower
    latent dimension (48) made HNSW reach recall 0.99 at efSearch 16, i.e. flattered it.
    """
    rng = np.random.default_rng(seed)
    latent = 96
    n_topics = max(16, n // 100)
    centers = rng.standard_normal((n_topics, latent), dtype=np.float32)
    proj = rng.standard_normal((latent, dim), dtype=np.float32) / np.sqrt(latent)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        topic = rng.integers(0, n_topics, m)
        z = centers[topic] + rng.standard_normal((m, latent), dtype=np.float32)
        x = z @ proj + 0.3 * rng.standard_normal((m, dim), dtype=np.float32)
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def perturbed_queries(vectors: np.ndarray, n: int, noise: float = 1.0, seed: int = 1) -> np.ndarray:
    """`n` queries near corpus vectors (a question is close to, not equal to, its sentence)."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(vectors), n)
    q = vectors[rows] + noise / np.sqrt(vectors.shape[1]) * rng.standard_normal((n, vectors.shape[1]), dtype=np.float32)
    return np.ascontiguousarray(q / np.linalg.norm(q, axis=1, keepdims=True), dtype=np.float32)
