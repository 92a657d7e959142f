"""Helpers of the browser tests: Debian's chromium through playwright, and asking the chat a question.

Importing this needs no playwright, so a test module can skip on `not CHROMIUM.exists()` first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


def ask(page: Page, question: str) -> None:
    """Type `question` in the chat, press Enter, and wait for its reply to appear."""
    from playwright.sync_api import expect

    replies = page.locator("#chat .bot-row").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.locator("#chat .bot-row")).to_have_count(replies + 1)
