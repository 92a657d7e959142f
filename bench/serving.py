"""Section 6: serving memory, peak RSS of a fresh process answering on the seed index."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .common import log, peak_rss_mb, rss_mb, run_json

TARGET_MB = 700.0


def run(index_dir: Path, questions: int = 200, in_process: bool = False) -> dict[str, Any]:
    """Peak RSS (VmHWM) of a subprocess that loads the index and answers `questions` seed questions."""
    log(f"serving memory: answering {questions} seed questions in a fresh process")
    res = run_json(["-m", "bench.serving", str(index_dir), str(questions)], in_process=in_process)
    res["target"] = f"<= {TARGET_MB:.0f} MB"
    res["met"] = res["peak_rss_mb"] <= TARGET_MB
    return res


def child(index_dir: Path, n: int) -> dict[str, Any]:
    """Load `index_dir`, answer `n` seed questions, report memory."""
    import rag

    from .corpus import seed_questions

    questions = seed_questions(n)[0][:n]
    index = rag.load_index(index_dir)
    loaded = rss_mb()  # before the model: it loads on the first question
    for q in questions:
        index.answer(q)
    return {
        "questions": len(questions),
        "rss_index_loaded_mb": round(loaded, 1),
        "rss_end_mb": round(rss_mb(), 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point of the serving subprocess: `python -m bench.serving INDEX_DIR N` prints one JSON line."""
    index_dir, n = sys.argv[1:] if argv is None else argv
    print(json.dumps(child(Path(index_dir), int(n))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
