"""A member's pages in fi/sv/en: landing on my organisation, its listings and matches, the
profile, and "ask for an introduction" reaching the facilitators' queue first."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.pagekit import get, page
from tests.world import PASSWORD, Factory, brewery_and_bakery, engine_of, login, logout, person

WORDS = {
    "fi": {
        "title": "Oma organisaatio",
        "requested": "Pyydetty, odottaa fasilitaattoria",
        "asked": "Pyyntö lähetettiin fasilitaattoreille.",
        "queue": "Jäsenen pyyntö",
        "saved": "Organisaation tiedot tallennettiin.",
        "bad_email": "Kirjoita sähköpostiosoite muodossa",
        "ask": "Pyydä esittelyä",
        "interested": "Olen kiinnostunut",
        "members_only": "Tämä sivu on organisaatioiden jäsenille.",
        "too_long": "Viesti on liian pitkä",
    },
    "sv": {
        "title": "Min organisation",
        "requested": "Begärd, väntar på en facilitator",
        "asked": "Begäran skickades till facilitatorerna.",
        "queue": "Medlemmens begäran",
        "saved": "Organisationens uppgifter sparades.",
        "bad_email": "Skriv e-postadressen som",
        "ask": "Be om en presentation",
        "interested": "Jag är intresserad",
        "members_only": "Den här sidan är för organisationernas medlemmar.",
        "too_long": "Meddelandet är för långt",
    },
    "en": {
        "title": "My organisation",
        "requested": "Requested, waiting for a facilitator",
        "asked": "Your request went to the facilitators.",
        "queue": "Requested by a member",
        "saved": "The organisation's profile was saved.",
        "bad_email": "Write the e-mail address as",
        "ask": "Ask for an introduction",
        "interested": "I'm interested",
        "members_only": "This page is for members of an organisation.",
        "too_long": "The note is too long",
    },
}
LANGS = list(WORDS)
SAME = {"title": "Clear flat glass cullet", "description": "Clear flat glass cullet, 20 t."}


@pytest.fixture
def world(client: TestClient, make: Factory) -> dict[str, Any]:
    """A glass works and a window maker whose listings say the same (a strong pair), and the
    brewery and bakery (a weak one), both pairs in the facilitators' queue."""
    glass = make.org("Lohjan Lasi Oy", municipality="Lohja", contact_email="lasi@example.fi")
    windows = make.org("Hangon Ikkuna Oy", municipality="Hanko", contact_email="ikkuna@example.fi")
    cullet = make.listing(
        glass["id"], **SAME, municipality="Lohja", quantity=20, available_until="2030-06-30"
    )
    wanted = make.listing(windows["id"], kind="need", **SAME, municipality="Hanko", quantity=20)
    _, bakery, offer, need = brewery_and_bakery(make)
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] >= 2
    logout(client)
    return {
        "glass": glass,
        "windows": windows,
        "cullet": cullet,
        "wanted": wanted,
        "bakery": bakery,
        "offer": offer,
        "need": need,
    }


def log_in(client: TestClient, email: str, next_url: str = "/") -> str:
    """Where the login page sends this person after logging in."""
    logout(client)
    csrf = page(client.get("/login")).find("input", name="csrf_token")[0]["value"]
    form = {"email": email, "password": PASSWORD, "next": next_url, "csrf_token": csrf}
    r = client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_a_member_lands_on_their_page_and_a_facilitator_does_not(
    visitor: TestClient, world: dict[str, Any]
) -> None:
    member = person(engine_of(visitor), "member", org_id=world["glass"]["id"]).email
    facilitator = person(engine_of(visitor), "facilitator").email
    assert log_in(visitor, member) == "/my"
    assert log_in(visitor, facilitator) == "/"
    assert log_in(visitor, member, "/listings") == "/listings"  # sent to log in from a page


@pytest.mark.parametrize("lang", LANGS)
def test_my_page_shows_listings_with_strong_suggestions_and_what_is_new(
    visitor: TestClient, make: Factory, world: dict[str, Any], lang: str
) -> None:
    login(visitor, "member", org_id=world["glass"]["id"], browser=True)
    first = page(get(visitor, "/my", lang))
    assert WORDS[lang]["title"] in first.text and "Lohjan Lasi Oy" in first.text
    row = first.text_of(f"my-listing-{world['cullet']['id']}")
    assert "Clear flat glass cullet" in row
    assert "2030" in row  # available until, in the language's date format
    cell = strong_cell(first, world["cullet"]["id"])
    new = {
        "fi": "Uusia edellisen käyntisi jälkeen: 1.",
        "sv": "Nya sedan ditt förra besök: 1.",
        "en": "New since your last visit: 1.",
    }
    assert cell == f"1 {new[lang]}"  # one strong suggestion; a first visit: it is new
    again = page(get(visitor, "/my", lang))
    assert strong_cell(again, world["cullet"]["id"]) == "1"  # seen now
    # another window maker posts the same need: one new strong suggestion since the last visit
    login(visitor, "admin")
    other = make.org("Porvoon Ikkuna Oy", municipality="Porvoo")
    make.listing(other["id"], kind="need", **SAME, municipality="Porvoo", quantity=20)
    login(visitor, "member", org_id=world["glass"]["id"], browser=True)
    third = page(get(visitor, "/my", lang))
    assert strong_cell(third, world["cullet"]["id"]) == f"2 {new[lang]}"


def strong_cell(my: Any, listing_id: int) -> str:
    """The text of a listing's "strong suggestions" cell on the member's page."""
    return str(my.text_of(f"strong-{listing_id}"))


