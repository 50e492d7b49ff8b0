"""In a real Chromium, with mail through a real SMTP server on 127.0.0.1: a member posts an
offer that strongly fits another organisation's need, `notify` runs, and the other
organisation's member gets the digest and follows its link to the suggestion."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session

from matchmaker import scheduler
from matchmaker.accounts import service as accounts
from matchmaker.tables import User
from matchmaker.vocab import AlertPeriod, Language
from tests.mailserver import Inbox
from tests.test_browser_reach import anonymous_page, api_client, link_to, mailed  # noqa: F401

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser
PASSWORD = "kierto-talous-2026"


def account(app: FastAPI, email: str, org_id: int, name: str) -> None:
    with Session(app.state.db_engine) as session:
        user: User = accounts.create_user(
            session,
            email=email,
            password=PASSWORD,
            organisation_id=org_id,
            language=Language.en,
            name=name,
        )
        user.alerts = AlertPeriod.instant
        session.add(user)
        session.commit()


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator(".login-form button[type=submit]").click()
    expect(page.locator(".account .who")).to_be_visible()


def test_a_strong_new_offer_reaches_the_other_member_who_follows_the_link(
    mailed: tuple[str, FastAPI, Inbox],  # noqa: F811
    chromium: Any,
) -> None:
    base, app, inbox = mailed
    with api_client(base, app) as api:
        plant = api.post(
            "/api/organisations",
            json={"name": "Vantaan Pelletti Oy", "kind": "company", "municipality": "Vantaa"},
        ).json()
        sawmill = api.post(
            "/api/organisations",
            json={"name": "Porvoon Saha Oy", "kind": "company", "municipality": "Porvoo"},
        ).json()
        need = api.post(
            "/api/listings",
            json={
                "organisation_id": plant["id"],
                "theme": "construction",
                "kind": "need",
                "category": "material",
                "language": "en",
                "title": "Dry oak sawdust for pellets",
                "description": "We press dry oak sawdust into pellets, 40 t a year.",
                "municipality": "Vantaa",
                "quantity": 40,
                "unit": "t",
                "frequency": "yearly",
            },
        ).json()
    account(app, "pia@pelletti.example.fi", plant["id"], "Pia Pelletti")
    account(app, "sami@saha.example.fi", sawmill["id"], "Sami Saha")

    poster = chromium.new_context(locale="en-GB").new_page()
    log_in(poster, base, "sami@saha.example.fi")
    poster.goto(f"{base}/listings/new?kind=offer&lang=en")
    poster.get_by_label("Theme").select_option("construction")
    poster.get_by_label("Category").select_option("material")
    poster.get_by_label("Title").fill("Dry oak sawdust, 40 t a year")
    poster.get_by_label("Description").fill(
        "Dry oak sawdust for pellets from our sawmill, 40 t a year."
    )
    poster.get_by_label("Quantity").fill("40")
    poster.get_by_label("Unit").select_option("t")
    poster.get_by_label("How often").select_option("yearly")
    poster.get_by_label("Municipality").fill("Porvoo")
    poster.get_by_role("button", name="Publish").click()
    expect(poster).to_have_url(re.compile(r"/listings/\d+\?saved=1$"))
    offer_id = int(re.findall(r"/listings/(\d+)", poster.url)[0])

    scheduler.notify(app.state.db_engine, app.state.settings, app.state.matcher)  # the job
    letter = next(m for m in inbox.messages if m["To"] == "pia@pelletti.example.fi")
    assert letter["Subject"] == "Circular Valley: new for you (1)"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = inbox.text(letter)
    assert f"New strong suggestions for your listing “{need['title']}”" in text
    link = link_to(inbox, "pia@pelletti.example.fi", f"/listings/{offer_id}")

    reader = chromium.new_context(locale="en-GB").new_page()
    log_in(reader, base, "pia@pelletti.example.fi")
    reader.goto(link)
    expect(reader.locator("#listing-title")).to_have_text("Dry oak sawdust, 40 t a year")
    expect(reader.get_by_role("link", name="I'm interested")).to_be_visible()

    count = len(inbox.messages)
    scheduler.notify(app.state.db_engine, app.state.settings, app.state.matcher)
    assert len(inbox.messages) == count  # nothing twice
