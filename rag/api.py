"""The three entry points: `build_index`, `load_index`, and `answer` on the default index."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from . import build, store
from .answer import Answer
from .brief import Briefing
from .config import Settings
from .errors import IndexCorruptError, IndexNotFoundError
from .index import Index
from .progress import BuildProgress

DEFAULT_SOURCES = "seeds"
DEFAULT_INDEX = "index"
# A source file written less than this many seconds ago may be half-written: a rebuild before
# an answer waits that long for it, then keeps its previous version (see `build.build`).
SETTLE_SECONDS = 1.0


def build_index(
    sources: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    *,
    settings: Settings | None = None,
    force: bool = False,
    progress: Callable[[BuildProgress], None] | None = None,
) -> Index:
    """Index the articles under `sources` (`.txt`/`.md`, saved pages, feeds, JSONL) into the folder `index_dir`.

    Vectors of articles whose sha256 is unchanged are reused unless `force`; the result's
    `report` says what was added, changed, removed and reused. The folder is replaced
    atomically: a crash leaves the previous index whole. `progress` is called as files are
    read and sentences embedded. Raises `SourceError` when the folder is missing or has no
    readable article.
    """
    report = build.build(sources, index_dir, settings or Settings(), force=force, progress=progress)
    return Index(store.load(index_dir), index_dir, report)


def load_index(index_dir: str | os.PathLike[str] = DEFAULT_INDEX) -> Index:
    """Load and verify the index in `index_dir`.

    Raises `IndexNotFoundError` (a `FileNotFoundError`) when there is none, and
    `IndexCorruptError` when it is damaged or of another format version; both say how
    to rebuild.
    """
    return Index(store.load(index_dir), index_dir)


_cache: dict[str, Index] = {}
_cache_lock = threading.Lock()


def ensure_index(
    sources: str | os.PathLike[str] = DEFAULT_SOURCES,
    index_dir: str | os.PathLike[str] = DEFAULT_INDEX,
    settings: Settings | None = None,
) -> Index:
    """The index of `sources`, loaded once per process and rebuilt whenever it is stale.

    Stale means: a source file was added, removed or changed (sha256), or the model, the index
    settings or the version of a rule whose output the index stores (`rag.lexical.TERMS_VERSION`,
    `rag.sources.READING_VERSION`, `rag.chunking.UNITS_VERSION`, `rag.dates.EVENTS_VERSION`)
    differ from the manifest. A missing or damaged index is rebuilt too. A file written in the
    last `SETTLE_SECONDS` is waited for, and held back (its previous version kept) while it is
    still being written. When another process (`rag watch`) has just rebuilt the index, it is
    loaded, not built again.
    """
    settings = settings or Settings()
    key = str(Path(index_dir).resolve())
    with _cache_lock:
        index = _cache.get(key)
        if (
            index is not None
            and index.settings == settings
            and store.stale_reason(index.manifest, sources, settings) is None
        ):
            return index
        try:
            index = load_index(index_dir)
            if index.settings.index_key() != settings.index_key() or store.stale_reason(
                index.manifest, sources, settings
            ):
                index = _rebuilt(sources, index_dir, settings)
            elif index.settings != settings:
                index = index.with_settings(
                    **{k: v for k, v in settings.to_dict().items() if k not in settings.index_key()}
                )
        except (IndexNotFoundError, IndexCorruptError):
            index = _rebuilt(sources, index_dir, settings)
        _cache[key] = index
        return index


def _rebuilt(sources: str | os.PathLike[str], index_dir: str | os.PathLike[str], settings: Settings) -> Index:
    """The index rebuilt for an answer: settled files only, and no second build when another process just made it."""
    report = build.build(sources, index_dir, settings, settle=SETTLE_SECONDS, only_if_stale=True)
    return Index(store.load(index_dir), index_dir, report)


def answer(
    question: str,
    *,
    sources: str | os.PathLike[str] = DEFAULT_SOURCES,
    index_dir: str | os.PathLike[str] = DEFAULT_INDEX,
    k: int | None = None,
    as_of: str | dt.date | None = None,
    within: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> Answer:
    """Answer `question` from the default index (`./index` built from `./seeds`).

    The index is built when missing and rebuilt when stale, so an answer is never served
    from text that no longer matches its file. `as_of` (a date or 'YYYY-MM-DD') hides
    articles dated after it; `within` (document ids) answers from those articles only.
    Raises `ValueError` for an empty question or a bad `as_of`.
    """
    return ensure_index(sources, index_dir, settings).answer(question, k=k, as_of=as_of, within=within)


def brief(
    topic: str | None = None,
    *,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    max_items: int = 10,
    sources: str | os.PathLike[str] = DEFAULT_SOURCES,
    index_dir: str | os.PathLike[str] = DEFAULT_INDEX,
    settings: Settings | None = None,
) -> Briefing:
    """A briefing of the default index (see `Index.brief`): the main developments, each a verbatim quote."""
    index = ensure_index(sources, index_dir, settings)
    return index.brief(topic, since=since, until=until, as_of=as_of, max_items=max_items)
