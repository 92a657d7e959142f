"""Turn real-world article files (saved web pages, RSS/Atom feeds, JSONL exports) into `Article`s.

Example::

    from rag.ingest import extract
    result = extract("page.html", Path("page.html").read_bytes())
    result.articles[0].text, result.articles[0].date, result.warnings

`extract` dispatches on the file name's suffix and never raises on bad content: a file it cannot read
gives no articles and a warning; only an unsupported suffix is a `ValueError`. Limits (see article.py):
a page over 10 MB or 50,000 elements, a feed over 30 MB, a JSONL line over 8 MB and an article text
over 1,000,000 characters are skipped with a warning; a JSONL file of any size is read line by line
(`extract_file` reads it from disk in bounded memory). Dates outside 1990-01-01 .. today+2 days are
dropped with a warning (dates.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from .article import MAX_FEED_BYTES, MAX_HTML_BYTES, Article, Extraction, WarningLog
from .feeds import extract_feed
from .html import extract_html
from .jsonl import extract_jsonl

__all__ = ["SUFFIXES", "Article", "Extraction", "byte_limit", "extract", "extract_file"]

_HTML = (".html", ".htm")
_FEEDS = (".xml", ".rss", ".atom")
_JSONL = (".jsonl",)
SUFFIXES: tuple[str, ...] = (*_HTML, *_FEEDS, *_JSONL)


def _suffix(name: str) -> str:
    """The lower-case suffix of `name`, checked; ValueError saying which suffixes work otherwise."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"{name}: cannot extract articles from a {suffix or 'suffix-less'} file; "
            f"use one of {', '.join(SUFFIXES)} (or a .txt/.md source file with a date header)"
        )
    return suffix


def byte_limit(name: str) -> int | None:
    """The size over which a file called `name` is skipped unread, or None (JSONL: any size, read line by line)."""
    suffix = _suffix(name)
    return None if suffix in _JSONL else MAX_HTML_BYTES if suffix in _HTML else MAX_FEED_BYTES


def extract(name: str, data: bytes | BinaryIO) -> Extraction:
    """The articles in the file called `name` whose content is `data`, and what was skipped and why.

    `data` may be an open binary file instead of bytes: a JSONL file is then read line by
    line, any other at most to its `byte_limit` (plus one byte, so that a larger one is refused).
    """
    suffix = _suffix(name)
    log = WarningLog(name)
    try:
        if suffix in _JSONL:
            articles = extract_jsonl(data, log)
        else:
            content = data if isinstance(data, bytes) else data.read((byte_limit(name) or 0) + 1)
            articles = extract_html(content, log) if suffix in _HTML else extract_feed(content, log)
    except Exception as error:  # a parser's bug on hostile input must cost one file, not the whole build
        log.add("failed", f"extraction failed ({type(error).__name__}: {str(error)[:200]}); skipped")
        articles = []
    return Extraction(articles=tuple(articles), warnings=log.lines())


def extract_file(path: str | os.PathLike[str]) -> Extraction:
    """`extract` on a file on disk; a JSONL file is streamed, other files over their limit are not read."""
    path = Path(path)
    suffix = _suffix(path.name)
    if suffix in _JSONL:
        log = WarningLog(path.name)
        try:
            with path.open("rb") as stream:
                articles = extract_jsonl(stream, log)
        except OSError as error:
            log.add("failed", f"cannot read the file ({error.strerror or error}); skipped")
            articles = []
        return Extraction(articles=tuple(articles), warnings=log.lines())
    limit, kind = (MAX_HTML_BYTES, "page") if suffix in _HTML else (MAX_FEED_BYTES, "feed")
    try:
        size = path.stat().st_size
        if size > limit:  # not read at all: the limit is what keeps memory and time bounded
            warning = f"{path.name}: {kind} of {size:,} bytes, over the {limit:,}-byte limit; skipped"
            return Extraction(articles=(), warnings=(warning,))
        with path.open("rb") as stream:
            data = stream.read(limit + 1)  # a file that grew since the stat is still cut at the limit
    except OSError as error:
        return Extraction(
            articles=(), warnings=(f"{path.name}: cannot read the file ({error.strerror or error}); skipped",)
        )
    return extract(path.name, data)
