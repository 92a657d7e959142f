"""Briefings in the web chat: "brief me" and its kin in the chat, the Briefing tab with its timeline, `/brief`.

A five-article corpus in a temp folder, the real model: four statements of the `eval/ukraine_2022` stream
(CC0, see its SOURCE.md) dated 2022-02-27, 03-21, 03-25 and 03-29, and one of 2022-03-30 written here
whose title, speaker and sentence hold HTML and Markdown. Handlers are called directly; `/brief` through
gradio_client; the page in Debian's chromium.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from matplotlib.dates import num2date
from support import ROOT, free_port, rendered, squash

import rag
from rag import Briefing, BriefingItem
from ui import app as ui_app
from ui import briefing_render
from ui import render as fmt
from ui.backend import Backend
from ui.briefing import BriefingHandlers
from ui.handlers import ChatHandlers

STREAM = ROOT / "eval" / "ukraine_2022" / "docs"
FROM_STREAM = [
    "2022-02-27-dA5f9CXh5bY.txt",
    "2022-03-21-68ragcCVMH0.txt",
    "2022-03-25-f63-Pj1Ii-g.txt",
    "2022-03-29-7l-TXrl48Hw.txt",
]
ODESA = "2022-03-30-odesa-screens.txt"
SCRIPT = "<script>window.__xss=1</script>"
ODESA_TEXT = (
    "date 2022-03-30\n"
    "title: Odesa <b>screens</b> [notice](javascript:alert(1))\n"
    "source: City council <i>press</i> office\n\n"
    f"The city council of Odesa said 112 screens showed the text {SCRIPT} on Wednesday morning.\n"
    "Engineers in Odesa removed the text from all 112 screens within two hours, the council said.\n"
)
NOTHING_ABOUT = "sourdough bread recipes"
ARTIFACTS = ROOT / "tests" / "artifacts"  # gitignored: screenshots of the last run
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, rag.Index]:
    """(sources folder, its index): four dated statements and the Odesa article."""
    tmp = tmp_path_factory.mktemp("ui-brief")
    sources = tmp / "articles"
    sources.mkdir()
    for name in FROM_STREAM:
        shutil.copy(STREAM / name, sources / name)
    (sources / ODESA).write_text(ODESA_TEXT, encoding="utf-8")
    return sources, rag.build_index(sources, tmp / "index")


@pytest.fixture(scope="module")
def backend(corpus: tuple[Path, rag.Index], tmp_path_factory: pytest.TempPathFactory) -> Backend:
    sources, index = corpus
    return Backend(sources, index.path, tmp_path_factory.mktemp("ui-brief-data"))


@pytest.fixture(scope="module")
def server(corpus: tuple[Path, rag.Index], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the web chat over the corpus, ready before the first request."""
    sources, index = corpus
    demo = ui_app.build_app(index.path, sources, tmp_path_factory.mktemp("ui-brief-web"))
    ui_app.prepare(demo, log=False, background=False)
    url = ui_app.launch(demo, "127.0.0.1", free_port(), block=False)
    yield url
    demo.close()


def chat(backend: Backend, message: str, as_of: str = "") -> tuple[Any, ...]:
    """The last outputs of `respond`: (box, history, replies, sources, document view, picker)."""
    *_, last = ChatHandlers(backend).respond(message, [], {}, as_of)
    return tuple(last)


def page_text(markdown: str) -> str:
    return squash("".join(rendered(markdown).text))


def assert_quoted_exactly(index: rag.Index, items: list[dict[str, Any]]) -> None:
    for item in items:
        assert index.document(item["doc_id"]).text[item["start"] : item["end"]] == item["text"]


def timeline_days(items: list[dict[str, Any]]) -> list[str]:
    return [(i["event_date"] or "").split("/")[-1] or i["date"] for i in items]


# ---------------------------------------------------------------------------- the chat


