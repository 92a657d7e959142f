"""Build an index: sources -> an update plan -> units -> vectors -> segments -> `store` manifest.

Only articles whose bytes changed are embedded. An index whose settings still match grows by
one segment per build (changed and removed articles are masked in the old segments); when
the segments or the masked share grow too many, they are compacted into one, reusing every
stored vector.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import chunking, embedding, lexical, store
from .bm25 import Postings
from .chunking import Span
from .config import Settings
from .dates import find_time_expressions, parse_date
from .documents import Document
from .errors import IndexCorruptError, IndexNotFoundError, SourceError
from .progress import EMBEDDING, READING, WRITING, BuildProgress
from .sources import read_files, settled_sources
from .store.freshness import sha256_cached

# Compaction: merge every segment into one when a build would leave more segments than this,
# or when removed articles would make up more than this share of the stored units.
MAX_SEGMENTS = 8
MAX_MASKED_SHARE = 0.25
# Sentences embedded per call of the model: small enough to report progress every few seconds,
# large enough that sorting by length within a call still saves the padding.
ENCODE_CHUNK = 512

Progress = Callable[[BuildProgress], None]


@dataclass(frozen=True)
class BuildReport:
    """What a build did, per source file id."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    skipped: dict[str, str] = field(default_factory=dict)
    embedded_units: int = 0
    seconds: float = 0.0
    # Unchanged files embedded again all the same: `force`, or the model or index settings
    # changed. Without this list a settings change showed "0 added, 0 changed, 0 reused"
    # beside thousands of embedded units.
    reembedded: tuple[str, ...] = ()
    # "new" (one segment of everything), "appended" (one more segment), "compacted", "unchanged"
    how: str = "new"
    # files still being written, by id, and why: their previous version (if any) stays indexed
    held_back: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for humans."""
        again = f"{len(self.reembedded)} re-embedded, " if self.reembedded else ""
        held = f", {len(self.held_back)} held back" if self.held_back else ""
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.reused)} reused, {again}{len(self.skipped)} skipped{held}; "
            f"{self.embedded_units} units embedded in {self.seconds:.1f}s ({self.how})"
        )


@dataclass(frozen=True)
class UpdatePlan:
    """How each document of a build relates to the previous index, and which must be embedded."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    reused: tuple[str, ...]
    reembedded: tuple[str, ...]
    # ids of the documents whose units are embedded anew (the others reuse stored vectors)
    to_embed: frozenset[str]


def plan_update(
    documents: Sequence[Document],
    skipped: Collection[str],
    old_sources: Mapping[str, Mapping[str, Any]],
    reusable: Collection[str],
) -> UpdatePlan:
    """Compare the readable `documents` (and `skipped` file ids) with the previous index.

    `old_sources` is the previous manifest's `sources` (id -> sha256, "skipped" when it was
    skipped then, and `Document.reading()` when the reading rules changed since); `reusable`
    holds the sha256 of every document whose stored vectors can be reused (empty when forced or
    when the model or index settings changed).
    """
    added, changed, reused, reembedded, to_embed = [], [], [], [], set()
    for doc in documents:
        old = old_sources.get(doc.doc_id)
        # the same bytes read otherwise by newer reading rules: its header, and so its units, may have moved
        reread = old is not None and "reading" in old and old["reading"] != doc.reading()
        if old is None:
            added.append(doc.doc_id)
        elif old.get("sha256") != doc.sha256 or "skipped" in old or reread:
            changed.append(doc.doc_id)
        unchanged = old is not None and doc.doc_id not in changed
        if doc.sha256 in reusable and not reread:
            if unchanged:
                reused.append(doc.doc_id)
        else:
            to_embed.add(doc.doc_id)
            if unchanged:
                reembedded.append(doc.doc_id)
    present = {d.doc_id for d in documents} | set(skipped)
    removed = sorted(d for d, row in old_sources.items() if d not in present and "skipped" not in row)
    return UpdatePlan(
        tuple(added), tuple(changed), tuple(removed), tuple(reused), tuple(reembedded), frozenset(to_embed)
    )


