"""The boundary types of ingestion (`Article`, `Extraction`), its size limits, and its warning log."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# An article whose extracted text is longer than this is skipped: it is not a news article (the longest
# feature is a few dozen kB) and would take minutes to embed. Same figure as a plain source file.
MAX_ARTICLE_CHARS = 1_000_000
# A saved page larger than this is skipped before parsing: real article pages weigh 50 kB-3 MB even
# with inline scripts; parsing and extracting a 10 MB page already takes seconds on one core.
MAX_HTML_BYTES = 10_000_000
# A page of more elements than this is skipped after parsing: extraction costs ~80 µs per element on
# one core (a 760,000-element page of 9 MB took 79 s), and real article pages have 1,000-15,000.
MAX_HTML_ELEMENTS = 50_000
# feedparser holds the whole feed in memory (several times its size): a feed over this is skipped.
# Real feeds are a few hundred kB; a full-text archive feed of thousands of items stays under it.
MAX_FEED_BYTES = 30_000_000
# A feed that is not well-formed XML goes to feedparser's lenient parser, which is slow on junk (2-3 s
# per MB of unclosed tags, against 0.4 s per MB for a real feed): such a feed over this is skipped.
MAX_LENIENT_FEED_BYTES = 4_000_000
# feedparser spends ~55 µs per entry however small: a feed of more entries than this is skipped (a
# 30 MB full-text feed has ~5,000; 20 MB of empty <item>s would have 700,000 and take 40 s).
MAX_FEED_ENTRIES = 20_000
# An entry with one field (content, summary) longer than this is removed before feedparser sees it: its
# article would be over MAX_ARTICLE_CHARS even as markup-heavy HTML, and sanitising it costs ~1 s per MB.
MAX_ENTRY_MARKUP_CHARS = 4 * MAX_ARTICLE_CHARS
# A JSONL line longer than this is skipped without being read into one string: an article at the
# 1,000,000-character limit fits even when every character is \\uXXXX-escaped in the JSON.
MAX_JSONL_LINE_BYTES = 8_000_000
# Of each kind of warning, the first few are kept word for word and the rest are counted, so that a
# file with 10,000 bad lines gives a readable log.
WARNINGS_KEPT_PER_KIND = 5


@dataclass(frozen=True)
class Article:
    """One article extracted from a file; `text` becomes a document's text, so quotes are offsets into it."""

    text: str  # paragraphs joined by "\n\n"; no markup, no boilerplate, whitespace tidy, deterministic
    title: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD, or None (missing, unparseable or implausible: see dates.py)
    author: str | None = None
    url: str | None = None
    source: str | None = None  # site or feed name
    key: str | None = None  # stable id inside a multi-article file; None for a one-article file


@dataclass(frozen=True)
class Extraction:
    """What one file yielded: its articles in file order, and one line per thing skipped or dropped."""

    articles: tuple[Article, ...]
    warnings: tuple[str, ...]


class WarningLog:
    """Collects one-line warnings about one file, keeping the first few of each kind and counting the rest."""

    def __init__(self, name: str, kept_per_kind: int = WARNINGS_KEPT_PER_KIND) -> None:
        self._name = name
        self._kept_per_kind = kept_per_kind
        self._lines: list[str] = []
        self._seen: Counter[str] = Counter()
        self._order: list[str] = []

    def add(self, kind: str, message: str) -> None:
        """Record `message`; `kind` groups warnings of one cause (e.g. "not JSON") for collapsing."""
        if kind not in self._seen:
            self._order.append(kind)
        self._seen[kind] += 1
        if self._seen[kind] <= self._kept_per_kind:
            self._lines.append(f"{self._name}: {message}")

    def lines(self) -> tuple[str, ...]:
        """The kept warnings, then one summary line per kind that had more than were kept."""
        summaries = [
            f"{self._name}: ... and {self._seen[kind] - self._kept_per_kind:,} more warnings of this kind: {kind}"
            for kind in self._order
            if self._seen[kind] > self._kept_per_kind
        ]
        return (*self._lines, *summaries)

    def count(self, kind: str) -> int:
        """How many warnings of `kind` were recorded, kept or not."""
        return self._seen[kind]
