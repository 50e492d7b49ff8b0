"""Each role × each state-changing API route: allowed, or refused.

401: not logged in. 403: logged in, not allowed. 404: a pending listing of another
organisation does not exist for a member of another organisation (nothing leaks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.tables import Listing, Organisation, Theme
from matchmaker.vocab import Role
from tests.conftest import login_as

ROLES = ["visitor", "member", "other member", "facilitator", "admin"]


def world(db_engine: Any) -> dict[str, int]:
    with Session(db_engine) as s:
        mine = Organisation(name="Lohjan Lasi Oy", kind="company")
        other = Organisation(name="Hangon Satama Oy", kind="company")
        s.add(mine)
        s.add(other)
        s.commit()
        theme = s.exec(Theme.__table__.select()).first()  # type: ignore[attr-defined]
        listing = Listing(
            organisation_id=mine.id,
            theme_id=theme.id,
            kind="offer",
            category="material",
            title="Flat glass cullet",
            language="en",
            status="pending",
        )
        s.add(listing)
        s.commit()
        victim = accounts.create_user(
            s,
            email="victim@example.fi",
            password="x" * 12,
            role=Role.member,
            organisation_id=other.id,
        )
        return {
            "mine": mine.id,
            "other": other.id,
            "listing": listing.id,  # type: ignore[dict-item]
            "user": victim.id,
        }  # type: ignore[dict-item]


Call = Callable[[TestClient, dict[str, int]], Any]

ROUTES: dict[str, tuple[Call, dict[str, int]]] = {
    "create listing for own organisation": (
        lambda c, w: c.post(
            "/api/listings",
            json={
                "organisation_id": w["mine"],
                "theme": "construction",
                "kind": "need",
                "category": "material",
                "title": "Glass wanted",
            },
        ),
        {"visitor": 401, "member": 201, "other member": 403, "facilitator": 201, "admin": 201},
    ),
    "edit listing": (
        lambda c, w: c.patch(
            f"/api/listings/{w['listing']}", json={"title": "Green glass cullet", "version": 1}
        ),
        {"visitor": 401, "member": 200, "other member": 404, "facilitator": 200, "admin": 200},
    ),
    "close listing": (
        lambda c, w: c.post(f"/api/listings/{w['listing']}/close"),
        {"visitor": 401, "member": 200, "other member": 404, "facilitator": 200, "admin": 200},
    ),
    "approve listing": (
        lambda c, w: c.post(f"/api/listings/{w['listing']}/approve"),
        {"visitor": 401, "member": 403, "other member": 403, "facilitator": 200, "admin": 200},
    ),
    "add theme": (
        lambda c, w: c.post(
            "/api/themes",
            json={"slug": "wood", "name_fi": "Puu", "name_sv": "Trä", "name_en": "Wood"},
        ),
        {"visitor": 401, "member": 403, "other member": 403, "facilitator": 403, "admin": 201},
    ),
    "add organisation": (
        lambda c, w: c.post("/api/organisations", json={"name": "Uusi Oy", "kind": "company"}),
        {"visitor": 401, "member": 403, "other member": 403, "facilitator": 201, "admin": 201},
    ),
    "invite a member": (
        lambda c, w: c.post(
            "/api/invitations", json={"email": "new@example.fi", "organisation_id": w["mine"]}
        ),
        {"visitor": 401, "member": 403, "other member": 403, "facilitator": 201, "admin": 201},
    ),
    "change a user's role": (
        lambda c, w: c.patch(f"/api/users/{w['user']}", json={"role": "facilitator"}),
        {"visitor": 401, "member": 403, "other member": 403, "facilitator": 403, "admin": 200},
    ),
    "create an API token": (
        lambda c, w: c.post("/api/tokens", json={"name": "laptop"}),
        {"visitor": 401, "member": 201, "other member": 201, "facilitator": 201, "admin": 201},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_role_matrix(route: str, role: str, visitor: TestClient, db_engine: Any) -> None:
    w = world(db_engine)
    if role == "member":
        login_as(visitor, db_engine, "member", org_id=w["mine"])
    elif role == "other member":
        login_as(visitor, db_engine, "member", org_id=w["other"])
    elif role != "visitor":
        login_as(visitor, db_engine, role)
    call, expected = ROUTES[route]
    response = call(visitor, w)
    assert response.status_code == expected[role], response.text
    if response.status_code >= 400:
        assert response.json()["detail"]  # a sentence, not a bare code


def test_a_pending_listing_is_hidden_until_approved(visitor: TestClient, db_engine: Any) -> None:
    w = world(db_engine)
    assert visitor.get(f"/api/listings/{w['listing']}").status_code == 404
    login_as(visitor, db_engine, "member", org_id=w["mine"])
    assert visitor.get(f"/api/listings/{w['listing']}").json()["status"] == "pending"


def test_a_member_never_approves_a_pending_listing_even_with_approval_off(
    visitor: TestClient, db_engine: Any
) -> None:
    """Pending (set by a facilitator, or from when approval was on) stays for facilitators to
    lift: the API says so as the edit form does, and the listing stays hidden."""
    w = world(db_engine)
    visitor.app.state.settings.approval_required = False  # type: ignore[attr-defined]
    login_as(visitor, db_engine, "member", org_id=w["mine"])
    r = visitor.patch(f"/api/listings/{w['listing']}", json={"status": "active", "version": 1})
    assert r.status_code == 422
    assert r.json()["detail"] == "status: a facilitator approves a pending listing"
    assert visitor.get(f"/api/listings/{w['listing']}").json()["status"] == "pending"
    edited = visitor.patch(f"/api/listings/{w['listing']}", json={"title": "Cullet", "version": 1})
    assert edited.status_code == 200 and edited.json()["status"] == "pending"
    login_as(visitor, db_engine, "facilitator")
    approved = visitor.patch(
        f"/api/listings/{w['listing']}", json={"status": "active", "version": 2}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "active"


def test_with_approval_required_a_members_listing_waits_for_a_facilitator(
    visitor: TestClient, db_engine: Any
) -> None:
    w = world(db_engine)
    visitor.app.state.settings.approval_required = True  # type: ignore[attr-defined]
    login_as(visitor, db_engine, "member", org_id=w["mine"])
    made = visitor.post(
        "/api/listings",
        json={
            "organisation_id": w["mine"],
            "theme": "construction",
            "kind": "offer",
            "category": "material",
            "title": "Window glass",
        },
    ).json()
    assert made["status"] == "pending"
    again = visitor.patch(f"/api/listings/{made['id']}", json={"status": "active", "version": 1})
    # a member cannot approve their own listing: refused, as the edit form refuses it
    assert again.status_code == 422
    assert again.json()["detail"] == "status: a facilitator approves a pending listing"
    assert visitor.get(f"/api/listings/{made['id']}").json()["status"] == "pending"
    assert (
        visitor.get(
            "/api/listings/{}".format(made["id"]), headers={"Authorization": ""}
        ).status_code
        == 404
    )  # nobody else sees it yet
    login_as(visitor, db_engine, "facilitator")
    approved = visitor.post(f"/api/listings/{made['id']}/approve")
    assert approved.json()["status"] == "active"
    assert (
        visitor.get(f"/api/listings/{made['id']}", headers={"Authorization": ""}).json()["title"]
        == "Window glass"
    )
