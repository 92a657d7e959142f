"""Time in answering: the `as_of` day, what a question asks of time, which sentences it may see, the newest answer.

A crisis is a stream of dated reports whose figures change. Unless a question names a day or
window, it asks about the state of things as of `as_of` (or the newest article): among the
sentences that answer about as well as the best one (a figure, date, place or name of the asked
kind, unless asked as of a day), the newest article wins, and the others are shown as updates. A
question that names a day or window ("on February 24", "last week") is answered only from
sentences about that time. Undated articles stay answerable, but never win on recency. The same
near-best move puts first a sentence holding a figure when only a figure answers (`prefer_figure`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import answer_types
from .dates import DateRange, find_time_expressions, parse_date, question_as_of, question_window
from .signals import Candidate, names_as_much
from .store import NO_DAY, IndexData

# Words that ask for the current state of something.
_LATEST = re.compile(
    r"\b(?:now|latest|newest|most\s+recent|recently|currently|current|still|so\s+far|to\s+date|as\s+of|at\s+present|"
    r"presently|these\s+days|any\s*more|up\s+to\s+now|as\s+it\s+stands|updates?|yet)\b",
    re.IGNORECASE,
)
# "How many soldiers have been killed?": a count in the present perfect is the tally so far, as if
# the question said "so far" ("How many died at Kramatorsk?" counts one event, whatever its day).
_PERFECT = re.compile(r"\b(?:have|has)(?:n't|\s+not)?\b", re.IGNORECASE)
# "In total", "altogether": a count over the whole time, however the question is asked.
_TOTAL = re.compile(r"\b(?:in\s+total|in\s+all|altogether|overall|total|cumulative(?:ly)?)\b", re.IGNORECASE)
# Among answers this close to the best one (in ranking score), the newest article wins: wider when the
# question asks for the latest, narrower when it is asked as of a day or both give a figure, date,
# place or name of the asked kind (a newer report of it). Set on the fit part of eval/ukraine_2022.
LATEST_MARGIN = 0.5
TIE_MARGIN = 0.25
# Otherwise only answers that score alike (SQ8 vectors move a score by ~1e-3) are a tie: a newer
# sentence that answers a "why" or "what" question about as well is not a newer report of the same
# fact. With TIE_MARGIN for every kind, at 200k units such moves cost more than they won.
EXACT_TIE = 0.01
# A when-question prefers a sentence carrying a resolved date this close to the best one.
WHEN_MARGIN = 0.4
# An alternative sentence counts as an answer (to prefer it, or list it as an update) when its
# confidence reaches this: the default refusal threshold, fixed here so that which sentence is
# chosen does not move with `Settings.threshold`, which `rag eval` sweeps over one run.
ANSWER_CONFIDENCE = 0.5
# An event of up to this many days (or twice the window) can be about a window it overlaps.
_LONGEST_EVENT_DAYS = 7
# An article reports "today" on its own date and, for evening addresses published after midnight,
# on the day after: an article dated up to this many days after a window still speaks of it.
_REPORT_LAG = 1


@dataclass(frozen=True)
class TimeFrame:
    """What a question asks of time."""

    as_of: dt.date | None  # as given: only articles dated on or before it are visible
    now: dt.date | None  # as_of, or the newest article's date
    window: DateRange | None  # the day or window the question names
    latest: bool  # the question asks for the current state ("now", "latest", "still", ...)
    when: bool  # the question asks when something happened
    counts: bool  # the question asks for a figure ("how many", "how much"): over a window, its total
    topic: str  # the question without its time words: what it is about, for matching sentences


def time_frame(
    question: str, as_of: str | dt.date | None, newest: dt.date | None, oldest: dt.date | None = None
) -> TimeFrame:
    """The `TimeFrame` of `question` asked on `as_of`, over articles dated `oldest` to `newest`.

    A question that says when it is asked ("As of April 10, how many ...", "... by March 20?") is
    asked as of that day when it is earlier than `as_of`, unless it names a month or a year older
    than every article: "as of 2011" in the news of 2022 asks what they say of 2011, a window like
    "in 2011" (a day before them all gets "no article is dated on or before ...").
    ValueError when `as_of` is not a date.
    """
    day = parse_date(as_of, name="as_of")
    now = day or newest
    said = question_as_of(question, now) if now else None
    before_all = said is not None and oldest is not None and said.last < oldest and said.first < said.last
    stated = None if said is None or before_all else said.last
    if stated is not None and (day is None or stated < day):
        day = now = stated
    window = question_window(question, now, with_as_of=stated is None) if now else None
    # "as of" before a day says when the question is asked, not that it asks for the latest
    latest = any(said is None or not re.fullmatch(r"(?i)as\s+of", m[0]) for m in _LATEST.finditer(question))
    if window is not None and latest and window.first == window.last == now:
        window = None  # "the latest today", "how many now": the current state, not the events of one day
    kind = answer_types.question_kind(question)
    tally = kind == answer_types.NUMBER and window is None and _PERFECT.search(question) is not None
    latest = latest or stated is not None or tally  # "by March 20, how many ...": the state on that day
    when = kind == answer_types.DATE and window is None
    return TimeFrame(day, now, window, latest, when, kind == answer_types.NUMBER, _topic(question, now))


def asks_total(frame: TimeFrame, question: str) -> bool:
    """True when `question` asks for a count over more than one day: the latest ("so far"), a window's total, "in total"."""
    several_days = frame.window is not None and frame.window.first != frame.window.last
    return frame.counts and (frame.latest or several_days or _TOTAL.search(question) is not None)


