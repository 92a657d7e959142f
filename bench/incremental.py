"""Section 4: incremental update: add, change and remove one article in a generated corpus.

`check_update` is shared with tests/integration/test_incremental.py: it compares a `BuildReport`
with what the edit should have cost and returns every discrepancy as text.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from .common import log, ratio
from .corpus import article, questions_from, seed_sentences, template_questions, write_corpus


def unit_count(index: Any, doc_id: str) -> int:
    """Sentence units the engine makes of `doc_id` (what a build must embed for it)."""
    from rag import chunking

    return len(chunking.sentence_units(index.document(doc_id)))


def check_update(
    before: Any, after: Any, added: tuple[str, ...] = (), changed: tuple[str, ...] = (), removed: tuple[str, ...] = ()
) -> list[str]:
    """Discrepancies between `after.report` and an edit of exactly these files since `before`."""
    report = after.report
    problems: list[str] = []
    expect_reused = tuple(sorted(set(before.doc_ids) - set(changed) - set(removed)))
    expect_embedded = sum(unit_count(after, d) for d in (*added, *changed))
    for name, got, want in (
        ("added", report.added, added),
        ("changed", report.changed, changed),
        ("removed", report.removed, removed),
        ("reused", tuple(sorted(report.reused)), expect_reused),
    ):
        if tuple(sorted(got)) != tuple(sorted(want)):
            shown = got if len(got) < 6 else f"{len(got)} files"
            problems.append(f"report.{name} is {shown}, expected {want if len(want) < 6 else f'{len(want)} files'}")
    if getattr(report, "reembedded", ()):
        problems.append(f"unchanged files embedded again: {report.reembedded[:5]}")
    if report.embedded_units != expect_embedded:
        problems.append(f"embedded {report.embedded_units} units, expected {expect_embedded}")
    if set(after.doc_ids) != (set(before.doc_ids) - set(removed)) | set(added):
        problems.append("the indexed documents are not the previous ones plus added minus removed")
    units = after.manifest["counts"]["units"]
    if units != sum(unit_count(after, d) for d in after.doc_ids):
        problems.append(f"the index holds {units} units, not the sum of its documents' units")
    return problems


def answer_key(ans: Any) -> tuple[Any, ...]:
    """What must agree between two indexes of the same articles."""
    return (ans.found, ans.doc_id, ans.start, ans.end)


def compare_answers(a: Any, b: Any, questions: list[str]) -> list[str]:
    """Questions on which two indexes answer differently (found, doc_id, start, end)."""
    return [q for q in questions if answer_key(a.answer(q)) != answer_key(b.answer(q))]


def run(n_articles: int = 1000, n_sentences: int = 5, n_questions: int = 60) -> dict[str, Any]:
    """Edit a generated corpus three times, then compare with a full rebuild."""
    import rag
    from rag import store

    sentences = seed_sentences()
    out: dict[str, Any] = {"articles": n_articles, "steps": []}
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-incr-") as tmp:
        src, idx_dir = Path(tmp) / "articles", Path(tmp) / "index"
        paths = write_corpus(src, n_articles, n_sentences)
        log(f"incremental: first build of {n_articles} articles")
        index = rag.build_index(src, idx_dir)
        full_s = index.report.seconds
        out["units"] = index.manifest["counts"]["units"]
        out["full_build_s"] = round(full_s, 2)

        new_name, new_text = article(n_articles, sentences, n_sentences)
        edited, victim = paths[n_articles // 2], paths[n_articles // 3]
        victim_lines = [line for line in index.document(victim.name).text.split("\n\n", 1)[-1].splitlines() if line]
        edits = [
            ("add", lambda: (src / new_name).write_text(new_text, encoding="utf-8"), {"added": (new_name,)}),
            (
                "change",
                lambda: edited.write_text(article(n_articles + 1, sentences, n_sentences)[1], encoding="utf-8"),
                {"changed": (edited.name,)},
            ),
            ("remove", victim.unlink, {"removed": (victim.name,)}),
        ]
        for step, edit, expect in edits:
            edit()
            after = rag.build_index(src, idx_dir)
            found = check_update(index, after, **expect)
            problems += [f"{step}: {p}" for p in found]
            target = next(iter(expect.values()))[0]
            r = after.report
            out["steps"].append(
                {
                    "step": step,
                    "file": target,
                    "article_units": unit_count(after, target) if step != "remove" else unit_count(index, target),
                    "embedded_units": r.embedded_units,
                    "added": len(r.added),
                    "changed": len(r.changed),
                    "removed": len(r.removed),
                    "reused": len(r.reused),
                    "seconds": round(r.seconds, 2),
                    "x_full_build": ratio(r.seconds, full_s),
                    "ok": not found,
                }
            )
            log(f"incremental: {step} {target}: {r.summary()}")
            index = after

        log("incremental: full rebuild (force=True) to compare answers")
        t0 = time.perf_counter()
        full = rag.build_index(src, Path(tmp) / "full", force=True)
        out["rebuild_s"] = round(time.perf_counter() - t0, 2)
        texts = [index.document(d).text.split("\n\n", 1)[-1] for d in (new_name, edited.name)]
        sample = [index.document(d).text.split("\n\n", 1)[-1] for d in index.doc_ids[:: max(1, n_articles // 20)]]
        lines = [line for t in texts + sample for line in t.splitlines() if line]
        victim_questions = questions_from(victim_lines, 5, seed=2)
        questions = questions_from(lines, n_questions - 25) + victim_questions + template_questions(20)
        differ = compare_answers(index, full, questions)
        for q in differ:
            a, b = index.answer(q), full.answer(q)
            problems.append(
                f"answers differ from a full rebuild on {q!r}: updated {answer_key(a)} {a.text[:60]!r}, "
                f"rebuilt {answer_key(b)} {b.text[:60]!r}"
            )
        inc_vec = _live_vectors(store.load(idx_dir))
        full_vec = _live_vectors(store.load(Path(tmp) / "full"))
        if set(inc_vec) != set(full_vec):
            problems.append("the updated index and a full rebuild hold different sentences")
        out["max_vector_diff"] = max(
            float(abs(inc_vec[key] - full_vec[key]).max()) for key in inc_vec.keys() & full_vec
        )
        out["questions_compared"] = len(questions)
        out["answers_identical"] = not differ
        out["removed_gone"] = victim.name not in index.doc_ids and all(
            index.answer(q).doc_id != victim.name for q in victim_questions
        )
        if not out["removed_gone"]:
            problems.append(f"{victim.name} is still answered from after its removal")
    out["problems"] = problems
    out["met"] = not problems
    return out


def _live_vectors(data: Any) -> dict[tuple[str, int, int], Any]:
    """The stored vector of each live sentence, by (document, start, end): segments order units differently."""
    out = {}
    for seg in data.segments:
        vectors = seg.faiss_index.reconstruct_n(0, seg.size)
        for local in range(seg.size):
            unit = seg.start + local
            if data.unit_live[unit]:
                key = (data.units.doc_id(unit), int(data.units.starts[unit]), int(data.units.ends[unit]))
                out[key] = vectors[local]
    return out