@dataclass(frozen=True)
class _Stored:
    """A live document of the previous index: its units and vectors, ready to be reused."""

    segment: str
    units: list[Span]
    vectors: np.ndarray


def build(
    sources: str | os.PathLike[str],
    index_dir: str | os.PathLike[str],
    settings: Settings,
    *,
    force: bool = False,
    settle: float = 0.0,
    only_if_stale: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Index the articles of `sources` into `index_dir`, reusing vectors of unchanged articles.

    `settle` (seconds): a file written more recently is waited for, up to that long, and held
    back if it is still being written (its previous version stays indexed); 0 reads every file
    as it is. `only_if_stale`: when the index on disk already matches the folder once this
    build holds the lock (another process just built it), nothing is read or written.
    `progress` is called with a `BuildProgress` as files are read and sentences embedded.
    """
    t0 = time.perf_counter()
    index_path = Path(index_dir)
    listed, _ = settled_sources(sources, settle)
    with store.build_lock(index_path):
        store.remove_leftovers(index_path)
        old = _previous(index_path)
        if only_if_stale and old is not None and not force and not store.stale_reason(old.manifest, sources, settings):
            return _up_to_date(old, time.perf_counter() - t0)
        old_sources: dict[str, Any] = old.manifest.get("sources", {}) if old else {}
        # stored vectors are reused only for sentences cut the same way under the same settings
        compatible = (
            old is not None
            and not force
            and old.settings.index_key() == settings.index_key()
            and store.rules_current(old.manifest, "units_version")
        )
        # each live article's sha256: reading it parses the article's line, so it is done once here
        hashes = {row: old.documents[row].sha256 for row in old.doc_rows.values()} if old else {}
        stored: Mapping[str, _Stored] = _StoredDocuments(old, hashes) if compatible and old else {}

        def on_file(done: int, articles: int) -> None:
            if progress is not None:
                progress(BuildProgress(READING, done, len(listed), articles))

        read = read_files(listed, settle=settle, on_file=on_file)
        documents, skipped = list(read.documents), read.skipped
        documents += _held_back_documents(old, read.held_back, {d.doc_id for d in documents} | set(skipped))
        source_rows: dict[str, Any] = {}
        for src in listed:
            if src.doc_id in read.held_back:  # the row of the version still indexed, if any
                if src.doc_id in old_sources:
                    source_rows[src.doc_id] = old_sources[src.doc_id]
                continue
            # a skipped file is hashed too, so that fixing it makes the index stale
            row: dict[str, Any] = {"size": src.size, "mtime_ns": src.mtime_ns}
            row["sha256"] = read.sha256.get(src.doc_id) or sha256_cached(src)  # "" when it vanished
            if src.doc_id in skipped:
                row["skipped"] = skipped[src.doc_id]
            source_rows[src.doc_id] = row
        if not documents:
            waiting = " or still being written" if read.held_back else ""
            raise SourceError(f"no readable article in {sources!s} (every file was skipped{waiting}; see warnings)")

        plan = plan_update(documents, skipped, _previous_rows(old, old_sources, hashes), stored.keys())
        fresh = [d for d in documents if d.doc_id in set(plan.added) | set(plan.changed)]
        with store.write_errors(index_path):
            # a segment's BM25 postings and event dates hold the word and date rules of its day: under
            # new ones every segment is written again (the stored vectors are reused), not appended to
            if (
                old is not None
                and compatible
                and store.rules_current(old.manifest, "terms_version")
                and store.rules_current(old.manifest, "events_version")
                and _can_append(old, documents, fresh)
            ):
                how = "appended" if fresh or _masked_rows(old, documents, fresh) else "unchanged"
                segments, removed = _append(
                    index_path, old, documents, fresh, stored, plan.to_embed, settings, progress
                )
            else:
                how = "compacted" if compatible else "new"
                segments, removed = [_write(index_path, documents, stored, plan.to_embed, settings, progress)], {}
            store.write_manifest(index_path, _manifest(old, settings, segments, removed, source_rows))
        store.remove_leftovers(index_path)
        return BuildReport(
            added=plan.added,
            changed=plan.changed,
            removed=plan.removed,
            reused=plan.reused,
            skipped=skipped,
            reembedded=plan.reembedded,
            embedded_units=sum(s.get("embedded", 0) for s in segments),
            seconds=time.perf_counter() - t0,
            how=how,
            held_back=read.held_back,
        )


def _up_to_date(old: store.IndexData, seconds: float) -> BuildReport:
    """The report of a build that found the index already matching its folder and wrote nothing."""
    rows = old.manifest.get("sources", {})
    skipped = {doc_id: row["skipped"] for doc_id, row in rows.items() if "skipped" in row}
    return BuildReport(reused=tuple(sorted(old.doc_rows)), skipped=skipped, seconds=seconds, how="unchanged")


def _previous_rows(
    old: store.IndexData | None, old_sources: Mapping[str, Any], hashes: Mapping[int, str]
) -> dict[str, Any]:
    """What `plan_update` compares with: each live article of `old` with its sha256, and each file it skipped.

    Under newer reading rules than `old` was made with, each article also carries what they made of it.

    Articles, not files: a feed or JSONL file holds many articles, each with its own hash.
    """
    rows: dict[str, Any] = {doc_id: row for doc_id, row in old_sources.items() if "skipped" in row}
    if old is not None:
        rows.update({doc_id: {"sha256": hashes[r]} for doc_id, r in old.doc_rows.items()})
        if not store.rules_current(old.manifest, "reading_version"):
            for doc_id, r in old.doc_rows.items():
                rows[doc_id]["reading"] = old.documents[r].reading()
    return rows


def _held_back_documents(
    old: store.IndexData | None, held_back: Collection[str], read: Collection[str]
) -> list[Document]:
    """The indexed articles of the files being written (none `read` anew): they stay until the files settle."""
    if old is None or not held_back:
        return []
    return [
        old.documents[row]
        for doc_id, row in old.doc_rows.items()
        if doc_id not in read and (doc_id in held_back or any(doc_id.startswith(f"{f}#") for f in held_back))
    ]


def _previous(index_path: Path) -> store.IndexData | None:
    try:
        return store.load(index_path)
    except (IndexNotFoundError, IndexCorruptError):
        return None  # nothing to compare with: everything counts as added


class _StoredDocuments(Mapping[str, _Stored]):
    """The live documents of the previous index by sha256; each one's units and vectors read when asked for.

    An append reuses only the few documents it re-adds (a renamed file), so reading every stored
    vector up front would cost most of its time: 45 of 56 s at 1M units, when this was a dict.
    """

    def __init__(self, old: store.IndexData, hashes: Mapping[int, str]) -> None:
        """`hashes`: the sha256 of each live article of `old`, by document row."""
        self._old = old
        self._where: dict[str, tuple[int, np.ndarray]] = {}  # sha256 -> (segment, its unit ids within it)
        for s, seg in enumerate(old.segments):
            if not seg.size:
                continue
            rows = old.units.doc_rows[seg.start : seg.start + seg.size]
            order = np.argsort(rows, kind="stable")  # already sorted as written; stable keeps unit order
            found, first, counts = np.unique(rows[order], return_index=True, return_counts=True)
            for row, lo, n in zip(found.tolist(), first.tolist(), counts.tolist(), strict=True):
                if row in hashes:
                    self._where[hashes[row]] = (s, order[lo : lo + n])

    def __getitem__(self, sha256: str) -> _Stored:
        s, local = self._where[sha256]
        seg = self._old.segments[s]
        if int(local[-1]) - int(local[0]) + 1 == len(local):  # contiguous, as a build writes them
            vectors = seg.faiss_index.reconstruct_n(int(local[0]), len(local))
        else:
            vectors = np.stack([seg.faiss_index.reconstruct(int(i)) for i in local])
        return _Stored(seg.name, [self._old.units[seg.start + int(i)] for i in local], vectors)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _masked_rows(old: store.IndexData, documents: Sequence[Document], fresh: Sequence[Document]) -> list[int]:
    """Rows of the live documents of `old` that this build replaces or drops (changed, removed, now skipped)."""
    kept = {d.doc_id for d in documents} - {d.doc_id for d in fresh}
    return [row for doc_id, row in old.doc_rows.items() if doc_id not in kept]


def _can_append(old: store.IndexData, documents: Sequence[Document], fresh: Sequence[Document]) -> bool:
    """True when one more segment keeps the index within `MAX_SEGMENTS` and `MAX_MASKED_SHARE`."""
    rows = _masked_rows(old, documents, fresh)
    masked = int((~old.unit_live).sum()) + int(np.isin(old.units.doc_rows, rows).sum())
    segments = len(old.segments) + (1 if fresh else 0)
    return segments <= MAX_SEGMENTS and masked <= MAX_MASKED_SHARE * max(len(old.units), 1)


def _append(
    index_path: Path,
    old: store.IndexData,
    documents: Sequence[Document],
    fresh: Sequence[Document],
    stored: Mapping[str, _Stored],
    to_embed: Collection[str],
    settings: Settings,
    progress: Progress | None = None,
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The old segments plus one of `fresh`, with the articles it replaces or drops masked in the old ones."""
    segments = [dict(s) for s in old.manifest["segments"]]
    removed = {name: set(ids) for name, ids in old.manifest.get("removed", {}).items()}
    for row in _masked_rows(old, documents, fresh):
        seg = next(s for s in old.segments if s.first_document <= row < s.first_document + s.documents)
        removed.setdefault(seg.name, set()).add(old.documents[row].doc_id)
    # a segment whose every article is masked holds nothing to answer from: drop it
    emptied = {s.name for s in old.segments if len(removed.get(s.name, ())) == s.documents}
    segments = [s for s in segments if s["name"] not in emptied]
    if fresh:
        segments.append(_write(index_path, sorted(fresh, key=lambda d: d.doc_id), stored, to_embed, settings, progress))
    return segments, {name: sorted(ids) for name, ids in removed.items() if ids and name not in emptied}


def _write(
    index_path: Path,
    documents: Sequence[Document],
    stored: Mapping[str, _Stored],
    to_embed: Collection[str],
    settings: Settings,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write one segment of `documents` (vectors embedded for `to_embed`, reused for the others)."""
    reused = {doc.doc_id: stored[doc.sha256] for doc in documents if doc.doc_id not in to_embed}  # each read once
    per_doc: list[list[Span]] = []
    for doc in documents:
        if doc.doc_id in to_embed:
            per_doc.append(chunking.sentence_units(doc))
        else:
            per_doc.append([Span(doc.doc_id, u.start, u.end, u.text) for u in reused[doc.doc_id].units])
    fresh_units = [u for doc, units in zip(documents, per_doc) if doc.doc_id in to_embed for u in units]
    ends = list(np.cumsum([len(units) for doc, units in zip(documents, per_doc) if doc.doc_id in to_embed]))
    fresh = _encode([u.text for u in fresh_units], ends, settings, progress)
    dim = fresh.shape[1] if len(fresh) else embedding.dimension(settings.model_name)
    parts, offset = [], 0
    for doc, units in zip(documents, per_doc):
        if doc.doc_id in to_embed:
            parts.append(fresh[offset : offset + len(units)])
            offset += len(units)
        else:
            parts.append(reused[doc.doc_id].vectors)
    vectors = np.concatenate([v.reshape(-1, dim) for v in parts]).astype(np.float32, copy=False)
    if progress is not None:
        progress(BuildProgress(WRITING, 0, 1, len(documents), len(fresh_units)))
    entry = store.write_segment(index_path, _content(documents, per_doc, vectors, settings), settings)
    return {**entry, "embedded": len(fresh_units)}


def _encode(texts: list[str], doc_ends: list[int], settings: Settings, progress: Progress | None) -> np.ndarray:
    """Embed `texts` chunk by chunk, reporting sentences and whole articles done (`doc_ends`: cumulative counts)."""
    if progress is None:
        return embedding.encode(settings.model_name, texts, settings.batch_size, progress=False)
    parts = []
    progress(BuildProgress(EMBEDDING, 0, len(texts)))
    for start in range(0, len(texts), ENCODE_CHUNK):
        parts.append(
            embedding.encode(
                settings.model_name, texts[start : start + ENCODE_CHUNK], settings.batch_size, progress=False
            )
        )
        done = min(start + ENCODE_CHUNK, len(texts))
        progress(BuildProgress(EMBEDDING, done, len(texts), bisect.bisect_right(doc_ends, done), done))
    return np.concatenate(parts) if parts else embedding.encode(settings.model_name, [], settings.batch_size)


def _content(
    documents: Sequence[Document], per_doc: Sequence[list[Span]], vectors: np.ndarray, settings: Settings
) -> store.SegmentContent:
    """The arrays of one segment: units, passages, resolved event dates and BM25 postings."""
    units: list[tuple[int, int, int]] = []
    passages: list[tuple[int, int, int]] = []
    events: list[tuple[int, int, int, int, int]] = []
    unit_terms: list[list[str]] = []
    for row, (doc, doc_units) in enumerate(zip(documents, per_doc)):
        day = parse_date(doc.date)
        for unit in doc_units:
            for expr in find_time_expressions(unit.text, day):
                first, last = expr.when.first.toordinal(), expr.when.last.toordinal()
                events.append((len(units), first, last, unit.start + expr.start, unit.start + expr.end))
            units.append((row, unit.start, unit.end))
            unit_terms.append(lexical.terms(unit.text))
        passages.extend(
            (row, p.start, p.end) for p in chunking.passages(doc, settings.chunk_size, settings.chunk_overlap)
        )
    return store.SegmentContent(
        documents=documents,
        units=np.array(units, dtype=np.int32).reshape(-1, 3),
        passages=np.array(passages, dtype=np.int32).reshape(-1, 3),
        events=np.array(events, dtype=np.int32).reshape(-1, 5),
        vectors=vectors,
        postings=Postings.build(unit_terms),
    )


def _manifest(
    old: store.IndexData | None,
    settings: Settings,
    segments: list[dict[str, Any]],
    removed: dict[str, list[str]],
    source_rows: dict[str, Any],
) -> dict[str, Any]:
    """The manifest naming `segments` in order, the articles masked in them, and the sources."""
    counts = {key: sum(s["counts"][key] for s in segments) for key in ("documents", "units", "passages")}
    if old is not None and removed:  # masked articles are stored but no longer count
        rows = [
            row
            for seg in old.segments
            for row in range(seg.first_document, seg.first_document + seg.documents)
            if old.documents[row].doc_id in removed.get(seg.name, ())
        ]
        counts["documents"] -= len(rows)
        counts["units"] -= int(np.isin(old.units.doc_rows, rows).sum())
        counts["passages"] -= int(np.isin(old.passages.doc_rows, rows).sum())
    return {
        "format": store.layout.FORMAT,
        "format_version": store.FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": {"name": settings.model_name, "dimension": int(segments[0]["dimension"])},
        "settings": settings.to_dict(),
        **{key: rule.version for key, rule in store.RULE_VERSIONS.items()},
        "segments": [{k: v for k, v in s.items() if k != "embedded"} for s in segments],
        "removed": removed,
        "counts": {**counts, "segments": len(segments)},
        "sources": source_rows,
    }
