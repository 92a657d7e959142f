"""Keep an index current while files of its source folder are added, changed or removed (`rag watch`).

Each burst of file events (watchfiles, debounced) is followed by one incremental build: only
new and changed articles are embedded. Half-written files are never indexed: a file written
within the last `settle` seconds is waited for, then held back while it is still being
written (its previous version stays indexed) and picked up once it has settled. Producers
should still write under a hidden name (`.name.tmp`) and rename into place: a rename is
atomic, and a hidden file is never listed.

Readers never see a half-built index: a build writes new segments and swaps the manifest
with one rename. A web chat running `rag.api.ensure_index` on the same folders loads the new
index before its next answer; if it notices a change first, the build lock makes one of the
two wait and the other's build is then found up to date instead of repeated.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .build import BuildReport, build
from .config import Settings
from .errors import RagError
from .progress import BuildProgress
from .sources import SUFFIXES

# Milliseconds of quiet after a file event before the build starts, and the longest a burst
# of events is gathered (a copy of 500 files is one build, not 500).
QUIET_MS = 300
MAX_GATHER_MS = 2000
DEFAULT_SETTLE = 1.0
_NAMES_SHOWN = 5


@dataclass(frozen=True)
class WatchUpdate:
    """One update of a watched index: what its build did (or the error that stopped it), and new warnings."""

    report: BuildReport | None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    newly_skipped: tuple[str, ...] = field(default=())
    when: float = field(default_factory=time.time)

    @property
    def changed_anything(self) -> bool:
        """True when the index changed, a file is held back, or there is something to say."""
        r = self.report
        return bool(
            self.error or self.warnings or r is None or r.added or r.changed or r.removed or r.held_back
        ) or bool(self.newly_skipped)

    def line(self) -> str:
        """The update in one line: what was added, changed, removed, skipped and held back, and how long it took."""
        stamp = time.strftime("%H:%M:%S", time.localtime(self.when))
        if self.report is None:
            return f"{stamp} update failed: {self.error}"
        r = self.report
        parts = [
            _names("added", r.added),
            _names("changed", r.changed),
            _names("removed", r.removed),
            _names("skipped", self.newly_skipped),
            _names("held back (still being written)", tuple(r.held_back)),
        ]
        said = "; ".join(p for p in parts if p) or "up to date"
        plural = "" if r.embedded_units == 1 else "s"
        return f"{stamp} updated in {r.seconds:.1f}s: {said}; {r.embedded_units} sentence{plural} embedded"


def _names(verb: str, ids: Sequence[str]) -> str:
    if not ids:
        return ""
    shown = ", ".join(ids[:_NAMES_SHOWN]) + (f" and {len(ids) - _NAMES_SHOWN} more" if len(ids) > _NAMES_SHOWN else "")
    return f"{len(ids)} {verb} ({shown})"


def is_relevant(root: str | os.PathLike[str], path: str) -> bool:
    """Whether an event on `path` may change what the folder `root` indexes (hidden files never do)."""
    rel = os.path.relpath(path, root)
    parts = rel.split(os.sep)
    if rel.startswith("..") or any(p.startswith(".") for p in parts):
        return False
    name = parts[-1]
    # a folder moved in or out carries articles; a deleted one can no longer be told from a file
    return name.lower().endswith(SUFFIXES) or "." not in name or os.path.isdir(path)


class Watcher:
    """Builds `index_dir` from `sources` on demand, reporting each update once (see `watch`)."""

    def __init__(
        self,
        sources: str | os.PathLike[str],
        index_dir: str | os.PathLike[str],
        settings: Settings | None = None,
        settle: float = DEFAULT_SETTLE,
        progress: Callable[[BuildProgress], None] | None = None,
    ) -> None:
        self.sources, self.index_dir = Path(sources), Path(index_dir)
        self.settings = settings or Settings()
        self.settle = settle
        self.progress = progress
        self.pending = False  # files were held back: build again once they may have settled
        self._warned: set[str] = set()
        self._skipped: set[str] = set()

    def update(self) -> WatchUpdate:
        """Build once (nothing is written when the index already matches the folder)."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                report = build(
                    self.sources,
                    self.index_dir,
                    self.settings,
                    settle=self.settle,
                    only_if_stale=True,
                    progress=self.progress,
                )
                error = None
            except (RagError, ValueError, OSError) as exc:  # a bad moment of the folder, not the end of watching
                report, error = None, str(exc)
            except Exception as exc:  # a bug must not stop a service that others rely on: say it, keep watching
                report, error = None, f"{type(exc).__name__}: {exc}"
        messages = [str(w.message) for w in caught if not issubclass(w.category, (DeprecationWarning, FutureWarning))]
        new = tuple(m for m in dict.fromkeys(messages) if m not in self._warned)
        if report is not None and report.how == "unchanged" and not report.held_back:
            new = ()  # an up-to-date index read nothing: its warnings are the last update's
        else:
            self._warned = set(messages)
        self.pending = bool(report and report.held_back)
        skipped = set(report.skipped) if report is not None else self._skipped
        newly = tuple(sorted(skipped - self._skipped))
        self._skipped = skipped
        return WatchUpdate(report, error, new, newly)


def watch(
    sources: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    on_update: Callable[[WatchUpdate], None],
    *,
    settings: Settings | None = None,
    settle: float = DEFAULT_SETTLE,
    progress: Callable[[BuildProgress], None] | None = None,
    stop_event: Any = None,
) -> None:
    """Keep `index_dir` current with `sources` until `stop_event` is set (or Ctrl-C).

    The index is brought up to date first; then each burst of changes under `sources` gives
    one build. `on_update` receives every update that changed something or has something to
    say (the first one always). Raises `SourceError` when `sources` is not a folder.
    """
    import watchfiles

    from .errors import SourceError

    if not Path(sources).is_dir():
        raise SourceError(f"source folder not found: {sources!s} (pass the folder to watch)")
    watcher = Watcher(sources, index_dir, settings, settle, progress)
    on_update(watcher.update())
    root = os.path.abspath(sources)
    for changes in watchfiles.watch(
        root,
        watch_filter=lambda _change, path: is_relevant(root, path),
        debounce=MAX_GATHER_MS,
        step=QUIET_MS,
        stop_event=stop_event,
        rust_timeout=max(200, int(settle * 1000)),
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        if not changes and not watcher.pending:
            continue
        update = watcher.update()
        if update.changed_anything:
            on_update(update)
