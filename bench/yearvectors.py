"""Vectors of the year corpus: base units embedded once (cached), variants' vectors derived from them.

Embedding a million sentences on two shared cores takes hours, and a variant unit differs from
its base unit only by swapped names or numbers. So the base units are embedded once with the
engine's model (cached under `bench/cache/`, resumable part by part) and a variant unit gets:

* its base unit's vector exactly, when its text is unchanged (same text, same vector);
* otherwise `c * base + sqrt(1 - c^2) * u`, `u` a random unit vector orthogonal to `base`, so
  its cosine with the base vector is exactly `c`, and `c` is drawn from cosines MEASURED
  between real embeddings of base units and of their rewritten texts (`calibrate`: 2,000
  units of variant 1, embedded for real).

So each variant sits as far from its base as a real rewrite does. What it does not copy: a real
rewrite moves toward the new name's meaning, this one in a random direction, so two variants of
one sentence are about c^2 apart rather than as close as their texts are; nearest-neighbour
structure around the base is otherwise kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .common import ROOT, log
from .yearcorpus import PARAGRAPHS_PER_ARTICLE, TITLE_STEP, BaseArticle, Variant, base_articles, name_pool, variant

CACHE = ROOT / "bench" / "cache"
PART = 4096
CALIBRATION_UNITS = 2000


def _fingerprint(articles: Sequence[BaseArticle], model: str) -> str:
    h = hashlib.sha256(model.encode())
    for a in articles:
        h.update(a.doc_id.encode())
        for s, e in a.units:
            h.update(a.text[s:e].encode() + b"\0")
    return h.hexdigest()[:16]


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp.npy")
    np.save(tmp, array, allow_pickle=False)
    tmp.replace(path)


def load_base(cache: Path = CACHE, toy: bool = False) -> list[BaseArticle]:
    """The base articles, from the cache (made on first use: ~3 minutes of sentence splitting; `toy`: a few)."""
    from .yearcorpus import SquadQuestion

    path = cache / "base" / f"articles-t{TITLE_STEP}-p{PARAGRAPHS_PER_ARTICLE}.jsonl"
    if not path.exists():
        log("year corpus: splitting the base articles into sentence units (pysbd, ~3 min)")
        articles = base_articles(toy=toy)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for a in articles:
                row = {
                    "doc_id": a.doc_id,
                    "text": a.text,
                    "kind": a.kind,
                    "title": a.title,
                    "units": a.units,
                    "questions": [[q.id, q.q, list(q.gold)] for q in a.questions],
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.replace(path)
        return articles
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            questions = tuple(SquadQuestion(i, q, tuple(g)) for i, q, g in r["questions"])
            units = tuple((int(s), int(e)) for s, e in r["units"])
            out.append(BaseArticle(r["doc_id"], r["text"], r["kind"], units, questions, r["title"]))
    return out


def _embedded(folder: Path) -> tuple[dict[str, int], list[np.ndarray]]:
    """What the cache holds: text -> row, and the vectors of its chunks in order (rows count across them)."""
    rows: dict[str, int] = {}
    vectors: list[np.ndarray] = []
    n = 0
    for path in sorted(folder.glob("chunk-*.json")):  # a chunk's texts are written after its vectors
        texts = json.loads(path.read_text(encoding="utf-8"))
        vectors.append(np.load(path.with_suffix(".npy")))
        for i, text in enumerate(texts):
            rows.setdefault(text, n + i)
        n += len(texts)
    return rows, vectors


def base_vectors(articles: Sequence[BaseArticle], model: str, cache: Path = CACHE) -> np.ndarray:
    """float32 (base units, dim): every base unit embedded by `model`, in article then unit order.

    The cache maps unit texts to vectors (chunks of `PART` texts, saved as they finish), so a
    stopped run resumes and a change of the base articles embeds only the new texts.
    """
    from rag import embedding

    folder = cache / "base" / f"embedded-{hashlib.sha256(model.encode()).hexdigest()[:8]}"
    folder.mkdir(parents=True, exist_ok=True)
    texts = [a.text[s:e] for a in articles for s, e in a.units]
    rows, chunks = _embedded(folder)
    missing = list(dict.fromkeys(t for t in texts if t not in rows))
    timing = folder / "timing.json"
    spent = json.loads(timing.read_text()) if timing.exists() else {"units": 0, "seconds": 0.0, "load_avg": []}
    for start in range(0, len(missing), PART):
        part = missing[start : start + PART]
        log(f"year corpus: embedding {start:,}-{start + len(part):,} of {len(missing):,} base units not cached")
        t0 = time.perf_counter()
        vectors = embedding.encode(model, part, progress=False)
        spent["units"] += len(part)
        spent["seconds"] += time.perf_counter() - t0
        spent["load_avg"].append(round(os.getloadavg()[0], 2))
        name = folder / f"chunk-{len(chunks):05d}"
        _save_npy(name.with_suffix(".npy"), vectors)
        _write_json(name.with_suffix(".json"), part)
        _write_json(timing, spent)
        n = sum(len(c) for c in chunks)
        rows.update({t: n + i for i, t in enumerate(part)})
        chunks.append(vectors)
    everything = np.concatenate(chunks) if chunks else np.zeros((0, embedding.dimension(model)), np.float32)
    return np.ascontiguousarray(everything[[rows[t] for t in texts]], dtype=np.float32)


def embedding_rate(cache: Path = CACHE) -> dict[str, Any]:
    """Units per second measured while the base units were embedded (with the load averages then)."""
    for path in sorted((cache / "base").glob("embedded-*/timing.json")):
        spent = json.loads(path.read_text(encoding="utf-8"))
        if spent["seconds"]:
            loads = spent["load_avg"]
            return {
                "units": spent["units"],
                "units_per_s": round(spent["units"] / spent["seconds"], 1),
                "load_avg_1min": [min(loads), max(loads)] if loads else None,
            }
    return {}


def calibrate(articles: Sequence[BaseArticle], vectors: np.ndarray, model: str, cache: Path = CACHE) -> dict[str, Any]:
    """Cosines between real embeddings of base units and of their rewritten texts in variant 1 (cached)."""
    from rag import embedding

    path = cache / "base" / f"calibration-{_fingerprint(articles, model)}.json"
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    pool = name_pool(articles)
    offsets = unit_offsets(articles)
    rng = np.random.default_rng(11)
    squad = [i for i, a in enumerate(articles) if a.kind == "squad"]
    base_ids, texts = [], []
    for i in rng.permutation(squad):
        v = variant(articles[i], 1, pool)
        for (s, e), b, changed in zip(v.units, v.base_units, v.changed, strict=True):
            if changed:
                base_ids.append(int(offsets[i] + b))
                texts.append(v.text[s:e])
        if len(texts) >= CALIBRATION_UNITS:
            break
    log(f"year corpus: embedding {len(texts):,} rewritten units to calibrate variant vectors")
    real = embedding.encode(model, texts[:CALIBRATION_UNITS], progress=False)
    cos = np.sum(real * vectors[base_ids[:CALIBRATION_UNITS]], axis=1)
    result = {
        "units": len(cos),
        "cosines": [round(float(c), 5) for c in cos],
        "mean": round(float(cos.mean()), 4),
        "p5": round(float(np.percentile(cos, 5)), 4),
        "p50": round(float(np.median(cos)), 4),
        "p95": round(float(np.percentile(cos, 95)), 4),
    }
    _write_json(path, result)
    return result


def unit_offsets(articles: Sequence[BaseArticle]) -> np.ndarray:
    """int64 (articles + 1,): the base units of article i are rows [offsets[i], offsets[i + 1]) of the vectors."""
    return np.concatenate([[0], np.cumsum([len(a.units) for a in articles])]).astype(np.int64)


def variant_vectors(v: Variant, base: np.ndarray, cosines: np.ndarray) -> np.ndarray:
    """Vectors of a variant's units from its base article's vectors `base` (see the module docstring)."""
    out = base[list(v.base_units)].copy()
    changed = np.flatnonzero(np.array(v.changed, dtype=bool))
    if len(changed):
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(v.doc_id.encode()).digest()[:8], "little"))
        b = out[changed]
        u = rng.standard_normal(b.shape).astype(np.float32)
        u -= np.sum(u * b, axis=1, keepdims=True) * b  # orthogonal to the base vector
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        c = rng.choice(cosines, len(changed)).astype(np.float32)[:, None]
        x = c * b + np.sqrt(1 - c * c) * u
        out[changed] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out