def test_brief_me_lists_the_weeks_items_in_date_order_each_quoted_exactly(backend: Backend, corpus) -> None:
    _, history, replies, sources, doc_view, shown = chat(backend, "Brief me!")
    saved = replies["1"]["briefing"]
    items = saved["items"]
    # the week up to the newest article (2022-03-30), which holds three articles
    assert (saved["since"], saved["until"], saved["articles"]) == ("2022-03-24", "2022-03-30", 3)
    assert items and timeline_days(items) == sorted(timeline_days(items))
    assert all("2022-03-24" <= i["date"] <= "2022-03-30" for i in items)
    assert_quoted_exactly(corpus[1], items)
    page = page_text(history[-1]["content"])
    assert page.startswith("Briefing, 2022-03-24 to 2022-03-30 · 3 articles")
    for n, item in enumerate(items, 1):
        assert f"{n}. {item['event_date'] or item['date']}" in page
        assert squash(item["text"]) in page
        assert f"{item['date']}, characters {item['start']}–{item['end']}" in page
    # the document shows the first item in its article; the picker offers every item
    assert [t for t, label in doc_view["value"] if label == fmt.QUOTE] == [items[0]["text"]]
    assert "briefing item at characters" in doc_view["label"]
    assert [v for _, v in shown["choices"]] == [f"1/{n}" for n in range(len(items))]
    assert "score" in sources


def test_whats_new_since_a_date_quotes_only_articles_dated_on_or_after_it(backend: Backend, corpus) -> None:
    _, history, replies, *_ = chat(backend, "what's new since March 26?")
    saved = replies["1"]["briefing"]
    assert (saved["since"], saved["until"], saved["articles"]) == ("2022-03-26", "2022-03-30", 2)
    assert saved["items"] and all(i["date"] >= "2022-03-26" for i in saved["items"])
    assert_quoted_exactly(corpus[1], saved["items"])
    assert "“since March 26” read as 2022-03-26 to 2022-03-30" in page_text(history[-1]["content"])


def test_since_monday_counts_from_the_as_of_day(backend: Backend) -> None:
    # As of Friday 2022-03-25, Monday is 2022-03-21: the article of the 29th is not seen
    _, history, replies, *_ = chat(backend, "What’s new since Monday", as_of="2022-03-25")
    saved = replies["1"]["briefing"]
    assert (saved["since"], saved["until"], saved["as_of"]) == ("2022-03-21", "2022-03-25", "2022-03-25")
    assert saved["items"] and {i["date"] for i in saved["items"]} <= {"2022-03-21", "2022-03-25"}
    assert "as of 2022-03-25" in page_text(history[-1]["content"])


def test_a_topic_nothing_mentions_shows_the_notice(backend: Backend) -> None:
    _, history, replies, sources, doc_view, shown = chat(backend, f"brief me on {NOTHING_ABOUT}")
    page = page_text(history[-1]["content"])
    assert f"Nothing in this window is about '{NOTHING_ABOUT}'." in page
    assert replies["1"]["briefing"]["items"] == [] and shown["choices"] == [] and shown["visible"] is False
    assert doc_view == gr.skip() and "Nothing in this window" in sources


def test_an_empty_window_shows_no_articles_in_this_window(backend: Backend) -> None:
    _, history, replies, *_ = chat(backend, "What happened on 2022-01-01?")
    assert replies["1"]["briefing"]["articles"] == 0
    assert "No articles in this window: widen the dates" in page_text(history[-1]["content"])


def test_an_ordinary_question_with_a_day_stays_a_question(backend: Backend) -> None:
    _, history, replies, *_ = chat(backend, "What did Biden say on Sunday?")
    assert "answer" in replies["1"] and "briefing" not in replies["1"]
    assert not page_text(history[-1]["content"]).startswith("Briefing")


