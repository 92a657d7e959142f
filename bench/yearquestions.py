"""The question sample of the full-path benchmark: real questions with known answers, answerable at every size.

* 200 SQuAD 1.1 questions (seeded draw) of the SQuAD articles every corpus size holds;
* every question of the dated-stream suite `eval/ukraine_2022` (asked `as_of` its day);
* every question of `eval/seed` (typos, paraphrases and unanswerable ones).

Quality and latency are measured on the same answers. Nothing is fitted on them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .common import ROOT
from .yearcorpus import BaseArticle
from .yearindex import Pick

SQUAD_QUESTIONS = 200
SUITES = (("stream", ROOT / "eval" / "ukraine_2022" / "qa.jsonl"), ("seed", ROOT / "eval" / "seed" / "qa.jsonl"))


@dataclass(frozen=True)
class Question:
    """One question of the sample; `gold` is empty for an unanswerable one."""

    id: str
    suite: str  # "squad", "stream" or "seed"
    q: str
    gold: tuple[str, ...]
    doc: str | None = None  # the article that answers it (base article id)
    as_of: str | None = None


def sample(articles: Sequence[BaseArticle], smallest: Sequence[Pick], toy: bool = False) -> list[Question]:
    """The sample for corpora holding at least the articles `smallest` (the smallest size's picks).

    `toy`: 10 SQuAD questions, and only the other suites' questions whose article is there.
    """
    n_squad = 10 if toy else SQUAD_QUESTIONS
    present = {articles[p.base].doc_id for p in smallest if p.k == 0}
    pool = [
        Question(q.id, "squad", q.q, q.gold, articles[p.base].doc_id)
        for p in smallest
        if p.k == 0 and articles[p.base].kind == "squad"
        for q in articles[p.base].questions
    ]
    out = random.Random(5).sample(pool, min(n_squad, len(pool)))
    for suite, path in SUITES:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    gold = tuple(r.get("gold") or ())
                    if toy and (r.get("doc") not in present or sum(q.suite == suite for q in out) >= 10):
                        continue
                    out.append(Question(r.get("id", ""), suite, r["q"], gold, r.get("doc"), r.get("as_of")))
    return out


def to_json(questions: Sequence[Question]) -> list[dict[str, Any]]:
    """JSON-ready rows (for the serving process)."""
    return [asdict(q) for q in questions]


def from_json(rows: Sequence[dict[str, Any]]) -> list[Question]:
    """Rows written by `to_json`."""
    return [Question(**{**r, "gold": tuple(r["gold"])}) for r in rows]


def quality(questions: Sequence[Question], answers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per suite: answered, gold phrase in the quote, quoted from the gold article, refused when unanswerable."""
    from rag.eval import holds_gold

    out: dict[str, Any] = {}
    for suite in dict.fromkeys(q.suite for q in questions):
        rows = [(q, a) for q, a in zip(questions, answers, strict=True) if q.suite == suite]
        answerable = [(q, a) for q, a in rows if q.gold]
        unanswerable = [(q, a) for q, a in rows if not q.gold]
        hits = sum(1 for q, a in answerable if a["found"] and holds_gold(a["text"], q.gold))
        same_doc = sum(1 for q, a in answerable if a["found"] and q.doc and a["doc_id"] == q.doc)
        out[suite] = {
            "questions": len(rows),
            "answerable": len(answerable),
            "answered": round(sum(a["found"] for _, a in answerable) / max(len(answerable), 1), 3),
            "gold_in_quote": round(hits / max(len(answerable), 1), 3),
            "from_gold_article": round(same_doc / max(len(answerable), 1), 3),
            "unanswerable_refused": (
                round(sum(not a["found"] for _, a in unanswerable) / len(unanswerable), 3) if unanswerable else None
            ),
        }
    return out
