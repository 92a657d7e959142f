"""Time in the web chat: the "As of" date, event dates beside the quote, earlier/later/conflicting reports, copies.

A two-article corpus in a temp folder, the real model: the seed article of 2022-01-04 (100,000 troops,
Biden and Zelenskiy spoke on Sunday) and one of 2022-01-11 written here (now about 130,000 troops).
The handlers are called directly; /answer through gradio_client; the page in Debian's chromium.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio_client import Client
from support import ROOT, SEEDS, assert_exact, free_port, rendered, squash

import rag
from ui import app as ui_app
from ui import render as fmt
from ui.backend import Backend
from ui.handlers import ChatHandlers

TROOPS_Q = "How many troops has Russia massed near the border?"
WHEN_Q = "When did Biden speak with Zelenskiy?"
SEED = "2022-01-04-biden-zelenskiy-call.txt"
UPDATE = "2022-01-11-troops-brussels.txt"
UPDATE_TEXT = (
    "title: Russia now has 130,000 troops near Ukraine as talks continue in Brussels\n"
    "date: 2022-01-11\n\n"
    "Russia has now massed about 130,000 troops near the border with Ukraine, Western officials said on Tuesday.\n"
    "Talks between Russian and NATO officials continue in Brussels this week after Monday's meeting in Geneva "
    "ended without a breakthrough.\n"
    "The US and its allies again warned Moscow of severe sanctions if it invades.\n"
)
ARTIFACTS = ROOT / "tests" / "artifacts"  # gitignored: the screenshot of the last run
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, rag.Index]:
    """(sources folder, its index): the seed article and the update a week later."""
    tmp = tmp_path_factory.mktemp("ui-time")
    sources = tmp / "articles"
    sources.mkdir()
    shutil.copy(SEEDS / SEED, sources / SEED)
    (sources / UPDATE).write_text(UPDATE_TEXT, encoding="utf-8")
    return sources, rag.build_index(sources, tmp / "index")


@pytest.fixture(scope="module")
def handlers(corpus: tuple[Path, rag.Index], tmp_path_factory: pytest.TempPathFactory) -> ChatHandlers:
    sources, index = corpus
    return ChatHandlers(Backend(sources, index.path, tmp_path_factory.mktemp("ui-time-data")))


@pytest.fixture(scope="module")
def server(corpus: tuple[Path, rag.Index], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the web chat over the two articles, ready before the first request."""
    sources, index = corpus
    demo = ui_app.build_app(index.path, sources, tmp_path_factory.mktemp("ui-time-web"))
    ui_app.prepare(demo, log=False, background=False)
    url = ui_app.launch(demo, "127.0.0.1", free_port(), block=False)
    yield url
    demo.close()


def ask(handlers: ChatHandlers, question: str, as_of: str | None = "") -> tuple[Any, ...]:
    """The last outputs of `respond`: (box, history, replies, sources, document view, picker)."""
    *_, last = handlers.respond(question, [], {}, as_of)
    return tuple(last)


# ---------------------------------------------------------------------------- handlers


def test_the_newest_figure_is_quoted_and_the_earlier_one_listed_under_it(handlers: ChatHandlers, corpus) -> None:
    _, history, replies, _, doc_view, shown = ask(handlers, TROOPS_Q)
    reply = history[-1]["content"]
    page = squash("".join(rendered(reply).text))
    quote, _, below = page.partition(" — ")
    assert "130,000 troops" in quote and "100,000" not in quote
    assert "2022-01-11" in below and "when: Tuesday (11 Jan 2022)" in below
    earlier = re.search(r"Earlier: “([^”]*)” \((\S+), (\S+), characters (\d+)–(\d+)\)", below)
    assert earlier is not None, below
    assert "100,000 troops" in earlier[1] and earlier[2] == "2022-01-04" and earlier[3] == SEED
    # the cited range is the other article's sentence, exactly
    text = corpus[1].document(SEED).text[int(earlier[4]) : int(earlier[5])]
    assert earlier[1] in text
    saved = replies["1"]["answer"]
    assert saved["doc_id"] == UPDATE and [u["relation"] for u in saved["updates"]] == ["earlier"]
    assert [t for t, label in doc_view["value"] if label == fmt.ANSWER] == ["about 130,000 troops"]
    # the picker offers the quote and the earlier report; choosing it shows that article, its sentence marked
    assert [value for _, value in shown["choices"]] == ["1/0", "1/1"] and shown["visible"] is True
    other = handlers.show_citation("1/1", replies)
    assert "".join(t for t, _ in other["value"]) == corpus[1].document(SEED).text
    assert [t for t, label in other["value"] if label == fmt.ANSWER] == ["100,000 troops"]
    assert "earlier report at characters" in other["label"] and "2022-01-04" in other["label"]


