"""The web chat in Debian's chromium: a question answered with the quote, the document
highlighted and feedback recorded; a `<script>` question shown as text, never run."""

from __future__ import annotations

import json
import re
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # chromium starts once per module: a few seconds

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, ask  # noqa: E402

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (make browser)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from support import GENEVA_Q, ROOT  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"  # gitignored: the screenshot of the last run


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    # the page keeps a connection open and never goes network-idle: wait for `load`
    page.goto(server[0], wait_until="load")
    yield page
    page.close()


def test_answer_shows_quote_citation_and_highlighted_document(page: Page, server):
    ask(page, GENEVA_Q)
    reply = page.locator("#chat .bot-row").last
    expect(reply.locator("blockquote")).to_contain_text("Geneva")
    expect(reply.locator("blockquote strong")).to_have_text("Geneva")
    expect(reply).to_contain_text(re.compile(r"— \S+, 2022-01-04, characters \d+–\d+"))

    marked = page.locator("#doc-view .token.highlighted")
    expect(marked.first).to_be_visible()
    expect(page.locator("#doc-view")).to_contain_text("Geneva")
    assert "Geneva" in "".join(marked.all_inner_texts())

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)

    # sources panel: passages with scores and the table of signals
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#sources")).to_contain_text("Supporting passages")
    expect(page.locator("#sources table")).to_contain_text("dense")

    # a thumbs-up lands in <data>/feedback.jsonl
    page.locator("#chat").get_by_label("Like", exact=True).last.click()
    log = server[1] / "feedback.jsonl"
    deadline = time.monotonic() + 10
    # the file exists as soon as the writer opens it: wait for a whole line, not for the file
    while not (log.exists() and log.read_text(encoding="utf-8").endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.1)
    record = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert record["liked"] is True
    assert "Geneva" in record["answer"] and record["question"].startswith("In which city")
    assert isinstance(record["start"], int) and record["doc_id"].endswith(".txt")


def test_script_in_question_is_shown_as_text(page: Page):
    evil = "<script>window.__xss=1</script>"
    ask(page, evil)
    expect(page.locator("#chat .user-row").last).to_contain_text(evil)
    assert page.locator("#chat script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
