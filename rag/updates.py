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

from . import answer_types, duplicates, lexical, signals
from .answer import Answer, Citation
from .documents import Document
from .signals import Candidate
from .units import Spans

# Alternatives within this ranking score of the chosen answer may be listed as updates.
UPDATE_MARGIN = 0.6
# A figure for one day: "5550 people were saved in one day", "Over the past 24 hours, 28,893 ...".
_ONE_DAY = re.compile(
    r"\b(?:in|during|over|for|within)\s+(?:the|one|a|a\s+single)\s+day\b|\b(?:past|last)\s+(?:24|twenty-four)\s+hours\b"
    r"|\bper\s+day\b|\bdaily\b",
    re.IGNORECASE,
)
# An event happens once: another date is its update only from a sentence about the same event,
# one that repeats at least this share of what the quote repeats of the question (`coverage`).
# "It was to take place this July." is no other date for "When did the first round of
# negotiations take place?" (0.37 of the quote's 0.83).
SAME_EVENT_COVERAGE = 0.5
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


_COMPARABLE = frozenset({answer_types.NUMBER, answer_types.DATE, answer_types.PERSON, answer_types.PLACE})
# Words that do not tell two names apart ("the Russian" is "Russian").
_NAME_FILLER = frozenset({"the", "of", "and", "in", "at", "on", "to", "mr", "mrs", "ms", "dr", "president", "minister"})


def answer_phrase(question: str, sentence: str) -> tuple[int, int] | None:
    """The phrase of `sentence` answering `question` when both are of a kind two reports can disagree on, else None.

    The kinds are a figure, a date, a place or a person; for "how many tanks", a figure in a
    sentence that mentions tanks. Another kind of question ("why", "what") has no phrase to compare.
    """
    kind = answer_types.question_kind(question)
    if kind not in _COMPARABLE:
        return None
    if sentence.rstrip().endswith("?"):
        return None  # a question reports nothing: "Who is ready to guarantee Ukraine's accession to NATO?"
    if answer_types.is_address(sentence):
        return None  # nor does a form of address: "Dear Minister of Foreign Affairs, Minister of Defense!"
    counted = answer_types.focus(question) if kind == answer_types.NUMBER else None
    if counted is not None and not all(signals.mentions(sentence, w) for w in answer_types.focus_modifiers(question)):
        return None  # "400 health facilities" counts no "educational facilities"
    if counted is None:
        found = answer_types.best_phrase(kind, sentence, question)
        if kind == answer_types.NUMBER and found is not None and _estimate(sentence[found[0] : found[1]]):
            return None  # "hundreds of schools" neither is nor replaces a count
        return found
    if not signals.mentions(sentence, counted):
        return None
    figures = [span for span in answer_types.phrases(kind, sentence, question) if _counts(sentence, span, counted)]
    return answer_types.best_of(figures, sentence, question, by_sentence=True)


# A figure counts the noun after it (`lexical.counted_noun`: "2,000 cruise missiles", "145 Ukrainian
# children"), or the noun after "the number of" before it.
_NUMBER_OF = re.compile(r"\b(?:number|total|count)\s+of\s+((?:\w+\W+){0,2}\w+)", re.IGNORECASE)
# A plural scale word without a digit is an estimate, not a count a newer report updates:
# "hundreds of children" neither is nor replaces "145 children".
_ESTIMATE = re.compile(r"\b(?:dozens|hundreds|thousands|millions|billions)\b", re.IGNORECASE)


def _estimate(figure: str) -> bool:
    """True for a plural scale word without a digit ("hundreds", "Thousands of"): an estimate, not a count."""
    return not any(ch.isdigit() for ch in figure) and _ESTIMATE.search(figure) is not None


def _counts(sentence: str, span: tuple[int, int], counted: str) -> bool:
    """True when the figure at `span` is a count of `counted`, not an estimate nor a count of something else."""
    if _estimate(sentence[span[0] : span[1]]):
        return False
    noun = lexical.counted_noun(sentence, span[1])  # the figure's phrase may already hold it: "1,900 missiles"
    if signals.mentions(sentence[span[0] : span[1]], counted) or (noun and signals.mentions(noun[0], counted)):
        return True
    # "The number of missiles that Russia has used already exceeds 900."
    named = _NUMBER_OF.search(sentence, 0, span[0])
    return named is not None and signals.mentions(named.group(1), counted)


