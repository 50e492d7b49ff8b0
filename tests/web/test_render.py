"""An address that is no page answers with a page, in the visitor's language; the API keeps JSON."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.web import i18n
from tests.pagekit import HTMX, page
from tests.world import NAMES, login

NOT_FOUND = {"fi": "Sivua ei löytynyt", "sv": "Sidan hittades inte", "en": "Page not found"}
NOT_THIS_WAY = {
    "fi": "Osoitetta ei voi avata näin",
    "sv": "Adressen kan inte öppnas så här",
    "en": "This address cannot be opened like this",
}
HOME = {"fi": "Etusivulle", "sv": "Till startsidan", "en": "Go to the home page"}


def _asked(lang: str) -> dict[str, Any]:
    return {"params": {"lang": lang}}


def _remembered(lang: str) -> dict[str, Any]:
    return {"headers": {"Cookie": f"{i18n.COOKIE}={lang}"}}


def _the_browsers(lang: str) -> dict[str, Any]:
    return {"headers": {"Accept-Language": f"{lang}-FI,{lang};q=0.9,de;q=0.5"}}


# each language, each way a visitor's language is known: asked for, remembered, the browser's
WAYS: list[tuple[str, Callable[[str], dict[str, Any]]]] = [
    ("fi", _asked),
    ("sv", _remembered),
    ("en", _the_browsers),
    ("sv", _asked),
    ("en", _remembered),
    ("fi", _the_browsers),
]


def headings(html: str) -> list[str]:
    return [" ".join(h.split()) for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)]


def links(html: str, href: str) -> list[str]:
    return re.findall(rf'<a href="{re.escape(href)}"[^>]*>(.*?)</a>', html)


def is_page(r: Any, status: int, lang: str, heading: str) -> None:
    """`r` is the page `heading` in `lang`, with its status and the way home."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text
    assert headings(r.text) == [heading]
    assert HOME[lang] in links(r.text, "/")
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["vary"] == "HX-Request, Accept-Language, Cookie"


# -- 404: no such page ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "way"), WAYS)
def test_an_unknown_address_is_the_404_page_in_the_visitors_language(
    visitor: TestClient, lang: str, way: Callable[[str], dict[str, Any]]
) -> None:
    r = visitor.get("/no-such-page/here", **way(lang))
    is_page(r, 404, lang, NOT_FOUND[lang])
    assert links(r.text, "/listings")  # and a way on from there


def test_the_404_page_knows_who_is_logged_in(visitor: TestClient) -> None:
    login(visitor, "facilitator", browser=True)
    r = visitor.get("/matches/board/old?lang=en")
    is_page(r, 404, "en", NOT_FOUND["en"])
    assert NAMES["facilitator"] in page(r).text
    assert page(r).find("a", href="/matches")  # the facilitators' menu too
    assert r.headers["cache-control"] == "no-store"


def test_a_bad_token_on_an_unknown_page_still_gets_the_page(visitor: TestClient) -> None:
    r = visitor.get("/nowhere?lang=sv", headers={"Authorization": "Bearer not-a-token"})
    is_page(r, 404, "sv", NOT_FOUND["sv"])


def test_htmx_gets_the_404_fragment(visitor: TestClient) -> None:
    r = visitor.get("/nowhere?lang=fi", headers=HTMX)
    assert r.status_code == 404 and "<html" not in r.text
    assert headings(r.text) == [NOT_FOUND["fi"]]


def test_the_language_links_of_an_odd_address_stay_on_this_site(visitor: TestClient) -> None:
    r = visitor.get("http://testserver//evil.example/x?lang=en")
    is_page(r, 404, "en", NOT_FOUND["en"])
    hrefs = [a["href"] for a in page(r).find("a") if "hreflang" in a]
    assert len(hrefs) == 3 and all(h.startswith("/?") for h in hrefs), hrefs


# -- 405: a page asked for with a method it does not take ------------------------------------


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_opening_a_form_only_address_is_a_page_saying_so(visitor: TestClient, lang: str) -> None:
    r = visitor.get("/logout", params={"lang": lang})  # a bookmark of the logout button
    is_page(r, 405, lang, NOT_THIS_WAY[lang])
    assert r.headers["allow"] == "POST"


def test_posting_to_a_page_that_takes_none_is_a_page_too(visitor: TestClient) -> None:
    r = visitor.post("/dashboard?lang=en", data={"x": "1"})
    is_page(r, 405, "en", NOT_THIS_WAY["en"])
    assert r.headers["allow"] == "GET"


# -- the API, the document and the files keep JSON -------------------------------------------


def test_an_unknown_api_address_is_a_json_404_that_says_where_to_look(
    visitor: TestClient,
) -> None:
    for url in ("/api/nope", "/api/listings/1/nope", "/api/listings/999/suggestions/x"):
        r = visitor.get(url, headers={"Accept-Language": "sv", "Accept": "text/html"})
        assert r.status_code == 404 and r.headers["content-type"] == "application/json", url
        assert r.json() == {
            "detail": f"there is nothing at {url}: the API's addresses are listed at /docs"
        }


def test_an_api_address_asked_the_wrong_way_is_a_json_405(visitor: TestClient) -> None:
    r = visitor.put("/api/themes")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    assert r.json() == {"detail": "PUT is not allowed on /api/themes; it allows GET"}
    r = visitor.post("/openapi.json")
    assert r.status_code == 405 and r.headers["content-type"] == "application/json"


def test_a_missing_static_file_and_an_api_row_keep_their_json(client: TestClient) -> None:
    r = client.get("/static/no-such.js")
    assert r.status_code == 404 and r.json() == {"detail": "there is nothing at /static/no-such.js"}
    r = client.get("/api/listings/999")
    assert r.status_code == 404 and "999 does not exist" in r.json()["detail"]
