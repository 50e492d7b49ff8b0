"""In a real Chromium, on the demo seeds: the map (fi, visitor) and the network (en, facilitator),
their filters with htmx and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import ROOT
from matchmaker.tools.liveserver import serve
from matchmaker.tools.screenshots import demo_member, walk_pipeline
from matchmaker.tools.shotkit import log_in
from tests.world import demo_settings

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, hash_embedder: Embedder) -> Iterator[str]:
    """A live server on the demo seeds, with a few matches walked through the pipeline."""
    tmp: Path = tmp_path_factory.mktemp("network")
    settings = demo_settings(tmp)
    app = create_app(settings, embedder=hash_embedder)
    with serve(app) as url:
        assert walk_pipeline(settings, app.state.db_engine, app.state.matcher) > 5
        yield url


def test_the_map_in_finnish_filters_with_htmx_and_without_javascript(
    chromium: Any, base: str
) -> None:
    context = chromium.new_context(locale="fi-FI")
    page = context.new_page()
    page.goto(f"{base}/?lang=fi")
    page.get_by_role("link", name="Kartta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uudenmaan kartta")
    expect(page.get_by_role("img", name="Uudenmaan kartta")).to_be_visible()
    porvoo = page.locator("#places tr", has=page.get_by_role("rowheader", name="Porvoo"))
    expect(porvoo).to_be_visible()
    expect(page.get_by_text("Matchit näkyvät vain fasilitaattoreille.")).to_be_visible()
    assert page.locator(".network-map .link").count() == 0  # a visitor sees no match lines
    everything = page.locator(".summary").inner_text()
    page.select_option("#f-kind", "land")  # htmx: the content is swapped, the URL pushed
    expect(page.locator(".summary")).not_to_have_text(everything)
    expect(page).to_have_url(re.compile(r"/map\?(theme=&)?kind=land$"))
    land_markers = page.locator(".network-map .land-use").count()
    assert land_markers > 0
    context.close()

    static = chromium.new_context(locale="fi-FI", java_script_enabled=False)
    page = static.new_page()
    page.goto(f"{base}/map?lang=fi")
    page.select_option("#f-kind", "land")
    page.get_by_role("button", name="Näytä").click()
    expect(page).to_have_url(re.compile(r"/map\?(theme=&)?kind=land$"))
    assert page.locator(".network-map .land-use").count() == land_markers
    static.close()


def test_the_network_in_english_for_a_facilitator(chromium: Any, base: str) -> None:
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/?lang=en")
    log_in(page, base, demo_member(ROOT / "seeds", "facilitator"))
    page.get_by_role("link", name="Network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Network of organisations")
    expect(page.get_by_role("img", name="Network of organisations")).to_be_visible()
    assert page.locator(".network-graph .org").count() > 5
    realised = page.locator("#links tr", has_text="Realised")
    expect(realised.first).to_be_visible()
    everything = page.locator("#links tbody tr").count()
    page.select_option("#f-stage", "realised")
    expect(page).to_have_url(re.compile(r"/network\?.*stage=realised$"))
    expect(page.locator("#links tbody tr")).not_to_have_count(everything)
    stages = page.locator("#links tbody td:nth-child(3)").all_inner_texts()
    assert stages and set(stages) == {"Realised"}
    assert page.locator(".network-graph .link").count() == len(stages)
    # the map shows the facilitator the match lines a visitor does not see
    page.get_by_role("link", name="Map").click()
    expect(page.locator(".network-map .link").first).to_be_attached()
    context.close()
