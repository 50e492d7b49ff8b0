"""The UI in a real Chromium on a real server: what a person sees, with JavaScript and without."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.app import create_app
from matchmaker.engine import ranker
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.ranker import Ranker
from matchmaker.settings import ROOT, Settings
from matchmaker.tools.liveserver import serve
from matchmaker.vocab import Role

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = pytest.mark.browser

CONCRETE = "Crushed concrete aggregate from selective demolition"
MEMBER: dict[str, Any] = {
    "email": "jussi@purkukallio.example.fi",
    "password": "correct horse battery",
}


@contextmanager
def start(tmp: Path, embedder: Embedder) -> Iterator[tuple[str, FastAPI]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'browser.db'}",
        instance_dir=tmp / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
    )
    app = create_app(settings, embedder=embedder)
    with serve(app) as base:
        yield base, app


def fill_market(base: str, app: FastAPI) -> dict[str, Any]:
    """A Finnish demolition company with a member, offers in English and Swedish, via the API."""
    with Session(app.state.db_engine) as session:
        admin = accounts.create_user(
            session, email="admin@example.fi", password="x" * 12, role=Role.admin
        )
        _, token = accounts.new_api_token(session, admin, "browser tests")
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:

        def post(path: str, **body: Any) -> dict[str, Any]:
            r = api.post(path, json=body)
            assert r.status_code == 201, r.text
            return r.json()  # type: ignore[no-any-return]

        kallio = post(
            "/api/organisations",
            name="Purkupalvelu Kallio Oy",
            kind="company",
            municipality="Vantaa",
        )
        nordic = post(
            "/api/organisations", name="Nordic Aggregates Ltd", kind="company", municipality="Espoo"
        )
        bygg = post(
            "/api/organisations",
            name="Nylands Byggtjänst Ab",
            kind="company",
            municipality="Raasepori",
            language="sv",
        )
        offers = [
            (
                nordic,
                "en",
                CONCRETE,
                "Clean crushed concrete, 0-32 mm, from demolition sites. "
                "Suitable as a base layer for roads, yards and fields.",
                "Espoo",
            ),
            (
                nordic,
                "en",
                "Used office furniture: desks and chairs",
                "About 120 desks and 200 office chairs from an office renovation.",
                "Espoo",
            ),
            (
                nordic,
                "en",
                "Surplus mineral wool insulation boards",
                "Unopened packs of roof insulation left over from a building site.",
                "Espoo",
            ),
            (
                nordic,
                "en",
                "Reclaimed oak floorboards",
                "Solid oak boards lifted from a school hall, sanded and ready to lay.",
                "Espoo",
            ),
            (
                nordic,
                "en",
                "Leftover ceramic wall tiles",
                "Boxes of white ceramic tiles, 20 x 20 cm, from a bathroom renovation.",
                "Espoo",
            ),
            (
                nordic,
                "en",
                "Scaffolding to rent between projects",
                "Steel frame scaffolding, 600 square metres, idle most of the winter.",
                "Espoo",
            ),
            (
                bygg,
                "sv",
                "Begagnade fönster med karmar",
                "Hela fönster från en renovering av ett trähus i Karis.",
                "Raasepori",
            ),
        ]
        made = [
            post(
                "/api/listings",
                organisation_id=org["id"],
                theme="construction",
                kind="offer",
                category="material",
                title=title,
                description=text,
                language=lang,
                municipality=place,
            )
            for org, lang, title, text, place in offers
        ]
        denim = post(
            "/api/listings",
            organisation_id=nordic["id"],
            theme="textiles",
            kind="offer",
            category="material",
            title="Denim offcuts for concrete fibre",
            description="Cutting waste from jeans.",
            language="en",
            municipality="Espoo",
        )
        need = post(
            "/api/listings",
            organisation_id=kallio["id"],
            theme="construction",
            kind="need",
            category="material",
            language="fi",
            municipality="Vantaa",
            title="Etsimme betonimursketta",
            description="Murskattua betonia kenttiin.",
        )
    with Session(app.state.db_engine) as session:
        accounts.create_user(
            session, **MEMBER, role=Role.member, name="Jussi", organisation_id=kallio["id"]
        )
    return {"kallio": kallio, "concrete": made[0], "denim": denim, "need": need}


def log_in(page: Any, base: str, lang: str = "en") -> None:
    """Through the login page, as a member of Purkupalvelu Kallio Oy."""
    page.goto(f"{base}/login?lang={lang}")
    page.locator("#f-email").fill(MEMBER["email"])
    page.locator("#f-password").fill(MEMBER["password"])
    page.locator(".login-form button[type=submit]").click()
    expect(page.locator(".account .who")).to_contain_text("Jussi")


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, hash_embedder: Embedder
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A server on the deterministic embedder, with a small market in it.

    The score bands and the search's relevance cut are calibrated for the product's model; the
    deterministic embedder's similarities are not, so here every pair passes them: these tests
    are about the pages, the real model's ranking is tested on its own."""
    with start(tmp_path_factory.mktemp("live"), hash_embedder) as (base, app):
        matcher = app.state.matcher
        matcher.search_floor = 0.0
        matcher.ranker = Ranker(ranker.HAND_SET.weights, ranker.HAND_SET.intercept + 12, "test")
        yield base, fill_market(base, app)


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="en-GB", java_script_enabled=False)
    yield context.new_page()
    context.close()


