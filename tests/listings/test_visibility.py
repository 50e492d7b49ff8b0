"""The visibility rule: who is shown a listing, its owner, and each side of a match."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.accounts.auth import VISITOR, Principal
from matchmaker.listings import visibility
from matchmaker.tables import Listing, Match, User
from matchmaker.vocab import Category, Language, ListingKind, Role, Status, Visibility
from tests.world import Factory, brewery_and_bakery, login

BREWERY, BAKERY = 1, 2


def person(role: Role, org: int | None = None) -> Principal:
    return Principal(
        User(id=7, email="someone@example.fi", password_hash="", role=role, organisation_id=org)
    )


VIEWERS = {
    "visitor": VISITOR,
    "member of the owner": person(Role.member, BREWERY),
    "member of another organisation": person(Role.member, BAKERY),
    "facilitator": person(Role.facilitator),
}


def spent_grain(visibility_: Visibility, status: Status = Status.active) -> Listing:
    return Listing(
        id=1,
        organisation_id=BREWERY,
        theme_id=1,
        kind=ListingKind.offer,
        category=Category.material,
        title="Spent grain from brewing, 10 t a week, Helsinki",
        language=Language.en,
        status=status,
        visibility=visibility_,
    )


MATCH = Match(id=1, offer_id=1, need_id=2, theme_id=1, score=80)


def accepted(yes: bool) -> set[tuple[int, str]]:
    """The acceptances: the offer side's owner accepted the introduction, or nobody did."""
    return {(1, "offer")} if yes else set()


# (viewer, visibility, accepted) -> is the offer's organisation named on the match?
NAMED_ON_MATCH = {
    ("visitor", "public", True): True,
    ("visitor", "public", False): True,  # a public listing names its owner anywhere
    ("visitor", "anonymous", True): True,
    ("visitor", "anonymous", False): False,
    ("member of the owner", "public", True): True,
    ("member of the owner", "public", False): True,
    ("member of the owner", "anonymous", True): True,
    ("member of the owner", "anonymous", False): True,
    ("member of another organisation", "public", True): True,
    ("member of another organisation", "public", False): True,
    ("member of another organisation", "anonymous", True): True,
    ("member of another organisation", "anonymous", False): False,
    ("facilitator", "public", True): True,
    ("facilitator", "public", False): True,
    ("facilitator", "anonymous", True): True,
    ("facilitator", "anonymous", False): True,
}


@pytest.mark.parametrize(("viewer", "shown", "yes"), list(NAMED_ON_MATCH))
def test_a_match_side_is_named_where_the_listing_is_now_or_once_its_owner_accepted(
    viewer: str, shown: str, yes: bool
) -> None:
    listing = spent_grain(Visibility(shown))
    seen = visibility.match_side(VIEWERS[viewer], MATCH, "offer", listing, accepted(yes))
    assert seen.shown and seen.named is NAMED_ON_MATCH[(viewer, shown, yes)]


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("status", [Status.draft, Status.pending, Status.closed])
def test_a_withdrawn_side_shows_nothing_to_those_it_is_no_longer_for(
    viewer: str, status: Status
) -> None:
    knows = viewer in ("member of the owner", "facilitator")
    listing = spent_grain(Visibility.public, status)
    seen = visibility.match_side(VIEWERS[viewer], MATCH, "offer", listing, accepted(True))
    assert seen.shown is knows and seen.named is knows


def test_the_other_party_learns_an_anonymous_side_only_once_its_owner_accepts() -> None:
    anonymous, public = spent_grain(Visibility.anonymous), spent_grain(Visibility.public)
    assert not visibility.named_to_other_party(MATCH, "offer", anonymous, accepted(False))
    assert visibility.named_to_other_party(MATCH, "offer", anonymous, accepted(True))
    assert visibility.named_to_other_party(MATCH, "offer", public, accepted(False))
    # the match's own flag, set when it was made from a public listing, names nobody
    assert not visibility.named_to_other_party(
        Match(id=1, offer_id=1, need_id=2, theme_id=1, score=80, offer_revealed=True),
        "offer",
        anonymous,
        accepted(False),
    )
    assert visibility.awaits_owner(MATCH, "offer", anonymous, accepted(False))
    assert not visibility.awaits_owner(MATCH, "offer", anonymous, accepted(True))
    assert not visibility.awaits_owner(MATCH, "offer", public, accepted(False))


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("shown", ["public", "anonymous"])
def test_a_listing_names_its_owner_to_everyone_only_when_public(viewer: str, shown: str) -> None:
    knows = viewer in ("member of the owner", "facilitator")
    listing = spent_grain(Visibility(shown))
    assert visibility.owner_named(VIEWERS[viewer], listing) is (shown == "public" or knows)
    # an anonymous listing stays off its organisation's page, which would name the owner
    on_page = visibility.on_organisation_page(VIEWERS[viewer], listing)
    assert on_page is (shown == "public" or knows)


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("status", list(Status))
def test_only_active_listings_are_for_everyone(viewer: str, status: Status) -> None:
    knows = viewer in ("member of the owner", "facilitator")
    listing = spent_grain(Visibility.public, status)
    assert visibility.may_see(VIEWERS[viewer], listing) is (status == Status.active or knows)


@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_a_match_is_for_facilitators_and_its_two_parties(viewer: str) -> None:
    offer = spent_grain(Visibility.anonymous)
    seen = visibility.may_see_match(VIEWERS[viewer], offer, None)
    assert seen is (viewer in ("member of the owner", "facilitator"))
    other = VIEWERS["member of another organisation"]
    need = spent_grain(Visibility.public)
    need.organisation_id = BAKERY
    assert visibility.may_see_match(other, offer, need)


def test_the_match_json_names_an_anonymous_side_to_the_other_party_once_accepted(
    client: TestClient, make: Factory, db_engine: Any
) -> None:
    """The match page and the reveal e-mail name the side once accepted; the JSON now too."""
    brewery, bakery, offer, _ = brewery_and_bakery(make, anonymous_offer=True)
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    client.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
    client.post(f"/api/matches/{match_id}/introduction", json={})

    login(client, "member", org_id=bakery["id"], email="ben@example.com")
    before = client.get(f"/api/matches/{match_id}").json()
    assert before["offer_organisation"] is None
    assert before["need_organisation"] == "Espoo Bakery Ltd"

    login(client, "member", org_id=brewery["id"], email="paula@example.fi")
    assert client.post(f"/api/matches/{match_id}/accept").status_code == 200

    login(client, "member", org_id=bakery["id"], email="ben2@example.com")
    after = client.get(f"/api/matches/{match_id}").json()
    assert after["offer_organisation"] == "Helsingin Panimo Oy"
    # the listing itself stays anonymous
    assert client.get(f"/api/listings/{offer['id']}").json()["organisation_name"] is None
