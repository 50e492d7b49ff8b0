"""Account pages: registering from an invitation, resetting a password, inviting, API tokens,
and approving a pending listing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.tables import ApiToken, Listing, User
from matchmaker.vocab import Status
from tests.pagekit import csrf_of, get, page
from tests.world import PASSWORD, Factory, link_in, login, logout, outbox


@pytest.fixture
def kallio(make: Factory) -> dict[str, Any]:
    return make.org("Purkupalvelu Kallio Oy", municipality="Vantaa")


def post(client: TestClient, url: str, csrf: str, **data: str) -> Any:
    return client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)


def users(db_engine: Any) -> dict[str, User]:
    with Session(db_engine) as s:
        return {u.email: u for u in s.exec(select(User))}


# -- invitation and registration -------------------------------------------------------------


def test_an_invited_member_registers_from_the_link_and_is_logged_in(
    client: TestClient, db_engine: Any, kallio: dict[str, Any]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    form = page(get(client, "/invite"))
    assert [o["value"] for o in form.find("input", name="role")] == ["member"]  # members only
    r = post(
        client,
        "/invite",
        csrf,
        email="jussi@kallio.example.fi",
        name="Jussi",
        role="member",
        organisation_id="",
    )
    assert r.status_code == 422
    assert "Choose the member's organisation." in page(r).text_of("f-organisation_id-error")
    r = post(
        client,
        "/invite",
        csrf,
        email="jussi@kallio.example.fi",
        name="Jussi",
        role="facilitator",
        organisation_id=str(kallio["id"]),
    )
    assert r.status_code == 422 and "Facilitators invite members only." in page(r).text
    r = post(
        client,
        "/invite",
        csrf,
        email="jussi@kallio.example.fi",
        name="Jussi",
        role="member",
        organisation_id=str(kallio["id"]),
    )
    assert r.status_code == 303 and r.headers["location"] == "/invite?sent=1"
    assert "The invitation is on its way." in page(get(client, r.headers["location"])).text
    link = link_in(client, outbox(db_engine)[-1], "/register")

    logout(client)
    form = page(get(client, link))
    assert form.find("input", name="token")[0]["value"] == link.split("token=")[1]
    csrf = csrf_of(get(client, link))
    short = post(
        client,
        "/register",
        csrf,
        token=link.split("token=")[1],
        name="Jussi",
        password="short",
        language="fi",
    )
    assert short.status_code == 422
    assert "At least 10 characters." in page(short).text_of("f-password-error")
    r = post(
        client,
        "/register",
        csrf,
        token=link.split("token=")[1],
        name="Jussi",
        password="uusi salasana 2026",
        language="fi",
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    home = page(get(client, "/"))
    assert "Jussi" in home.text_of("main") or "Jussi" in home.text  # logged in
    user = users(db_engine)["jussi@kallio.example.fi"]
    assert (user.role, user.organisation_id, user.language) == ("member", kallio["id"], "fi")
    logout(client)
    again = post(
        client,
        "/register",
        csrf_of(get(client, link)),
        token=link.split("token=")[1],
        password="another password 1",
    )
    assert again.status_code == 422
    assert "This link is not valid any more" in page(again).text


def test_an_admin_may_invite_any_role(client: TestClient, db_engine: Any) -> None:
    csrf = login(client, "admin", browser=True)
    form = page(get(client, "/invite"))
    assert [o["value"] for o in form.find("input", name="role")] == [
        "member",
        "facilitator",
        "admin",
    ]
    r = post(client, "/invite", csrf, email="fanni@valley.example.fi", role="facilitator")
    assert r.status_code == 303


def test_registration_is_by_invitation_unless_open_signup(
    client: TestClient, db_engine: Any
) -> None:
    logout(client)
    p = page(get(client, "/register"))
    assert "Accounts are made by invitation" in p.text and not p.find("form", action="/register")
    client.app.state.settings.open_signup = True  # type: ignore[attr-defined]
    r = get(client, "/register")
    assert page(r).find("input", name="email")
    bad = post(client, "/register", csrf_of(r), email="not an address", password="x" * 12)
    assert bad.status_code == 422 and "Enter an e-mail address" in page(bad).text
    ok = post(
        client,
        "/register",
        csrf_of(r),
        email="new@company.example.fi",
        name="Uusi Oy",
        password="x" * 12,
        language="sv",
    )
    assert ok.status_code == 303
    assert users(db_engine)["new@company.example.fi"].role == "member"


# -- password reset --------------------------------------------------------------------------


def test_a_password_is_reset_through_the_link_in_the_outbox(
    client: TestClient, db_engine: Any, kallio: dict[str, Any]
) -> None:
    login(client, "member", org_id=kallio["id"], email="jussi@kallio.example.fi", browser=True)
    logout(client)
    assert page(get(client, "/login")).find("a", href="/reset")
    r = get(client, "/reset")
    csrf = csrf_of(r)
    unknown = post(client, "/reset", csrf, email="nobody@example.fi")
    known = post(client, "/reset", csrf, email="jussi@kallio.example.fi")
    assert unknown.headers["location"] == known.headers["location"] == "/reset?sent=1"
    assert "If the address has an account" in page(get(client, "/reset?sent=1")).text
    mails = outbox(db_engine)
    assert [m.to for m in mails] == ["jussi@kallio.example.fi"]
    link = link_in(client, mails[0], "/reset")
    form = page(get(client, link))
    assert form.find("input", name="password", type="password")
    token = link.split("token=")[1]
    assert post(client, "/reset/confirm", csrf, token=token, password="short").status_code == 422
    done = post(client, "/reset/confirm", csrf, token=token, password="a new password 2026")
    assert done.status_code == 303 and done.headers["location"] == "/reset?done=1"
    assert "Your password is changed." in page(get(client, "/reset?done=1")).text
    old = client.post(
        "/login",
        data={
            "email": "jussi@kallio.example.fi",
            "password": PASSWORD,
            "next": "/",
            "csrf_token": csrf,
        },
    )
    assert old.status_code == 401
    new = client.post(
        "/login",
        data={
            "email": "jussi@kallio.example.fi",
            "csrf_token": csrf,
            "password": "a new password 2026",
            "next": "/",
        },
        follow_redirects=False,
    )
    assert new.status_code == 303
    reused = post(
        client,
        "/reset/confirm",
        csrf_of(get(client, "/reset")),
        token=token,
        password="third password 2026",
    )
    assert reused.status_code == 422 and "not valid any more" in page(reused).text


# -- API tokens ------------------------------------------------------------------------------


def test_a_member_creates_uses_and_revokes_an_api_token(
    client: TestClient, db_engine: Any, kallio: dict[str, Any]
) -> None:
    csrf = login(client, "member", org_id=kallio["id"], browser=True)
    assert "You have no API tokens." in page(get(client, "/account/tokens")).text
    assert post(client, "/account/tokens", csrf, name="").status_code == 422
    r = post(client, "/account/tokens", csrf, name="ERP sync")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    token = page(r).text_of("new-token")
    assert len(token) > 20
    with Session(db_engine) as s:
        stored = s.exec(select(ApiToken).where(ApiToken.name == "ERP sync")).one()
    assert stored.token_hash != token and token not in stored.token_hash
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["organisation_id"] == kallio["id"]
    later = page(get(client, "/account/tokens"))
    assert "ERP sync" in later.text and token not in later.text  # shown once only
    other_csrf = login(client, "member", org_id=kallio["id"], email="other@kallio.fi", browser=True)
    assert post(client, f"/account/tokens/{stored.id}/revoke", other_csrf).status_code == 404
    csrf = login(client, "member", org_id=kallio["id"], browser=True)  # back as the first
    r = post(client, f"/account/tokens/{stored.id}/revoke", csrf)
    assert r.status_code == 303 and r.headers["location"] == "/account/tokens?revoked=1"
    assert "The token is revoked." in page(get(client, r.headers["location"])).text
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_revoking_a_token_id_past_the_databases_range_is_a_page_not_found(
    client: TestClient, kallio: dict[str, Any]
) -> None:
    csrf = login(client, "member", org_id=kallio["id"], browser=True)
    for token_id in (2**31, 2**63, 10**30):
        r = post(client, f"/account/tokens/{token_id}/revoke", csrf)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_the_token_page_needs_a_login(client: TestClient) -> None:
    logout(client)
    r = client.get("/account/tokens", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Faccount%2Ftokens"


# -- approving listings ----------------------------------------------------------------------


def test_a_facilitator_approves_a_pending_listing_from_its_page(
    client: TestClient, db_engine: Any, make: Factory, kallio: dict[str, Any]
) -> None:
    listing = make.listing(kallio["id"], status="pending", title="Crushed brick, 200 t")
    url = f"/listings/{listing['id']}"
    member_csrf = login(client, "member", org_id=kallio["id"], browser=True)
    assert not page(get(client, url)).find("form", action=f"{url}/approve")
    refused = post(client, f"{url}/approve", member_csrf)
    assert refused.status_code == 403
    csrf = login(client, "facilitator", browser=True)
    queue = page(get(client, "/matches"))
    assert "Listings waiting for approval" in queue.text and "Crushed brick, 200 t" in queue.text
    assert page(get(client, url)).find("form", action=f"{url}/approve")
    r = post(client, f"{url}/approve", csrf)
    assert r.status_code == 303 and r.headers["location"] == url
    with Session(db_engine) as s:
        assert s.get(Listing, listing["id"]).status == Status.active  # type: ignore[union-attr]
    assert not page(get(client, url)).find("form", action=f"{url}/approve")
    assert post(client, f"{url}/approve", csrf).status_code == 303  # twice: nothing happens