def choose_need_fields(page: Any, title: str, text: str) -> None:
    page.get_by_label("Need", exact=True).check()
    page.get_by_label("Theme").select_option("construction")
    page.get_by_label("Category").select_option("material")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(text)
    page.get_by_label("Municipality").fill("Vantaa")


# -- the three journeys ---------------------------------------------------------------


@pytest.mark.model
def test_a_finnish_need_finds_an_english_offer(
    chromium: Any, real_embedder: Embedder, tmp_path: Path
) -> None:
    with start(tmp_path, real_embedder) as (base, app):
        fill_market(base, app)
        context = chromium.new_context(locale="fi-FI")
        page = context.new_page()
        log_in(page, base, "fi")
        page.goto(f"{base}/listings/new")
        expect(page.locator("h1")).to_have_text("Jätä ilmoitus")
        page.get_by_label("Tarve", exact=True).check()
        expect(page.locator(".fixed")).to_contain_text("Purkupalvelu Kallio Oy")
        page.get_by_label("Teema").select_option("construction")
        page.get_by_label("Luokka").select_option("material")
        page.get_by_label("Otsikko").fill("Tarvitsemme betonimursketta pihateiden pohjiin")
        page.get_by_label("Kuvaus").fill(
            "Rakennamme varastokenttää ja etsimme murskattua betonia kantavaksi kerrokseksi, "
            "noin 500 tonnia."
        )
        page.get_by_label("Kunta").fill("Vantaa")
        page.get_by_role("button", name="Julkaise").click()
        # the first form to open starts embedding the waste codes (about 45 s of the CPU)
        expect(page).to_have_url(re.compile(r"/listings/\d+\?saved=1$"), timeout=30_000)
        expect(page.get_by_role("status")).to_contain_text("Tallennettu")
        best = page.locator(".suggestion-items > li").first
        expect(best).to_contain_text(CONCRETE)  # the English offer ranks first
        expect(best.locator("abbr.lang")).to_have_text("EN")
        expect(best).to_contain_text("Merkitys")  # explained in Finnish
        context.close()


def test_switching_the_language_changes_the_words_and_is_remembered(
    live: tuple[str, dict[str, Any]], browser_page: Any, chromium: Any
) -> None:
    base, _ = live
    page = browser_page
    page.goto(base)
    expect(page.locator("html")).to_have_attribute("lang", "en")  # from Accept-Language
    expect(page.locator("h1")).to_contain_text("Find a use for your side-stream")
    page.get_by_role("link", name="Suomi").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.locator("h1")).to_contain_text("Löydä sivuvirralle käyttäjä")
    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Selaa").click()
    expect(page.locator("h1")).to_have_text("Selaa ilmoituksia")  # the choice is remembered
    page.get_by_role("link", name="Svenska").click()
    expect(page.locator("h1")).to_have_text("Bläddra bland annonser")
    swedish = chromium.new_context(locale="sv-FI")
    other = swedish.new_page()
    other.goto(base)
    expect(other.get_by_role("link", name="Lägg in ett erbjudande")).to_be_visible()
    swedish.close()


def test_an_invalid_form_shows_its_messages_inline(
    live: tuple[str, dict[str, Any]], browser_page: Any
) -> None:
    base, _ = live
    page = browser_page
    log_in(page, base)
    page.goto(f"{base}/listings/new?lang=en")
    page.get_by_label("Title").fill("Wanted: crushed brick")
    page.get_by_label("Quantity").fill("lots")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#f-category-error")).to_have_text("Choose one of the options.")
    expect(page.locator("#f-quantity-error")).to_contain_text("Enter a number")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_url(f"{base}/listings/new?lang=en")  # swapped in place, not reloaded
    expect(page.get_by_label("Title")).to_have_value("Wanted: crushed brick")
    choose_need_fields(
        page,
        "Wanted: crushed concrete for yards",
        "Crushed concrete for a storage yard.",
    )
    page.get_by_label("Quantity").fill("")
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/listings/\d+\?saved=1$"))
    expect(page.locator("#listing-title")).to_have_text("Wanted: crushed concrete for yards")
    expect(page.locator(".suggestion-items")).to_contain_text(CONCRETE)


