"""Read a saved page, feed or JSONL source file into `Document`s, through `rag.ingest`.

Ids: a file of one article (a page) keeps its path as id; each article of a feed or JSONL
export is `"<path>#<key>"` with the extractor's stable key (entry id, JSONL `id`), so that
one changed line of an export re-embeds that article only. An article's `sha256` hashes its
text and metadata, not the file: a page saved again around the same article is unchanged.

Extraction costs far more than embedding a changed article's neighbours would suggest (tens
of ms per page), and a build re-reads every file: what a file gave is kept in memory, by its
path and stat signature, and reused while the file is untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from .document import Document, FileRead, SourceFile
from .text_files import being_written, open_error, open_regular

if TYPE_CHECKING:
    from ..ingest import Article

# Files changed this recently may change again within one timestamp tick, unseen by stat:
# what they gave is not cached (git's "racily clean" rule, as in store.freshness).
_RACY_NS = 2_000_000_000
# path -> (stat signature, what the file gave); bounded so that a long-lived process watching
# a folder whose files come and go does not keep every file it ever read
_cache: dict[str, tuple[tuple[int, int, int, int], FileRead]] = {}
_CACHE_FILES = 50_000


def article_sha256(text: str, meta: dict[str, Any]) -> str:
    """The hash of an article's text and metadata: what tells an edited article from an unchanged one."""
    canonical = json.dumps({"text": text, **meta}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_article_file(source: SourceFile, settle: float = 0.0) -> FileRead:
    """The articles of one page, feed or JSONL file, or why it was skipped or held back.

    Warnings about kept articles (a bad line, a missing date) are returned one per line; a
    file that gave no article is skipped with the extractor's reasons as its one line.
    """
    key = os.path.abspath(source.path)
    signature = (source.size, source.mtime_ns, source.ctime_ns, source.inode)
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    read = _read(source, settle)
    if read.held_back is None and time.time_ns() - max(source.mtime_ns, source.ctime_ns) > _RACY_NS:
        if len(_cache) >= _CACHE_FILES:
            _cache.clear()
        _cache[key] = (signature, read)
    return read


def _read(source: SourceFile, settle: float) -> FileRead:
    from .. import ingest  # loads trafilatura and feedparser: only when such a file is read

    limit = ingest.byte_limit(source.doc_id)
    if limit is not None and source.size > limit:
        return FileRead(skipped=f"{source.size:,} bytes, over the {limit:,}-byte limit for this format")
    try:
        fd = open_regular(source.path)
    except OSError as exc:
        return FileRead(skipped=open_error(exc))
    if fd is None:
        return FileRead(skipped="not a regular file")
    with os.fdopen(fd, "rb") as fh:
        try:
            before = os.fstat(fd)
            stream = _Hashing(fh)
            extraction = ingest.extract(source.doc_id, cast(BinaryIO, stream))
            complete = stream.read_to_end(limit)
            after = os.fstat(fd)
        except OSError as exc:
            return FileRead(skipped=open_error(exc))
    writing = being_written(before, after, settle)
    if writing:
        return FileRead(held_back=writing)
    digest = stream.hexdigest() if complete else None
    prefix = f"{source.doc_id}: "
    if not extraction.articles:
        reasons = [w.removeprefix(prefix) for w in extraction.warnings]
        return FileRead(skipped="; ".join(reasons) or "no article in the file", sha256=digest)
    docs = tuple(_document(source.doc_id, article) for article in extraction.articles)
    return FileRead(documents=docs, warnings=extraction.warnings, sha256=digest)


def _document(file_id: str, article: Article) -> Document:
    meta = {
        "title": article.title,
        "date": article.date,
        "author": article.author,
        "url": article.url,
        "source": article.source,
    }
    return Document(
        doc_id=file_id if article.key is None else f"{file_id}#{article.key}",
        text=article.text,
        sha256=article_sha256(article.text, meta),
        date=article.date,
        title=article.title,
        source=article.source,
        url=article.url,
        author=article.author,
    )


class _Hashing:
    """A binary file that hashes what is read from it: the file's sha256 is of the very bytes extracted."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._hash.update(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        line = self._raw.readline(size)
        self._hash.update(line)
        return line

    def read_to_end(self, limit: int | None) -> bool:
        """Read (and hash) what the extractor left unread; False when that would pass `limit` + 1 bytes."""
        left = None if limit is None else limit + 1 - self._raw.tell()
        while left is None or left > 0:
            chunk = self._raw.read(1 << 20 if left is None else min(left, 1 << 20))
            if not chunk:
                return True
            self._hash.update(chunk)
            if left is not None:
                left -= len(chunk)
        return not self._raw.read(1)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
