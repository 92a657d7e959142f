"""RSS/Atom feeds -> articles: full text, dates, keys; hostile XML neither expands nor fetches anything."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "ingest"))

from ingest_support import FEEDS, install_tripwire  # noqa: E402

from rag.ingest import extract  # noqa: E402

LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
)


def _rss(items: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel><title>Test Feed</title>'
        f"<link>https://feeds.example.org/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def _item(guid: str, pub: str, text: str = "The council met on Monday and agreed the budget.") -> str:
    return f"<item><title>Item {guid}</title><link>https://feeds.example.org/{guid}</link><guid>{guid}</guid><pubDate>{pub}</pubDate><description>{text}</description></item>"


@pytest.mark.parametrize("name", ["newsroom-50.rss", "statements.atom"])
def test_feed_gives_one_article_per_entry_with_full_text_and_metadata(name):
    data = (FEEDS / name).read_bytes()
    want = json.loads((FEEDS / name).with_suffix(".expected.json").read_text(encoding="utf-8"))
    result = extract(name, data)
    assert result.warnings == ()
    assert len(result.articles) == len(want) >= 5
    for article, entry in zip(result.articles, want, strict=True):
        assert (article.key, article.title, article.date, article.author, article.url) == (
            entry["key"], entry["title"], entry["date"], entry["author"], entry["url"],
        )  # fmt: skip
        paragraphs = article.text.split("\n\n")
        assert (paragraphs[0], paragraphs[-1], len(paragraphs)) == (
            entry["first_paragraph"], entry["last_paragraph"], entry["paragraph_count"],
        ), f"{entry['key']}: caption or markup in the text, or a paragraph lost"  # fmt: skip
        assert hashlib.sha256(article.text.encode()).hexdigest() == entry["text_sha256"]
        assert article.source == result.articles[0].source is not None


def test_rss_date_is_the_day_the_publisher_wrote_not_utc():
    # 23:30 in Kyiv on 1 March is 21:30 UTC; 00:30 in Kyiv on 2 March is 22:30 UTC on 1 March
    data = _rss(_item("a", "Tue, 01 Mar 2022 23:30:00 +0200") + _item("b", "Wed, 02 Mar 2022 00:30:00 +0200"))
    assert [a.date for a in extract("f.rss", data).articles] == ["2022-03-01", "2022-03-02"]


@pytest.mark.parametrize("bad", ["Mon, 01 Jan 1900 10:00:00 +0000", "Tue, 31 Dec 2999 10:00:00 +0000", "soon"])
def test_absurd_or_unparseable_entry_date_keeps_the_article_without_a_date(bad):
    result = extract("f.rss", _rss(_item("a", bad) + _item("b", "Tue, 01 Mar 2022 10:00:00 +0200")))
    assert [a.date for a in result.articles] == [None, "2022-03-01"]
    assert len(result.warnings) == 1 and "entry 1" in result.warnings[0] and "kept without one" in result.warnings[0]


def test_duplicate_guid_is_skipped_with_a_warning_and_the_first_kept():
    data = _rss(
        _item("same", "Tue, 01 Mar 2022 10:00:00 +0200", "First.")
        + _item("same", "Wed, 02 Mar 2022 10:00:00 +0200", "Second.")
    )
    result = extract("f.rss", data)
    assert [a.text for a in result.articles] == ["First."]
    assert "already used by entry 1" in result.warnings[0]


def test_entry_without_text_is_skipped_with_a_warning():
    data = _rss(
        "<item><title>Only a title</title><guid>t</guid></item>" + _item("b", "Tue, 01 Mar 2022 10:00:00 +0200")
    )
    result = extract("f.rss", data)
    assert [a.key for a in result.articles] == ["b"]
    assert "entry 1 ('Only a title'): no content or summary" in result.warnings[0]


HOSTILE = {
    "billion-laughs-file": (FEEDS / "billion-laughs.rss").read_bytes(),
    "xxe-file": (FEEDS / "xxe.rss").read_bytes(),
    # on one line: feedparser's own clean-up only removes ENTITY declarations that start a line
    "billion-laughs-one-line": _rss(
        _item("a", "Tue, 01 Mar 2022 10:00:00 +0200", "x &lol9; y"), f"<!DOCTYPE rss [{LAUGHS}]>"
    ),
    "xxe-one-line": _rss(
        _item("a", "Tue, 01 Mar 2022 10:00:00 +0200", "x &xxe; y"),
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ),
    "doctype-after-comment": _rss(
        _item("a", "Tue, 01 Mar 2022 10:00:00 +0200", "&x;"),
        '<!-- hi --><?pi x?><!DOCTYPE rss [<!ENTITY x SYSTEM "http://attacker.example/">]>',
    ),
    "quote-hides-bracket": _rss(
        _item("a", "Tue, 01 Mar 2022 10:00:00 +0200", "&x;"),
        '<!DOCTYPE rss SYSTEM "a>b" [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ),
    "utf16-xxe": '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><item><guid>a</guid><description>&xxe;</description></item></channel></rss>'.encode(
        "utf-16"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_entity_declarations_are_refused_before_any_parser_sees_them(monkeypatch, name):
    calls = install_tripwire(monkeypatch)
    result = extract(f"{name}.rss", HOSTILE[name])
    assert calls == [], "a parser tried to fetch or open an external entity"
    assert result.articles == ()
    assert any("internal subset" in w and "refused" in w for w in result.warnings)


def test_the_tripwire_catches_an_entity_that_reaches_the_parser(monkeypatch):
    # feedparser alone lets a one-line XXE declaration through to expat (which, with external entities
    # off, does not fetch it): the tripwire above must see that, or its silence proves nothing
    import io

    import feedparser

    calls = install_tripwire(monkeypatch)
    with contextlib.suppress(OSError):  # the tripwire's own refusal
        feedparser.parse(io.BytesIO(HOSTILE["xxe-one-line"]))
    assert any("external entity" in c for c in calls)


def test_external_dtd_alone_is_dropped_unfetched_and_the_feed_read(monkeypatch):
    calls = install_tripwire(monkeypatch)
    rss091 = '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
    result = extract("old.rss", _rss(_item("a", "Tue, 01 Mar 2022 10:00:00 +0200"), rss091))
    assert calls == []
    assert [a.key for a in result.articles] == ["a"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"/etc/passwd",
        b"https://feeds.example.org/rss",
        b"<rss><channel><item><title>cut",
        b"\x00\xff" * 100,
        b"<" * 100_000,
    ],
    ids=["empty", "a-path", "a-url", "truncated", "binary", "angle-brackets"],
)
def test_malformed_feed_never_raises_never_opens_what_it_names(monkeypatch, data):
    calls = install_tripwire(monkeypatch)
    result = extract("bad.xml", data)
    assert calls == []
    assert all("root:" not in a.text for a in result.articles)
    if not result.articles:
        assert result.warnings


def test_small_broken_feed_still_goes_to_the_lenient_parser():
    # real feeds break XML all the time: a bare "&" and an HTML entity the feed never declared
    items = _item("a", "Tue, 01 Mar 2022 10:00:00 +0200", "Talks &nbsp;resumed in Minsk & Brest.")
    result = extract("broken.rss", _rss(items))
    assert [a.key for a in result.articles] == ["a"] and "Minsk & Brest" in result.articles[0].text


@pytest.mark.parametrize(
    ("data", "limit", "keys"),
    [
        (b"<" * (5 * 2**20), "lenient parser", []),  # junk over 4 MB: minutes in the lenient parser
        (_rss("<item><title>t</title></item>" * 25_000), "entry limit", []),
        (
            _rss(
                _item("big", "Tue, 01 Mar 2022 10:00:00 +0200", "&lt;div&gt;" * 900_000)
                + _item("ok", "Tue, 01 Mar 2022 10:00:00 +0200")
            ),
            "over 4,000,000 characters",
            ["ok"],
        ),
    ],
    ids=["junk-over-4MB", "25000-entries", "one-huge-entry"],
)
def test_feeds_that_would_take_minutes_are_cut_at_a_stated_limit(data, limit, keys):
    result = extract("heavy.rss", data)
    assert any(limit in w for w in result.warnings), result.warnings
    assert [a.key for a in result.articles] == keys
