"""The facilitator's workspace: one match walked from suggestion to realised exchange."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.mailserver import Inbox, running
from tests.world import Factory, brewery_and_bakery, login


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with running() as server:
        yield server


def test_a_match_from_suggestion_to_realised_exchange(
    client: TestClient, make: Factory, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = client.app.state.settings  # type: ignore[attr-defined]
    settings.smtp_host, settings.smtp_port, settings.smtp_starttls = "127.0.0.1", port, False
    _, _, offer, need = brewery_and_bakery(make)

    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] == 1
    queue = client.get("/api/matches", params={"status": "suggested", "theme": "food"}).json()
    assert [(m["offer_id"], m["need_id"]) for m in queue] == [(offer["id"], need["id"])]
    match_id = queue[0]["id"]
    assert "text similarity" in queue[0]["explanation"]

    bad = client.post(f"/api/matches/{match_id}/status", json={"status": "realised"})
    assert bad.status_code == 422 and "a suggested match can go to" in bad.json()["detail"]
    client.post(
        f"/api/matches/{match_id}/status", json={"status": "shortlisted", "note": "looks good"}
    )
    drafts = client.get(f"/api/matches/{match_id}/introduction").json()
    by_side = {d["side"]: d for d in drafts}
    assert by_side["offer"]["language"] == "fi" and by_side["offer"]["subject"].startswith(
        "Esittely"
    )
    assert by_side["need"]["language"] == "en" and "Paula Panimo" in by_side["need"]["body"]
    sent = client.post(
        f"/api/matches/{match_id}/introduction",
        json={
            "need": {
                "subject": "Spent grain for your bread",
                "body": by_side["need"]["body"] + "\nP.S. They can deliver on Tuesdays.",
            }
        },
    )
    assert sent.status_code == 200 and sent.json()["status"] == "introduced"
    delivered = {m["To"]: m for m in inbox.messages}
    assert set(delivered) == {"panimo@example.fi", "bakery@example.com"}
    assert delivered["bakery@example.com"]["Subject"] == "Spent grain for your bread"
    assert "Tuesdays" in delivered["bakery@example.com"].get_payload()
    body = delivered["panimo@example.fi"].get_payload(decode=True)
    assert isinstance(body, bytes) and "Hei Helsingin Panimo Oy" in body.decode()

    for step in ("negotiating", "pilot", "realised"):
        r = client.post(f"/api/matches/{match_id}/status", json={"status": step})
        assert r.status_code == 200, r.text
    impact = client.put(
        f"/api/matches/{match_id}/impact", json={"amount_per_year": 520, "unit": "t"}
    ).json()
    assert impact["tonnes_per_year"] == 520
    assert impact["co2e_t_per_year"] == pytest.approx(520 * 0.6)
    assert "DESNZ" in impact["source"]

    history = client.get(f"/api/matches/{match_id}/history").json()
    assert [h["to_status"] for h in history] == [
        "suggested",
        "shortlisted",
        "introduced",
        "negotiating",
        "pilot",
        "realised",
        "realised",
    ]
    assert history[1]["note"] == "looks good" and history[1]["user_id"] is not None
    figures = client.get("/api/matches/dashboard").json()
    assert figures["counts"]["realised"] == 1 and figures["tonnes_per_year"] == 520
    assert [s["reached"] for s in figures["funnel"]] == [1, 1, 1, 1, 1, 1]
    assert figures["months"][-1]["co2e"] == pytest.approx(312)
    food = client.get("/api/matches/dashboard", params={"theme": "food"}).json()
    assert food["tonnes_per_year"] == 520
    other = client.get("/api/matches/dashboard", params={"theme": "textiles"}).json()
    assert other["tonnes_per_year"] == 0 and other["counts"]["realised"] == 0


def test_rejecting_needs_a_reason_from_the_list(client: TestClient, make: Factory) -> None:
    brewery_and_bakery(make)
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    r = client.post(f"/api/matches/{match_id}/status", json={"status": "rejected"})
    assert r.status_code == 422 and "choose a reason" in r.json()["detail"]
    r = client.post(
        f"/api/matches/{match_id}/status",
        json={
            "status": "rejected",
            "reason": "too far apart",
            "note": "Espoo is too far for wet grain",
        },
    )
    assert r.json()["status"] == "rejected" and r.json()["reason"] == "too far apart"


def test_stale_matches_are_flagged(client: TestClient, make: Factory, db_engine: Any) -> None:
    from datetime import timedelta

    from sqlmodel import Session

    from matchmaker.tables import Match, utcnow

    brewery_and_bakery(make)
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    client.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
    assert client.get("/api/matches/stale").json() == []
    with Session(db_engine) as s:
        match = s.get(Match, match_id)
        assert match is not None
        match.updated_at = utcnow() - timedelta(days=15)
        s.add(match)
        s.commit()
    assert [m["id"] for m in client.get("/api/matches/stale").json()] == [match_id]


def test_an_anonymous_owner_is_not_revealed_before_accepting(
    client: TestClient, make: Factory, db_engine: Any
) -> None:
    brewery, bakery, offer, need = brewery_and_bakery(make, anonymous_offer=True)
    secret = "Helsingin Panimo"
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    client.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
    client.post(f"/api/matches/{match_id}/introduction", json={})
    admin = client.headers["Authorization"]

    # the bakery's member: the other party
    login(client, "member", org_id=bakery["id"], email="ben@example.com")
    surfaces = {
        "listing JSON": client.get(f"/api/listings/{offer['id']}").text,
        "suggestions": client.get(f"/api/listings/{need['id']}/suggestions").text,
        "search": client.get("/api/search", params={"q": "spent grain"}).text,
        "match JSON": client.get(f"/api/matches/{match_id}").text,
    }
    client.headers["Authorization"] = admin
    surfaces["listings export"] = client.get("/api/export/listings.csv").text
    surfaces["matches export"] = client.get("/api/export/matches.csv").text
    outbox = client.get("/api/outbox").json()
    surfaces["introduction to the bakery"] = next(
        m["body"] for m in outbox if m["to"] == "bakery@example.com"
    )
    for surface, text in surfaces.items():
        assert secret not in text, surface

    login(client, "member", org_id=brewery["id"], email="paula@example.fi")
    accepted = client.post(f"/api/matches/{match_id}/accept")
    assert accepted.status_code == 200
    client.headers["Authorization"] = admin
    assert secret in client.get("/api/export/matches.csv").text
    reveal = client.get("/api/outbox").json()[0]
    assert reveal["to"] == "bakery@example.com" and secret in reveal["body"]


def test_an_unedited_introduction_says_why_in_each_partys_language(
    client: TestClient, make: Factory
) -> None:
    """Sent through the API as drafted: the Finnish and the Swedish letter give the reasons
    in their own language, not the scorer's English sentences."""
    brewery_and_bakery(make, need_language="sv")
    client.post("/api/matches/refresh", json={"threshold": 0})
    match = client.get("/api/matches").json()[0]
    client.post(f"/api/matches/{match['id']}/status", json={"status": "shortlisted"})
    sent = client.post(f"/api/matches/{match['id']}/introduction", json={})
    assert sent.status_code == 200, sent.text
    letters = {m["to"]: m["body"] for m in client.get("/api/outbox").json()}
    finnish, swedish = letters["panimo@example.fi"], letters["bakery@example.com"]
    assert "Miksi ehdotamme: Kuvauk" in finnish  # the descriptions' sentence, in Finnish
    assert "Sama luokka: " in finnish and "(Helsinki – Espoo)" in finnish
    assert "Varför vi föreslår det: Beskrivningarna" in swedish
    assert "Samma kategori: " in swedish and "(Helsingfors – Esbo)" in swedish
    english = [sentence.strip() for sentence in match["explanation"].split(";")]
    assert "text similarity" in match["explanation"] and len(english) == 8
    for letter in (finnish, swedish):
        assert "text similarity" not in letter
        assert not [sentence for sentence in english if sentence in letter]


def test_the_emission_factors_ship_with_the_package_for_every_demo_theme() -> None:
    """Reference data, not a demo seed: read from the package, a fallback per theme and energy."""
    import json

    from matchmaker.settings import ROOT
    from matchmaker.vocab import Unit
    from matchmaker.workspace import factors, impact

    themes = {t["slug"] for t in json.loads((ROOT / "seeds" / "themes.json").read_text("utf-8"))}
    shipped = factors.shipped()
    assert {f.theme for f in shipped if not f.ewc_prefix} == themes | {"energy"}
    assert not (ROOT / "seeds" / "emission_factors.csv").exists()
    construction = next(f for f in shipped if f.key == "construction")
    bricks = impact.assess(2000, Unit.kg, construction, "construction")
    assert bricks.tonnes_per_year == 2 and bricks.factor is construction
    assert "DESNZ" in construction.source
