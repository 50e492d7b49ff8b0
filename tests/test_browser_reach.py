"""In a real Chromium, mail through a real SMTP server on 127.0.0.1: an anonymous party answers
an introduction by its link without an account; an expiry reminder renews a listing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from matchmaker import scheduler
from matchmaker.accounts import service as accounts
from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import today
from matchmaker.listings import expiry
from matchmaker.settings import ROOT, Settings
from matchmaker.tools.liveserver import serve
from matchmaker.vocab import Language, Role
from matchmaker.web.i18n import Translator
from tests.mailserver import Inbox, running

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser


@pytest.fixture
def mailed(tmp_path: Path, hash_embedder: Embedder) -> Iterator[tuple[str, FastAPI, Inbox]]:
    """A live server whose mail goes to a real SMTP server on 127.0.0.1."""
    with running() as (inbox, port):
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'reach.db'}",
            instance_dir=tmp_path / "instance",
            engine="hash",
            model="",
            seeds_dir=ROOT / "seeds",
            scheduler=False,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
        )
        app = create_app(settings, embedder=hash_embedder)
        with serve(app) as base:
            app.state.settings.base_url = base  # the links in the e-mails lead here
            yield base, app, inbox


def api_client(base: str, app: FastAPI) -> httpx.Client:
    with Session(app.state.db_engine) as session:
        admin = accounts.create_user(
            session, email="admin@example.fi", password="x" * 12, role=Role.admin
        )
        _, token = accounts.new_api_token(session, admin, "browser tests")
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})


def link_to(inbox: Inbox, to: str, path: str) -> str:
    letter = [m for m in inbox.messages if m["To"] == to][-1]
    found = re.search(rf"https?://\S+{re.escape(path)}\S*", inbox.text(letter))
    assert found, inbox.text(letter)
    return found.group(0)


@pytest.fixture
def anonymous_page(chromium: Any) -> Iterator[Any]:
    """A browser that has never logged in: no account, no cookies."""
    context = chromium.new_context(locale="en-GB")
    yield context.new_page()
    context.close()


def test_an_anonymous_party_accepts_by_its_link_without_an_account(
    mailed: tuple[str, FastAPI, Inbox], anonymous_page: Any
) -> None:
    base, app, inbox = mailed
    with api_client(base, app) as api:
        brewery = api.post(
            "/api/organisations",
            json={
                "name": "Helsingin Panimo Oy",
                "kind": "company",
                "contact_email": "panimo@example.fi",
                "contact_name": "Paula Panimo",
                "language": "en",
            },
        ).json()
        bakery = api.post(
            "/api/organisations",
            json={"name": "Espoo Bakery Ltd", "kind": "company", "contact_email": "b@bake.fi"},
        ).json()
        common = {"theme": "food", "category": "material", "language": "en"}
        api.post(
            "/api/listings",
            json={
                **common,
                "organisation_id": brewery["id"],
                "kind": "offer",
                "title": "Spent grain from brewing",
                "description": "Wet brewers' spent grain, 10 t a week.",
                "visibility": "anonymous",
            },
        )
        api.post(
            "/api/listings",
            json={
                **common,
                "organisation_id": bakery["id"],
                "kind": "need",
                "title": "Bakery seeks spent grain for bread",
                "description": "We bake bread with spent grain, 100 t a year.",
            },
        )
        assert api.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] == 1
        match_id = api.get("/api/matches").json()[0]["id"]
        api.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
        assert api.post(f"/api/matches/{match_id}/introduction", json={}).status_code == 200
        link = link_to(inbox, "panimo@example.fi", "/introductions/answer?token=")
        assert "Helsingin Panimo" not in inbox.text(
            next(m for m in inbox.messages if m["To"] == "b@bake.fi")
        )

        page = anonymous_page
        page.goto(link)
        expect(page.locator("h1")).to_have_text("Answer the introduction")
        expect(page.locator(".answer-pair")).to_contain_text("Bakery seeks spent grain")
        page.get_by_role("button", name="Accept and reveal our name").click()
        expect(page.locator("h1")).to_have_text("Introduction accepted")
        expect(page.get_by_role("link", name="Join the valley")).to_have_attribute("href", "/join")
        told = inbox.text([m for m in inbox.messages if m["To"] == "b@bake.fi"][-1])
        assert "Helsingin Panimo Oy" in told and "panimo@example.fi" in told
        # the match may now move on, without any "agreed by other means"
        moved = api.post(f"/api/matches/{match_id}/status", json={"status": "negotiating"})
        assert moved.status_code == 200, moved.text
        page.goto(link)  # a second click does nothing
        expect(page.locator("h1")).to_have_text("This link no longer works")


def test_an_expiry_reminder_renews_a_listing(
    mailed: tuple[str, FastAPI, Inbox], anonymous_page: Any
) -> None:
    base, app, inbox = mailed
    ends = today() + timedelta(days=14)
    with api_client(base, app) as api:
        org = api.post(
            "/api/organisations",
            json={"name": "Porvoon Puutuote Oy", "kind": "company", "municipality": "Porvoo"},
        ).json()
        with Session(app.state.db_engine) as session:
            accounts.create_user(
                session,
                email="aino@puutuote.example.fi",
                password="x" * 12,
                organisation_id=org["id"],
                language=Language.en,
            )
        listing = api.post(
            "/api/listings",
            json={
                "organisation_id": org["id"],
                "theme": "construction",
                "kind": "offer",
                "category": "material",
                "title": "Oak sawdust, 40 t/year",
                "language": "en",
                "available_until": ends.isoformat(),
            },
        ).json()
        scheduler.remind_expiring(app.state.db_engine, app.state.settings)  # the daily job
        scheduler.remind_expiring(app.state.db_engine, app.state.settings)  # once is enough
        assert [m["To"] for m in inbox.messages] == ["aino@puutuote.example.fi"]
        assert inbox.messages[0]["Subject"] == "Your listing “Oak sawdust, 40 t/year” ends soon"
        link = link_to(inbox, "aino@puutuote.example.fi", "/listings/renew?token=")

        page = anonymous_page
        page.goto(link)
        expect(page.locator("h1")).to_have_text("Renew or close the listing")
        page.get_by_role("button", name="Renew for 12 months").click()
        renewed = expiry.add_months(ends, 12)
        expect(page.locator("main")).to_contain_text(
            f"now available until {Translator('en').date(renewed)}"
        )
        now = api.get(f"/api/listings/{listing['id']}").json()
        assert date.fromisoformat(now["available_until"]) == renewed
        page.goto(link)
        expect(page.locator("h1")).to_have_text("This link no longer works")