def test_as_of_before_the_update_quotes_the_old_figure_and_no_later_one(handlers: ChatHandlers, corpus) -> None:
    _, history, replies, sources, _, shown = ask(handlers, TROOPS_Q, "2022-01-05")
    page = squash("".join(rendered(history[-1]["content"]).text))
    assert page.startswith("As of 2022-01-05")
    assert "100,000 troops" in page
    assert "130,000" not in page and "130,000" not in sources
    assert not re.search(r"\b(Earlier|Later|Undated|Conflicting)\b", page)
    saved = replies["1"]["answer"]
    assert saved["as_of"] == "2022-01-05" and saved["doc_id"] == SEED and saved["updates"] == []
    assert shown["visible"] is False


def test_a_when_question_shows_the_resolved_day_beside_the_quote(handlers: ChatHandlers) -> None:
    _, history, replies, sources, _, _ = ask(handlers, WHEN_Q, None)
    parsed = rendered(history[-1]["content"])
    page = squash("".join(parsed.text))
    # two sentences of the seed name the call's day ("on Sunday", "after Sunday's call"): either is quoted
    phrase = "".join(parsed.events)  # the phrase itself is marked in the quote (its text may come in pieces)
    assert phrase.startswith("Sunday") and f"when: {phrase} (2 Jan 2022)" in page
    # and the older article says how old it is
    assert "2022-01-04, characters" in page and "(7 days before the newest article, 2022-01-11)" in page
    assert f"when: {phrase} (2 Jan 2022)" in squash("".join(rendered(sources).text))
    assert replies["1"]["answer"]["events"][0]["first"] == "2022-01-02"


def test_the_sources_panel_lists_the_dates_of_each_passage_with_those_of_the_quote(handlers: ChatHandlers) -> None:
    _, _, replies, sources, _, _ = ask(handlers, "In which city will the talks take place?")
    answer = replies["1"]["answer"]
    assert [e["phrase"] for e in answer["events"]] == ["Sunday", "Monday"]
    parsed = rendered(sources)
    blocks = squash("".join(parsed.text)).split(" score ")[1:]
    holding = [b for b in blocks if squash(answer["text"]) in b]
    assert len(holding) == 1, "one passage holds the quote"
    assert "when: Sunday (9 Jan 2022); Monday (10 Jan 2022)" in holding[0]
    assert {"Sunday", "Monday"} <= set(parsed.events)


@pytest.mark.parametrize("bad", ["2022-13-40", "last Tuesday", "2022-01-05 and more" * 5])
def test_a_bad_as_of_is_a_clear_message_and_keeps_the_question(handlers: ChatHandlers, bad: str) -> None:
    outputs = list(handlers.respond(TROOPS_Q, [], {}, bad))
    assert len(outputs) == 1, "nothing is asked"
    box, history, *rest = outputs[0]
    assert box == {"__type__": "update"}, "the question stays in its box"
    assert all(r == {"__type__": "update"} for r in rest)
    assert [m["role"] for m in history] == ["user", "assistant"]
    message = squash("".join(rendered(history[1]["content"]).text))
    assert message.startswith("Could not answer: The “As of” date")
    assert "YYYY-MM-DD" in message or "type one day, e.g. 2022-01-05" in message


def test_the_status_and_the_empty_as_of_box_name_the_newest_article(handlers: ChatHandlers) -> None:
    handlers.backend.prepare(log=False)
    status, timer, box = handlers.status()
    assert "newest article 2022-01-11" in status and timer["active"] is False
    assert box["placeholder"] == "2022-01-11 (newest)"


# ---------------------------------------------------------------------------- /answer


