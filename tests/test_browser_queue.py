"""In a real Chromium, on the demo seeds and their queue: a facilitator's decision replaces its
card and nothing else; the queue's page links swap the list without leaving the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import ROOT
from matchmaker.tables import Match
from matchmaker.tools.liveserver import serve
from matchmaker.tools.screenshots import demo_member
from matchmaker.tools.shotkit import log_in
from matchmaker.workspace import pipeline
from tests.world import demo_settings

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, hash_embedder: Embedder) -> Iterator[Any]:
    """A live server on the demo seeds with every suggestion in the queue (a few pages)."""
    tmp: Path = tmp_path_factory.mktemp("queue")
    settings = demo_settings(tmp)
    app = create_app(settings, embedder=hash_embedder)
    with serve(app) as url:
        with Session(app.state.db_engine) as s:
            assert pipeline.fill_queue(s, app.state.matcher, threshold=0).added > 50
        app.state.url = url
        yield app


def test_a_shortlist_replaces_its_card_and_nothing_else(chromium: Any, server: Any) -> None:
    base = server.state.url
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    log_in(page, base, demo_member(ROOT / "seeds", "facilitator"))
    page.goto(f"{base}/matches?lang=en")
    expect(page.locator("#queue .summary")).to_contain_text("Showing 1–25 of")
    cards = page.locator("#queue li.match-item")
    expect(cards).to_have_count(25)
    first, second = cards.nth(0), cards.nth(1)
    chosen = int((first.get_attribute("id") or "").removeprefix("match-"))
    # marks that a new page, or a new list, would lose: on the window, the list and a card
    page.evaluate("window.queueMark = 'kept'")
    page.locator("#queue ol").evaluate("el => el.dataset.mark = 'kept'")
    second.evaluate("el => el.dataset.mark = 'kept'")
    before = second.inner_text()
    waiting = page.locator("#queue-waiting")
    total = int(re.sub(r"\D", "", waiting.inner_text()))

    first.get_by_role("button", name="Shortlist").click()
    decided = page.locator(f"#match-{chosen}")
    expect(decided).to_have_class(re.compile(r"\bdecided-shortlisted\b"))
    expect(decided).to_contain_text("Shortlisted")
    assert page.evaluate("window.queueMark") == "kept"
    assert page.locator("#queue ol").get_attribute("data-mark") == "kept"
    assert second.get_attribute("data-mark") == "kept" and second.inner_text() == before
    expect(cards).to_have_count(25)  # the others stay where they were
    expect(waiting).to_have_text(f"Suggestions waiting for a decision: {total - 1}.")
    with Session(server.state.db_engine) as s:
        match = s.get(Match, chosen)
        assert match is not None and match.status == "shortlisted"

    page.get_by_role("link", name="Next →").click()  # htmx: the list swapped, the URL pushed
    expect(page).to_have_url(re.compile(r"/matches\?page=2$"))
    expect(page.locator("#queue .summary")).to_contain_text("Showing 26–50 of")
    assert page.evaluate("window.queueMark") == "kept"
    context.close()