def _topic(question: str, now: dt.date | None) -> str:
    """`question` with its time expressions and words asking for the latest blanked out.

    "What is the latest on the talks?" is about the talks, and "How many were evacuated on
    March 20?" is answered by a sentence about evacuations dated March 20, whether or not it
    repeats the date: the time words select sentences by date (`Timeline.visible`), not by words.
    """
    spans = [(m.start(), m.end()) for m in _LATEST.finditer(question)]
    if now is not None:
        spans += [(e.start, e.end) for e in find_time_expressions(question, now)]
    chars = list(question)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    topic = " ".join("".join(chars).split())
    return topic if any(ch.isalnum() for ch in topic) else question


class Timeline:
    """The dates of an index's units: article days, resolved event dates, what a frame may see."""

    def __init__(self, data: IndexData) -> None:
        self._data = data
        self.unit_day = data.doc_day[data.units.doc_rows]  # int32 per unit, NO_DAY when undated
        counts = np.diff(data.event_offsets)
        self._event_unit = np.repeat(np.arange(len(counts)), counts)
        live_days = data.doc_day[data.doc_live & (data.doc_day != NO_DAY)]
        self.newest = dt.date.fromordinal(int(live_days.max())) if len(live_days) else None
        self.oldest = dt.date.fromordinal(int(live_days.min())) if len(live_days) else None
        self.undated = int((data.doc_live & (data.doc_day == NO_DAY)).sum())

    def published_by(self, as_of: dt.date | None) -> np.ndarray | None:
        """A bool per unit: its article is dated on or before `as_of`, or undated (None: no `as_of`, everything)."""
        if as_of is None:
            return None
        return (self.unit_day == NO_DAY) | (self.unit_day <= as_of.toordinal())

    def days_of(self, units: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The article days (ordinals, NO_DAY when undated) of units `units` and of the live articles among `rows`."""
        rows = rows[self._data.doc_live[rows]]
        return np.concatenate([self.unit_day[units], self._data.doc_day[rows]])

    @staticmethod
    def any_published_by(days: np.ndarray, as_of: dt.date | None) -> bool:
        """True when one of `days` (from `days_of`) is on or before `as_of`, or undated (any day when no `as_of`)."""
        if as_of is None:
            return bool(days.size)
        return bool(((days == NO_DAY) | (days <= as_of.toordinal())).any())

    @staticmethod
    def first_day(days: np.ndarray) -> dt.date | None:
        """The earliest dated day among `days` (from `days_of`), or None when none is dated."""
        days = days[days != NO_DAY]
        return dt.date.fromordinal(int(days.min())) if len(days) else None

    def visible(self, frame: TimeFrame) -> np.ndarray | None:
        """A bool per unit: what `frame` may quote (None: everything live)."""
        mask = self.published_by(frame.as_of)
        if frame.window is not None:
            first, last = frame.window.first.toordinal(), frame.window.last.toordinal()
            events = self._data.events
            # an event overlapping the window is about it unless it is much longer: "this year"
            # overlaps every day of the year without saying anything about March 3
            longest = max(2 * (last - first + 1), _LONGEST_EVENT_DAYS)
            overlap = (events[:, 0] <= last) & (events[:, 1] >= first) & (events[:, 1] - events[:, 0] < longest)
            about = np.zeros(len(self.unit_day), dtype=bool)
            about[self._event_unit[overlap]] = True
            elsewhere = np.zeros(len(self.unit_day), dtype=bool)
            elsewhere[self._event_unit[~overlap]] = True
            reported = (self.unit_day >= first) & (self.unit_day <= last + _REPORT_LAG) & ~elsewhere
            in_window = about | reported
            mask = in_window if mask is None else mask & in_window
        return mask

    def events(self, unit: int) -> list[tuple[dt.date, dt.date, int, int]]:
        """The resolved event dates of `unit`: (first, last, start, end) with document offsets."""
        lo, hi = self._data.event_offsets[unit], self._data.event_offsets[unit + 1]
        return [
            (dt.date.fromordinal(int(a)), dt.date.fromordinal(int(b)), int(s), int(e))
            for a, b, s, e in self._data.events[lo:hi]
        ]

    def has_event(self, unit: int) -> bool:
        """True when `unit` holds a resolved time expression."""
        return bool(self._data.event_offsets[unit + 1] > self._data.event_offsets[unit])

    def names_day(self, unit: int, day: dt.date) -> bool:
        """True when one of `unit`'s resolved time expressions is about `day` (covers it)."""
        return any(first <= day <= last for first, last, _, _ in self.events(unit))

    def names_one_day_of(self, unit: int, window: DateRange) -> bool:
        """True when one of `unit`'s resolved time expressions is a single day inside `window` ("today", in a week)."""
        return any(window.first <= first == last <= window.last for first, last, _, _ in self.events(unit))

    def day(self, unit: int) -> dt.date | None:
        """The article date of `unit`, or None."""
        d = int(self.unit_day[unit])
        return None if d == NO_DAY else dt.date.fromordinal(d)


def _near_best_first(
    candidates: Sequence[Candidate], wanted: Callable[[int], bool], answers: Callable[[Candidate], bool]
) -> list[Candidate]:
    """`candidates` with the first near-best answer that is `wanted` (by unit) moved first.

    Near-best: within `WHEN_MARGIN` of the best, from an article naming as much of the question
    (`names_as_much`). Left as they are when the best is `wanted` already, or when no near-best
    answer is.
    """
    best = candidates[0]
    if wanted(best.unit):
        return list(candidates)
    found = next(
        (
            c
            for c in candidates
            if c.score >= best.score - WHEN_MARGIN and wanted(c.unit) and answers(c) and names_as_much(c, best)
        ),
        None,
    )
    if found is None:
        return list(candidates)
    return [found, *(c for c in candidates if c is not found)]


def prefer_dated(
    candidates: Sequence[Candidate],
    frame: TimeFrame,
    has_event: Callable[[int], bool],
    answers: Callable[[Candidate], bool],
) -> list[Candidate]:
    """For a when-question, `candidates` with the best near-best answer that carries a resolved date first."""
    if not candidates or not frame.when:
        return list(candidates)
    return _near_best_first(candidates, has_event, answers)


def prefer_figure(
    candidates: Sequence[Candidate],
    question: str,
    text_of: Callable[[int], str],
    answers: Callable[[Candidate], bool],
) -> list[Candidate]:
    """For a question only a figure answers, `candidates` with the best near-best answer holding one first.

    "How much money was raised at the donors' conference?" is not answered by "Today I addressed
    the participants of the donors' conference", however closely it echoes the question, but by
    "$ 6.5 billion has been raised at this conference" just below it. Within `WHEN_MARGIN`, as for
    when-questions; the rank weights alone let the echo win.
    """
    if not candidates or not answer_types.asks_figure(question):
        return list(candidates)
    return _near_best_first(candidates, lambda unit: answer_types.holds_figure(text_of(unit), question), answers)


def prefer_naming_the_day(
    candidates: Sequence[Candidate],
    frame: TimeFrame,
    names_day: Callable[[int, dt.date], bool],
    answers: Callable[[Candidate], bool],
    names_one_day_of: Callable[[int, DateRange], bool],
) -> list[Candidate]:
    """For a question about a day or window, `candidates` with the best near-best answer about all of it first.

    "Which city did Russian missiles strike today?": any sentence of the day's article may be
    quoted, but one whose own time expression is that day ("Today's strikes at Lviv") says what
    happened on it. A figure asked for a window of several days is its total: a sentence whose time
    expression is one day of it ("Today there were seven corridors", asked "how many ... over the
    past week") gives that day's, and a near-best one that names no single day of it goes first
    ("During the week we managed to establish 18"). What happened in a window may have happened on
    any day of it: only figures are totals. Within `WHEN_MARGIN` of the best, as for when-questions.
    """
    window = frame.window
    if not candidates or window is None:
        return list(candidates)
    if window.first == window.last:
        return _near_best_first(candidates, lambda unit: names_day(unit, window.first), answers)
    if not frame.counts:
        return list(candidates)
    return _near_best_first(candidates, lambda unit: not names_one_day_of(unit, window), answers)


def prefer_recent(
    candidates: Sequence[Candidate],
    frame: TimeFrame,
    day_of: Callable[[int], int],
    answers: Callable[[Candidate], bool],
    comparable: Callable[[Candidate], bool],
) -> list[Candidate]:
    """`candidates` (best first) with the newest near-best answer moved to the front.

    Near-best: within `LATEST_MARGIN` of the best score when the question asks for the latest;
    otherwise within `TIE_MARGIN` when it is asked as of a day, or when the candidate and the best
    are both `comparable` (each holds a phrase of the asked kind that a newer report can update),
    else `EXACT_TIE`. And itself an answer (`answers`), from an article naming as much of the
    question (`names_as_much`). When-questions and questions about a named window keep their
    order: the best sentence about the event wins, not the newest.
    """
    if not candidates or frame.when or frame.window is not None:
        return list(candidates)
    best = candidates[0]
    if frame.latest and day_of(best.unit) == NO_DAY:
        # an undated article never wins a question about the current state when a dated one answers
        dated = next((c for c in candidates if day_of(c.unit) != NO_DAY and answers(c)), None)
        if dated is not None:
            best = dated
            candidates = [dated, *(c for c in candidates if c is not dated)]
    widest = LATEST_MARGIN if frame.latest else TIE_MARGIN
    # asked as of a day, the newest report is the one nearest that day; otherwise "now" is only the
    # newest article's date, and a newer sentence must report the same kind of fact to win
    anchored = frame.latest or frame.as_of is not None
    best_comparable = comparable(best)

    def near_best(c: Candidate) -> bool:
        if c.score < best.score - widest:
            return False
        if anchored:
            # a figure is replaced only by a newer count of the same thing: "about 2,000 missiles"
            # not by "tens of thousands of people", nor by a sentence without one. Places and names
            # are not held to this: their phrases are found less surely, and a newer sentence
            # without one ("left for the outskirts of Alexandria") can still answer
            return not (frame.counts and best_comparable) or comparable(c)
        return c.score >= best.score - EXACT_TIE or (best_comparable and comparable(c))

    near = [
        c for c in candidates if near_best(c) and day_of(c.unit) != NO_DAY and answers(c) and names_as_much(c, best)
    ]
    if not near:
        return list(candidates)
    chosen = max(near, key=lambda c: (day_of(c.unit), c.score))
    if chosen is best or day_of(chosen.unit) <= day_of(best.unit):
        return list(candidates)
    return [chosen, *(c for c in candidates if c is not chosen)]
