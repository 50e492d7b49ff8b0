"""In Chromium: a member asks for an introduction on a suggestion; the facilitator sees it
first in the queue, marked as requested, with the member's note."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.engine.embeddings import Embedder
from matchmaker.vocab import Role
from matchmaker.workspace import pipeline
from tests.test_browser import (
    FACILITATOR,
    expect,
    fill_market,
    log_in,
    log_in_as_facilitator,
    start,
)

pytestmark = pytest.mark.browser

NOTE = "Tarvitsemme noin 500 t keväällä – voiko noutaa itse?"


def test_ask_for_an_introduction_puts_the_match_first_in_the_queue(
    chromium: Any, hash_embedder: Embedder, tmp_path: Path
) -> None:
    with start(tmp_path, hash_embedder) as (base, app):
        fill_market(base, app)
        with Session(app.state.db_engine) as session:
            accounts.create_user(session, **FACILITATOR, role=Role.facilitator, name="Fanni")
            # the queue holds the matcher's best suggestions already, the need's among them
            filled = pipeline.fill_queue(session, app.state.matcher, threshold=0, per_listing=3)
            assert filled.added >= 3

        context = chromium.new_context(locale="fi-FI", viewport={"width": 1200, "height": 900})
        page = context.new_page()
        log_in(page, base, "fi")
        expect(page).to_have_url(f"{base}/my")  # a member lands on their organisation's page
        expect(page.locator("h1")).to_contain_text("Oma organisaatio: Purkupalvelu Kallio Oy")
        page.locator(".my-listings").get_by_role("link", name="Etsimme betonimursketta").click()
        page.get_by_label("Näytä myös heikommat").check()  # htmx reloads the panel
        suggestions = page.locator(".suggestion-items > li")
        expect(suggestions.nth(3)).to_be_visible()  # the weaker ones have come in
        count = suggestions.count()
        assert count >= 4
        last = suggestions.nth(count - 1)  # the lowest score: by score it would not lead
        title = last.locator("h3").inner_text()
        last.get_by_role("link", name="Pyydä esittelyä").click()
        expect(page.locator("h1")).to_have_text("Pyydä esittelyä")
        page.get_by_label("Lyhyt viesti fasilitaattorille").fill(NOTE)
        page.get_by_role("button", name="Lähetä pyyntö").click()
        expect(page).to_have_url(f"{base}/my?done=asked")
        expect(page.get_by_role("status")).to_contain_text("Pyyntö lähetettiin")
        card = page.locator(".my-match.requested")
        expect(card).to_have_count(1)
        expect(card).to_contain_text(title)
        expect(card).to_contain_text("Pyydetty, odottaa fasilitaattoria")
        expect(card).to_contain_text(NOTE)
        context.close()

        context = chromium.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
        page = context.new_page()
        log_in_as_facilitator(page, base)
        expect(page).to_have_url(f"{base}/")  # facilitators keep their landing page
        workspace = page.get_by_role("navigation", name="Facilitator workspace")
        workspace.get_by_role("link", name="Match queue").click()
        expect(page).to_have_url(f"{base}/matches")  # counted once the queue has loaded
        items = page.locator(".match-items > li")
        expect(items.nth(2)).to_be_visible()
        first = items.first
        expect(first).to_have_class(re.compile(r"\brequested\b"))
        expect(first.locator(".badge.requested")).to_have_text("Requested by a member")
        expect(first).to_contain_text("Introduction requested by: Purkupalvelu Kallio Oy")
        expect(first).to_contain_text(NOTE)
        expect(first).to_contain_text(title)
        expect(first).to_contain_text("Etsimme betonimursketta")
        expect(page.locator(".match-items > li.requested")).to_have_count(1)
        scores = [
            int(s) for s in page.locator(".match-items > li .score .number").all_inner_texts()
        ]
        assert scores[0] <= max(scores[1:])  # first for the request, not for its score
        # the facilitator shortlists it; the member's page shows the new stage and next step
        first.get_by_role("button", name="Shortlist").click()
        expect(page.locator(".match-items > li").first).to_contain_text("Shortlisted")
        context.close()

        context = chromium.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
        page = context.new_page()
        log_in(page, base, "en")
        card = page.locator(".my-match.requested")
        expect(card).to_contain_text("Shortlisted")
        expect(card).to_contain_text("A facilitator is preparing the introduction")
        context.close()
