"""Read an RSS or Atom feed into articles, one per entry, without expanding entities or fetching anything.

Safety, before feedparser sees a byte:
- the feed is decoded here (BOM, XML declaration, UTF-8, detection) and handed over as UTF-8 in a BytesIO:
  feedparser opens a str or bytes argument that looks like a URL or a file name;
- a DOCTYPE that is more than a name and an external id (an internal subset "[ ... ]", where entities
  are declared) gets the whole feed refused: that is how billion-laughs and external-entity (XXE)
  attacks are written, and real feeds never declare entities;
- a DOCTYPE with only an external id (RSS 0.91's Netscape DTD) is removed, so no parser could fetch it;
- lxml then checks size and shape (see `_bounded`) so that feedparser is never handed hours of work.
feedparser alone: it deletes ENTITY declarations that start a line, re-inserts the "safe" ones (plain
text values), and its strict parser (expat) sees whatever its regular expression misses: a billion
laughs on one line is expanded until expat's amplification limit stops it (0.7 s), an external entity
on one line reaches expat, which does not fetch it (external entities off) and leaves it empty. The
refusal above does not rely on any of that.

Entry text: the longest full-text content (`content:encoded`, Atom `content`), else the summary, HTML
converted to text (text.html_to_text). Date: `published`, else `updated`, as the day the feed wrote it.
Key: the entry id (RSS guid), else its link, else a hash of title and date. A later entry with the key
of an earlier one is skipped with a warning.
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import feedparser
from lxml import etree

from .article import (
    MAX_ARTICLE_CHARS,
    MAX_ENTRY_MARKUP_CHARS,
    MAX_FEED_BYTES,
    MAX_FEED_ENTRIES,
    MAX_LENIENT_FEED_BYTES,
    Article,
    WarningLog,
)
from .dates import checked_date
from .decode import decode
from .text import html_to_text, tidy_line, tidy_text

_XML_DECLARATION = re.compile(r"\A<\?xml[^>]*\?>", re.IGNORECASE)
# <!DOCTYPE rss>, <!DOCTYPE rss SYSTEM "x.dtd">, <!DOCTYPE rss PUBLIC "-//id" "x.dtd">: no internal subset.
_QUOTED = r"""(?:"[^"]*"|'[^']*')"""
_EXTERNAL_DOCTYPE = re.compile(
    rf"<!DOCTYPE\s+[^\s\[>\"']+(?:\s+(?:SYSTEM\s+{_QUOTED}|PUBLIC\s+{_QUOTED}\s+{_QUOTED}|PUBLIC\s+{_QUOTED}))?\s*>",
    re.IGNORECASE,
)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def extract_feed(data: bytes, log: WarningLog) -> list[Article]:
    """The articles of the RSS/Atom feed in `data`; problems go to `log`."""
    if len(data) > MAX_FEED_BYTES:
        log.add("too large", f"feed of {len(data):,} bytes, over the {MAX_FEED_BYTES:,}-byte limit; skipped")
        return []
    text, problem = decode(data)
    if problem:
        log.add("encoding", problem)
    safe, refusal = _without_doctype(text)
    if refusal:
        log.add("unsafe XML", refusal)
        return []
    utf8 = ('<?xml version="1.0" encoding="utf-8"?>' + safe).encode("utf-8")
    bounded = _bounded(utf8, log)
    if bounded is None:
        return []
    parsed = feedparser.parse(
        io.BytesIO(bounded),
        response_headers={"content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=False,
        sanitize_html=True,
    )
    if not parsed.entries:
        reason = f" ({type(parsed.bozo_exception).__name__})" if parsed.get("bozo") else ""
        log.add("no entries", f"no feed entries found{reason}; skipped")
        return []
    feed_title = tidy_line(parsed.feed.get("title"))
    articles: list[Article] = []
    first_entry_of_key: dict[str, int] = {}
    for number, entry in enumerate(parsed.entries, start=1):
        article = _article(number, entry, feed_title, log)
        if article is None:
            continue
        key = article.key or ""
        if key in first_entry_of_key:
            log.add(
                "duplicate id", f"entry {number}: key {key!r} already used by entry {first_entry_of_key[key]}; skipped"
            )
            continue
        first_entry_of_key[key] = number
        articles.append(article)
    return articles


def _without_doctype(text: str) -> tuple[str, str | None]:
    """(the feed without its XML declaration and DOCTYPE, None), or ("", why it is refused).

    Walks the prolog as XML defines it (declaration, comments, processing instructions, DOCTYPE), so a
    DOCTYPE placed after a comment is found too.
    """
    pos, kept = 0, []
    text = _XML_DECLARATION.sub("", text.lstrip(), count=1)
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("<!--", pos) or text.startswith("<?", pos):
            end = text.find("-->" if text.startswith("<!--", pos) else "?>", pos)
            if end < 0:
                return "", "unterminated comment or processing instruction before the first element; refused"
            end += 3 if text.startswith("<!--", pos) else 2
            kept.append(text[pos:end])
            pos = end
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            external_only = _EXTERNAL_DOCTYPE.match(text, pos)
            if external_only is None:  # anything more than a name and an external id, quotes respected
                return "", (
                    "declares a DTD internal subset (entity declarations: the billion-laughs and XXE attacks); "
                    "refused unparsed"
                )
            pos = external_only.end()  # an external DTD only: dropped, never fetched
        else:
            return "".join(kept) + text[pos:], None


def _bounded(utf8: bytes, log: WarningLog) -> bytes | None:
    """The feed, cut down to what feedparser handles in bounded time (limits in article.py), or None.

    lxml checks well-formedness in C, with entities, DTDs and the network all off (the DOCTYPE is gone
    already; this is not what makes the feed safe). An entry holding a text node too big to be an
    article is removed here, because feedparser's sanitiser would spend seconds per MB on it first.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(utf8, parser)
    except etree.XMLSyntaxError as error:
        if len(utf8) <= MAX_LENIENT_FEED_BYTES:
            return utf8  # feedparser's lenient parser copes with real broken feeds of this size in seconds
        log.add(
            "too large",
            f"not well-formed XML ({str(error)[:80]}) and {len(utf8):,} bytes, over the "
            f"{MAX_LENIENT_FEED_BYTES:,} bytes given to the lenient parser; skipped",
        )
        return None
    entries = list(root.iter("{*}item", "{*}entry"))
    if len(entries) > MAX_FEED_ENTRIES:
        log.add("too large", f"{len(entries):,} entries, over the {MAX_FEED_ENTRIES:,}-entry limit; skipped")
        return None
    oversized = [
        (number, entry)
        for number, entry in enumerate(entries, start=1)
        if any(len(e.text or "") > MAX_ENTRY_MARKUP_CHARS for e in entry.iter())
    ]
    for number, entry in oversized:
        log.add("too long", f"entry {number}: a field over {MAX_ENTRY_MARKUP_CHARS:,} characters; skipped")
        entry.getparent().remove(entry)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8") if oversized else utf8


def _article(number: int, entry: Any, feed_title: str | None, log: WarningLog) -> Article | None:
    """The article of one feed entry, or None after logging why it is skipped."""
    title = tidy_line(entry.get("title"))
    where = f"entry {number}" + (f" ({title[:60]!r})" if title else "")
    text = _entry_text(entry)
    if not text:
        log.add("no text", f"{where}: no content or summary; skipped")
        return None
    if len(text) > MAX_ARTICLE_CHARS:
        log.add("too long", f"{where}: text of {len(text):,} characters, over the {MAX_ARTICLE_CHARS:,} limit; skipped")
        return None
    # dict.get: feedparser's own get() maps a missing "updated" to "published" with a DeprecationWarning
    raw_date = dict.get(entry, "published") or dict.get(entry, "updated")
    day, problem = checked_date(raw_date, where)
    if day is None and raw_date:
        # a form only feedparser knows ("Tuesday, March 1st 2022", W3C-DTF without day): its UTC reading
        parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        if parsed is not None:
            day, problem = checked_date(f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}", where)
    if problem:
        log.add("date", problem)
    url = tidy_line(entry.get("link"))
    key = tidy_line(entry.get("id")) or url
    if key is None:
        key = "sha256:" + hashlib.sha256(f"{title or ''}\n{raw_date or ''}".encode()).hexdigest()[:16]
    return Article(
        text=text,
        title=title,
        date=day,
        author=tidy_line(entry.get("author")),
        url=url,
        source=feed_title,
        key=key,
    )


def _entry_text(entry: Any) -> str:
    """The entry's text: its longest full content, else its summary, as tidy text."""
    candidates = [(c.get("value") or "", c.get("type") or "") for c in entry.get("content") or []]
    if not any(value.strip() for value, _ in candidates):
        detail = entry.get("summary_detail") or {}
        candidates = [(entry.get("summary") or "", detail.get("type") or "text/html")]
    texts = [html_to_text(value) if kind in _HTML_TYPES else tidy_text(value) for value, kind in candidates]
    return max(texts, key=len, default="")
