"""A stream grows: one new article added to the largest year index by `rag.build_index`, against a full rebuild.

The index and its sources are copied with hard links (segments are immutable: a build writes new
segment folders and renames a new manifest into place, it never rewrites a file), one new article
is written into the sources (variant 99 of a SQuAD article of the corpus, dated the day after the
year: real text the index does not hold), and `rag.build_index(sources, index)` runs as a user's would: it must append one
segment holding only that article, embedding only its units. The same corpus plus that article is
then written as one fresh segment (what a full rebuild gives, with the article's vectors taken
from the appended segment and the corpus's content read back, `bench.yearcontent`), and both indexes answer the question sample and the SQuAD questions
of the new article's base article: every answer must agree.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .common import log, run_json
from .yearquestions import Question, to_json

NEW_VARIANT = 99
NEXT_DAY = "2023-01-01"
# Functions whose cumulative time the profile of the append reports.
PROFILED = (
    "list_sources",
    "read_files",
    "load",  # store.load of the previous index
    "_stored_documents",
    "_can_append",
    "_write",
    "encode",
    "write_segment",
    "write_manifest",
    "__init__",  # Index() of the result
)


def link_copy(src: Path, dst: Path) -> None:
    """`dst` holding hard links to every file of `src` (the manifest copied: it is small)."""
    for path in sorted(src.rglob("*")):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.name == "manifest.json":
                shutil.copy2(path, target)
            else:
                os.link(path, target)


def append_main(work: Path, profile: bool) -> dict[str, Any]:
    """In a fresh process: `rag.build_index` of the sources with the new article; time (and profile) it."""
    import rag
    from rag import embedding
    from rag.config import Settings

    # the model is loaded first, as in a serving process that adds an article: its load is not the build's
    t0 = time.perf_counter()
    embedding.get_model(Settings().model_name)
    model_s = time.perf_counter() - t0
    profiler = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    index = rag.build_index(work / "sources", work / "index")
    if profiler:
        profiler.disable()
    total = time.perf_counter() - t0
    r = index.report
    assert r is not None
    out: dict[str, Any] = {
        "model_load_s": round(model_s, 2),
        "build_s": round(r.seconds, 2),
        "build_and_load_s": round(total, 2),
        "how": r.how,
        "added": list(r.added),
        "embedded_units": r.embedded_units,
        "reused": len(r.reused),
        "segments": index.manifest["counts"]["segments"],
    }
    if profiler:
        stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
        parts: dict[str, float] = {}
        for (path, _, func), row in stats.items():
            module = Path(path).parent.name + "/" + Path(path).name
            if func in PROFILED and module.startswith(("rag/", "store/")):
                parts[f"{module}:{func}"] = round(row[3], 2)
        out["profile_s"] = dict(sorted(parts.items(), key=lambda kv: -kv[1]))
    return out


def new_article(folder: Path) -> tuple[str, str, tuple[Question, ...]]:
    """(file name, text, the base article's SQuAD questions) of the article the stream adds."""
    from .yearcorpus import name_pool, variant
    from .yearvectors import load_base

    articles = load_base(folder.parent, toy="toy" in folder.parent.name)
    base = next(a for a in articles if a.kind == "squad") if any(a.kind == "squad" for a in articles) else articles[-1]
    v = variant(base, NEW_VARIANT, name_pool(articles))
    # the next day's news: dated after the year, so it is also the last article in id order
    doc_id = f"{NEXT_DAY}-{v.doc_id[11:]}"
    text = f"date: {NEXT_DAY}" + v.text[len("date: ") + 10 :]
    questions = tuple(Question(q.id, "new article", q.q, q.gold, doc_id) for q in base.questions)
    return doc_id, text, questions


def run(folder: Path, qfile: Path, questions: list[Question], cache: Path, toy: bool) -> dict[str, Any]:
    """Append one article to a copy of the index in `folder`; compare with a full rebuild."""
    from . import yearindex
    from .fullpath import default_rerank, differences, settings_for
    from .yearquestions import quality

    out: dict[str, Any] = {}
    stats = json.loads((folder / yearindex.STATS).read_text(encoding="utf-8"))
    doc_id, text, extra_questions = new_article(folder)
    for attempt in ("timed", "profiled"):
        work = cache / f"stream-{attempt}"
        if work.exists():
            shutil.rmtree(work)
        link_copy(folder / yearindex.INDEX, work / yearindex.INDEX)
        link_copy(folder / yearindex.SOURCES, work / yearindex.SOURCES)
        (work / yearindex.SOURCES / doc_id).write_text(text, encoding="utf-8", newline="")
        log(f"stream: rag.build_index with one new article ({attempt}) on {stats['units']:,} units")
        args = ["-m", "bench.yearstream", "append", str(work)] + (["--profile"] if attempt == "profiled" else [])
        out[attempt] = run_json(args, timeout=3 * 3600)
    appended = cache / "stream-timed" / yearindex.INDEX
    shutil.rmtree(cache / "stream-profiled")
    log("stream: the same corpus and article written as one fresh segment (a full rebuild)")
    rebuilt = cache / "stream-rebuilt"
    out["rebuild"] = run_json(
        ["-m", "bench.yearstream", "rebuild", str(rebuilt), str(appended), str(stats["target_units"]), str(cache)]
        + ["--reuse", str(folder)]
        + (["--toy"] if toy else []),
        timeout=6 * 3600,
    )
    asked = [*questions, *extra_questions]
    qpath = cache / "stream-questions.json"
    qpath.write_text(json.dumps(to_json(asked)), encoding="utf-8")
    ours = run_json(["-m", "bench.fullpath_serve", str(appended), str(qpath), "--answers-only", *default_rerank()])[
        "answers"
    ]
    full = run_json(
        ["-m", "bench.fullpath_serve", str(rebuilt / yearindex.INDEX), str(qpath), "--answers-only", *default_rerank()]
    )["answers"]
    out["questions"] = len(asked)
    out["new_article_answered"] = sum(1 for a in ours[len(questions) :] if a["doc_id"] == doc_id)
    out["differences"] = differences(ours, full, asked)
    out["answers_identical"] = f"{len(asked) - len(out['differences'])}/{len(asked)}"
    out["quality_appended"] = quality(asked, ours)
    out["settings_sq8_above"] = settings_for(False).sq8_above
    return out


def rebuild_main(folder: Path, appended: Path, units: int, cache: Path, toy: bool, reuse: Path) -> dict[str, Any]:
    """Write the corpus of `units` units (built in `reuse`) plus the appended article as one fresh segment."""
    from rag import store

    from . import yearindex
    from .fullpath import settings_for

    os.nice(10)
    data = store.load(appended)
    seg = data.segments[-1]
    documents = data.documents[seg.first_document : seg.first_document + seg.documents]
    spans = [data.units[i] for i in range(seg.start, seg.start + seg.size)]
    vectors = seg.faiss_index.reconstruct_n(0, seg.size)
    extra = [(d, [s for s in spans if s.doc_id == d.doc_id]) for d in documents]
    return yearindex.build(folder, units, settings_for(False), cache, toy=toy, extra=(extra, vectors), reuse=reuse)


def main(argv: list[str] | None = None) -> int:
    """Entry points of the stream's subprocesses (one JSON line on stdout)."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench.yearstream")
    sub = p.add_subparsers(dest="cmd", required=True)
    a_ = sub.add_parser("append")
    a_.add_argument("work", type=Path)
    a_.add_argument("--profile", action="store_true")
    r_ = sub.add_parser("rebuild")
    r_.add_argument("folder", type=Path)
    r_.add_argument("appended", type=Path)
    r_.add_argument("units", type=int)
    r_.add_argument("cache", type=Path)
    r_.add_argument("--toy", action="store_true")
    r_.add_argument("--reuse", type=Path, required=True)
    a = p.parse_args(argv)
    res = (
        append_main(a.work, a.profile)
        if a.cmd == "append"
        else rebuild_main(a.folder, a.appended, a.units, a.cache, a.toy, a.reuse)
    )
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
