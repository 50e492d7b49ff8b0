"""A report in a real Chromium on a real server, in Finnish and in English: the charts drawn,
the filters work without JavaScript, the downloads are served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from matchmaker.accounts import service as accounts
from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import ROOT, Settings
from matchmaker.tables import Listing, Match, Organisation, Theme, saved_id
from matchmaker.tools.liveserver import serve
from matchmaker.vocab import Category, Language, ListingKind, MatchStatus, OrgKind, Role, Unit
from matchmaker.workspace import impact, pipeline

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def realised(session: Session, theme: str, title: str, code: str, place: str, t: float) -> None:
    org = Organisation(name=f"{place} Kierrätys Oy", kind=OrgKind.company, municipality=place)
    buyer = Organisation(name=f"{place} Rakennus Oy", kind=OrgKind.company, municipality=place)
    session.add_all([org, buyer])
    session.commit()
    theme_id = saved_id(session.exec(select(Theme).where(Theme.slug == theme)).one())
    sides = [
        Listing(
            organisation_id=saved_id(owner),
            theme_id=theme_id,
            kind=kind,
            category=Category.material,
            title=title,
            language=Language.fi,
            municipality=place,
            ewc_code=code if kind == ListingKind.offer else None,
        )
        for owner, kind in ((org, ListingKind.offer), (buyer, ListingKind.need))
    ]
    session.add_all(sides)
    session.commit()
    match = Match(
        offer_id=saved_id(sides[0]), need_id=saved_id(sides[1]), theme_id=theme_id, score=80
    )
    session.add(match)
    session.commit()
    for step in (MatchStatus.shortlisted, MatchStatus.introduced, MatchStatus.negotiating):
        pipeline.move(session, match, step, by=None)
    pipeline.move(session, match, MatchStatus.realised, by=None, agreed=True)
    impact.record(session, match, t, Unit.t, by=None)


@pytest.fixture
def live(tmp_path: Path, hash_embedder: Embedder) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'reports.db'}",
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
        scheduler=False,
    )
    app = create_app(settings, embedder=hash_embedder)
    with serve(app) as base:
        with Session(app.state.db_engine) as s:
            accounts.create_user(
                s, email="fanni@example.fi", password=PASSWORD, role=Role.facilitator
            )
            realised(s, "construction", "Betonimursketta", "170101", "Porvoo", 240)
            realised(s, "electronics", "Kaapeliromua", "170411", "Vantaa", 50)
        yield base


def log_in(page: Any, base: str, lang: str) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#f-email", "fanni@example.fi")
    page.fill("#f-password", PASSWORD)
    page.locator(".login-form button[type=submit]").click()
    page.locator(".account .who").wait_for()


@pytest.mark.parametrize(
    ("lang", "title", "stage", "filter_to"),
    [
        ("fi", "Raportti: kiertotalouden vaihdot", "Ehdotukset vaiheittain", "Rakentaminen"),
        ("en", "Report: circular exchanges", "Matches by stage", "Construction"),
    ],
)
def test_a_report_in_the_browser(
    live: str, chromium: Any, lang: str, title: str, stage: str, filter_to: str
) -> None:
    context = chromium.new_context(locale={"fi": "fi-FI", "en": "en-GB"}[lang])
    page = context.new_page()
    log_in(page, live, lang)
    page.goto(f"{live}/reports")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#report svg.chart")).to_have_count(3)
    expect(page.locator("figcaption", has_text=stage)).to_be_visible()
    # the chart's numbers are whole and inside the picture as drawn
    label = page.locator("#report svg.chart text", has_text="240").first
    svg_box = page.locator("#report svg.chart").nth(1).bounding_box()
    box = label.bounding_box()
    assert box and svg_box and box["x"] >= svg_box["x"] and box["width"] > 5
    expect(page.locator(".totals")).to_contain_text("290")
    # the bars are green as drawn, not black: the page's CSP drops inline styles
    bar = page.locator('#report svg.chart [fill="#1d6b47"]').first
    assert bar.evaluate("e => getComputedStyle(e).fill") == "rgb(29, 107, 71)"
    # htmx swaps the report when the theme changes
    page.select_option("#f-theme", label=filter_to)
    expect(page.locator("#report h2.scope")).to_have_text(filter_to)
    expect(page.locator(".totals")).to_contain_text("240")
    with page.expect_download() as download:
        page.locator(".downloads a").nth(1).click()
    assert download.value.suggested_filename == f"report-construction-{lang}.pdf"
    context.close()


def test_the_report_filter_works_without_javascript(live: str, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    log_in(page, live, "en")
    page.goto(f"{live}/reports")
    page.select_option("#f-municipality", "Vantaa")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#report h2.scope")).to_have_text("Vantaa")
    expect(page.locator("#report")).to_contain_text("cable scrap (non-hazardous)")
    context.close()
