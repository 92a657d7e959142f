"""The briefing's timeline picture: articles per day as bars, the briefing's items as numbered markers above them.

The window is shaded, so an item about an earlier day (its event) stands outside it. `CAPTION` says so
under the picture (a title would not fit its width).

A matplotlib `Figure` for `gr.Plot` (sent to the page as a PNG: nothing is fetched from a CDN).
It is drawn without pyplot, so figures made in parallel by the server's worker threads share no state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rag import Briefing, BriefingItem

CAPTION = (
    "Numbered dots: the items of the list, on the day they are about (hollow: an event long before, "
    "shown at its article's date). Bars: articles per day. Shaded: the window."
)
BAR_COLOR = "#94a3b8"
ITEM_COLOR = "#2563eb"
WINDOW_COLOR = "#f1f5f9"
CHANGE_COLOR = "#d97706"  # an item whose figure changed stands out, as in the list
# An item whose event lies further back than this before the window (an anniversary, "in 2014")
# would squash the window into a corner: it is drawn at its article's date instead, hollow.
MAX_DAYS_BEFORE = 31
# drawn at about the width the page gives it, so its text is not scaled down
WIDTH_INCHES, HEIGHT_INCHES, DPI = 5.6, 3.0, 100
MARKER_SIZE = 230  # points squared: a disc of about 21 px at DPI 100
MARKER_PX = 24  # with a little air
AXES_SHARE = 0.88  # of the figure's width, the rest is the y label and margins


def articles_per_day(dates: Iterable[str | None], first: dt.date, last: dt.date) -> Counter[dt.date]:
    """How many of the articles dated `dates` (ISO, None for undated) fall on each day of [first, last]."""
    days = (dt.date.fromisoformat(d) for d in dates if d)
    return Counter(day for day in days if first <= day <= last)


def _day(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def item_day(item: BriefingItem, first: dt.date) -> tuple[dt.date | None, bool]:
    """The day `item` is drawn at, and whether that is its event's day (False: its article's, for a far-off event)."""
    day = _day(item.timeline_date)
    if day is not None and day >= first - dt.timedelta(days=MAX_DAYS_BEFORE):
        return day, item.event_date is not None
    return _day(item.date), False


def stacked(days: list[dt.date | None], gap: float) -> list[int]:
    """A lane (0 = lowest) for each marker, the lowest whose markers are all more than `gap` days away."""
    taken: list[list[dt.date]] = []
    lanes = []
    for day in days:
        if day is None:
            lanes.append(-1)
            continue
        lane = next((i for i, ds in enumerate(taken) if all(abs((day - d).days) > gap for d in ds)), len(taken))
        if lane == len(taken):
            taken.append([])
        taken[lane].append(day)
        lanes.append(lane)
    return lanes


def timeline_figure(briefing: Briefing, per_day: Mapping[dt.date, int]) -> Figure | None:
    """The picture of `briefing` over its window, with `per_day` articles on each day; None without a window."""
    first, last = _day(briefing.since), _day(briefing.until)
    if first is None or last is None or first > last:
        return None
    placed = [(n, item, *item_day(item, first)) for n, item in enumerate(briefing.items, 1)]
    days = [d for _, _, d, _ in placed if d is not None]
    start = min([first, *days])
    end = max([last, *days])

    fig = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    items_ax, bars_ax = fig.subplots(2, 1, sharex=True, height_ratios=(1.3, 1))
    bars_ax.bar(list(per_day), list(per_day.values()), width=0.8, color=BAR_COLOR, label="articles per day")
    bars_ax.set_ylabel("articles")
    bars_ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    bars_ax.set_ylim(0, max([1, *per_day.values()]) * 1.15)
    bars_ax.spines[["top", "right"]].set_visible(False)

    # markers may not touch: how many days one marker (and a little air) covers on this axis
    span_days = (end - start).days + 28 / 24
    gap = span_days * MARKER_PX / (WIDTH_INCHES * DPI * AXES_SHARE)
    lanes = stacked([day for _, _, day, _ in placed], gap)
    for (n, item, day, is_event), lane in zip(placed, lanes, strict=True):
        if day is None:
            continue
        color = CHANGE_COLOR if item.change else ITEM_COLOR
        if item.event_date and "/" in item.event_date and is_event:
            # an event spanning days: a bar from its first to its last day, the marker at the last
            a, _, b = item.event_date.partition("/")
            items_ax.plot([_day(a), _day(b)], [lane, lane], color=color, linewidth=3, alpha=0.35, zorder=1)
        face = color if is_event or item.event_date is None else "white"
        items_ax.scatter([day], [lane], s=MARKER_SIZE, color=face, edgecolors=color, linewidths=1.5, zorder=2)
        items_ax.annotate(
            str(n),
            (date2num(day), lane),
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color="white" if face != "white" else color,
            zorder=3,
        )
    top = max([0, *lanes]) + 1
    items_ax.set_ylim(-0.8, max(top, 2) - 0.2)
    items_ax.set_yticks([])
    items_ax.set_ylabel("items")
    items_ax.spines[["top", "right", "left"]].set_visible(False)
    items_ax.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    bars_ax.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    items_ax.set_axisbelow(True)
    bars_ax.set_axisbelow(True)

    # the window itself is shaded: an item about a day before it (its event) stands outside
    window = (
        dt.datetime.combine(first, dt.time()) - dt.timedelta(hours=12),
        dt.datetime.combine(last, dt.time()) + dt.timedelta(hours=12),
    )
    for ax in (items_ax, bars_ax):
        ax.axvspan(*(date2num(x) for x in window), color=WINDOW_COLOR, zorder=0, linewidth=0)

    locator = AutoDateLocator(minticks=3, maxticks=8)
    bars_ax.xaxis.set_major_locator(locator)
    bars_ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    half = dt.timedelta(hours=14)  # half a bar and a margin on either side
    midnight = dt.time()
    bars_ax.set_xlim(
        date2num(dt.datetime.combine(start, midnight) - half), date2num(dt.datetime.combine(end, midnight) + half)
    )
    return fig
