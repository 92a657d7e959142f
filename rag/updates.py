"""What other articles say about the answer: copies of the same sentence, and different answers (updates, conflicts).

Copies (a syndicated or repeated sentence) are ranked once: the group keeps its best-scored
copy and lists the others in `Answer.also_in`. A different answer from another article, one
that would itself be given, is an update: "earlier" or "later" than the quote, or a
"conflict" when two articles of the same date disagree. Nothing is merged silently.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from . import answer_types, duplicates
from .answer import Answer, Citation
from .documents import Document
from .signals import Candidate
from .units import Spans

# Alternatives within this ranking score of the chosen answer may be listed as updates.
UPDATE_MARGIN = 0.6
MAX_UPDATES = 3
MAX_COPIES = 10


def normalized(text: str) -> str:
    """`text` compared as a reader would: case, quotes, dashes and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[“”„«»]", '"', re.sub(r"[‘’‚]", "'", re.sub(r"[‐-―]", "-", text)))
    return " ".join(re.findall(r"\w+(?:[.,']\w+)*", text))


def same_sentence(a: str, b: str) -> bool:
    """True when two sentences are copies: the same statement, a word changed at most, same figures and names."""
    return duplicates.same_sentence(duplicates.fingerprint(a), duplicates.fingerprint(b))


def collapse_copies(candidates: Sequence[Candidate], units: Spans) -> tuple[list[Candidate], dict[int, list[int]]]:
    """Candidates (best first) with copies from other articles ranked once, and the other copies of each kept unit.

    Copies within one article are left alone: they are its own repetitions, and the quote may
    need them as neighbours.
    """
    spans = [units[c.unit] for c in candidates]
    groups = duplicates.group_duplicates([duplicates.fingerprint(s.text) for s in spans])
    kept: list[Candidate] = []
    copies: dict[int, list[int]] = {}
    docs_of_group: dict[int, set[str]] = {}
    for cand, span, group in zip(candidates, spans, groups):
        first = candidates[group].unit
        seen = docs_of_group.setdefault(group, set())
        if seen and span.doc_id not in seen:
            copies.setdefault(first, []).append(cand.unit)
            continue
        seen.add(span.doc_id)
        kept.append(cand)
    return kept, copies


def cite(
    unit: int, units: Spans, documents: Mapping[str, Document], relation: str, question: str | None = None
) -> Citation:
    """A `Citation` of sentence `unit`, with its answering phrase highlighted when `question` is given."""
    span = units[unit]
    doc = documents[span.doc_id]
    highlight = (
        answer_types.best_phrase(answer_types.question_kind(question), span.text, question) if question else None
    )
    return Citation(
        span.doc_id, span.start, span.end, span.text, relation, doc.date, doc.title, highlight, doc.url, doc.source
    )


def find_updates(
    answer: Answer,
    chosen: Candidate,
    candidates: Sequence[Candidate],
    units: Spans,
    documents: Mapping[str, Document],
    day_of: Callable[[int], dt.date | None],
    answers: Callable[[Candidate], bool],
) -> tuple[Citation, ...]:
    """Other articles' different answers to the question of `answer`, newest first.

    A candidate counts when it is from another article, scores within `UPDATE_MARGIN` of the
    chosen one and would itself be given as an answer; it differs when its answering phrase
    (the number, date, place or name the question asks for) differs from the quote's, or,
    for a question of no clear kind, when its sentence does. One citation per distinct answer.
    """
    question = answer.question
    kind = answer_types.question_kind(question)
    quoted = answer.text[answer.highlight[0] : answer.highlight[1]] if answer.highlight else answer.text
    seen = {normalized(quoted)}
    day = day_of(chosen.unit)
    out: list[tuple[dt.date | None, Citation]] = []
    for cand in candidates:
        span = units[cand.unit]
        if span.doc_id == answer.doc_id or cand.score < chosen.score - UPDATE_MARGIN or not answers(cand):
            continue
        phrase = answer_types.best_phrase(kind, span.text, question) if kind else None
        if kind and phrase is None:
            continue  # it does not hold an answer of the asked kind
        key = normalized(span.text[phrase[0] : phrase[1]] if phrase else span.text)
        if key in seen:
            continue
        seen.add(key)
        other = day_of(cand.unit)
        if other is None or day is None:
            relation = "undated"
        else:
            relation = "earlier" if other < day else "later" if other > day else "conflict"
        out.append((other, cite(cand.unit, units, documents, relation, question)))
        if len(out) >= MAX_UPDATES:
            break
    out.sort(key=lambda pair: pair[0] or dt.date.min, reverse=True)
    return tuple(c for _, c in out)