def test_answer_api_takes_an_optional_as_of(server: str, corpus) -> None:
    client = Client(server, verbose=False)
    now = client.predict(TROOPS_Q, api_name="/answer")
    assert now["found"] and "130,000" in now["text"] and now["as_of"] is None
    assert [(u["relation"], u["date"]) for u in now["updates"]] == [("earlier", "2022-01-04")]
    assert "100,000" in now["updates"][0]["text"]
    then = client.predict(TROOPS_Q, "2022-01-05", api_name="/answer")
    assert then["found"] and "100,000" in then["text"] and then["as_of"] == "2022-01-05" and then["updates"] == []
    when = client.predict(WHEN_Q, as_of="January 5, 2022", api_name="/answer")
    assert [(e["phrase"][:6], e["first"]) for e in when["events"]] == [("Sunday", "2022-01-02")]
    for r in (now, then, when):
        assert_exact(corpus[1], rag.Answer(r["question"], r["found"], r["text"], r["doc_id"], r["start"], r["end"]))
    with pytest.raises(Exception, match="is not a date: use YYYY-MM-DD"):
        client.predict(TROOPS_Q, "2022-02-30", api_name="/answer")


def test_a_raw_client_sending_only_the_question_still_works(server: str) -> None:
    with httpx.Client(timeout=120) as http:
        resp = http.post(f"{server.rstrip('/')}/gradio_api/call/answer", json={"data": [TROOPS_Q]})
        stream = http.get(f"{server.rstrip('/')}/gradio_api/call/answer/{resp.json()['event_id']}").text
    assert "event: complete" in stream and "130,000" in stream


# ---------------------------------------------------------------------------- the page


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_the_page_asks_as_of_a_date_and_shows_event_dates_and_the_earlier_report(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(server, wait_until="load")  # the page never goes network-idle
            as_of = page.locator("#as-of textarea, #as-of input").first
            expect(as_of).to_have_attribute("placeholder", "2022-01-11 (newest)")
            expect(page.locator("#status")).to_contain_text("newest article 2022-01-11")

            def ask(question: str, day: str, replies: int) -> Any:
                as_of.fill(day)
                box = page.locator("#question textarea")
                box.fill(question)
                box.press("Enter")
                expect(page.locator("#chat .bot-row")).to_have_count(replies)
                return page.locator("#chat .bot-row").last

            reply = ask(WHEN_Q, "2022-01-20", 1)
            expect(reply.locator("blockquote time")).to_have_text(re.compile(r"^Sunday(’s)?$"))
            expect(reply.locator("blockquote time")).to_have_attribute("title", "Sun 2 Jan 2022")
            expect(reply).to_contain_text(re.compile(r"when: Sunday(’s)? \(2 Jan 2022\)"))

            reply = ask(TROOPS_Q, "", 2)
            expect(reply.locator("blockquote strong")).to_have_text("about 130,000 troops")
            expect(reply).to_contain_text(f"Earlier: “100,000 troops” (2022-01-04, {SEED}")
            page.wait_for_timeout(500)  # the scroll to the quote in the document view
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "ui-time.png"), full_page=True)

            # the earlier report, shown in its own article
            page.locator("#doc-picker").get_by_text("Earlier: 2022-01-04").click()
            expect(page.locator("#doc-view .token.highlighted").filter(has_text="100,000 troops")).to_have_count(1)

            reply = ask(TROOPS_Q, "2022-01-05", 3)
            expect(reply).to_contain_text("As of 2022-01-05")
            expect(reply.locator("blockquote strong")).to_have_text("100,000 troops")
            expect(reply).not_to_contain_text("130,000")

            reply = ask(TROOPS_Q, "soon", 4)
            expect(reply).to_contain_text("is not a date: use YYYY-MM-DD")
            expect(page.locator("#question textarea")).to_have_value(TROOPS_Q)
        finally:
            browser.close()


def test_picker_skips_missing_and_foreign_choices(handlers: ChatHandlers) -> None:
    *_, (_, _, replies, _, _, _) = handlers.respond(TROOPS_Q, [], {}, "")
    for choice in (None, "", "9/0", "1/7", "1/x", "1"):
        assert handlers.show_citation(choice, replies) == gr.skip()