# -- without JavaScript ------------------------------------------------------------------------


def test_posting_works_without_javascript(
    live: tuple[str, dict[str, Any]], no_js_page: Any
) -> None:
    base, _ = live
    page = no_js_page
    page.goto(f"{base}/listings/new?lang=en")
    # log in first, and back to the form with its query kept
    expect(page).to_have_url(re.compile(r"/login\?next=%2Flistings%2Fnew%3Flang%3Den$"))
    page.locator("#f-email").fill(MEMBER["email"])
    page.locator("#f-password").fill(MEMBER["password"])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/listings/new?lang=en")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#f-title-error")).to_have_text("This field is required.")
    choose_need_fields(
        page,
        "Crushed concrete wanted (no JS)",
        "Crushed concrete for the base of a car park.",
    )
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/listings/\d+\?saved=1$"))
    expect(page.locator(".suggestion-items")).to_contain_text(CONCRETE)


def test_search_and_suggestions_work_without_javascript(
    live: tuple[str, dict[str, Any]], no_js_page: Any
) -> None:
    base, market = live
    page = no_js_page
    page.goto(f"{base}/listings?lang=en")
    page.get_by_label("What are you looking for?").fill("crushed concrete demolition")
    page.get_by_label("What are you looking for?").press("Enter")
    expect(page).to_have_url(re.compile(r"q=crushed\+concrete\+demolition"))
    expect(page.locator(".cards article").first).to_contain_text(CONCRETE)
    page.goto(f"{base}/listings/{market['need']['id']}")
    page.get_by_role("link", name="Show suggested matches").click()
    expect(page.locator(".suggestion-items")).to_contain_text(CONCRETE)
    page.get_by_label("Include other themes").check()
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".suggestion-items")).to_contain_text("Denim offcuts")


# -- with JavaScript: htmx ---------------------------------------------------------------------


def test_results_follow_the_typing_and_the_url_can_be_bookmarked(
    live: tuple[str, dict[str, Any]], browser_page: Any
) -> None:
    base, _ = live
    page = browser_page
    page.goto(f"{base}/listings?lang=en")
    expect(page.locator("#results .summary")).to_have_text(re.compile(r"^Listings: \d+"))
    page.get_by_label("What are you looking for?").press_sequentially("concrete demolition")
    # the URL follows, without the empty filters
    expect(page).to_have_url(re.compile(r"/listings\?q=concrete(\+|%20)demolition$"))
    expect(page.locator("#results .summary")).to_contain_text("“concrete demolition”")
    expect(page.locator("#results article").first).to_contain_text(CONCRETE)
    suomi = page.get_by_role("link", name="Suomi")
    expect(suomi).to_have_attribute("href", re.compile(r"q=concrete.*lang=fi"))  # it follows
    page.get_by_label("Offer or need").select_option("need")
    expect(page).to_have_url(re.compile(r"/listings\?q=concrete(\+|%20)demolition&kind=need$"))
    expect(page.locator("#results .badge.kind-offer")).to_have_count(0)
    expect(page.locator("#results article")).not_to_have_count(0)
    shown = page.locator("#results h3").all_inner_texts()
    page.reload()  # the bookmark gives the same list, rendered by the server
    expect(page.get_by_label("Offer or need")).to_have_value("need")
    expect(page.get_by_label("What are you looking for?")).to_have_value("concrete demolition")
    expect(page.locator("#results h3")).to_have_text(shown)


def test_the_suggestions_panel_loads_and_toggles_other_themes(
    live: tuple[str, dict[str, Any]], browser_page: Any
) -> None:
    base, market = live
    page = browser_page
    page.goto(f"{base}/listings/{market['need']['id']}?lang=en")
    panel = page.locator("#suggestion-list")
    expect(panel.locator(".suggestion-items")).to_contain_text(CONCRETE)
    expect(panel).to_contain_text("Same category: Material or side-stream.")
    expect(panel).not_to_contain_text("Denim offcuts")
    expect(page.get_by_role("button", name="Update")).to_be_hidden()  # htmx needs no button
    page.get_by_label("Include other themes").check()
    expect(panel).to_contain_text("Denim offcuts")
    expect(panel.locator(".badge.theme")).to_have_text(["Textiles"])


# -- accessibility -----------------------------------------------------------------------------


