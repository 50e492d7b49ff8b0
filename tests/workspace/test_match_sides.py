"""What the other party sees of a match side that turned anonymous or was withdrawn: the match
page, the match JSON and the matches export say the same (visibility.match_side)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.pagekit import get, page
from tests.world import Factory, brewery_and_bakery, login

SECRET = "Helsingin Panimo"


def introduced(client: TestClient, make: Factory, *, anonymous: bool = False) -> dict[str, Any]:
    """The brewery's spent grain and the bakery's need, introduced to each other."""
    brewery, bakery, offer, need = brewery_and_bakery(make, anonymous_offer=anonymous)
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    client.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
    assert client.post(f"/api/matches/{match_id}/introduction", json={}).status_code == 200
    return {"brewery": brewery, "bakery": bakery, "offer": offer, "need": need, "id": match_id}


def change_offer(client: TestClient, w: dict[str, Any], **changes: str) -> None:
    """The brewery's member edits its offer."""
    login(client, "member", org_id=w["brewery"]["id"], email="paula@example.fi")
    offer = client.get(f"/api/listings/{w['offer']['id']}").json()
    r = client.patch(f"/api/listings/{offer['id']}", json={**changes, "version": offer["version"]})
    assert r.status_code == 200, r.text


def as_bakery(client: TestClient, w: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The match as the bakery (the other party) gets it: the JSON, and the page's text."""
    login(client, "member", org_id=w["bakery"]["id"], email="ben@example.com")
    json = client.get(f"/api/matches/{w['id']}").json()
    login(client, "member", org_id=w["bakery"]["id"], email="ben@example.com", browser=True)
    r = get(client, f"/matches/{w['id']}")
    assert r.status_code == 200
    return json, page(r).text


def export(client: TestClient) -> str:
    login(client, "admin")
    return client.get("/api/export/matches.csv").text


def test_a_side_that_turns_anonymous_after_the_introduction_is_named_no_more(
    client: TestClient, make: Factory
) -> None:
    w = introduced(client, make)
    change_offer(client, w, visibility="anonymous")
    json, text = as_bakery(client, w)
    assert json["offer_organisation"] is None and SECRET not in text
    assert "Anonymous organisation" in text
    assert json["offer_title"] == "Spent grain from brewing"  # still on offer, so still shown
    assert json["need_organisation"] == "Espoo Bakery Ltd"
    assert SECRET not in export(client)


def test_a_side_revealed_by_its_owner_stays_named_alike_on_the_page_and_in_the_json(
    client: TestClient, make: Factory
) -> None:
    w = introduced(client, make, anonymous=True)
    login(client, "member", org_id=w["brewery"]["id"], email="paula@example.fi")
    assert client.post(f"/api/matches/{w['id']}/accept").status_code == 200
    json, text = as_bakery(client, w)
    assert json["offer_organisation"] == "Helsingin Panimo Oy" and SECRET in text
    assert SECRET in export(client)


def test_a_public_side_turned_anonymous_may_be_revealed_by_its_owner_again(
    client: TestClient, make: Factory
) -> None:
    w = introduced(client, make)
    change_offer(client, w, visibility="anonymous")
    assert client.post(f"/api/matches/{w['id']}/accept").status_code == 200
    json, text = as_bakery(client, w)
    assert json["offer_organisation"] == "Helsingin Panimo Oy" and SECRET in text


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_a_withdrawn_side_shows_the_other_party_nothing_of_its_new_content(
    client: TestClient, make: Factory, status: str
) -> None:
    w = introduced(client, make)
    change_offer(client, w, status=status, title="Secret new recipe with hops")
    assert client.get(f"/api/listings/{w['offer']['id']}").json()["status"] == status
    json, text = as_bakery(client, w)
    assert json["offer_available"] is False and json["offer_title"] is None
    assert json["need_available"] is True
    assert "Secret new recipe" not in text and "Secret new recipe" not in str(json)
    assert "No longer available" in text
    assert "Secret new recipe" not in export(client)
    # the owner and the facilitators still see it as it is
    login(client, "facilitator")
    assert client.get(f"/api/matches/{w['id']}").json()["offer_title"].startswith("Secret")


def test_no_introduction_goes_out_for_a_withdrawn_side(client: TestClient, make: Factory) -> None:
    """The letters would tell the other party the draft's new title: the page says why not."""
    _, bakery, offer, _ = brewery_and_bakery(make)
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    client.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
    client.patch(
        f"/api/listings/{offer['id']}",
        json={"status": "draft", "title": "Secret new recipe", "version": offer["version"]},
    )
    r = client.post(f"/api/matches/{match_id}/introduction", json={})
    assert r.status_code == 422 and "not available" in r.text
    login(client, "facilitator", browser=True)
    text = page(get(client, f"/matches/{match_id}")).text
    assert "One of the two listings is no longer available" in text
    login(client, "admin")
    assert not [m for m in client.get("/api/outbox").json() if m["to"] == "bakery@example.com"]
    assert bakery["name"] == "Espoo Bakery Ltd"
