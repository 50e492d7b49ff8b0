"""Joining in a real Chromium: join → a facilitator approves → the invitation → first login."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from matchmaker.accounts import mail
from matchmaker.accounts import service as accounts
from matchmaker.engine.embeddings import Embedder
from matchmaker.tables import OutboxMessage
from matchmaker.vocab import Role
from tests.test_browser import start

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

NEWCOMER = {"email": "kaisa@kierratys.example.fi", "password": "kierto-talous-2026"}


def invitation_link(app: Any) -> str:
    """The link in the last message, as its addressee gets it: without SMTP the whole message
    is in the operator's copy (the outbox itself keeps it withheld)."""
    with Session(app.state.db_engine) as session:
        message = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc())).first()
        assert message is not None and message.to == NEWCOMER["email"]
        assert mail.WITHHELD in message.body
        text = mail.operator_copy_path(app.state.settings, message).read_text("utf-8")
    found = re.search(r"https?://\S+/register\?token=\S+", text)
    assert found, text
    return found.group(0)


def test_join_approve_invitation_and_first_login(
    chromium: Any, hash_embedder: Embedder, tmp_path: Path
) -> None:
    with start(tmp_path, hash_embedder) as (base, app):
        app.state.settings.base_url = base
        with Session(app.state.db_engine) as session:
            accounts.create_user(
                session,
                email="fanni@valley.example.fi",
                password="correct horse battery",
                role=Role.facilitator,
                name="Fanni",
            )

        # a visitor wants to post an offer, has no account, and asks to join
        visitor = chromium.new_context(locale="en-GB")
        page = visitor.new_page()
        page.goto(f"{base}/")
        expect(page.locator("#contact")).to_contain_text("The service is run by")
        page.get_by_role("link", name="Post an offer").click()
        expect(page).to_have_url(re.compile(r"/login\?next=%2Flistings%2Fnew%3Fkind%3Doffer$"))
        page.get_by_role("link", name="Join the valley").first.click()
        expect(page.locator("h1")).to_have_text("Join the valley")
        page.get_by_role("button", name="Send the request").click()  # empty: messages inline
        expect(page.locator("#f-organisation-error")).to_have_text("This field is required.")
        page.locator("#f-organisation").fill("Keravan Kierrätys Oy")
        page.get_by_label("Company", exact=True).check()
        page.locator("#f-municipality").fill("Kerava")
        page.locator("#f-contact_name").fill("Kaisa Kierto")
        page.locator("#f-email").fill(NEWCOMER["email"])
        page.locator("#f-about").fill("We sort construction waste and sell crushed brick.")
        page.get_by_role("button", name="Send the request").click()
        expect(page.locator("#join-sent")).to_contain_text("your request is with the facilitators")

        # a facilitator approves it from the list
        fac = chromium.new_context(locale="en-GB")
        desk = fac.new_page()
        desk.goto(f"{base}/login")
        desk.locator("#f-email").fill("fanni@valley.example.fi")
        desk.locator("#f-password").fill("correct horse battery")
        desk.locator(".login-form button[type=submit]").click()
        workspace = desk.get_by_role("navigation", name="Facilitator workspace")
        workspace.get_by_role("link", name="Joining").click()
        card = desk.locator(".card.join").filter(has_text="Keravan Kierrätys Oy")
        expect(card).to_contain_text(NEWCOMER["email"])
        card.get_by_role("button", name="Approve and invite").click()
        expect(desk.get_by_role("status")).to_contain_text("Approved")
        expect(desk.locator("table")).to_contain_text("Keravan Kierrätys Oy")
        fac.close()

        # the invitation, read from the outbox, and the newcomer's first login
        link = invitation_link(app)
        page.goto(link)
        page.locator("#f-name").fill("Kaisa")
        page.locator("#f-password").fill(NEWCOMER["password"])
        page.get_by_role("button", name="Create the account").click()
        expect(page.locator(".account .who")).to_contain_text("Kaisa")
        page.get_by_role("button", name="Log out").click()

        # what she was doing survives the login: the offer form, kind=offer kept
        page.goto(f"{base}/listings/new?kind=offer")
        page.locator("#f-email").fill(NEWCOMER["email"])
        page.locator("#f-password").fill(NEWCOMER["password"])
        page.locator(".login-form button[type=submit]").click()
        expect(page).to_have_url(f"{base}/listings/new?kind=offer")
        expect(page.get_by_label("Offer", exact=True)).to_be_checked()
        expect(page.locator(".fixed")).to_contain_text("Keravan Kierrätys Oy")
        visitor.close()
