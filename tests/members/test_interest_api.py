"""Asking for an introduction through the API: the match made or moved, first in the queue."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.world import Factory, brewery_and_bakery, engine_of, login, logout, matches


@pytest.fixture
def world(client: TestClient, make: Factory) -> dict[str, Any]:
    """The brewery's grain and the bakery's need (weakly scored), and a strong pair beside it
    in the queue: a glass works' cullet wanted by a window maker, in the same words."""
    brewery, bakery, offer, need = brewery_and_bakery(make)
    glass = make.org("Lohjan Lasi Oy", municipality="Lohja")
    windows = make.org("Hangon Ikkuna Oy", municipality="Hanko")
    text = {"title": "Clear flat glass cullet", "description": "Clear flat glass cullet, 20 t."}
    cullet = make.listing(glass["id"], **text, municipality="Lohja", quantity=20)
    wanted = make.listing(windows["id"], kind="need", **text, municipality="Hanko", quantity=20)
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] >= 1
    return {
        "brewery": brewery,
        "bakery": bakery,
        "offer": offer,
        "need": need,
        "cullet": cullet,
        "wanted": wanted,
    }


def ask(client: TestClient, listing_id: int, mine: int, note: str = "") -> Any:
    return client.post(f"/api/listings/{listing_id}/interest", json={"mine": mine, "note": note})


def test_a_request_puts_the_match_first_in_the_queue(
    client: TestClient, world: dict[str, Any]
) -> None:
    queue = client.get("/api/matches?status=suggested").json()
    assert [m["score"] for m in queue] == sorted((m["score"] for m in queue), reverse=True)
    grain = next(m for m in queue if m["need_id"] == world["need"]["id"])
    assert queue[0]["id"] != grain["id"]  # the cullet pair scores higher
    login(client, "member", org_id=world["bakery"]["id"])
    r = ask(client, world["offer"]["id"], world["need"]["id"], "Could we try 2 t first?")
    assert r.status_code == 200, r.text
    assert r.json() == {"match_id": grain["id"], "status": "suggested", "new": True}
    login(client, "facilitator")
    after = client.get("/api/matches?status=suggested").json()
    assert after[0]["id"] == grain["id"]  # first, whatever its score
    assert after[0]["requested"] and not any(m["requested"] for m in after[1:])
    assert len(after) == len(queue)  # moved, not duplicated
    history = client.get(f"/api/matches/{grain['id']}/history").json()
    assert history[-1]["note"] == "introduction requested by a member"


def test_a_request_without_a_match_makes_one_scored_as_the_matcher_scores_it(
    client: TestClient, make: Factory, world: dict[str, Any]
) -> None:
    # the bakery's need and the glass works' cullet: no queue entry pairs them
    before = len(matches(engine_of(client)))
    login(client, "member", org_id=world["bakery"]["id"])
    r = ask(client, world["cullet"]["id"], world["need"]["id"], "Glass? Just curious.")
    assert r.status_code == 200, r.text
    made = [m for m in matches(engine_of(client)) if m.id == r.json()["match_id"]]
    assert len(matches(engine_of(client))) == before + 1
    assert made[0].offer_id == world["cullet"]["id"] and made[0].need_id == world["need"]["id"]
    assert set(made[0].parts) >= {"semantic", "category"}


def test_asking_twice_changes_nothing(client: TestClient, world: dict[str, Any]) -> None:
    login(client, "member", org_id=world["bakery"]["id"])
    first = ask(client, world["offer"]["id"], world["need"]["id"], "first").json()
    again = ask(client, world["offer"]["id"], world["need"]["id"], "second").json()
    assert again == {**first, "new": False}


def test_a_rejected_match_comes_back_into_the_queue(
    client: TestClient, world: dict[str, Any]
) -> None:
    queue = client.get("/api/matches?status=suggested").json()
    grain = next(m for m in queue if m["need_id"] == world["need"]["id"])
    r = client.post(
        f"/api/matches/{grain['id']}/status",
        json={"status": "rejected", "reason": "too far apart"},
    )
    assert r.status_code == 200, r.text
    login(client, "member", org_id=world["bakery"]["id"])
    r = ask(client, world["offer"]["id"], world["need"]["id"], "We collect it ourselves.")
    assert r.json() == {"match_id": grain["id"], "status": "suggested", "new": True}
    login(client, "facilitator")
    history = client.get(f"/api/matches/{grain['id']}/history").json()
    assert [h["to_status"] for h in history][-2:] == ["rejected", "suggested"]


@pytest.mark.parametrize(
    ("who", "listing", "mine", "status", "says"),
    [
        ("bakery", "need", "need", 422, "own organisation"),  # its own listing
        ("bakery", "offer", "cullet", 422, "your organisation's listings"),  # not theirs
        ("bakery", "cullet", "offer", 422, "your organisation's listings"),
        ("facilitator", "offer", "need", 403, "only members"),
        ("visitor", "offer", "need", 401, "log in"),
    ],
)
def test_refusals_say_why(
    client: TestClient,
    world: dict[str, Any],
    who: str,
    listing: str,
    mine: str,
    status: int,
    says: str,
) -> None:
    if who == "visitor":
        logout(client)
    elif who == "facilitator":
        login(client, "facilitator")
    else:
        login(client, "member", org_id=world[who]["id"])
    r = ask(client, world[listing]["id"], world[mine]["id"])
    assert r.status_code == status, r.text
    assert says in r.json()["detail"]


def test_the_same_kind_a_missing_listing_and_a_long_note_are_refused(
    client: TestClient, world: dict[str, Any]
) -> None:
    login(client, "member", org_id=world["brewery"]["id"])
    same_kind = ask(client, world["cullet"]["id"], world["offer"]["id"])
    assert same_kind.status_code == 422
    assert "active need of your organisation" in same_kind.json()["detail"]
    assert ask(client, 999_999, world["offer"]["id"]).status_code == 404
    long = ask(client, world["need"]["id"], world["offer"]["id"], "x" * 1001)
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "note"


def test_a_realised_match_is_not_asked_for_again(client: TestClient, world: dict[str, Any]) -> None:
    queue = client.get("/api/matches?status=suggested").json()
    grain = next(m for m in queue if m["need_id"] == world["need"]["id"])
    steps = ("shortlisted",)
    for step in steps:
        assert client.post(f"/api/matches/{grain['id']}/status", json={"status": step}).is_success
    assert client.post(f"/api/matches/{grain['id']}/introduction", json={}).is_success
    for step in ("negotiating", "realised"):
        assert client.post(f"/api/matches/{grain['id']}/status", json={"status": step}).is_success
    login(client, "member", org_id=world["bakery"]["id"])
    r = ask(client, world["offer"]["id"], world["need"]["id"])
    assert r.status_code == 409 and "realised already" in r.json()["detail"]


def test_an_anonymous_party_is_not_named_to_the_member_who_asks(
    client: TestClient, make: Factory
) -> None:
    _, bakery, offer, need = brewery_and_bakery(make, anonymous_offer=True)
    login(client, "member", org_id=bakery["id"])
    r = ask(client, offer["id"], need["id"], "Who are you?")
    assert r.status_code == 200
    assert "Panimo" not in r.text
    page = client.get("/my?lang=en")  # token login: the page reads the same principal
    assert page.status_code == 200
    assert "Helsingin Panimo" not in page.text and "Anonymous" in page.text
