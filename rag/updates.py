"""What other articles say about the answer: copies of the same sentence, and different answers (updates, conflicts).

Copies (a syndicated or repeated sentence) are ranked once: the group keeps one copy, the
newest among those that score alike, and lists the others in `Answer.also_in`. A different
answer from another article, one that would itself be given, is an update: "earlier" or
"later" than the quote, or a "conflict" when two articles of the same date disagree. Nothing
is merged silently.
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
# Copies whose ranking scores differ by less than this are the same answer (SQ8 vectors move a cosine by ~1e-3).
COPY_TIE = 0.01


def normalized(text: str) -> str:
    """`text` compared as a reader would: case, quotes, dashes and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[“”„«»]", '"', re.sub(r"[‘’‚]", "'", re.sub(r"[‐-―]", "-", text)))
    return " ".join(re.findall(r"\w+(?:[.,']\w+)*", text))


def same_sentence(a: str, b: str) -> bool:
    """True when two sentences are copies: the same statement, a word changed at most, same figures and names."""
    return duplicates.same_sentence(duplicates.fingerprint(a), duplicates.fingerprint(b))


def collapse_copies(
    candidates: Sequence[Candidate], units: Spans, day_of: Callable[[int], int] | None = None
) -> tuple[list[Candidate], dict[int, list[int]]]:
    """Candidates (best first) with copies from other articles ranked once, and the other copies of each kept unit.

    A group of copies takes the place of its best-scored one. Copies that score alike (within
    `COPY_TIE`: the same sentence, measured through quantized vectors or with other neighbours)
    are one answer, so which article is cited must not depend on where each sits in the index:
    the newest (`day_of(unit)`, an ordinal day, negative when undated) is, then the first by
    document id. Copies within one article are left alone: they are its own repetitions, and
    the quote may need them as neighbours.
    """
    spans = [units[c.unit] for c in candidates]
    groups = duplicates.group_duplicates([duplicates.fingerprint(s.text) for s in spans])
    members: dict[int, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(group, []).append(i)

    def preference(i: int) -> tuple[int, str]:
        return (-day_of(candidates[i].unit) if day_of is not None else 0, spans[i].doc_id)

    chosen = {}
    for group, found in members.items():
        alike = [i for i in found if candidates[i].score >= candidates[found[0]].score - COPY_TIE]
        chosen[group] = min(alike, key=preference)
    kept: list[Candidate] = []
    copies: dict[int, list[int]] = {}
    for i, (span, group) in enumerate(zip(spans, groups, strict=True)):
        pick = chosen[group]
        if i == members[group][0]:  # the group's place in the ranking, held by its chosen copy
            kept.append(candidates[pick])
        if i == pick:
            continue
        if span.doc_id != spans[pick].doc_id:
            copies.setdefault(candidates[pick].unit, []).append(candidates[i].unit)
        else:
            kept.append(candidates[i])
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
