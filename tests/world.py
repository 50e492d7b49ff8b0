"""The tests' world: readable data through the public API, people, and the one way to log in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from matchmaker.accounts import service as accounts
from matchmaker.settings import ROOT, Settings
from matchmaker.tables import Match, Organisation, OutboxMessage, User
from matchmaker.vocab import OrgKind, Role
from tests.pagekit import csrf_of

PASSWORD = "correct horse battery"


def demo_settings(folder: Path) -> Settings:
    """A server's settings on the demo seeds, in a folder of its own (the browser tests')."""
    return Settings(
        database_url=f"sqlite:///{folder / 'demo.db'}",
        instance_dir=folder / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
        scheduler=False,
        seed_on_start=True,
    )


NAMES = {"admin": "Aino Admin", "facilitator": "Fanni Fasilitaattori", "member": "Mikko Member"}


class Factory:
    """Readable test data through the public API."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def org(self, name: str = "Porvoon Puutuote Oy", **kw: Any) -> dict[str, Any]:
        r = self.client.post(
            "/api/organisations",
            json={"name": name, "kind": "company", "municipality": "Porvoo", **kw},
        )
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def listing(self, org_id: int, **kw: Any) -> dict[str, Any]:
        body = {
            "organisation_id": org_id,
            "theme": "construction",
            "kind": "offer",
            "category": "material",
            "title": "Oak sawdust, 40 t/year",
            "description": "Dry oak sawdust from our joinery in Porvoo, collected weekly.",
            "language": "en",
            "quantity": 40,
            "unit": "t",
            "frequency": "yearly",
            "municipality": "Porvoo",
            **kw,
        }
        r = self.client.post("/api/listings", json=body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]


def market(make: Factory) -> dict[str, Any]:
    """Two organisations; a Finnish need and an English offer in construction, denim in textiles."""
    org = make.org(
        "Purkupalvelu Kallio Oy", municipality="Vantaa", contact_email="jari@purkukallio.example.fi"
    )
    other = make.org("Nordic Aggregates Ltd", municipality="Espoo")
    need = make.listing(
        org["id"],
        kind="need",
        language="fi",
        municipality="Vantaa",
        title="Etsimme betonimursketta piharakenteisiin",
        description="Murskattua betonia pihateiden pohjiin, 500 t vuodessa.",
        quantity=500,
        unit="t",
        frequency="yearly",
    )
    offer = make.listing(
        other["id"],
        title="Crushed concrete aggregate, 800 t a year",
        description="Crushed concrete from selective demolition.",
        quantity=800,
        unit="t",
        frequency="yearly",
        municipality="Espoo",
        ewc_code="170101",
        available_from="2025-03-01",
        available_until="2026-12-31",
    )
    textile = make.listing(
        other["id"],
        theme="textiles",
        title="Crushed concrete? No: denim",
        description="Denim offcuts.",
        municipality="Espoo",
    )
    return {"org": org, "other": other, "need": need, "offer": offer, "textile": textile}


def brewery_and_bakery(
    make: Factory, *, anonymous_offer: bool = False, need_language: str = "en"
) -> tuple[dict[str, Any], ...]:
    """A brewery's spent grain (Finnish-speaking, Helsinki) and an Espoo bakery that bakes
    with it: the pair the workspace's tests walk from suggestion to realised exchange."""
    brewery = make.org(
        "Helsingin Panimo Oy",
        contact_email="panimo@example.fi",
        contact_name="Paula Panimo",
        language="fi",
    )
    bakery = make.org(
        "Espoo Bakery Ltd",
        contact_email="bakery@example.com",
        contact_name="Ben Baker",
        language=need_language,
        municipality="Espoo",
    )
    offer = make.listing(
        brewery["id"],
        theme="food",
        title="Spent grain from brewing",
        description="Wet brewers' spent grain, 10 t a week.",
        quantity=10,
        frequency="weekly",
        municipality="Helsinki",
        language="en",
        visibility="anonymous" if anonymous_offer else "public",
    )
    need = make.listing(
        bakery["id"],
        theme="food",
        kind="need",
        title="Bakery seeks spent grain for bread",
        description="We bake bread with spent grain, 100 t a year.",
        quantity=100,
        municipality="Espoo",
        language="en",
    )
    return brewery, bakery, offer, need