def test_the_keyboard_reaches_everything_with_a_visible_focus(
    live: tuple[str, dict[str, Any]], browser_page: Any
) -> None:
    base, _ = live
    page = browser_page
    page.goto(f"{base}/?lang=en")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # shown on focus, not left off-screen
    page.keyboard.press("Tab")
    brand = page.get_by_role("link", name="Circular Valley Matchmaker")
    expect(brand).to_be_focused()
    outline = brand.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline == "solid 3px"
    page.get_by_label("Search by meaning, in any language").focus()
    page.keyboard.type("textile")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Browse listings")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, hash_embedder: Embedder) -> Iterator[str]:
    """A server with the demo seeds: real names, long titles, real amounts."""
    tmp = tmp_path_factory.mktemp("demo")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'demo.db'}",
        instance_dir=tmp / "i",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
        seed_on_start=True,
    )
    with serve(create_app(settings, embedder=hash_embedder)) as base:
        yield base


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/listings",
        "/listings/new",
        "/listings/{first}",
        "/listings/{first}/matches?all_themes=1",
        "/organisations/{org}",
        "/info",
    ],
)
def test_pages_fit_a_phone_screen(demo: str, chromium: Any, path: str) -> None:
    first = httpx.get(f"{demo}/api/listings?limit=1").json()["items"][0]
    org = httpx.get(f"{demo}/api/organisations").json()[0]
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, locale="fi-FI", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(demo + path.format(first=first["id"], org=org["id"]))
    expect(page.locator("h1")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, f"{path} is {width}px wide on a 375px screen"


# -- the facilitator workspace -----------------------------------------------------------------

FACILITATOR: dict[str, Any] = {
    "email": "fanni@valley.example.fi",
    "password": "facilitator password",
}


def log_in_as_facilitator(page: Any, base: str) -> None:
    page.goto(f"{base}/login?lang=en")
    page.locator("#f-email").fill(FACILITATOR["email"])
    page.locator("#f-password").fill(FACILITATOR["password"])
    page.locator(".login-form button[type=submit]").click()
    expect(page.locator(".account .who")).to_contain_text("Fanni")


def test_a_facilitator_goes_from_the_queue_to_the_board(
    chromium: Any, hash_embedder: Embedder, tmp_path: Path
) -> None:
    with start(tmp_path, hash_embedder) as (base, app):
        fill_market(base, app)
        app.state.settings.queue_threshold = 0  # the deterministic embedder scores low
        with Session(app.state.db_engine) as session:
            accounts.create_user(session, **FACILITATOR, role=Role.facilitator, name="Fanni")
        context = chromium.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
        page = context.new_page()
        log_in_as_facilitator(page, base)
        workspace = page.get_by_role("navigation", name="Facilitator workspace")
        workspace.get_by_role("link", name="Match queue").click()
        page.get_by_role("button", name="Refresh the queue").click()
        expect(page.get_by_role("status").first).to_contain_text("New suggestions in the queue")
        items = page.locator(".match-items > li")
        expect(items).to_have_count(3)
        first, second = items.nth(0), items.nth(1)
        first_id, second_id = first.get_attribute("id"), second.get_attribute("id")
        offer = first.locator(".side-offer h3").inner_text()
        here = page.url
        first.get_by_role("button", name="Shortlist").click()
        decided = page.locator(f"#{first_id}")
        expect(decided).to_have_class(re.compile(r"\bdecided\b"))
        expect(decided).to_contain_text("Shortlisted")
        expect(page).to_have_url(here)  # swapped in place, no reload
        other = page.locator(f"#{second_id}")
        other.get_by_role("button", name="Reject").click()
        expect(other.locator(".error")).to_have_text("Choose a reason from the list.")
        other.get_by_label("Reason").select_option(label="Too far apart")
        other.get_by_label("Note").fill("Lohja is too far")
        other.get_by_role("button", name="Reject").click()
        expect(page.locator(f"#{second_id}")).to_contain_text("Rejected: Too far apart")
        workspace.get_by_role("link", name="Board", exact=True).click()
        column = page.locator("#column-shortlisted")
        expect(column.locator(".board-card")).to_have_count(1)
        expect(column).to_contain_text(offer)
        expect(page.locator(".closed")).to_contain_text("Rejected: 1")
        column.get_by_role("link").first.click()
        expect(page.locator("h1")).to_have_text(re.compile(r"^Match \d+$"))
        expect(page.locator(".match-full .match-status")).to_have_text("Shortlisted")
        expect(page.locator("#history")).to_contain_text("Fanni")
        # Nordic Aggregates has no contact e-mail and no members: nobody to introduce yet
        expect(page.locator(".introduction")).to_contain_text("has no contact e-mail")
        context.close()

        plain = chromium.new_context(locale="en-GB", java_script_enabled=False)
        page = plain.new_page()
        log_in_as_facilitator(page, base)
        page.goto(f"{base}/matches")
        expect(page.locator(".match-items > li")).to_have_count(1)
        page.locator(".match-items > li").get_by_role("button", name="Shortlist").click()
        expect(page).to_have_url(f"{base}/matches")  # a plain form: back to the queue
        expect(page.locator(".summary")).to_have_text("Suggestions waiting for a decision: 0.")
        plain.close()