@pytest.mark.parametrize("lang", LANGS)
def test_ask_on_a_suggestion_reaches_the_queue_first_and_my_page_shows_its_stage(
    visitor: TestClient, world: dict[str, Any], lang: str
) -> None:
    w = WORDS[lang]
    csrf = login(visitor, "member", org_id=world["bakery"]["id"], browser=True)
    panel = page(get(visitor, f"/listings/{world['need']['id']}/matches?weaker=1", lang))
    links = [a["href"] for a in panel.find("a") if "/interest?mine=" in a.get("href", "")]
    assert f"/listings/{world['offer']['id']}/interest?mine={world['need']['id']}" in links
    assert w["ask"] in panel.text
    form = page(get(visitor, links[0], lang))
    assert form.find("select", name="mine") and form.find("textarea", name="note")
    r = visitor.post(
        f"/listings/{world['offer']['id']}/interest",
        data={"csrf_token": csrf, "mine": str(world["need"]["id"]), "note": "Kokeillaan 2 t?"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/my?done=asked"
    mine = page(get(visitor, "/my?done=asked", lang))
    assert w["asked"] in mine.text and w["requested"] in mine.text
    assert "Kokeillaan 2 t?" in mine.text and "Spent grain from brewing" in mine.text
    login(visitor, "facilitator", browser=True)
    queue = page(get(visitor, "/matches", lang))
    items = [li for li in queue.find("li") if "match-item" in li.get("class", "")]
    assert "requested" in items[0]["class"].split()  # first, marked
    first = queue.text_of(items[0]["id"])
    assert w["queue"] in first and "Espoo Bakery Ltd" in first and "Kokeillaan 2 t?" in first
    assert "Spent grain from brewing" in first
    assert all("requested" not in li["class"].split() for li in items[1:])


@pytest.mark.parametrize("lang", LANGS)
def test_bad_requests_are_answered_in_the_ui_language(
    visitor: TestClient, world: dict[str, Any], lang: str
) -> None:
    w = WORDS[lang]
    csrf = login(visitor, "member", org_id=world["bakery"]["id"], browser=True)
    url = f"/listings/{world['offer']['id']}/interest?lang={lang}"
    long = visitor.post(
        url, data={"csrf_token": csrf, "mine": str(world["need"]["id"]), "note": "x" * 1001}
    )
    assert long.status_code == 422 and w["too_long"] in page(long).text
    wrong = visitor.post(url, data={"csrf_token": csrf, "mine": str(world["cullet"]["id"])})
    assert wrong.status_code == 422
    assert page(wrong).find("select", name="mine")[0].get("aria-invalid") == "true"
    # the interest link is on another organisation's listing, not on one's own
    other = page(get(visitor, f"/listings/{world['cullet']['id']}", lang))
    assert w["interested"] in other.text
    own = page(get(visitor, f"/listings/{world['need']['id']}", lang))
    assert w["interested"] not in own.text
    assert get(visitor, "/listings/999999/interest", lang).status_code == 404


@pytest.mark.parametrize("lang", LANGS)
def test_members_edit_their_organisations_profile(
    visitor: TestClient, world: dict[str, Any], lang: str
) -> None:
    w = WORDS[lang]
    csrf = login(visitor, "member", org_id=world["windows"]["id"], browser=True)
    form = page(get(visitor, "/my/organisation", lang))
    assert form.find("input", name="contact_email")
    data = {
        "csrf_token": csrf,
        "contact_name": "Ilona Ikkuna",
        "contact_email": "ilona@ikkuna.example.fi",
        "website": "https://ikkuna.example.fi",
        "municipality": "Hanko",
        "description": "Ikkunoita kierrätyslasista.",
        "language": "sv",
    }
    bad = visitor.post(f"/my/organisation?lang={lang}", data={**data, "contact_email": "ilona"})
    assert bad.status_code == 422 and w["bad_email"] in page(bad).text
    r = visitor.post("/my/organisation", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/my?done=saved"
    assert w["saved"] in page(get(visitor, "/my?done=saved", lang)).text
    public = page(get(visitor, f"/organisations/{world['windows']['id']}", lang)).text
    assert "Ilona Ikkuna" in public and "ilona@ikkuna.example.fi" in public


@pytest.mark.parametrize("lang", LANGS)
def test_my_page_is_for_members(visitor: TestClient, world: dict[str, Any], lang: str) -> None:
    r = get(visitor, "/my", lang, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    login(visitor, "facilitator", browser=True)
    r = get(visitor, "/my", lang)
    assert r.status_code == 403 and WORDS[lang]["members_only"] in page(r).text
    login(visitor, "member", org_id=world["glass"]["id"], browser=True)
    nav = page(get(visitor, "/", lang)).find("a", href="/my")
    assert nav  # the member's menu leads there


def test_matches_in_progress_show_the_next_step_and_introductions_received(
    client: TestClient, world: dict[str, Any]
) -> None:
    login(client, "admin")
    queue = client.get("/api/matches?status=suggested").json()
    pair = next(m for m in queue if m["offer_id"] == world["cullet"]["id"])
    assert client.post(
        f"/api/matches/{pair['id']}/status", json={"status": "shortlisted"}
    ).is_success
    assert client.post(f"/api/matches/{pair['id']}/introduction", json={}).is_success
    login(client, "member", org_id=world["glass"]["id"], browser=True)
    mine = page(client.get("/my?lang=en"))
    card = mine.text_of(f"my-match-{pair['id']}")
    assert "Introduced" in card and "answer it and agree on the next steps" in card
    received = mine.text_of("my-received-h")  # the heading; the list follows
    assert received == "Introductions received"
    assert f"Match {pair['id']}: Clear flat glass cullet → Clear flat glass cullet" in mine.text
