"""Progress of a long build: the events a build reports to a callback, and the terminal bar the CLI draws.

The library never prints: `build(..., progress=callback)` calls `callback(BuildProgress)` as
it reads files and embeds sentences. `TerminalBar` is such a callback: one tqdm bar on
stderr for the whole build, drawn only on a terminal.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import IO, Any

READING, EMBEDDING, WRITING = "reading", "embedding", "writing"


@dataclass(frozen=True)
class BuildProgress:
    """Where a running build is.

    `stage` is READING (`done`/`total` files), EMBEDDING (`done`/`total` sentences) or
    WRITING; `articles` is how many articles that stage has finished, `sentences` how many
    sentences were embedded so far.
    """

    stage: str
    done: int
    total: int
    articles: int = 0
    sentences: int = 0


class TerminalBar:
    """A build's progress as one bar (files read, then sentences embedded) with articles and sentences per second.

    Silent when `stream` is not a terminal (logs of CI or a service stay clean) or when
    `enabled` is False.
    """

    def __init__(self, stream: IO[str] | None = None, enabled: bool = True) -> None:
        self._stream = stream or sys.stderr
        self._enabled = enabled and self._stream.isatty()
        self._bar: Any = None
        self._stage = ""
        self._started = time.perf_counter()

    def __call__(self, event: BuildProgress) -> None:
        """Move the bar to `event`."""
        if not self._enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=event.total, file=self._stream, leave=False, dynamic_ncols=True, mininterval=0.2)
        if event.stage != self._stage:
            self._stage = event.stage
            self._started = time.perf_counter()
            unit = "files" if event.stage == READING else "sentences"
            self._bar.reset(total=event.total)
            self._bar.unit = f" {unit}"
            self._bar.set_description(event.stage)
        seconds = max(time.perf_counter() - self._started, 1e-6)
        if event.stage == EMBEDDING:
            rates = f"{event.articles / seconds:.1f} articles/s, {event.done / seconds:.0f} sentences/s"
        else:
            rates = f"{event.articles} articles"
        self._bar.set_postfix_str(rates, refresh=False)
        self._bar.update(event.done - self._bar.n)

    def close(self) -> None:
        """Remove the bar from the terminal (the summary is printed after it)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
