"""What a facilitator does to others' data leaves an audit entry, in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from matchmaker.tables import AuditEntry, Listing
from tests.pagekit import get
from tests.transfer.test_import_organisations import sheet
from tests.world import Factory, engine_of, form_for, login, market


def entries(client: TestClient) -> list[tuple[str, str]]:
    with Session(engine_of(client)) as s:
        found = s.exec(select(AuditEntry).order_by(col(AuditEntry.id)))
        return [(e.action, e.target) for e in found]


def test_a_facilitators_changes_to_other_organisations_listings_are_audited(
    client: TestClient, make: Factory
) -> None:
    world = market(make)
    org = world["org"]["id"]
    login(client, "facilitator")
    before = len(entries(client))
    made = client.post(
        "/api/listings",
        json={
            "organisation_id": org,
            "theme": "construction",
            "kind": "offer",
            "category": "material",
            "title": "Brick rubble, 30 t",
        },
    )
    assert made.status_code == 201, made.text
    lid = made.json()["id"]
    change = {"title": "Brick rubble, 35 t", "version": 1}
    edited = client.patch(f"/api/listings/{lid}", json=change)
    assert edited.status_code == 200, edited.text
    assert client.post(f"/api/listings/{lid}/close").status_code == 200
    assert entries(client)[before:] == [
        ("create listing", "new offer"),
        ("edit listing", f"listing {lid}"),
        ("close listing", f"listing {lid}"),
    ]
    # the page's form is the same rule
    csrf = login(client, "facilitator", browser=True)
    need = world["need"]["id"]
    r = client.post(
        f"/listings/{need}/edit",
        data={**form_for(world), "version": "1", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert entries(client)[-1] == ("edit listing", f"listing {need}")
    # a member's change of their own listing is theirs: no entry
    login(client, "member", org_id=org)
    count = len(entries(client))
    assert client.post(f"/api/listings/{need}/close").status_code == 200
    assert len(entries(client)) == count


def test_outbox_reads_and_exports_are_audited(client: TestClient, make: Factory) -> None:
    market(make)
    login(client, "facilitator")
    before = len(entries(client))
    assert client.get("/api/outbox").status_code == 200
    assert client.get("/api/export/listings.csv").status_code == 200
    assert client.get("/api/export/matches.xlsx").status_code == 200
    login(client, "facilitator", browser=True)
    assert get(client, "/outbox").status_code == 200
    assert entries(client)[before:] == [
        ("read outbox", "api"),
        ("export", "listings.csv"),
        ("export", "matches.xlsx"),
        ("read outbox", "page"),
    ]


def test_an_import_killed_after_its_commit_keeps_its_audit_entry(
    client: TestClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher: Any = client.app.state.matcher  # type: ignore[attr-defined]

    def killed(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the worker was killed")  # after the listings' commit

    monkeypatch.setattr(matcher, "reindex", killed)
    with pytest.raises(RuntimeError, match="killed"):
        client.post(
            "/api/import/listings",
            params={"commit": "true"},
            files={"file": ("workshop.csv", sheet("Lohjan Lasi Oy", "Lohjan Lasi Oy"))},
        )
    with Session(engine_of(client)) as s:
        added = s.exec(select(Listing).where(col(Listing.key).startswith("sheet:"))).all()
    assert len(added) == 2
    assert ("import listings", "workshop.csv") in entries(client)
