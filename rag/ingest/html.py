"""Extract the one article of a saved web page: trafilatura for text and metadata, htmldate for the date.

Nothing here touches the network: the page is decoded and parsed here and only the parsed tree is handed
to trafilatura and htmldate (htmldate downloads a string that looks like a URL; a tree it cannot).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from trafilatura import bare_extraction
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.utils import load_html

from .article import MAX_ARTICLE_CHARS, MAX_HTML_BYTES, MAX_HTML_ELEMENTS, Article, WarningLog
from .dates import EARLIEST, latest_plausible
from .decode import decode
from .text import PARAGRAPH_BREAK, tidy_line, tidy_text


@dataclass(frozen=True)
class HtmlSettings:
    """How trafilatura weighs doubtful blocks, and whether it keeps <table> content (as "| a | b |" rows)."""

    favor: Literal["balanced", "precision", "recall"] = "balanced"
    tables: bool = True

    @property
    def label(self) -> str:
        """A short name for tables of results."""
        return f"{self.favor}{'' if self.tables else ', no tables'}"


# Every combination is scored by scripts/measure_extraction.py on the fixture pages. The default keeps
# every article sentence there, keeps every paragraph whole, and leaks the least boilerplate of those
# that do: with tables, a page laid out in <table>s came out as one "| ... |" line of 6,000 characters,
# and "precision" lost such a page entirely. The cost: a data table inside an article is dropped; its
# "| 360 | tanks |" rows were no quotable sentences anyway.
SETTINGS_TRIED = tuple(HtmlSettings(f, t) for f in ("balanced", "precision", "recall") for t in (True, False))
DEFAULT_SETTINGS = HtmlSettings("balanced", tables=False)

# lxml refuses a str that still carries its XML declaration ("<?xml ... encoding=...?>"); it was decoded.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.IGNORECASE)


def extract_html(data: bytes, log: WarningLog, settings: HtmlSettings = DEFAULT_SETTINGS) -> list[Article]:
    """The article of the page in `data` (zero or one); problems go to `log`."""
    if len(data) > MAX_HTML_BYTES:
        log.add("too large", f"page of {len(data):,} bytes, over the {MAX_HTML_BYTES:,}-byte limit; skipped")
        return []
    markup, problem = decode(data)
    if problem:
        log.add("encoding", problem)
    tree = load_html(_XML_DECLARATION.sub("", markup, count=1))
    if tree is None:
        log.add("not HTML", "not an HTML page; skipped")
        return []
    elements = sum(1 for _ in tree.iter())
    if elements > MAX_HTML_ELEMENTS:
        log.add("too large", f"page of {elements:,} elements, over the {MAX_HTML_ELEMENTS:,}-element limit; skipped")
        return []
    document = bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=settings.tables,
        include_images=False,
        include_links=False,
        include_formatting=False,
        favor_precision=settings.favor == "precision",
        favor_recall=settings.favor == "recall",
        date_extraction_params={
            # htmldate: the first publication, not the last update; a date outside the plausible window
            # is not taken (its page may state another, e.g. in the URL or a <time> element)
            "original_date": True,
            "extensive_search": True,
            "outputformat": "%Y-%m-%d",
            "min_date": EARLIEST.isoformat(),
            "max_date": latest_plausible().isoformat(),
        },
    )
    if not isinstance(document, TrafilaturaDocument) or not document.text:
        log.add("no text", "no article text found in the page; skipped")
        return []
    title = tidy_line(document.title)
    text = _without_headline(tidy_text(document.text, lines_are_paragraphs=True), title)
    if not text:
        log.add("no text", "no article text found in the page; skipped")
        return []
    if len(text) > MAX_ARTICLE_CHARS:
        log.add("too long", f"text of {len(text):,} characters, over the {MAX_ARTICLE_CHARS:,} limit; skipped")
        return []
    if not document.date:
        log.add(
            "date",
            f"no publication date from {EARLIEST.isoformat()} to {latest_plausible().isoformat()} "
            "found in the page; kept without one",
        )
    return [
        Article(
            text=text,
            title=title,
            date=document.date or None,
            author=tidy_line(document.author),
            url=tidy_line(document.url),
            source=_site_name(tidy_line(document.sitename), title),
        )
    ]


def _without_headline(text: str, title: str | None) -> str:
    """`text` without a first paragraph that repeats the title: the headline is metadata, not a quote."""
    first, _, rest = text.partition(PARAGRAPH_BREAK)
    return rest if title and rest and first.casefold() == title.casefold() else text


def _site_name(name: str | None, title: str | None) -> str | None:
    """The site name, unless it is only a piece of the headline (trafilatura splits titles at " - ")."""
    return None if name and title and name.casefold() in title.casefold() else name
