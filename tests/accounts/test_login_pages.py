"""Logging in and out through the pages, as a browser does."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.pagekit import csrf_of, page
from tests.world import engine_of, person


def test_logging_in_and_out_through_the_pages(visitor: TestClient) -> None:
    person(engine_of(visitor), "facilitator", email="fanni@example.fi")
    form = visitor.get("/login?next=/listings&lang=en")
    assert form.status_code == 200 and page(form).find("input", name="next", value="/listings")
    token = csrf_of(form)
    creds = {"email": "fanni@example.fi", "next": "/listings"}
    forged = visitor.post("/login", data={**creds, "password": "correct horse battery"})
    assert forged.status_code == 403  # no CSRF token: not from our page
    wrong = visitor.post("/login", data={**creds, "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401
    assert "The e-mail or the password is wrong." in page(wrong).text
    assert page(wrong).find("input", id="f-email", value="fanni@example.fi")
    ok = visitor.post(
        "/login",
        data={**creds, "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/listings"
    home = visitor.get("/")
    assert "Fanni Fasilitaattori (facilitator)" in page(home).text and "Log out" in home.text
    out = visitor.post("/logout", data={"csrf_token": csrf_of(home)}, follow_redirects=False)
    assert out.status_code == 303
    assert page(visitor.get("/")).find("a", href="/login")


def test_login_goes_back_only_to_this_site(visitor: TestClient) -> None:
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = visitor.get("/login", params={"next": evil})
        assert page(r).find("input", name="next", value="/"), evil
