"""Read an export of an article database, one JSON object per line, into articles, streaming.

Each line is {"text": ..., "title", "date", "url", "source", "author", "id"}: `text` is required (a
non-empty string), the others optional (a string or null; `id` may also be an integer). The names
other exports use are read too (`_NAMES`: "content", "headline", "publishedAt", "link", ...). A
line that is not UTF-8 JSON, is not an object, lacks `text`, has a field of the wrong type, or is
longer than MAX_JSONL_LINE_BYTES is skipped with a warning naming its line number; blank lines are
ignored.

Keys: an article's key is its `id`; without one it is "sha256:" and the first 16 hex digits of the
hash of its text, so the same text gets the same key in every export. Duplicate keys: the first line
wins and later lines with the same key are skipped with a warning naming both lines, because a key must
name one article (an export that lists an article twice, or an updated copy, would otherwise give two
documents with competing quotes).

Memory: the input is read line by line (`readline` with a cap), so a line over the cap, even 50 MB
without a newline, is skipped while holding at most the cap in memory; only the articles are kept.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from .article import MAX_ARTICLE_CHARS, MAX_JSONL_LINE_BYTES, Article, WarningLog
from .dates import checked_date
from .text import tidy_line, tidy_text

# The names other exports give the same fields (news APIs, scrapers, CC-News): the first one a line holds,
# not null, is read. A source may be an object with a name, as NewsAPI writes it: {"id": ..., "name": "BBC"}.
_NAMES = {
    "text": ("text", "content", "body", "article", "maintext", "full_text"),
    "title": ("title", "headline"),
    "date": (
        "date",
        "published",
        "published_at",
        "publishedAt",
        "pubDate",
        "publish_date",
        "date_publish",
        "datePublished",
    ),
    "url": ("url", "link"),
    "source": ("source", "publisher", "outlet", "source_name", "site_name"),
    "author": ("author", "byline"),
    "id": ("id", "guid", "uuid"),
}
# Fields that, when present, must be strings: every field but the required text and the id (a string or an integer).
_OPTIONAL_TEXT_FIELDS = tuple(field for field in _NAMES if field not in ("text", "id"))
_MAX_ID_CHARS = 256
# How much of an over-long line is read at a time while it is being skipped.
_SKIP_CHUNK = 1 << 20


def extract_jsonl(data: bytes | BinaryIO, log: WarningLog) -> list[Article]:
    """The articles of a JSONL export given as bytes or an open binary file; problems go to `log`."""
    stream: BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    articles: list[Article] = []
    first_line_of_key: dict[str, int] = {}
    for line_no, line in _lines(stream, log):
        article = _article(line_no, line, log)
        if article is None:
            continue
        key = article.key or ""
        if key in first_line_of_key:
            log.add(
                "duplicate id", f"line {line_no}: id {key!r} already used on line {first_line_of_key[key]}; skipped"
            )
            continue
        first_line_of_key[key] = line_no
        articles.append(article)
    return articles


def _lines(stream: BinaryIO, log: WarningLog) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for each non-blank line of at most MAX_JSONL_LINE_BYTES; longer ones are skipped."""
    line_no = 0
    while True:
        line = stream.readline(MAX_JSONL_LINE_BYTES + 1)
        if not line:
            return
        line_no += 1
        if len(line) > MAX_JSONL_LINE_BYTES and not line.endswith(b"\n"):
            skipped = len(line) + _skip_rest_of_line(stream)
            log.add(
                "line too long",
                f"line {line_no}: {skipped:,} bytes, over the {MAX_JSONL_LINE_BYTES:,}-byte limit; skipped",
            )
            continue
        if line.strip():
            yield line_no, line


def _skip_rest_of_line(stream: BinaryIO) -> int:
    """Read past the end of the current line in bounded chunks; return how many bytes were skipped."""
    skipped = 0
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _article(line_no: int, line: bytes, log: WarningLog) -> Article | None:
    """The article on one line, or None after logging why the line is skipped."""
    where = f"line {line_no}"
    try:
        record = json.loads(line.decode("utf-8-sig" if line_no == 1 else "utf-8"))
    except UnicodeDecodeError:
        log.add("not UTF-8", f"{where}: not UTF-8 text; skipped")
        return None
    except (ValueError, RecursionError):  # JSONDecodeError, a huge integer, or nesting too deep
        log.add("not JSON", f"{where}: not valid JSON; skipped")
        return None
    if not isinstance(record, dict):
        log.add("not an object", f"{where}: a JSON {type(record).__name__}, not an object with a text field; skipped")
        return None
    record = _named(record)
    raw_text = record.get("text")
    if not isinstance(raw_text, str):
        problem = (
            f"no text field ({', '.join(_NAMES['text'])})"
            if raw_text is None
            else f"text is not a string (got {type(raw_text).__name__})"
        )
        log.add("no text", f"{where}: {problem}; skipped")
        return None
    wrong = [f for f in _OPTIONAL_TEXT_FIELDS if record.get(f) is not None and not isinstance(record[f], str)]
    raw_id = record.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        wrong.append("id")
    if wrong:
        log.add("wrong type", f"{where}: {', '.join(wrong)} must be a string or null; skipped")
        return None
    text = tidy_text(raw_text)
    if not text:
        log.add("no text", f"{where}: text is empty; skipped")
        return None
    if len(text) > MAX_ARTICLE_CHARS:
        log.add("too long", f"{where}: text of {len(text):,} characters, over the {MAX_ARTICLE_CHARS:,} limit; skipped")
        return None
    key = _key(raw_id, text)
    if key is None:
        log.add("wrong type", f"{where}: id is empty or longer than {_MAX_ID_CHARS} characters; skipped")
        return None
    day, date_problem = checked_date(record.get("date"), where)
    if date_problem:
        log.add("date", date_problem)
    return Article(
        text=text,
        title=tidy_line(record.get("title")),
        date=day,
        author=tidy_line(record.get("author")),
        url=tidy_line(record.get("url")),
        source=tidy_line(record.get("source")),
        key=key,
    )


def _named(record: dict[str, Any]) -> dict[str, Any]:
    """`record`'s fields under this reader's names (`_NAMES`): the first of each field's names it holds, not null."""
    out = {}
    for field, names in _NAMES.items():
        value = next((record[n] for n in names if record.get(n) is not None), None)
        if field == "source" and isinstance(value, dict) and isinstance(value.get("name"), str):
            value = value["name"]
        out[field] = value
    return out


def _key(raw_id: str | int | None, text: str) -> str | None:
    """The line's `id` as a string, a hash of the text without one, or None for an unusable id."""
    if raw_id is None:
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    key = str(raw_id).strip()
    return key if 0 < len(key) <= _MAX_ID_CHARS else None
