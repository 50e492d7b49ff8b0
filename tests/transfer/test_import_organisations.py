"""A name is no proof: names are unique after normalisation, and a sheet's rows go to an
existing organisation found by name only once a facilitator has confirmed it."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.listings.service import organisation_key
from matchmaker.tables import Listing, Organisation
from matchmaker.transfer.sheets import COLUMNS
from tests.pagekit import get, page
from tests.world import Factory, engine_of, login, logout


def sheet(*organisations: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for i, org in enumerate(organisations):
        row = dict.fromkeys(COLUMNS, "")
        row |= {
            "organisation": org,
            "theme": "construction",
            "kind": "offer",
            "category": "material",
            "title": f"Oak sawdust, batch {i + 1}",
            "description": "Dry oak sawdust from our joinery in Porvoo.",
        }
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def listings_of(client: TestClient, org_id: int) -> list[str]:
    with Session(engine_of(client)) as s:
        return [
            lst.title for lst in s.exec(select(Listing).where(Listing.organisation_id == org_id))
        ]


def test_one_name_one_organisation_after_normalisation(client: TestClient, make: Factory) -> None:
    assert organisation_key("Porvoon Puutuote Oy") == organisation_key(" PORVOON  puutuote, oy.")
    assert organisation_key("Oy Nya Bygg Ab") == organisation_key("nya bygg")
    assert organisation_key("Porvoon Puutuote Oy") != organisation_key("Porvoon Puu Oy")
    make.org("Porvoon Puutuote Oy")
    for name in ("porvoon puutuote oy", "Porvoon Puutuote", "PORVOON PUUTUOTE OY."):
        r = client.post("/api/organisations", json={"name": name, "kind": "company"})
        assert r.status_code == 422 and "exists already" in r.json()["detail"], name
    # open sign-up makes an organisation too: an impostor cannot take the name
    client.app.state.settings.open_signup = True  # type: ignore[attr-defined]
    logout(client)
    body = {"email": "imp@example.com", "password": "pitkä-salasana", "name": "Porvoon puutuote"}
    r = client.post("/api/register", json=body)
    assert r.status_code == 422 and "exists already" in r.json()["detail"], r.text
    body["name"] = "Loviisan Lasi Oy"
    assert client.post("/api/register", json=body).status_code == 201
    with Session(engine_of(client)) as s:
        names = [o.name for o in s.exec(select(Organisation))]
    assert names.count("Porvoon Puutuote Oy") == 1 and "Porvoon puutuote" not in names


def _api(client: TestClient, data: bytes, **params: Any) -> Any:
    return client.post("/api/import/listings", params=params, files={"file": ("s.csv", data)})


def test_the_api_adds_rows_to_a_named_organisation_only_when_confirmed(
    client: TestClient, make: Factory
) -> None:
    impostor = make.org("Porvoon Puutuote Oy")  # registered before the workshop's sheet came
    data = sheet("porvoon puutuote oy", "Vantaan Kierrätys Oy")
    dry = _api(client, data).json()
    assert dry["matched_organisations"] == ["Porvoon Puutuote Oy"]
    assert dry["new_organisations"] == ["Vantaan Kierrätys Oy"]
    refused = _api(client, data, commit="true")
    assert refused.status_code == 422, refused.text
    assert "Porvoon Puutuote Oy" in refused.json()["detail"]
    assert "confirm_organisations" in refused.json()["detail"]
    assert listings_of(client, impostor["id"]) == []
    orgs = [o["name"] for o in client.get("/api/organisations").json()]
    assert "Vantaan Kierrätys Oy" not in orgs  # nothing of the sheet was written
    done = _api(client, data, commit="true", confirm_organisations="true")
    assert done.status_code == 200 and done.json()["added"] == 2, done.text
    assert listings_of(client, impostor["id"]) == ["Oak sawdust, batch 1"]
    # a sheet naming new organisations only needs no confirmation
    assert _api(client, sheet("Lohjan Lasi Oy"), commit="true").json()["added"] == 1


def test_the_import_page_asks_to_confirm_existing_organisations(
    client: TestClient, make: Factory
) -> None:
    existing = make.org("Porvoon Puutuote Oy")
    csrf = login(client, "facilitator", browser=True)
    r = client.post(
        "/import",
        files={"file": ("s.csv", sheet("Porvoon Puutuote", "Vantaan Kierrätys Oy"))},
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    report = page(get(client, r.headers["location"]))
    assert "found by name: Porvoon Puutuote Oy." in report.text
    assert "New organisations: Vantaan Kierrätys Oy." in report.text
    box = report.find("input", name="confirm_organisations")
    assert box and box[0]["type"] == "checkbox"
    upload = report.find("input", name="upload")[0]["value"]
    form = {"csrf_token": csrf, "upload": upload, "name": "s.csv"}
    refused = client.post("/import/commit", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert "tick the box to confirm" in page(refused).text
    assert listings_of(client, existing["id"]) == []
    done = client.post(
        "/import/commit", data={**form, "confirm_organisations": "1"}, follow_redirects=False
    )
    assert done.status_code == 303, page(done).text
    assert "Added 2 listings." in page(get(client, done.headers["location"])).text
    assert listings_of(client, existing["id"]) == ["Oak sawdust, batch 1"]
