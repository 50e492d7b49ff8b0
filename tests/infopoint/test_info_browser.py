"""The info point in a real Chromium: a facilitator publishes a funding call through the form,
and a visitor finds it on the home page, in Finnish and in English."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.engine.embeddings import Embedder
from matchmaker.vocab import Language, Role
from tests.test_browser import start

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

FACILITATOR = {"email": "fanni@valley.example.fi", "password": "correct horse battery"}
TITLE = "Business Finland: kiertotalouden pilotit 2099"


def test_a_facilitators_item_appears_on_the_home_page_in_finnish_and_english(
    chromium: Any, hash_embedder: Embedder, tmp_path: Path
) -> None:
    with start(tmp_path, hash_embedder) as (base, app):
        with Session(app.state.db_engine) as session:
            accounts.create_user(
                session,
                email=FACILITATOR["email"],
                password=FACILITATOR["password"],
                role=Role.facilitator,
                name="Fanni",
                language=Language.fi,
            )

        desk = chromium.new_context(locale="fi-FI")
        page = desk.new_page()
        page.goto(f"{base}/login?lang=fi")
        page.locator("#f-email").fill(FACILITATOR["email"])
        page.locator("#f-password").fill(FACILITATOR["password"])
        page.locator(".login-form button[type=submit]").click()
        page.locator("nav.menu").get_by_role("link", name="Infopiste").click()
        page.get_by_role("link", name="Uusi tiedote").click()
        page.get_by_role("button", name="Julkaise").click()  # empty: the messages, in Finnish
        expect(page.locator("#f-title-error")).to_have_text(
            "Kirjoita otsikko (enintään 200 merkkiä)."
        )
        page.locator("#f-kind").select_option("funding")
        page.locator("#f-title").fill(TITLE)
        page.locator("#f-summary").fill("Tukea kiertotalousratkaisujen pilotointiin.")
        page.locator("#f-url").fill("https://www.businessfinland.fi/")
        page.locator("#f-language").select_option("fi")
        page.get_by_label("Rakentaminen").check()
        page.locator("#f-deadline").fill("2020-03-12")  # past: refused
        page.get_by_role("button", name="Julkaise").click()
        expect(page.locator("#f-deadline-error")).to_have_text(
            "Hakuaika on jo päättynyt: anna tämä päivä tai myöhempi päivämäärä."
        )
        page.locator("#f-deadline").fill("2099-03-12")
        page.get_by_role("button", name="Julkaise").click()
        expect(page.get_by_role("status")).to_have_text("Tiedote on julkaistu.")
        desk.close()

        for locale, lang, heading, when, mark in (
            ("fi-FI", "fi", "Infopiste", "Haku päättyy 12.3.2099", ""),  # its own language
            ("en-GB", "en", "Info point", "Deadline Mar 12, 2099", "in Finnish"),
        ):
            reader = chromium.new_context(locale=locale)
            home = reader.new_page()
            home.goto(f"{base}/?lang={lang}")
            box = home.locator("section.info-point")
            expect(box.locator("h2")).to_have_text(heading)
            card = box.locator("article.info").filter(has_text=TITLE)
            expect(card).to_contain_text(when)
            if mark:
                expect(card.locator(".lang-note")).to_have_text(mark)
            else:
                expect(card.locator(".lang-note")).to_have_count(0)
            expect(card.get_by_role("link", name=TITLE)).to_have_attribute(
                "href", re.compile(r"^/info/\d+$")
            )
            reader.close()
