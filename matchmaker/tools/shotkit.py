"""What the screenshot makers share: one browser, a page in a language (logged in), a shot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from matchmaker.tools.liveserver import CHROMIUM, CHROMIUM_ARGS

LOCALES = {"fi": "fi-FI", "en": "en-GB", "sv": "sv-FI"}  # date fields follow the browser's
WIDTH = 1200


@contextmanager
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, closed when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def new_page(
    chromium: Any, lang: str = "en", *, base: str = "", account: dict[str, str] | None = None
) -> Any:
    """A page in a fresh context with `lang`'s locale; logged in as `account` if given."""
    context = chromium.new_context(viewport={"width": WIDTH, "height": 900}, locale=LOCALES[lang])
    page = context.new_page()
    if account is not None:
        log_in(page, base, account)
    return page


def log_in(page: Any, base: str, account: dict[str, str]) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-email", account["email"])
    page.fill("#f-password", account["password"])
    page.locator(".login-form button[type=submit]").click()
    page.locator(".account .who").wait_for()


def shot(page: Any, path: Path, height: int | None = None) -> Path:
    """The whole page, or its top `height` pixels (the listing and its first suggestions)."""
    if height is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        full = int(page.evaluate("document.documentElement.scrollHeight"))
        box = {"x": 0, "y": 0, "width": WIDTH, "height": min(height, full)}
        page.screenshot(path=str(path), full_page=True, clip=box)
    return path