def test_an_earlier_briefing_reply_shows_its_items_again_and_takes_feedback(backend: Backend, corpus) -> None:
    handlers = ChatHandlers(backend)
    *_, (_, _, replies, sources, _, _) = handlers.respond("brief me", [], {}, "")
    items = replies["1"]["briefing"]["items"]
    second = handlers.show_citation("1/1", replies)
    assert "".join(t for t, _ in second["value"]) == corpus[1].document(items[1]["doc_id"]).text
    assert [t for t, label in second["value"] if label == fmt.QUOTE] == [items[1]["text"]]
    shown_sources, view, picker = handlers.show_reply(replies, gr.SelectData(None, {"index": 1, "value": None}))
    assert shown_sources == sources and len(picker["choices"]) == len(items)
    assert [t for t, label in view["value"] if label == fmt.QUOTE] == [items[0]["text"]]
    handlers.record_feedback(replies, gr.LikeData(None, {"index": [1, 0], "value": None, "liked": True}))
    log = (backend.data_dir / "feedback.jsonl").read_text(encoding="utf-8")
    assert '"question":"brief me"' in log and '"liked":true' in log


def test_an_undated_index_says_a_briefing_needs_dates(tmp_path: Path) -> None:
    sources = tmp_path / "articles"
    sources.mkdir()
    (sources / "note.txt").write_text("The council met in Odesa and approved 112 new screens.\n", encoding="utf-8")
    index = rag.build_index(sources, tmp_path / "index")
    _, history, replies, *_ = chat(Backend(sources, index.path, tmp_path / "data"), "brief me")
    assert replies["1"]["briefing"]["items"] == []
    assert "No article of this index has a date: a briefing needs dated articles." in page_text(history[-1]["content"])


# ---------------------------------------------------------------------------- the Briefing tab


def test_the_tab_draws_articles_per_day_and_the_items_and_opens_an_item(backend: Backend, corpus) -> None:
    handlers = BriefingHandlers(backend)
    summary, plot, items_html, saved = handlers.tab("2022-03-21", "March 29, 2022", "", "")
    items = saved["items"]
    assert "Briefing, 2022-03-21 to 2022-03-29 · 3 articles" in page_text(summary)
    assert_quoted_exactly(corpus[1], items)
    figure = plot["value"]
    assert plot["visible"] is True
    items_ax, bars_ax = figure.axes
    bars = {num2date(b.get_x() + b.get_width() / 2).date(): b.get_height() for b in bars_ax.patches}
    assert bars == {dt.date(2022, 3, 21): 1, dt.date(2022, 3, 25): 1, dt.date(2022, 3, 29): 1}
    assert sum(len(c.get_offsets()) for c in items_ax.collections) == len(items)
    assert [t.get_text() for t in items_ax.texts] == [str(n) for n in range(1, len(items) + 1)]
    assert items_html.count('<li class="brief-item') == len(items)
    assert re.findall(r'data-item="(\d+)"', items_html) == [str(n) for n in range(len(items))]

    view, tabs, picker = handlers.open_item(saved, gr.EventData(None, {"item": 2}))
    assert [t for t, label in view["value"] if label == fmt.QUOTE] == [items[2]["text"]]
    assert tabs.selected == "document" and picker["visible"] is False
    for bad in ({"item": len(items)}, {"item": "1"}, {"item": -1}, {}):
        assert handlers.open_item(saved, gr.EventData(None, bad)) == (gr.skip(), gr.skip(), gr.skip())


def test_the_tab_shows_article_text_as_text(backend: Backend) -> None:
    _, _, items_html, saved = BriefingHandlers(backend).tab("2022-03-30", "2022-03-30", "", "")
    assert any(SCRIPT in i["text"] for i in saved["items"])
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in items_html and "<script" not in items_html
    assert "Odesa &lt;b&gt;screens&lt;/b&gt;" in items_html and "City council &lt;i&gt;press&lt;/i&gt;" in items_html


@pytest.mark.parametrize(
    ("since", "until", "as_of", "message"),
    [
        ("soon", "", "", "Since 'soon' is not a day: type 2022-03-01"),
        ("2022-03-29", "2022-03-21", "", "since 2022-03-29 is after until 2022-03-21: swap them"),
        ("", "", "2022-02-30", "The “As of” date '2022-02-30' is not a day"),
    ],
)
def test_bad_dates_in_the_tab_say_what_to_do(
    backend: Backend, since: str, until: str, as_of: str, message: str
) -> None:
    summary, plot, items_html, saved = BriefingHandlers(backend).tab(since, until, "", as_of)
    assert page_text(summary).startswith("Could not brief:") and message in page_text(summary)
    assert plot["visible"] is False and items_html == "" and saved == {}


