"""The waste-code API: one code described, codes for a text; listings keep valid codes only."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.engine import embeddings, ewc
from matchmaker.engine.embeddings import Vectors
from matchmaker.engine.ewc_suggest import Suggester
from matchmaker.listings import ewc_api
from tests.world import Factory, app_of


def test_a_code_is_described_in_the_language_asked_for(client: TestClient) -> None:
    r = client.get("/api/ewc/17 01 06*", params={"lang": "sv"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "code": "170106",
        "written": "17 01 06",
        "description": ewc.describe("170106", "sv"),
        "description_language": "sv",
        "hazardous": True,
        "sub_chapter": "Betong, tegel, klinker och keramik",
        "chapter": ewc.heading("17", "sv"),
    }
    finnish = client.get("/api/ewc/170101", params={"lang": "fi"}).json()
    assert (finnish["description"], finnish["description_language"]) == ("Concrete", "en")


def test_a_code_not_in_the_list_is_404_and_no_code_is_422(client: TestClient) -> None:
    missing = client.get("/api/ewc/170199")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("17 01 99 is not in the European Waste Catalogue")
    bad = client.get("/api/ewc/concrete")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {
            "field": "code",
            "message": "'concrete' is not a waste code: write six digits, e.g. 17 01 01 or 170101",
        }
    ]


def test_codes_are_suggested_for_a_text(client: TestClient) -> None:
    r = client.get(
        "/api/ewc/suggestions", params={"text": "Krossad betong från rivning", "lang": "sv"}
    )
    assert r.status_code == 200, r.text
    found = r.json()
    assert len(found) == 3 and found[0]["code"] == "170101"
    assert found[0]["description"] == "Betong" and found[0]["score"] >= found[1]["score"]
    five = client.get("/api/ewc/suggestions", params={"text": "asbestos insulation", "k": 5})
    assert len(five.json()) == 5 and five.json()[0]["hazardous"] is True
    blank = client.get("/api/ewc/suggestions", params={"text": "   "})
    assert blank.status_code == 422 and "write a few words" in blank.json()["detail"]


class Stuck:
    """An embedder that does not finish embedding the list until released."""

    name, dim = "stuck", embeddings.HASH_DIM

    def __init__(self) -> None:
        self.release = threading.Event()

    def embed(self, texts: Sequence[str]) -> Vectors:
        if len(texts) > 1:
            self.release.wait(10)
        return embeddings.HashEmbedder().embed(texts)


def test_codes_still_being_prepared_are_a_503_that_says_so(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck = Stuck()
    app_of(client).state.code_suggester = Suggester(stuck.name, lambda: stuck)
    monkeypatch.setattr(ewc_api, "WAIT", 0.05)
    r = client.get("/api/ewc/suggestions", params={"text": "crushed concrete"})
    assert r.status_code == 503 and "being prepared" in r.json()["detail"]
    stuck.release.set()
    monkeypatch.setattr(ewc_api, "WAIT", 10.0)
    assert (
        client.get("/api/ewc/suggestions", params={"text": "crushed concrete"}).status_code == 200
    )


def test_listings_store_six_digits_and_a_need_its_accepted_codes(
    client: TestClient, make: Factory
) -> None:
    org = make.org()
    offer = make.listing(org["id"], ewc_code="17 01 01")
    assert offer["ewc_code"] == "170101" and offer["accepted_codes"] == []
    need = make.listing(org["id"], kind="need", accepted_codes=["17 01 01", "17-01-07", "170101"])
    assert need["accepted_codes"] == ["170101", "170107"]
    as_text = make.listing(org["id"], kind="need", title="Bricks", accepted_codes=None)
    assert as_text["accepted_codes"] == []


def test_an_edit_cannot_leave_an_offer_with_accepted_codes(
    client: TestClient, make: Factory
) -> None:
    org = make.org()
    need = make.listing(org["id"], kind="need", accepted_codes=["170101"])
    r = client.patch(f"/api/listings/{need['id']}", json={"kind": "offer", "version": 1})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "accepted_codes",
            "message": "only a need names the codes it accepts: an offer gives its own code in "
            "ewc_code",
        }
    ]
    kept: dict[str, Any] = client.get(f"/api/listings/{need['id']}").json()
    assert (kept["kind"], kept["version"]) == ("need", 1)  # nothing of the edit was written
    cleared = client.patch(
        f"/api/listings/{need['id']}", json={"kind": "offer", "accepted_codes": [], "version": 1}
    )
    assert cleared.status_code == 200 and cleared.json()["accepted_codes"] == []
