"""A brokerage workshop in a real Chromium: a facilitator sets it up, registers three people,
solves the schedule, and a participant's agenda shows the meetings in Finnish and English."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.engine.embeddings import Embedder
from matchmaker.vocab import Role
from tests.test_browser import start
from tests.workshops.world import food_market
from tests.world import Factory

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

FACILITATOR = {"email": "fanni@valley.example.fi", "password": "correct horse battery"}


def market(base: str, app: Any) -> dict[str, Any]:
    with Session(app.state.db_engine) as session:
        admin = accounts.create_user(
            session, email="admin@example.fi", password="x" * 12, role=Role.admin
        )
        _, token = accounts.new_api_token(session, admin, "browser tests")
        accounts.create_user(
            session,
            email=FACILITATOR["email"],
            password=FACILITATOR["password"],
            role=Role.facilitator,
            name="Fanni",
        )
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
        return food_market(Factory(cast(TestClient, api)))


def test_a_facilitator_solves_a_workshop_and_an_agenda_shows_it(
    chromium: Any, hash_embedder: Embedder, tmp_path: Path
) -> None:
    tomorrow = datetime.now(ZoneInfo("Europe/Helsinki")).date() + timedelta(days=1)
    with start(tmp_path, hash_embedder) as (base, app):
        market(base, app)
        context = chromium.new_context(locale="en-GB")
        page = context.new_page()
        page.goto(f"{base}/login?lang=en")
        page.locator("#f-email").fill(FACILITATOR["email"])
        page.locator("#f-password").fill(FACILITATOR["password"])
        page.locator(".login-form button[type=submit]").click()
        page.locator(".account .who").wait_for()

        page.get_by_role("link", name="Workshops").click()
        expect(page.locator("h1")).to_have_text("Brokerage workshops")
        page.locator("#w-title").fill("Food chain circularity day")
        page.locator("#w-theme").select_option("food")
        page.locator("#w-day").fill(tomorrow.isoformat())
        page.locator("#w-tables").fill("2")
        page.locator("#w-venue").fill("Kaapelitehdas")
        page.get_by_role("button", name="Create workshop").click()
        expect(page.locator(".notice")).to_contain_text("The workshop was created.")

        page.locator("#s-start").fill("09:00")
        page.locator("#s-minutes").fill("20")
        page.locator("#s-count").fill("3")
        page.get_by_role("button", name="Add rounds").click()
        expect(page.locator(".slot")).to_have_count(3)

        for name, org, lang in (
            ("Paula Panimo", "Helsingin Panimo Oy", "fi"),
            ("Ben Baker", "Espoo Bakery Ltd", "en"),
            ("Tiina Tila", "Tuusulan Kompostitila Oy", "fi"),
        ):
            page.locator("#p-org").select_option(label=org)
            page.locator("#p-name").fill(name)
            page.locator("#p-language").select_option(lang)
            page.get_by_role("button", name="Register", exact=True).click()
            expect(page.locator(".notice")).to_contain_text("The participant was registered.")
        expect(page.locator("table.participants tbody tr")).to_have_count(3)

        page.locator("#r-requester").select_option(label="Paula Panimo (Helsingin Panimo Oy)")
        page.locator("#r-wanted").select_option(label="Tiina Tila (Tuusulan Kompostitila Oy)")
        page.get_by_role("button", name="Request", exact=True).click()
        expect(page.locator(".requests")).to_contain_text("Paula Panimo asked to meet Tiina Tila")

        page.get_by_role("button", name="Solve the schedule").click()
        expect(page.locator(".solved")).to_have_text(
            "The schedule is proven to be the best possible."
        )
        meetings = page.locator("tr.meeting")
        expect(meetings.first).to_be_visible()
        expect(page.locator("tr.meeting", has_text="Tiina Tila")).to_contain_text("requested")

        # her agenda opens in her language, Finnish; the language links switch it
        page.locator("tr", has_text="Paula Panimo").get_by_role("link", name="Agenda").click()
        expect(page.locator("h1")).to_have_text("Tapaamiset: Paula Panimo")
        expect(page.locator("tr.agenda-row", has_text="Tiina Tila")).to_contain_text(
            "Pyysit tätä tapaamista."
        )
        expect(page.locator("tr.agenda-row", has_text="Ben Baker")).to_contain_text(
            "Tarjouksenne ”Spent grain from brewing” sopii heidän tarpeeseensa"
        )
        page.get_by_role("link", name="English").click()
        expect(page.locator("h1")).to_have_text("Meetings: Paula Panimo")
        expect(page.locator("tr.agenda-row", has_text="Tiina Tila")).to_contain_text(
            "You asked for this meeting."
        )
        expect(page.locator("tr.agenda-row", has_text="Ben Baker")).to_contain_text(
            "Your offer ‘Spent grain from brewing’ fits their need"
        )
        page.get_by_role("link", name="suomi").click()
        expect(page.locator("thead")).to_contain_text("Pöytä")
        with page.expect_download() as download:
            page.get_by_role("link", name="Lataa kalenteriin (.ics)").click()
        text = Path(download.value.path()).read_text("utf-8")
        assert re.search(r"DTSTART;TZID=Europe/Helsinki:\d{8}T09[0-5]\d00", text)
        assert "SUMMARY:Tapaaminen: Tiina Tila\\, Tuusulan Kompostitila Oy" in text
        context.close()