def _same_answer(kind: str, a: str, b: str) -> bool:
    """True when two normalized answering phrases give the same answer.

    Figures must have the same value, however written ("about 60 people" and "60 people", "1,000"
    and "a thousand"), and dates must be equal. A name is the same when one says all the other
    does ("Zelensky" and "Volodymyr Zelensky"); "North Korea" and "South Korea", or "Joe Biden"
    and "Hunter Biden", are not: a name is never merged away on one shared word.
    """
    if a == b:
        return True
    if kind == answer_types.NUMBER:
        value = lexical.number_value(a)
        return value is not None and value == lexical.number_value(b)
    if kind not in (answer_types.PERSON, answer_types.PLACE):
        return False
    x, y = set(a.split()) - _NAME_FILLER, set(b.split()) - _NAME_FILLER
    return bool(x and y) and (x <= y or y <= x)


def one_day_figure(sentence: str) -> bool:
    """True when `sentence` scopes its figure to one day: "in one day", "over the past 24 hours", "daily"."""
    return _ONE_DAY.search(sentence) is not None


def _coverage(candidate: Candidate) -> float:
    return float(candidate.signals.get("coverage", 0.0))


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
    one_day: Callable[[int], bool] | None = None,
    events_of: Callable[[int], Sequence[tuple[dt.date, dt.date, int, int]]] | None = None,
) -> tuple[Citation, ...]:
    """Other articles' different answers to the question of `answer`, newest first.

    Only a question that asks for a figure, date, place or name has answers to compare: for any
    other, a different sentence is not a different answer (on the stream suite, none of the 29
    sentences this used to list for such questions was one), so none is listed. A candidate
    counts when it is from another article that names as much of the question, scores within
    `UPDATE_MARGIN` of the chosen one, would itself be given as an answer and holds a phrase of
    the asked kind (`answer_phrase`); for a date, from a sentence about the same event
    (`SAME_EVENT_COVERAGE`); for a total (`one_day` given), not from a sentence giving one
    day's figure (`one_day(unit)`). It differs when that phrase differs from the
    quote's: another figure, another day (resolved with `events_of`, a unit's (first, last, start,
    end) event dates: "Wednesday" and "Today" in an article of that Wednesday are one day), or a
    name that is not part of the quote's (or the quote,
    when it has no highlight): "the Russian" adds nothing to "Russian troops launched a missile
    attack". One citation per distinct answer.
    """
    question = answer.question
    kind = answer_types.question_kind(question)
    if kind not in _COMPARABLE:
        return ()
    quoted = answer.text[answer.highlight[0] : answer.highlight[1]] if answer.highlight else answer.text
    seen = [normalized(quoted)]
    quoted_days = {
        (e.first, e.last)
        for e in answer.events
        if answer.highlight and e.start < answer.highlight[1] and answer.highlight[0] < e.end
    }
    day = day_of(chosen.unit)
    out: list[tuple[dt.date | None, Citation]] = []
    for cand in candidates:
        span = units[cand.unit]
        if span.doc_id == answer.doc_id or cand.score < chosen.score - UPDATE_MARGIN or not answers(cand):
            continue
        if not signals.names_as_much(cand, chosen):
            continue  # about another place or person: "3 missiles hit Lviv" does not update Kharkiv's figure
        if kind == answer_types.DATE and _coverage(cand) < SAME_EVENT_COVERAGE * _coverage(chosen):
            continue  # a date of another event
        if one_day is not None and one_day(cand.unit):
            continue  # a day's figure is no earlier or later total: "During the day 8 corridors worked"
        phrase = answer_phrase(question, span.text)
        if phrase is None:
            continue  # it does not hold an answer of the asked kind, or counts something else
        key = normalized(span.text[phrase[0] : phrase[1]])
        if any(_same_answer(kind, key, other) for other in seen):
            continue
        if kind == answer_types.DATE and events_of is not None:
            at = (span.start + phrase[0], span.start + phrase[1])
            days = {
                (f.isoformat(), t.isoformat())
                for f, t, start, end in events_of(cand.unit)
                if start < at[1] and at[0] < end
            }
            if days & quoted_days:
                continue  # the same day, said otherwise
            quoted_days |= days
        seen.append(key)
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
