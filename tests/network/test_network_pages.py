"""/map and /network as each role sees them: counts, lines, filters, bad input, visibility."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.pagekit import HTMX, Table, get, page
from tests.world import Factory, brewery_and_bakery, login, logout


@pytest.fixture
def world(client: TestClient, make: Factory) -> dict[str, Any]:
    """A brewery (Helsinki) and a bakery (Espoo) matched; a Porvoo depot's hall; an anonymous
    need whose listing names no municipality, of an organisation in Hanko."""
    brewery, bakery, offer, _ = brewery_and_bakery(make)
    depot = make.org("Porvoon Varikko Oy", municipality="Porvoo")
    make.listing(
        depot["id"],
        category="equipment",
        theme="construction",
        title="Kylmä halli rakennusosien välivarastoksi",
        description="Kaupungin varikon halli, 800 m2, vapaana keväästä.",
        language="fi",
        quantity=800,
        unit="m2",
        municipality="Porvoo",
    )
    secret = make.org("Hangon Salainen Oy", municipality="Hanko")
    make.listing(
        secret["id"],
        kind="need",
        theme="textiles",
        title="Denim offcuts wanted",
        description="Denim for rag rugs.",
        municipality=None,
        visibility="anonymous",
    )
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] >= 1
    match = next(m for m in client.get("/api/matches").json() if m["offer_id"] == offer["id"])
    shortlisted = client.post(f"/api/matches/{match['id']}/status", json={"status": "shortlisted"})
    assert shortlisted.status_code == 200, shortlisted.text
    return {"brewery": brewery, "bakery": bakery, "match": match["id"]}


def places(r: Any) -> Table:
    assert r.status_code == 200, r.text
    return Table(r.text, "places")


def test_a_visitor_sees_counts_by_municipality_and_no_matches(
    client: TestClient, world: dict[str, Any]
) -> None:
    logout(client)
    r = get(client, "/map")
    table = places(r)
    porvoo = table.row("Porvoo")
    assert porvoo["Offers"][2] == "1" and porvoo["Land use"][2] == "1"
    assert porvoo["Organisations"][2] == "2"  # the depot, and the brewery's seat
    assert table.row("Espoo")["Organisations"][2] == "1"
    assert table.row("Helsinki")["Offers"][2] == "1"
    assert table.row("Espoo")["Needs"][2] == "1"
    assert "Shortlisted" not in table.texts()[0]  # no match columns
    shown = page(r).text
    assert "Matches are shown to facilitators only." in shown
    assert 'class="link stage-' not in r.text  # no match line drawn
    assert "Porvoo: 2 organisations, 1 offers, 0 needs, 1 land use" in r.text  # the marker
    assert 'role="img"' in r.text and "<title" in r.text


def test_an_anonymous_listing_does_not_say_where_its_organisation_is(
    client: TestClient, world: dict[str, Any]
) -> None:
    logout(client)
    r = get(client, "/map?theme=textiles")
    assert "Listings without a municipality: 1" in page(r).text
    assert places(r).row("Hanko")["Needs"][2] == "0"
    assert places(r).row("Hanko")["Organisations"][2] == "0"  # not counted for its listing
    login(client, "facilitator")
    seen = places(get(client, "/map?theme=textiles")).row("Hanko")
    assert seen["Needs"][2] == "1" and seen["Organisations"][2] == "1"


def test_a_facilitator_sees_match_lines_coloured_by_stage(
    client: TestClient, world: dict[str, Any]
) -> None:
    login(client, "facilitator")
    r = get(client, "/map")
    assert places(r).row("Helsinki")["Shortlisted"][2] == "1"
    assert places(r).row("Espoo")["Shortlisted"][2] == "1"
    assert 'class="link stage-shortlisted"' in r.text
    assert "Helsinki → Espoo: 1 × Shortlisted" in r.text
    realised = get(client, "/map?stage=realised")
    assert 'class="link stage-' not in realised.text
    assert places(realised).texts()[0][-1] == "Realised"


def test_the_filters_narrow_the_map_and_land_use_has_its_own(
    client: TestClient, world: dict[str, Any]
) -> None:
    logout(client)
    land = places(get(client, "/map?kind=land"))
    assert land.row("Porvoo")["Offers"][2] == "1"
    assert land.row("Helsinki")["Offers"][2] == "0"  # spent grain is no land use
    needs = places(get(client, "/map?kind=need"))
    assert needs.row("Espoo")["Needs"][2] == "1" and needs.row("Porvoo")["Offers"][2] == "0"
    food = places(get(client, "/map?theme=food"))
    assert food.row("Porvoo")["Offers"][2] == "0" and food.row("Helsinki")["Offers"][2] == "1"


def test_a_bad_filter_is_named_back_in_the_readers_language(
    client: TestClient, world: dict[str, Any]
) -> None:
    logout(client)
    r = get(client, "/map?kind=castles", lang="fi")
    assert r.status_code == 422
    assert "Tyyppiä ”castles” ei ole. Valitse tyyppi listasta." in page(r).text
    r = get(client, "/map?theme=mining", lang="sv")
    assert r.status_code == 422 and "Temat ”mining” finns inte." in page(r).text
    login(client, "facilitator")
    r = get(client, "/network?stage=married")
    assert r.status_code == 422 and "There is no stage “married”." in page(r).text
    r = get(client, "/network?kind=offer")  # every match pairs an offer and a need
    assert r.status_code == 422 and "There is no kind “offer”." in page(r).text


def test_the_filter_form_works_with_and_without_javascript(
    client: TestClient, world: dict[str, Any]
) -> None:
    logout(client)
    full = get(client, "/map")
    form = page(full).find("form", action="/map")[0]
    assert form["method"] == "get" and form["hx-get"] == "/map"
    fragment = get(client, "/map?kind=land", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert Table(fragment.text, "places").row("Porvoo")["Land use"][2] == "1"


def test_the_network_is_for_curators(client: TestClient, world: dict[str, Any]) -> None:
    logout(client)
    r = get(client, "/network", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fnetwork")
    login(client, "member", org_id=world["brewery"]["id"])
    assert get(client, "/network").status_code == 403


def test_the_network_links_organisations_at_their_stage_the_same_every_time(
    client: TestClient, world: dict[str, Any]
) -> None:
    login(client, "facilitator")
    r = get(client, "/network")
    assert r.status_code == 200
    links = Table(r.text, "links")
    assert links.texts()[1] == ["Helsingin Panimo Oy", "Espoo Bakery Ltd", "Shortlisted", "1"]
    orgs = Table(r.text, "orgs")
    assert orgs.row("Espoo Bakery Ltd")["Kind"][2] == "Company"
    assert 'class="link stage-shortlisted"' in r.text and 'class="org kind-company"' in r.text
    assert get(client, "/network").text == r.text  # a fixed seed: the same drawing
    none = get(client, "/network?stage=pilot")
    assert "No matches with these filters." in page(none).text
    fi = get(client, "/network", lang="fi")
    assert "Organisaatioiden verkosto" in page(fi).text
    assert Table(fi.text, "links").texts()[1][2] == "Valittu"


def test_the_network_narrowed_to_land_use_keeps_the_matches_of_land_use(
    client: TestClient, world: dict[str, Any], make: Factory
) -> None:
    login(client, "facilitator")
    assert "No matches with these filters." in page(get(client, "/network?kind=land")).text
    make.listing(
        world["bakery"]["id"],
        kind="need",
        category="equipment",
        title="Söker lagerhall för mellanlagring av byggdelar",
        description="En kall hall, cirka 500 m2, för återbrukade byggdelar.",
        language="sv",
        municipality="Espoo",
    )
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] >= 1
    r = get(client, "/network?kind=land")
    rows = Table(r.text, "links").texts()[1:]
    assert ["Porvoon Varikko Oy", "Espoo Bakery Ltd", "Suggested", "1"] in rows
    assert all(row[0] != "Helsingin Panimo Oy" for row in rows)  # spent grain is no land use
    kinds = [o["value"] for o in page(r).find("option") if o.get("value") in ("offer", "need")]
    assert kinds == []  # the network offers no offer/need choice: a match is both
