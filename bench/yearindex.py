"""The year corpus at a chosen size, written as a source folder and an index folder by the engine's own code.

Sizes are nested: every corpus holds the seed, the 76 Ukraine statements that answer a question
of the stream suite (7,188 units) and a fixed-order prefix of the SQuAD articles; past the
107,155 base units (all 175 statements), variants 1, 2, ... of every SQuAD article in that same
order. So the question sample is answerable at every size. The index is made as
`rag.build` makes a fresh one (documents sorted by id, one segment): `build._content` for
units, passages, resolved dates and BM25 postings, `store.write_segment` for the folder (FAISS
exact or HNSW by `Settings`), `build._manifest` and `store.write_manifest`; only the vectors
come from `bench.yearvectors` instead of the model. The source files are written too, with
their sha256 in the manifest, so `rag.build_index(sources, index)` sees the index as fresh and
appends one segment for one new article.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .common import ROOT, dir_bytes, log
from .yearcorpus import BaseArticle, as_document, check_variant_units, name_pool, variant
from .yearvectors import CACHE, base_vectors, calibrate, load_base, unit_offsets, variant_vectors

SOURCES, INDEX, STATS = "sources", "index", "build.json"
STREAM_QA = ROOT / "eval" / "ukraine_2022" / "qa.jsonl"


@dataclass(frozen=True)
class Pick:
    """One article of a corpus: base article `base`, as itself (`k` = 0) or as its variant `k`."""

    base: int
    k: int


def select(articles: Sequence[BaseArticle], units: int) -> list[Pick]:
    """The articles of a corpus of at least `units` units (the smallest such prefix of the fixed order)."""
    asked = _stream_docs()
    first = [i for i, a in enumerate(articles) if a.kind == "seed" or (a.kind == "ukraine" and a.doc_id in asked)]
    rest = [i for i, a in enumerate(articles) if a.kind == "ukraine" and a.doc_id not in asked]
    squad = [i for i, a in enumerate(articles) if a.kind == "squad"]
    random.Random(0).shuffle(squad)
    varied = squad or rest or first  # a toy corpus without SQuAD varies what it has
    picks: list[Pick] = []
    total = 0
    k = 0
    while total < units:
        for i in (first + squad + rest) if k == 0 else varied:
            picks.append(Pick(i, k))
            total += len(articles[i].units)
            if total >= units:
                break
        k += 1
    return picks


def _stream_docs() -> set[str]:
    """The Ukraine statements that answer a question of the stream suite (every size holds them)."""
    with STREAM_QA.open(encoding="utf-8") as fh:
        return {str(json.loads(line).get("doc")) for line in fh if line.strip()}


def corpus(
    articles: Sequence[BaseArticle], picks: Sequence[Pick], vectors: np.ndarray, cosines: np.ndarray, extra: Any = None
) -> Any:
    """(documents, spans per document, vectors, variants) of `picks`, documents sorted by id as a build orders them.

    `extra`: ([(Document, its spans), ...], their vectors in that order), articles added as they are.
    """
    from rag.chunking import Span

    pool = name_pool(articles)
    offsets = unit_offsets(articles)
    made = []
    variants = []
    for p in picks:
        base = articles[p.base]
        own = vectors[offsets[p.base] : offsets[p.base + 1]]
        if p.k == 0:
            made.append((base.doc_id, base.text, base.units, own))
        else:
            v = variant(base, p.k, pool)
            variants.append(v)
            made.append((v.doc_id, v.text, v.units, variant_vectors(v, own, cosines)))
    if extra is not None:
        row = 0
        for doc, spans in extra[0]:
            made.append((doc.doc_id, doc.text, [(u.start, u.end) for u in spans], extra[1][row : row + len(spans)]))
            row += len(spans)
    made.sort(key=lambda m: m[0])
    documents, per_doc, parts = [], [], []
    for doc_id, text, units, vecs in made:
        documents.append(as_document(doc_id, text))
        per_doc.append([Span(doc_id, s, e, text[s:e]) for s, e in units])
        parts.append(vecs)
    return documents, per_doc, np.ascontiguousarray(np.concatenate(parts), dtype=np.float32), variants


def build(
    folder: Path,
    units: int,
    settings: Any,
    cache: Path = CACHE,
    toy: bool = False,
    extra: Any = None,
    reuse: Path | None = None,
) -> dict[str, Any]:
    """Write `folder`/sources and `folder`/index for a corpus of `units` units; return what it cost.

    Reuses the folder when its build.json says it holds this corpus with these index settings.
    `extra` adds articles as they are (see `corpus`). `reuse`: a folder built by this function
    whose articles are the first ones of this corpus; their content is read back from its index
    instead of computed again (`bench.yearcontent`), so only the vectors and the rest are made.
    """
    from rag import build as rag_build
    from rag import lexical, store

    from . import yearcontent

    articles = load_base(cache, toy)
    vectors = base_vectors(articles, settings.model_name, cache)
    cal = calibrate(articles, vectors, settings.model_name, cache)
    picks = select(articles, units)
    key = hashlib.sha256(
        json.dumps(
            [
                settings.index_key(),
                lexical.TERMS_VERSION,  # the postings follow the word rules: a folder made under others is stale
                [(p.base, p.k) for p in picks],
                len(vectors),
                [d.sha256 for d, _ in extra[0]] if extra else [],
            ]
        ).encode()
    ).hexdigest()[:16]
    stats_path = folder / STATS
    if stats_path.exists():
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
        if stats.get("key") == key and (folder / INDEX / "manifest.json").exists():
            return dict(stats)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / SOURCES).mkdir(parents=True)
    out: dict[str, Any] = {
        "key": key,
        "target_units": units,
        "calibration": {k: v for k, v in cal.items() if k != "cosines"},
    }
    t0 = time.perf_counter()
    cosines = np.array(cal["cosines"], dtype=np.float32)
    documents, per_doc, vecs, variants = corpus(articles, picks, vectors, cosines, extra)
    out["generate_s"] = round(time.perf_counter() - t0, 2)
    out["variant_units_split_alike"] = check_variant_units(variants) if variants else None
    log(f"year index {units:,}: {len(documents):,} articles, {len(vecs):,} units; writing sources")
    t0 = time.perf_counter()
    source_rows = {}
    for doc in documents:
        path = folder / SOURCES / doc.doc_id
        path.write_text(doc.text, encoding="utf-8", newline="")
        st = path.stat()
        source_rows[doc.doc_id] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": doc.sha256}
    out["sources_s"] = round(time.perf_counter() - t0, 2)
    index_path = folder / INDEX
    t0 = time.perf_counter()
    if reuse is not None:
        content = yearcontent.stored(reuse / INDEX)
        n = len(content.documents)
        if [(d.doc_id, d.sha256) for d in content.documents] != [(d.doc_id, d.sha256) for d in documents[:n]]:
            raise ValueError(f"{reuse} does not hold the first articles of this corpus: build without reuse")
        if n < len(documents):
            content = yearcontent.merge(content, yearcontent.computed(documents[n:], per_doc[n:], settings))
        out["content_reused_from"] = reuse.name
    else:
        content = yearcontent.computed(documents, per_doc, settings)
    out["content_s"] = round(time.perf_counter() - t0, 2)
    del per_doc
    log(f"year index {units:,}: writing the segment ({'HNSW' if len(vecs) > settings.approximate_above else 'exact'})")
    t0 = time.perf_counter()
    with store.build_lock(index_path):
        entry = store.write_segment(index_path, content.with_vectors(vecs), settings)
        store.write_manifest(index_path, rag_build._manifest(None, settings, [entry], {}, source_rows))
    out["segment_s"] = round(time.perf_counter() - t0, 2)
    out["build_s"] = round(out["content_s"] + out["segment_s"], 2)
    out |= {
        "articles": len(documents),
        "units": int(len(vecs)),
        "variants": len(variants),
        "faiss": entry["faiss"],
        "index_mb": round(dir_bytes(index_path) / 2**20, 1),
        "index_files_mb": _file_sizes(index_path),
        "sources_mb": round(dir_bytes(folder / SOURCES) / 2**20, 1),
    }
    tmp = stats_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=1), encoding="utf-8")
    tmp.replace(stats_path)
    return out


def _file_sizes(index_path: Path) -> dict[str, float]:
    """MB per file kind of the index (summed over segments)."""
    sizes: dict[str, float] = {}
    for path in index_path.rglob("*"):
        if path.is_file():
            name = path.relative_to(index_path).as_posix().split("/", 1)[-1]
            sizes[name] = sizes.get(name, 0.0) + path.stat().st_size / 2**20
    return {k: round(v, 2) for k, v in sorted(sizes.items())}
