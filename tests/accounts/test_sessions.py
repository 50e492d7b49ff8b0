"""Server-side sessions: logout, a password reset, a role change and deactivation end them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.accounts import service as accounts
from matchmaker.tables import User
from tests.pagekit import csrf_of
from tests.world import PASSWORD, app_of, link_in, login, logout, outbox, person

NEW = "a new password 2026"


def browser_login(
    client: TestClient, email: str, password: str = PASSWORD
) -> tuple[dict[str, str], str]:
    """Log in through the API as a browser's script does; the cookie jar and the CSRF token."""
    logout(client)
    r = client.post("/api/session", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return dict(client.cookies), r.json()["csrf_token"]


def replay(client: TestClient, cookies: dict[str, str], csrf: str) -> tuple[int, int]:
    """What an old copy of the cookie still gets: /api/me and minting an API token."""
    logout(client)
    client.cookies.update(cookies)
    me = client.get("/api/me").status_code
    token = client.post("/api/tokens", json={"name": "kept"}, headers={"X-CSRF-Token": csrf})
    logout(client)
    return me, token.status_code


def test_a_cookie_copied_before_logout_is_dead_after_it(visitor: TestClient) -> None:
    user = person(app_of(visitor).state.db_engine, "facilitator", email="fanni@example.fi")
    cookies, csrf = browser_login(visitor, user.email)
    assert visitor.get("/api/me").status_code == 200
    assert visitor.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert replay(visitor, cookies, csrf) == (401, 401)


def test_logging_out_of_the_pages_ends_the_session(visitor: TestClient) -> None:
    person(app_of(visitor).state.db_engine, "member", email="mikko@example.fi")
    csrf = login(visitor, "mikko@example.fi", browser=True)
    cookies = dict(visitor.cookies)
    r = visitor.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert replay(visitor, cookies, csrf)[0] == 401


def test_a_password_reset_ends_every_session_and_other_reset_links(visitor: TestClient) -> None:
    app = app_of(visitor)
    engine = app.state.db_engine
    user = person(engine, "admin", email="root@example.fi")
    stolen, csrf = browser_login(visitor, user.email)
    with Session(app.state.db_engine) as s:
        accounts.request_reset(s, app.state.settings, user.email)
        accounts.request_reset(s, app.state.settings, user.email)
    first, second = [link_in(visitor, m, "/reset").split("token=")[1] for m in outbox(engine)]
    logout(visitor)
    done = visitor.post("/api/password-reset/confirm", json={"token": second, "password": NEW})
    assert done.status_code == 200
    assert replay(visitor, stolen, csrf) == (401, 401)
    other = visitor.post("/api/password-reset/confirm", json={"token": first, "password": NEW})
    assert other.status_code == 422 and "not valid any more" in other.json()["detail"]
    assert browser_login(visitor, user.email, NEW)[1]


def test_a_role_change_or_deactivation_ends_the_sessions(
    client: TestClient, db_engine: Any
) -> None:
    member = person(db_engine, "member", email="mikko@example.fi")
    cookies, csrf = browser_login(client, member.email)
    login(client, "admin")
    r = client.patch(f"/api/users/{member.id}", json={"role": "facilitator"})
    assert r.status_code == 200 and r.json()["role"] == "facilitator"
    assert replay(client, cookies, csrf) == (401, 401)

    cookies, csrf = browser_login(client, member.email)
    login(client, "admin")
    assert client.patch(f"/api/users/{member.id}", json={"active": False}).status_code == 200
    assert replay(client, cookies, csrf) == (401, 401)
    with Session(db_engine) as s:
        assert s.get(User, member.id).active is False  # type: ignore[union-attr]


def test_a_session_cookie_is_refused_once_the_session_expires(visitor: TestClient) -> None:
    from datetime import timedelta

    from matchmaker.tables import UserSession, utcnow

    app = app_of(visitor)
    user = person(app.state.db_engine, "member", email="mikko@example.fi")
    cookies, csrf = browser_login(visitor, user.email)
    with Session(app.state.db_engine) as s:
        for row in s.exec(select(UserSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)
            s.add(row)
        s.commit()
    assert replay(visitor, cookies, csrf)[0] == 401


def test_a_cross_site_login_form_without_a_cookie_is_refused(visitor: TestClient) -> None:
    """Login CSRF: the attacker's page posts its own credentials; the browser sends no cookie."""
    person(app_of(visitor).state.db_engine, "member", email="attacker@example.fi")
    logout(visitor)
    creds = {"email": "attacker@example.fi", "password": PASSWORD, "next": "/"}
    r = visitor.post("/login", data=creds, follow_redirects=False)
    assert r.status_code == 403  # the page says the form expired: reload it
    assert visitor.get("/api/me").status_code == 401
    # the page's own form, with the token tied to the pre-session cookie, logs in
    token = csrf_of(visitor.get("/login"))
    ok = visitor.post("/login", data={**creds, "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303 and visitor.get("/api/me").status_code == 200


def test_the_api_login_takes_json_only(visitor: TestClient) -> None:
    """A cross-site form can send text/plain that looks like JSON, never application/json."""
    person(app_of(visitor).state.db_engine, "member", email="attacker@example.fi")
    logout(visitor)
    body = f'{{"email": "attacker@example.fi", "password": "{PASSWORD}"}}'
    r = visitor.post("/api/session", content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 422 and "set-cookie" not in r.headers
