"""The index behind the web chat: prepared once in the background, its status shown, questions answered.

No Gradio here: the page reads `status`, `ready` and `newest`, and calls `ask` or `brief`; everything else is `rag`.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from pathlib import Path

from rag import Answer, Briefing, Index, Settings
from rag.api import ensure_index

# The page's question box and the server's cut follow rag's own limit instead of repeating its number.
MAX_QUESTION_CHARS = Settings().max_question_chars


class Backend:
    """The index behind one app: prepared once in the background, then shared by all users."""

    def __init__(
        self,
        sources: str | os.PathLike[str],
        index_dir: str | os.PathLike[str],
        data_dir: str | os.PathLike[str],
    ):
        # the page names these folders by their last part only: a full path tells a reader about the server
        self.sources = Path(sources)
        self.index_dir = Path(index_dir)
        self.data_dir = Path(data_dir)
        self.ready = threading.Event()
        self.status = f"Waiting to open the index of {self.sources.name}/ …"
        self.error: str | None = None
        # the newest article's date as of the last index used (None: not opened yet, or no dated article)
        self.newest: dt.date | None = None

    def prepare(self, log: bool = True) -> None:
        """Build or load the index, then load the model with one throw-away question.

        Runs before the first user asks, so the first answer does not pay for the model;
        `status` tells the page (and `log` the terminal) how it goes.
        """
        started = time.monotonic()
        fresh = not (self.index_dir / "manifest.json").exists()
        verb = "building" if fresh else "checking"
        self._say(f"{verb} the index of {self.sources.name}/ in {self.index_dir.name}/ …", log)
        try:
            index = self.index()
            self._say("loading the language model …", log)
            index.answer("warm-up question")
            counts = index.manifest.get("counts", {})
            how = f"built ({index.report.summary()})" if index.report is not None else "loaded"
            newest = index.newest_date
            as_of = (
                f"answers as of the newest article {newest} unless you set “As of”"
                if newest
                else "no article is dated, so “As of” hides none"
            )
            self._say(
                f"ready: {_count(counts.get('documents'), 'article')}, {_count(counts.get('units'), 'sentence')} "
                f"from {self.sources.name}/, index {how}, in {time.monotonic() - started:.1f} s; {as_of}",
                log,
            )
        except Exception as exc:  # top of a thread: show any failure on the page, keep serving
            self.error = str(exc)
            self._say(f"error: {exc}", log)
        finally:
            # only now: the page stops polling once it has read the final status
            self.ready.set()

    def prepare_in_background(self, log: bool = True) -> threading.Thread:
        """Start `prepare` in a daemon thread (the page is served meanwhile) and return the thread."""
        thread = threading.Thread(target=self.prepare, args=(log,), name="prepare-index", daemon=True)
        thread.start()
        return thread

    def changed(self, index: Index) -> None:
        """After an editor added or removed articles: the status line (as pages load it) tells the new counts."""
        counts = index.manifest.get("counts", {})
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.newest = index.newest_date
        self.status = (
            f"Ready: {_count(counts.get('documents'), 'article')}, {_count(counts.get('units'), 'sentence')}; "
            f"articles last changed {when}"
        )

    def _say(self, message: str, log: bool) -> None:
        self.status = message[0].upper() + message[1:]
        if log:
            print(message, flush=True)

    def index(self) -> Index:
        """The current index; `ensure_index` rebuilds it when a source file changed."""
        index = ensure_index(self.sources, self.index_dir)
        self.newest = index.newest_date
        return index

    def ask(self, question: str, as_of: dt.date | None = None, index: Index | None = None) -> tuple[Answer, Index]:
        """Answer `question` from the articles dated on or before `as_of` (None: all of them).

        The index is returned too, to read the quoted document from it; pass `index` when it is
        already open for this request.
        """
        index = index or self.index()
        # rag trims long questions itself (with a notice); this cut only bounds the work an
        # absurd request (megabytes through the API) can cause before that
        return index.answer(question[: 2 * MAX_QUESTION_CHARS], as_of=as_of), index

    def brief(
        self,
        topic: str | None,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        as_of: dt.date | None = None,
        max_items: int = 10,
        index: Index | None = None,
    ) -> tuple[Briefing, Index]:
        """The briefing of the articles dated within [since, until] (as of `as_of`), about `topic` if one is given.

        Raises `ValueError` for a reversed window or a bad `max_items` (see `rag.Index.brief`).
        """
        index = index or self.index()
        topic = topic[:MAX_QUESTION_CHARS] if topic else None  # a topic is a few words; bound the work anyway
        return index.brief(topic, since=since, until=until, as_of=as_of, max_items=max_items), index


def _count(n: int | None, noun: str) -> str:
    if n is None:
        return f"? {noun}s"
    return f"{n} {noun}" + ("" if n == 1 else "s")
