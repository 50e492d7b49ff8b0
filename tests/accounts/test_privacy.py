"""With a login required nothing is public; open sign-up never publishes an e-mail address."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.pagekit import HTMX
from tests.world import Factory, app_of, login, logout, person


def test_with_login_required_visitors_read_no_organisations(
    client: TestClient, make: Factory
) -> None:
    org = make.org("Purkupalvelu Kallio Oy", contact_email="jari@purkukallio.example.fi")
    app_of(client).state.settings.login_required = True
    logout(client)
    for url in ("/api/organisations", f"/api/organisations/{org['id']}"):
        r = client.get(url)
        assert r.status_code == 401 and "log in" in r.json()["detail"], url
    login(client, "member", org_id=org["id"])
    assert client.get("/api/organisations").status_code == 200


def test_open_signup_never_names_an_organisation_after_the_email(visitor: TestClient) -> None:
    app_of(visitor).state.settings.open_signup = True
    body = {"email": "liisa.virtanen@example.fi", "password": "pitkä-salasana-1"}
    r = visitor.post("/api/register", json=body)
    assert r.status_code == 422 and "organisation" in r.json()["detail"]
    named = visitor.post("/api/register", json={**body, "organisation": "Virtasen Verstas"})
    assert named.status_code == 201, named.text
    names = [o["name"] for o in visitor.get("/api/organisations").json()]
    assert names == ["Virtasen Verstas"]


def test_the_login_page_sends_no_one_off_site(visitor: TestClient) -> None:
    """A tab (or a newline) is dropped by browsers: "/\\t/evil.example" is "//evil.example"."""
    person(app_of(visitor).state.db_engine, "member", email="mikko@example.fi")
    login(visitor, "mikko@example.fi", browser=True)
    for evil in ("/\t/evil.example", "/\n/evil.example", "/ /evil.example", " //evil.example"):
        for headers in ({}, HTMX):
            r = visitor.get(
                "/login", params={"next": evil}, headers=headers, follow_redirects=False
            )
            where = r.headers.get("HX-Redirect") or r.headers["location"]
            assert where == "/", (evil, headers, where)
