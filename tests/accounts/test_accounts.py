"""Accounts as people meet them: invitation, login, reset, tokens, CSRF, the audit log."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.tables import ApiToken, AuditEntry
from tests.world import Factory, engine_of, link_in, login, outbox


def last_link(client: TestClient, path: str) -> str:
    """The one-time token in the last link to `path` mailed, as its addressee reads it."""
    return link_in(client, outbox(engine_of(client))[-1], path).split("token=")[1]


def test_invitation_to_login_to_logout(client: TestClient, db_engine: Any, make: Factory) -> None:
    org = make.org("Vantaan Kierrätys Oy")
    r = client.post(
        "/api/invitations", json={"email": "Aino@Example.fi", "organisation_id": org["id"]}
    )
    assert r.status_code == 201
    token = last_link(client, "/register")
    client.headers.pop("Authorization")
    short = client.post("/api/register", json={"token": token, "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.json()["detail"]
    made = client.post(
        "/api/register", json={"token": token, "password": "kierto-talous-2026", "name": "Aino"}
    )
    assert made.status_code == 201 and made.json()["email"] == "aino@example.fi"
    again = client.post("/api/register", json={"token": token, "password": "kierto-talous-2026"})
    assert again.status_code == 422 and "not valid any more" in again.json()["detail"]

    wrong = client.post("/api/session", json={"email": "aino@example.fi", "password": "nope"})
    assert (
        wrong.status_code == 401 and wrong.json()["detail"] == "the e-mail or the password is wrong"
    )
    ok = client.post(
        "/api/session", json={"email": "aino@example.fi", "password": "kierto-talous-2026"}
    )
    assert ok.status_code == 200
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/api/me").json()["organisation_id"] == org["id"]
    csrf = ok.json()["csrf_token"]
    assert client.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/me").status_code == 401


def test_a_cookie_session_needs_the_csrf_token_to_change_anything(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    org = make.org()
    login(client, "member", org_id=org["id"], email="m@example.fi")
    client.headers.pop("Authorization")
    csrf = client.post(
        "/api/session", json={"email": "m@example.fi", "password": "correct horse battery"}
    ).json()["csrf_token"]
    body = {
        "organisation_id": org["id"],
        "theme": "food",
        "kind": "offer",
        "category": "material",
        "title": "Spent grain",
    }
    forged = client.post("/api/listings", json=body)
    assert forged.status_code == 403 and "reload the page" in forged.json()["detail"]
    assert (
        client.post("/api/listings", json=body, headers={"X-CSRF-Token": "guess"}).status_code
        == 403
    )
    assert (
        client.post("/api/listings", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    )


def test_logins_are_rate_limited(visitor: TestClient, db_engine: Any) -> None:
    login(visitor, "facilitator", email="f@example.fi")
    visitor.headers.pop("Authorization")
    codes = [
        visitor.post("/api/session", json={"email": "f@example.fi", "password": "bad"}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    right = visitor.post(
        "/api/session", json={"email": "f@example.fi", "password": "correct horse battery"}
    )
    assert right.status_code == 429  # even the right password waits out the window


def test_password_reset_by_a_one_time_link(visitor: TestClient, db_engine: Any) -> None:
    login(visitor, "facilitator", email="f@example.fi")
    visitor.headers.pop("Authorization")
    for email in ("f@example.fi", "nobody@example.fi"):  # the same answer either way
        r = visitor.post("/api/password-reset", json={"email": email})
        assert r.status_code == 202
    token = last_link(visitor, "/reset")
    r = visitor.post(
        "/api/password-reset/confirm", json={"token": token, "password": "uusi-salasana-9"}
    )
    assert r.status_code == 200
    assert (
        visitor.post(
            "/api/password-reset/confirm", json={"token": token, "password": "kolmas-salasana"}
        ).status_code
        == 422
    )
    assert (
        visitor.post(
            "/api/session", json={"email": "f@example.fi", "password": "uusi-salasana-9"}
        ).status_code
        == 200
    )


def test_api_tokens_are_stored_hashed_and_can_be_revoked(
    client: TestClient, db_engine: Any
) -> None:
    made = client.post("/api/tokens", json={"name": "laptop"}).json()
    plain = made["token"]
    with Session(db_engine) as s:
        stored = [t.token_hash for t in s.exec(select(ApiToken))]
    assert plain not in stored and all(len(h) == 64 for h in stored)
    other = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/me", headers=other).status_code == 200
    assert client.delete(f"/api/tokens/{made['id']}").status_code == 204
    r = client.get("/api/me", headers=other)
    assert r.status_code == 401 and "not valid" in r.json()["detail"]


def test_curator_actions_are_audited(client: TestClient, db_engine: Any, make: Factory) -> None:
    make.org("Auditoitava Oy")
    with Session(db_engine) as s:
        actions = [a.action for a in s.exec(select(AuditEntry))]
    assert "create organisation" in actions
    log = client.get("/api/audit").json()
    assert log[0]["action"] == "create organisation" and log[0]["target"] == "Auditoitava Oy"


def test_open_signup_only_when_the_setting_allows(visitor: TestClient) -> None:
    body = {"email": "new@example.fi", "password": "pitkä-salasana", "name": "Uusi Oy"}
    r = visitor.post("/api/register", json=body)
    assert r.status_code == 422 and "by invitation" in r.json()["detail"]
    visitor.app.state.settings.open_signup = True  # type: ignore[attr-defined]
    assert visitor.post("/api/register", json=body).status_code == 201


def test_an_address_with_a_control_character_is_refused_not_mailed(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    """\\x1e splits a mail header line: the invitation must be refused before any mail is made."""
    org = make.org()
    before = len(outbox(db_engine))
    for email in ("0@0.\x1e0", "anna\x1c@example.fi", "anna@exa\x85mple.fi"):
        r = client.post(
            "/api/invitations", json={"email": email, "name": "", "organisation_id": org["id"]}
        )
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "email"
    assert len(outbox(db_engine)) == before