def test_an_empty_window_in_the_tab_shows_the_notice_and_no_picture(backend: Backend) -> None:
    summary, plot, items_html, saved = BriefingHandlers(backend).tab("2022-01-01", "2022-01-07", "", "")
    assert "0 articles" in page_text(summary) and plot["visible"] is False
    assert "No articles in this window" in items_html and saved["items"] == []


# ---------------------------------------------------------------------------- rendering (no model)


EVIL = f"{SCRIPT} [x](javascript:1) *120,000* troops"


def _briefing() -> Briefing:
    items = (
        BriefingItem("a.txt", 5, 5 + len(EVIL), EVIL, "2022-03-02", "2022-02-27/2022-03-01", "120,000", ("b.txt", "c.txt"),
                     0.9, change="100,000 → 120,000", title="<b>Title</b>", source="<i>Speaker</i>"),
        BriefingItem("d.txt", 0, 10, "Plain text", "2022-03-03", None, "", (), 0.5),
    )  # fmt: skip
    return Briefing(items, "2022-03-01", "2022-03-03", None, "troops <img>", 4)


def test_a_briefing_reply_shows_when_label_citation_copies_and_change_as_text() -> None:
    parsed = rendered(briefing_render.briefing_markdown(_briefing(), "since <Monday>"))
    assert not {"script", "a", "b", "i", "img"} & set(parsed.tags)
    lines = [squash(line) for line in "".join(parsed.text).split("\n") if line.strip()]
    assert lines[0] == "Briefing about “troops <img>”, 2022-03-01 to 2022-03-03 · 4 articles"
    assert lines[1] == "“since <Monday>” read as 2022-03-01 to 2022-03-03"
    assert lines[2] == "1. 2022-02-27 – 2022-03-01 · 120,000"
    assert lines[3] == f"{SCRIPT} [x](javascript:1) *120,000* troops"
    end = 5 + len(EVIL)
    assert lines[4] == f"— <i>Speaker</i> · <b>Title</b>, 2022-03-02, characters 5–{end} · also in 2 more articles"
    assert lines[5] == "Changed: 100,000 → 120,000"
    assert lines[6:] == ["2. 2022-03-03", "Plain text", "— d.txt, 2022-03-03, characters 0–10"]


def test_the_tabs_list_escapes_everything_and_marks_a_change() -> None:
    html = briefing_render.briefing_html(_briefing())
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert '<li class="brief-item changed" data-item="0"' in html and '<li class="brief-item" data-item="1"' in html
    assert "Changed: 100,000 → 120,000" in html and "also in 2 more articles" in html


# ---------------------------------------------------------------------------- /brief


@pytest.fixture(scope="module")
def client(server: str) -> Client:
    return Client(server, verbose=False)


def test_brief_endpoint_returns_the_briefing_with_exact_quotes(client: Client, corpus) -> None:
    r = client.predict(None, "2022-03-21", "2022-03-29", None, 4, api_name="/brief")
    assert set(r) == {"since", "until", "as_of", "topic", "articles", "notice", "items"}
    assert (r["since"], r["until"], r["articles"], r["notice"]) == ("2022-03-21", "2022-03-29", 3, None)
    assert 0 < len(r["items"]) <= 4 and timeline_days(r["items"]) == sorted(timeline_days(r["items"]))
    assert_quoted_exactly(corpus[1], r["items"])
    assert {"doc_id", "start", "end", "text", "date", "event_date", "label", "also_in", "score", "change"} <= set(
        r["items"][0]
    )
    week = client.predict(api_name="/brief")  # every parameter is optional: the week up to the newest article
    assert (week["since"], week["until"]) == ("2022-03-24", "2022-03-30") and week["items"]
    relative = client.predict(since="Monday", as_of="2022-03-25", api_name="/brief")
    assert (relative["since"], relative["until"], relative["as_of"]) == ("2022-03-21", "2022-03-25", "2022-03-25")


