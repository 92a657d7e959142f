"""Section 6: serving memory, peak RSS of a fresh process answering on the seed index."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .common import log, peak_rss_mb, rss_mb, run_json

RANKER_N = 8  # Settings.rerank when the answer ranker is on
TARGET_MB = 900.0  # ranker issue (was 700 before the ranker)


def run(index_dir: Path, questions: int = 200, in_process: bool = False) -> dict[str, Any]:
    """Peak RSS (VmHWM) of a subprocess that loads the index and answers `questions` seed questions."""
    log(f"serving memory: answering {questions} seed questions in a fresh process")
    res = run_json(["-m", "bench.serving", str(index_dir), str(questions)], in_process=in_process)
    res["target"] = f"<= {TARGET_MB:.0f} MB"
    res["met"] = res["peak_rss_mb"] <= TARGET_MB
    log(f"serving memory: the same with the answer ranker on (Settings.rerank = {RANKER_N})")
    on = run_json(["-m", "bench.serving", str(index_dir), str(questions), str(RANKER_N)], in_process=in_process)
    on["met"] = on["peak_rss_mb"] <= TARGET_MB
    res["ranker_on"] = on
    return res


def child(index_dir: Path, n: int, rerank: int | None = None) -> dict[str, Any]:
    """Load `index_dir` (answering with `Settings.rerank = rerank` when given), answer `n` seed questions, report memory."""
    from .corpus import seed_questions
    from .fullpath_serve import load

    questions = seed_questions(n)[0][:n]
    index = load(index_dir, rerank)
    loaded = rss_mb()  # before the embedding model (it loads on the first question); with the ranker when on
    for q in questions:
        index.answer(q)
    return {
        "rerank": index.settings.rerank,
        "questions": len(questions),
        "rss_index_loaded_mb": round(loaded, 1),
        "rss_end_mb": round(rss_mb(), 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point of the serving subprocess: `python -m bench.serving INDEX_DIR N` prints one JSON line."""
    args = sys.argv[1:] if argv is None else argv
    print(json.dumps(child(Path(args[0]), int(args[1]), int(args[2]) if len(args) > 2 else None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
