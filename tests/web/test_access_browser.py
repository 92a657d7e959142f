"""Sign-in in Debian's chromium: a reader asks but sees no upload panel and a forged upload is refused with 403;
an editor uploads an article, reads its audit line, and a quote from it traces back to that line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

from browser_helpers import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, ask  # noqa: E402

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (make browser)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from support import GENEVA_Q, ROOT, SignedInApp, start_signed_in  # noqa: E402

import rag  # noqa: E402
from rag.access import EDITOR, READER  # noqa: E402

ARTIFACTS = ROOT / "tests" / "artifacts"
READER_LOGIN = ("rita", "reader passphrase")
EDITOR_LOGIN = ("ed", "editor passphrase")
UPLOAD_NAME = "2022-03-01-velmar-harbour.txt"
UPLOAD = (
    "date 2022-03-01 The harbour of Velmar was closed on Monday after a storm wrecked the northern pier.\n"
    "Port officials said repairs to the pier would take about three weeks.\n"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, seed_index: rag.Index) -> Iterator[SignedInApp]:
    logins = {READER_LOGIN[0]: (READER, READER_LOGIN[1]), EDITOR_LOGIN[0]: (EDITOR, EDITOR_LOGIN[1])}
    app = start_signed_in(tmp_path_factory.mktemp("access-browser"), seed_index, logins)
    yield app
    app.demo.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, served: SignedInApp) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # its own cookies: one user each
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(served.url, wait_until="load")  # the page keeps a connection open: never network-idle
    yield page
    context.close()


def sign_in(page: Page, name: str, password: str) -> None:
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()


def test_a_wrong_password_does_not_sign_in(page: Page):
    sign_in(page, READER_LOGIN[0], "not the passphrase")
    expect(page.get_by_text("Incorrect credentials")).to_be_visible()
    assert page.locator("#question").count() == 0


def test_a_reader_asks_but_sees_no_upload_panel_and_a_forged_upload_is_refused(page: Page, served):
    sign_in(page, *READER_LOGIN)
    expect(page.locator("#who")).to_contain_text("Signed in as rita (reader)")
    ask(page, GENEVA_Q)
    expect(page.locator("#chat .bot-row").last.locator("blockquote")).to_contain_text("Geneva")
    assert page.get_by_role("tab", name="Articles").count() == 0
    assert page.locator("#add-files").count() == 0

    # the same request the upload panel would send, with the reader's own session cookie
    forged = page.request.post(
        served.url + "/gradio_api/upload",
        multipart={"files": {"name": UPLOAD_NAME, "mimeType": "text/plain", "buffer": UPLOAD.encode()}},
    )
    assert forged.status == 403
    assert "only editors may upload" in forged.json()["detail"]
    assert not (served.data / "audit.jsonl").exists()


def test_an_editor_uploads_an_article_and_its_quote_traces_to_the_audit_line(page: Page, served, tmp_path: Path):
    sign_in(page, *EDITOR_LOGIN)
    expect(page.locator("#who")).to_contain_text("Signed in as ed (editor)")
    page.get_by_role("tab", name="Articles").click()
    upload = tmp_path / UPLOAD_NAME
    upload.write_text(UPLOAD, encoding="utf-8")
    page.locator("#add-files input[type=file]").set_input_files(str(upload))
    page.locator("#add-button").click()
    expect(page.locator("#add-result")).to_contain_text("1 added", timeout=120_000)
    expect(page.locator("#add-result")).to_contain_text("indexed: 1 article")

    sha = hashlib.sha256(UPLOAD.encode()).hexdigest()
    lines = (served.data / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[-1])
    assert (event["user"], event["action"], event["file"]) == ("ed", "add", UPLOAD_NAME)
    assert (event["sha256"], event["size"]) == (sha, len(UPLOAD.encode()))
    expect(page.locator("#audit-log")).to_contain_text(f"ed · add · {UPLOAD_NAME} · sha256 {sha[:12]}")

    ask(page, "Why was the harbour of Velmar closed?")
    expect(page.locator("#chat .bot-row").last.locator("blockquote")).to_contain_text("storm")
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#sources")).to_contain_text(f"{UPLOAD_NAME} was brought in by")
    expect(page.locator("#sources")).to_contain_text(f"sha256 {sha[:12]}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-editor-audit.png"), full_page=True)