def test_brief_endpoint_gives_notices_for_an_empty_window_and_an_unmentioned_topic(client: Client) -> None:
    empty = client.predict(since="2022-01-01", until="2022-01-07", api_name="/brief")
    assert empty["items"] == [] and empty["articles"] == 0 and "no articles in this window" in empty["notice"]
    nothing = client.predict(topic=NOTHING_ABOUT, api_name="/brief")
    assert nothing["items"] == [] and nothing["notice"] == f"nothing in this window is about {NOTHING_ABOUT!r}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "2022-13-40"}, "since '2022-13-40' is not a day"),
        ({"since": "2022-03-29", "until": "2022-03-21"}, "swap them"),
        ({"as_of": "someday"}, "as_of 'someday' is not a day"),
        ({"max_items": 0}, "max_items must be a whole number from 1 to 30"),
        ({"max_items": 31}, "max_items must be a whole number from 1 to 30"),
    ],
)
def test_brief_endpoint_bad_input_is_a_clear_error(client: Client, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(Exception, match=re.escape(message)):
        client.predict(**kwargs, api_name="/brief")


# ---------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(60_000)
            page.goto(server, wait_until="load")  # the page never goes network-idle
            yield page
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_chat_answers_brief_me_with_the_list(page: Any) -> None:
    from playwright.sync_api import expect

    box = page.locator("#question textarea")
    box.fill("brief me")
    box.press("Enter")
    reply = page.locator("#chat .bot-row").last
    expect(reply).to_contain_text("Briefing, 2022-03-24 to 2022-03-30 · 3 articles")
    expect(reply.locator("blockquote").first).to_be_visible()
    assert reply.locator("blockquote").count() >= 2
    expect(reply).to_contain_text(re.compile(r"characters \d+–\d+"))
    expect(page.locator("#doc-view .token.highlighted").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-brief-chat.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_the_briefing_tab_draws_the_timeline_and_an_item_opens_in_the_document(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Briefing").click()
    page.locator("#brief-since textarea, #brief-since input").first.fill("2022-03-20")
    page.locator("#brief-until textarea, #brief-until input").first.fill("2022-03-30")
    page.locator("#brief-button").click()
    expect(page.locator("#brief-summary")).to_contain_text("Briefing, 2022-03-20 to 2022-03-30 · 4 articles")
    expect(page.locator("#brief-plot img")).to_be_visible()
    items = page.locator("#brief-items li.brief-item")
    expect(items.first).to_be_visible()
    assert items.count() >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-brief-tab.png"), full_page=True)

    quote = items.nth(1).locator(".brief-quote").inner_text()
    items.nth(1).click()
    expect(page.get_by_role("tab", name="Document")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#doc-view")).to_contain_text("briefing item at characters")
    marked = page.locator("#doc-view .token.highlighted")
    expect(marked.first).to_be_visible()
    assert squash("".join(marked.all_inner_texts())) == squash(quote)
    page.wait_for_timeout(500)  # the scroll to the quote
    page.screenshot(path=str(ARTIFACTS / "ui-brief-document.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_a_script_in_an_article_is_shown_as_text_in_the_tab_and_the_chat(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Briefing").click()
    page.locator("#brief-since textarea, #brief-since input").first.fill("2022-03-30")
    page.locator("#brief-until textarea, #brief-until input").first.fill("2022-03-30")
    page.locator("#brief-button").click()
    expect(page.locator("#brief-items")).to_contain_text(SCRIPT)
    expect(page.locator("#brief-items")).to_contain_text("Odesa <b>screens</b>")
    box = page.locator("#question textarea")
    box.fill("What happened on March 30?")
    box.press("Enter")
    expect(page.locator("#chat .bot-row").last).to_contain_text(SCRIPT)
    assert page.locator("#brief-items script, #chat script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
