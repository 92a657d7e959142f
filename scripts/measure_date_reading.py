"""Reading a written day: `rag.dates.days.read_day` against `dateparser`, on the forms articles and users write.

    python scripts/measure_date_reading.py

Each string is what feeds, exports, saved pages and the date box carry, with the day it names, or
None when it names none unambiguously ("03/05/2022" is 3 May or 5 March; "May 2022" and "yesterday"
name no publication day). Prints, for each reader, how many it reads right, its time per string and
its misses. `dateparser` is a dev dependency (pyproject's `dev` extra).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import dateparser

from rag.dates.days import read_day

CASES = {
    "2022-03-05": "2022-03-05",
    "2022-03-05T12:00:00Z": "2022-03-05",
    "2022-03-05T23:30:00-05:00": "2022-03-05",
    "2022-03-05T14:22:00.000+02:00": "2022-03-05",
    "2022-03-05 14:22:00": "2022-03-05",
    "2022/03/05": "2022-03-05",
    "20220305": "2022-03-05",
    "2022-3-5": "2022-03-05",
    "Sat, 05 Mar 2022 10:00:00 +0000": "2022-03-05",
    "March 5, 2022": "2022-03-05",
    "5 March 2022": "2022-03-05",
    "Saturday, March 5, 2022": "2022-03-05",
    "Mar. 5, 2022 2:22 PM": "2022-03-05",
    "Mar. 5, 2022, 2:22 p.m. EST": "2022-03-05",
    "5 March 2022 10:00 GMT": "2022-03-05",
    "1st of March 2022": "2022-03-01",
    "03/05/2022": None,
    "yesterday": None,
    "last Tuesday": None,
    "May 2022": None,
    "31/31/2022": None,
    "2022-02-30": None,
    "TBD": None,
}


def ours(text: str) -> str | None:
    day = read_day(text)
    return day.isoformat() if day else None


def theirs(text: str) -> str | None:
    moment = dateparser.parse(text, languages=["en"])
    return moment.date().isoformat() if moment else None


def measure(name: str, read: Callable[[str], str | None]) -> None:
    start = time.perf_counter()
    got = {text: read(text) for text in CASES}
    ms = (time.perf_counter() - start) * 1000 / len(CASES)
    misses = {text: got[text] for text, day in CASES.items() if got[text] != day}
    print(f"{name:10} {len(CASES) - len(misses)}/{len(CASES)} right, {ms:.2f} ms a string; misses: {misses}")


if __name__ == "__main__":
    theirs("2022-03-05")  # dateparser loads its language data on the first call: not timed
    measure("read_day", ours)
    measure("dateparser", theirs)
