"""The Atom feed: it parses as Atom and holds what readers may read, per theme too."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from matchmaker.accounts.auth import Principal
from matchmaker.infopoint import service
from matchmaker.infopoint.schemas import InfoCreate
from tests.pagekit import VISITOR
from tests.world import engine_of, person

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(xml: bytes) -> list[dict[str, Any]]:
    root = ET.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    found: list[dict[str, Any]] = []
    for entry in root.findall(f"{ATOM}entry"):
        found.append(
            {
                "id": entry.findtext(f"{ATOM}id"),
                "title": entry.findtext(f"{ATOM}title"),
                "summary": entry.findtext(f"{ATOM}summary"),
                "links": {
                    (link.get("rel"), link.get("href")) for link in entry.findall(f"{ATOM}link")
                },
                "themes": [c.get("term") for c in entry.findall(f"{ATOM}category")],
                "updated": entry.findtext(f"{ATOM}updated"),
            }
        )
    return found


def fill(client: TestClient) -> dict[str, int]:
    """A current call (plastics), a research result for every theme, a hidden pilot, and a call
    that closed in February (made in January)."""
    made = {}
    for key, body in {
        "call": {
            "kind": "funding",
            "title": "Plastics recycling call",
            "summary": "Funding for sorting lines.",
            "url": "https://www.businessfinland.fi/",
            "language": "en",
            "themes": ["plastics"],
            "deadline": "2099-03-12",
        },
        "result": {
            "kind": "research",
            "title": "VTT: tekstiilien kierrätystulokset",
            "summary": "Puuvilla ja polyesteri erotettiin.",
            "language": "fi",
        },
        "hidden": {
            "kind": "pilot",
            "title": "Hidden pilot",
            "language": "en",
            "themes": ["plastics"],
        },
    }.items():
        r = client.post("/api/info", json=body)
        assert r.status_code == 201, r.text
        made[key] = r.json()["id"]
    assert client.post(f"/api/info/{made['hidden']}/unpublish").status_code == 200
    db_engine = engine_of(client)
    with Session(db_engine) as s:
        old = service.create(
            s,
            data=InfoCreate(
                kind="funding", title="Closed call", language="en", deadline="2026-02-01"
            ),
            by=Principal(user=person(db_engine, "facilitator")),
            now=datetime(2026, 1, 5, tzinfo=UTC),
        )
        made["closed"] = old.id or 0
    return made


def test_the_feed_is_atom_with_the_published_current_items_and_their_links(
    client: TestClient,
) -> None:
    made = fill(client)
    r = client.get("/info/feed.atom", headers=VISITOR)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
    found = entries(r.content)
    assert [e["title"] for e in found] == [
        "VTT: tekstiilien kierrätystulokset",
        "Plastics recycling call",
    ]
    base = "http://127.0.0.1:8000"
    call, result = found[1], found[0]
    assert call["id"] == f"{base}/info/{made['call']}"
    assert call["links"] == {(None, "https://www.businessfinland.fi/")}  # rel: alternate
    assert call["themes"] == ["plastics"] and call["summary"] == "Funding for sorting lines."
    assert result["links"] == {(None, f"{base}/info/{made['result']}")}  # none of its own: the page
    root = ET.fromstring(r.content)
    assert root.findtext(f"{ATOM}title") == "Uusimaa Circular Economy Valley: infopiste"
    self_link = [
        link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"
    ]
    assert self_link == [f"{base}/info/feed.atom"]


def test_a_themes_feed_holds_its_items_and_those_for_every_theme(client: TestClient) -> None:
    fill(client)
    plastics = entries(client.get("/info/feed.atom?theme=plastics&lang=en").content)
    assert [e["title"] for e in plastics] == [
        "VTT: tekstiilien kierrätystulokset",
        "Plastics recycling call",
    ]
    food = entries(client.get("/info/feed.atom?theme=food").content)
    assert [e["title"] for e in food] == ["VTT: tekstiilien kierrätystulokset"]
    feed = ET.fromstring(client.get("/info/feed.atom?theme=food&lang=en").content)
    assert feed.findtext(f"{ATOM}title") == "Uusimaa Circular Economy Valley: info point – Food"
    assert client.get("/info/feed.atom?theme=wood").status_code == 404


def test_the_pages_link_the_feed(client: TestClient) -> None:
    fill(client)
    home = client.get("/?lang=en", headers=VISITOR).text
    assert 'href="/info/feed.atom"' in home
    plastics = client.get("/listings?theme=plastics&lang=en", headers=VISITOR).text
    assert 'href="/info/feed.atom?theme=plastics"' in plastics
