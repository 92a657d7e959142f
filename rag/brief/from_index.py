"""A briefing's input taken from a loaded index: the sentences of the articles dated within a window."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..dates import DateRange
from ..store import NO_DAY, IndexData
from .types import DatedSentence

# "brief me" with no dates: the week up to the newest article (or as_of).
DEFAULT_DAYS = 7


def window_bounds(
    since: dt.date | None, until: dt.date | None, as_of: dt.date | None, newest: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last article day a briefing covers; a week up to `as_of` (or the newest article) by default.

    Raises `ValueError` when `since` is after `until`.
    """
    if since and until and since > until:
        raise ValueError(f"since {since} is after until {until}: swap them")
    last = min(d for d in (until, as_of, newest) if d is not None) if (until or as_of or newest) else None
    first = since or (last - dt.timedelta(days=DEFAULT_DAYS - 1) if last else None)
    return first, last


def window_sentences(data: IndexData, first: dt.date, last: dt.date) -> tuple[list[DatedSentence], np.ndarray]:
    """Every live sentence of the articles dated within [first, last], and their global unit ids."""
    day = data.doc_day[data.units.doc_rows]
    mask = data.unit_live & (day != NO_DAY) & (day >= first.toordinal()) & (day <= last.toordinal())
    ids = np.flatnonzero(mask)
    out = []
    for unit in ids.tolist():
        doc = data.documents[int(data.units.doc_rows[unit])]
        lo, hi = data.event_offsets[unit], data.event_offsets[unit + 1]
        events = tuple(
            DateRange(dt.date.fromordinal(int(a)), dt.date.fromordinal(int(b))) for a, b, _, _ in data.events[lo:hi]
        )
        start, end = int(data.units.starts[unit]), int(data.units.ends[unit])
        article_day = dt.date.fromordinal(int(day[unit]))
        out.append(
            DatedSentence(unit, doc.doc_id, start, end, doc.text[start:end], article_day, events, doc.title, doc.source)
        )
    return out, ids