def form_for(world: dict[str, Any], **changes: str) -> dict[str, str]:
    return {
        "kind": "need",
        "organisation_id": str(world["org"]["id"]),
        "theme": "construction",
        "category": "material",
        "title": "Tarvitsemme betonimursketta kenttärakenteisiin",
        "description": "Noin 300 tonnia murskattua betonia.",
        "language": "auto",
        "quantity": "300",
        "unit": "t",
        "frequency": "yearly",
        "municipality": "Vantaa",
        "ewc_code": "",
        "available_from": "",
        "available_until": "",
        "visibility": "public",
        "status": "active",
        **changes,
    }


def app_of(client: TestClient) -> FastAPI:
    """The app behind `client` (every test client here wraps a FastAPI app)."""
    return cast(FastAPI, client.app)


def engine_of(client: TestClient) -> Any:
    """The database engine of the app behind `client`."""
    return app_of(client).state.db_engine


def email_for(role: str, org_id: int | None = None) -> str:
    return f"{role}.{org_id or 0}@example.fi"


def person(
    db_engine: Any, role: str, *, org_id: int | None = None, email: str | None = None
) -> User:
    """The user of `role` (of `org_id`; a member without one gets a new organisation).

    Made on first use: asking twice for the same role, organisation and e-mail is one person.
    """
    with Session(db_engine) as s:
        email = email or email_for(role, org_id)
        found = s.exec(select(User).where(User.email == email)).first()
        if found is not None:
            return found
        if role == "member" and org_id is None:
            org = Organisation(name="Kiertotalous Testi Oy", kind=OrgKind.company)
            s.add(org)
            s.commit()
            org_id = org.id
        return accounts.create_user(
            s,
            email=email,
            password=PASSWORD,
            role=Role(role),
            organisation_id=org_id,
            name=NAMES[role],
        )


def login(
    client: TestClient,
    who: str,
    *,
    org_id: int | None = None,
    email: str | None = None,
    browser: bool = False,
) -> str:
    """Log `client` in as `who`: a role (that person, made if new) or the e-mail of a user.

    By default with an API token, as a script does. With `browser`, through the login page
    with a session cookie, as a browser does (the API token is dropped); the answer is then
    the CSRF token the pages' forms carry, and "" for a token login.
    """
    db_engine = engine_of(client)
    email = who if "@" in who else person(db_engine, who, org_id=org_id, email=email).email
    if not browser:
        with Session(db_engine) as s:
            user = s.exec(select(User).where(User.email == email)).one()
            _, token = accounts.new_api_token(s, user, "tests")
        client.headers["Authorization"] = f"Bearer {token}"
        return ""
    logout(client)
    form = {"email": email, "password": PASSWORD, "next": "/", "csrf_token": csrf_token(client)}
    r = client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_token(client)


def logout(client: TestClient) -> TestClient:
    """Forget who `client` was: no API token, no session cookie."""
    client.headers.pop("Authorization", None)
    client.cookies.clear()
    return client


def csrf_token(client: TestClient) -> str:
    """The CSRF token a page's forms carry for this client's session (or pre-session)."""
    home = client.get("/?lang=en")
    return csrf_of(home if 'name="csrf_token"' in home.text else client.get("/login?lang=en"))


def matches(db_engine: Any) -> list[Match]:
    with Session(db_engine) as s:
        return list(s.exec(select(Match).order_by(col(Match.id))))


def outbox(db_engine: Any) -> list[OutboxMessage]:
    with Session(db_engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def operator_copy(client: TestClient, message: OutboxMessage) -> str:
    """The whole message as the operator reads it when no SMTP server is set."""
    from matchmaker.accounts import mail

    return mail.operator_copy_path(app_of(client).state.settings, message).read_text("utf-8")


def link_in(client: TestClient, message: OutboxMessage, path: str) -> str:
    """The path and query of the link to `path` in an e-mail, as its addressee reads it."""
    text = operator_copy(client, message) if message.secret else message.body
    # "<...>" around a link is a header's (List-Unsubscribe), not part of the link
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s>]*)", text)
    assert found, text
    return found.group(1)
