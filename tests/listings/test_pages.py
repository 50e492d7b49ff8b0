"""The HTML pages as a person (or htmx) gets them: status, words on the page, page or fragment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.pagekit import HTMX, VISITOR, Page, get, page
from tests.world import Factory, market


@pytest.fixture
def world(make: Factory) -> dict[str, Any]:
    """A Finnish need, an English offer (construction) and an English offer (textiles)."""
    return market(make)


# -- full page or fragment, from one URL ---------------------------------------------------


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("/", "home/_content.html"),
        ("/listings", "listings/_results.html"),
        ("/listings/{need}", "listings/_detail.html"),
        ("/listings/{need}/matches", "listings/_suggestions.html"),
        ("/listings/new", "listings/_form.html"),
        ("/listings/{need}/edit", "listings/_form.html"),
        ("/organisations/{org}", "organisations/_detail.html"),
    ],
)
def test_one_url_gives_the_page_or_the_fragment(
    client: TestClient, world: dict[str, Any], url: str, fragment: str
) -> None:
    url = url.format(need=world["need"]["id"], org=world["org"]["id"])
    full = client.get(url)
    part = client.get(url, headers=HTMX)
    assert full.status_code == part.status_code == 200
    assert "HX-Request" in full.headers["vary"] and "HX-Request" in part.headers["vary"]
    assert full.text.startswith("<!doctype html>") and "<header" in full.text
    assert "<html" not in part.text and '<header class="site"' not in part.text
    assert part.template.name == fragment  # type: ignore[attr-defined]
    # the full page includes the very fragment htmx gets
    assert " ".join(page(part).text.split()) in page(full).text


def test_a_history_restore_gets_the_full_page(client: TestClient, world: dict[str, Any]) -> None:
    r = client.get("/listings", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert r.text.startswith("<!doctype html>")


# -- languages -----------------------------------------------------------------------------


def test_the_language_comes_from_the_browser_then_the_switch_is_remembered(
    client: TestClient,
) -> None:
    assert "Tarjoukset ja tarpeet" in client.get("/").text  # no preference: Finnish
    swedish = client.get("/", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.8"})
    assert '<html lang="sv">' in swedish.text and "Erbjudanden och behov" in swedish.text
    english = client.get("/?lang=en", headers={"Accept-Language": "sv"})
    assert '<html lang="en">' in english.text and "Post an offer" in english.text
    assert "lang=en" in english.headers["set-cookie"]
    later = client.get("/listings", headers={"Accept-Language": "sv"})  # the cookie wins
    assert '<html lang="en">' in later.text and "Browse listings" in later.text
    client.cookies.clear()
    assert '<html lang="fi">' in client.get("/?lang=de").text


def test_the_language_switch_keeps_the_page_and_its_query(client: TestClient) -> None:
    p = page(get(client, "/listings?kind=need&q=sawdust", "fi"))
    links = {a["hreflang"]: a["href"] for a in p.find("a") if "hreflang" in a}
    assert links == {
        "fi": "/listings?kind=need&q=sawdust&lang=fi",
        "sv": "/listings?kind=need&q=sawdust&lang=sv",
        "en": "/listings?kind=need&q=sawdust&lang=en",
    }


def test_listing_texts_stay_in_their_language(client: TestClient, world: dict[str, Any]) -> None:
    for lang, word in (("fi", "Tarve"), ("sv", "Behov"), ("en", "Need")):
        p = page(get(client, f"/listings/{world['need']['id']}", lang))
        assert p.text_of("listing-title") == "Etsimme betonimursketta piharakenteisiin"
        assert word in p.text
        assert p.find("h1", id="listing-title", lang="fi")


# -- home and browse -----------------------------------------------------------------------


def test_home_shows_themes_with_counts_latest_listings_and_a_search_box(
    client: TestClient, world: dict[str, Any]
) -> None:
    p = page(get(client, "/"))
    assert "Construction Offers 1 Needs 1" in p.text
    assert "Textiles Offers 1 Needs 0" in p.text
    assert "Plastics Offers 0 Needs 0" in p.text
    assert p.find("a", href="/listings?theme=construction&kind=need")
    assert "Crushed concrete aggregate, 800 t a year" in p.text
    assert p.find("form", action="/listings", method="get")
    assert p.find("input", name="q", type="search")


def test_browse_filters_by_theme_kind_category_and_municipality(
    client: TestClient, make: Factory, world: dict[str, Any]
) -> None:
    make.listing(
        world["other"]["id"],
        category="equipment",
        title="Shared concrete crusher",
        municipality="Lohja",
    )

    def titles(query: str) -> str:
        return page(get(client, f"/listings?{query}")).text

    assert "Listings: 4" in titles("")
    only_needs = titles("kind=need")
    assert "Listings: 1" in only_needs and "Etsimme betonimursketta" in only_needs
    assert "Listings: 1" in titles("theme=textiles")
    assert "Shared concrete crusher" in titles("category=equipment")
    assert "Listings: 1" in titles("category=equipment")
    assert "Listings: 1" in titles("municipality=Lohja")
    assert "Listings: 1" in titles("municipality=Lojo")  # the Swedish name finds it too
    assert "Listings: 4" in titles("kind=nonsense&theme=nowhere")  # unknown filters are ignored


def test_browse_pages_through_many_listings(client: TestClient, make: Factory) -> None:
    org = make.org()
    for n in range(23):
        make.listing(org["id"], title=f"Pallet lot number {n}")
    first = page(get(client, "/listings"))
    assert "Listings: 23 Showing 1–20." in first.text
    assert "Pallet lot number 22" in first.text and "Pallet lot number 2 " not in first.text
    second = page(get(client, "/listings?page=2"))
    assert "Showing 21–23." in second.text and "Pallet lot number 0" in second.text
    current = [
        a
        for a in second.find("a")
        if a.get("aria-current") == "page" and a["href"].startswith("/listings?")
    ]
    assert current and current[0]["href"] == "/listings?page=2"
    assert second.find("a", rel="prev", href="/listings")


def test_search_ranks_by_meaning_and_keeps_the_filters(
    client: TestClient, world: dict[str, Any]
) -> None:
    r = get(client, "/listings?q=crushed+concrete+aggregate&kind=offer", headers=HTMX)
    p = page(r)
    assert "Closest in meaning to “crushed concrete aggregate”" in p.text
    cards = [a["href"] for a in p.find("a") if re.fullmatch(r"/listings/\d+", a.get("href", ""))]
    assert cards[0] == f"/listings/{world['offer']['id']}"
    assert f"/listings/{world['need']['id']}" not in cards  # kind=offer


def test_browse_form_searches_as_one_types_and_pushes_the_url(client: TestClient) -> None:
    p = page(get(client, "/listings"))
    form = p.find("form", action="/listings")[0]
    assert form["method"] == "get"  # without JavaScript the button submits it
    assert form["hx-get"] == "/listings" and form["hx-push-url"] == "true"
    assert "delay:" in form["hx-trigger"] and form["hx-target"] == "#results"


# -- one listing and its suggestions ---------------------------------------------------------


def test_the_listing_page_shows_every_field(client: TestClient, world: dict[str, Any]) -> None:
    p = page(get(client, f"/listings/{world['offer']['id']}"))
    for words in (
        "Crushed concrete aggregate, 800 t a year",
        "Crushed concrete from selective demolition.",
        "Offer",
        "Construction",
        "Material or side-stream",
        "800 t, yearly",
        "Espoo",
        "17 01 01 Concrete",
        "Mar 1, 2025 – Dec 31, 2026",
        "English",
        "Active",
        "Public",
        "Nordic Aggregates Ltd",
    ):
        assert words in p.text, words
    assert p.find("a", href=f"/organisations/{world['other']['id']}")
    assert p.find("a", href=f"/listings/{world['offer']['id']}/edit")


def test_the_suggestions_panel_loads_with_htmx_and_without(
    client: TestClient, world: dict[str, Any]
) -> None:
    need = world["need"]["id"]
    p = page(get(client, f"/listings/{need}"))
    loader = p.find("div", id="suggestion-list")[0]
    assert loader["hx-get"] == f"/listings/{need}/matches" and loader["hx-trigger"] == "load"
    assert p.find("a", href=f"/listings/{need}/matches")  # the way there without JavaScript
    full = page(get(client, f"/listings/{need}/matches"))
    assert "Crushed concrete aggregate, 800 t a year" in full.text


def test_each_suggestion_is_scored_and_explained(client: TestClient, world: dict[str, Any]) -> None:
    r = get(client, f"/listings/{world['need']['id']}/matches", headers=HTMX)
    p = page(r)
    assert "Crushed concrete aggregate, 800 t a year" in p.text
    assert re.search(r"Match score \d+ out of 100", p.text)
    assert "Meaning The descriptions" in p.text and "(similarity 0." in p.text
    assert "Category Same category: Material or side-stream." in p.text
    assert "Distance 23 km apart (Espoo – Vantaa)." in p.text
    assert "Quantity The offer is 1.6 times the need (800 t a year vs 500 t a year)." in p.text
    assert "Timing Available when needed." in p.text
    assert p.find("abbr", title="English")  # the language badge
    assert "Crushed concrete? No: denim" not in p.text  # another theme


def test_the_explanations_speak_the_ui_language(client: TestClient, world: dict[str, Any]) -> None:
    url = f"/listings/{world['need']['id']}/matches"
    fi = page(get(client, url, "fi", headers=HTMX)).text
    assert "Välimatka 23 km (Espoo – Vantaa)." in fi and "Sama luokka" in fi
    assert "Tarjous on 1,6-kertainen tarpeeseen nähden" in fi
    sv = page(get(client, url, "sv", headers=HTMX)).text
    assert "23 km från varandra (Esbo – Vanda)." in sv and "Samma kategori" in sv


def test_other_themes_come_in_only_when_asked(client: TestClient, world: dict[str, Any]) -> None:
    url = f"/listings/{world['need']['id']}/matches"
    assert "denim" not in get(client, f"{url}?weaker=1", headers=HTMX).text
    # the deterministic test embedder's similarities are noise: its pairs score below the
    # "possible" floor, so these pages are asked for the weaker suggestions too
    wide = page(get(client, f"{url}?all_themes=1&weaker=1", headers=HTMX))
    assert "Crushed concrete? No: denim" in wide.text
    assert "Textiles" in wide.text  # the other theme is named on its suggestion
    toggle = page(get(client, url)).find("input", type="checkbox", name="all_themes")
    assert toggle


def test_an_anonymous_listing_shows_its_organisation_only_to_facilitators(
    client: TestClient, make: Factory, world: dict[str, Any]
) -> None:
    secret = make.org("Salainen Betoni Oy", municipality="Vantaa")
    hidden = make.listing(
        secret["id"],
        visibility="anonymous",
        municipality="Vantaa",
        title="Crushed concrete from a confidential site",
    )
    for url in (
        f"/listings/{hidden['id']}",
        f"/listings/{world['need']['id']}/matches?weaker=1",
        "/",
        "/listings",
    ):
        r = get(client, url, headers=VISITOR)
        assert "Crushed concrete from a confidential site" in r.text, url
        assert "Salainen Betoni" not in r.text, url
        assert f"/organisations/{secret['id']}" not in r.text, url
    listing = get(client, f"/listings/{hidden['id']}", headers=VISITOR).text
    assert "Anonymous organisation" in listing
    org_page = get(client, f"/organisations/{secret['id']}", headers=VISITOR).text
    assert "confidential site" not in org_page  # it would name its owner there
    # a facilitator (here an admin) puts the parties in touch, so sees who it is
    assert "Salainen Betoni Oy" in get(client, f"/listings/{hidden['id']}").text


# -- organisations and errors ----------------------------------------------------------------


def test_the_organisation_page_shows_it_and_its_listings(
    client: TestClient, world: dict[str, Any]
) -> None:
    p = page(get(client, f"/organisations/{world['other']['id']}"))
    assert p.text_of("org-title") == "Nordic Aggregates Ltd"
    assert "Company" in p.text and "Espoo" in p.text
    assert "Crushed concrete aggregate, 800 t a year" in p.text
    assert "Etsimme betonimursketta" not in p.text  # another organisation's
    assert p.find("a", href=f"/listings/new?organisation={world['other']['id']}")
    org = page(get(client, f"/organisations/{world['org']['id']}"))
    assert org.find("a", href="mailto:jari@purkukallio.example.fi")


def test_a_missing_page_is_a_404_page(client: TestClient) -> None:
    for url in (
        "/listings/999",
        "/listings/999/matches",
        "/listings/999/edit",
        "/organisations/999",
    ):
        r = get(client, url)
        assert r.status_code == 404 and "Page not found" in r.text, url
    assert client.post("/listings/999/edit", data={}).status_code == 404


# -- accessibility and what a later CSP needs -------------------------------------------------


def test_every_form_field_has_a_label(client: TestClient, world: dict[str, Any]) -> None:
    for url in (
        "/",
        "/listings",
        "/listings/new",
        f"/listings/{world['need']['id']}/edit",
        f"/listings/{world['need']['id']}",
    ):
        html = get(client, url).text
        p = Page(html)
        labelled = {a["for"] for a in p.find("label") if "for" in a}
        for tag in ("input", "select", "textarea"):
            for attrs in p.find(tag):
                if attrs.get("type") in ("radio", "checkbox", "hidden"):
                    continue  # wrapped in their <label>, inside a <fieldset> with a <legend>
                assert attrs.get("id") in labelled, (url, attrs)
        radios = html.count('type="radio"')
        assert radios == 0 or html.count("<legend>") >= 2, url


def test_pages_have_landmarks_a_skip_link_and_one_h1(
    client: TestClient, world: dict[str, Any]
) -> None:
    for url in (
        "/",
        "/listings",
        "/listings/new",
        f"/listings/{world['need']['id']}",
        f"/organisations/{world['org']['id']}",
    ):
        p = page(get(client, url))
        assert p.find("main", id="main") and p.find("a", href="#main"), url
        assert len(p.find("h1")) == 1, url
        assert p.find("nav") and p.find("header") and p.find("footer"), url
        assert p.find("meta", name="viewport")


def test_no_inline_scripts_styles_or_handlers(client: TestClient, world: dict[str, Any]) -> None:
    for url in ("/", "/listings", "/listings/new", f"/listings/{world['need']['id']}"):
        html = get(client, url).text
        p = Page(html)
        assert all(s.get("src", "").startswith("/static/") for s in p.find("script")), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url
    scripts = {s["src"] for s in page(client.get("/")).find("script")}
    assert any(re.fullmatch(r"/static/htmx-2\.\d+\.\d+\.min\.js", s) for s in scripts)
    for src in scripts | {"/static/style.css"}:
        assert client.get(src).status_code == 200, src


# -- ids and numbers out of range ------------------------------------------------------------

TOO_BIG = str(2**31)  # past PostgreSQL's integer, the smaller of the two databases' ranges


@pytest.mark.parametrize(
    "url",
    [
        f"/listings/{TOO_BIG}",
        f"/listings/{TOO_BIG}/matches",
        f"/listings/{TOO_BIG}/edit",
        f"/organisations/{TOO_BIG}",
        f"/matches/{TOO_BIG}",
        f"/matches/{TOO_BIG}/accept",
    ],
)
def test_an_id_past_the_databases_range_is_a_page_not_found(client: TestClient, url: str) -> None:
    r = get(client, url)
    assert r.status_code == 404 and "not found" in page(r).text.lower()


def test_a_decision_on_an_id_past_the_databases_range_is_a_page_not_found(
    client: TestClient,
) -> None:
    from tests.world import login

    csrf = login(client, "facilitator", browser=True)
    for url in (f"/listings/{TOO_BIG}/approve", f"/matches/{TOO_BIG}/decide"):
        r = client.post(f"{url}?lang=en", data={"csrf_token": csrf})
        assert r.status_code == 404, url


@pytest.mark.parametrize("number", ["470000000000000000", str(2**64), "²"])
def test_a_page_number_past_any_listing_gives_a_page_not_an_error(
    client: TestClient, world: dict[str, Any], number: str
) -> None:
    for q in ("", "concrete"):
        r = get(client, f"/listings?page={number}&q={q}")
        assert r.status_code == 200 and "Browse" in page(r).text
