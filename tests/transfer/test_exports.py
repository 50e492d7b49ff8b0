"""Exports travel to spreadsheets: no cell of any export runs as a formula there."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from matchmaker.transfer.sheets import COLUMNS
from tests.world import Factory

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3 tonnes", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def _csv(client: TestClient, url: str) -> list[dict[str, str]]:
    r = client.get(url)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def _xlsx(client: TestClient, url: str) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(client.get(url).content), read_only=True)
    sheet: Any = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_no_exported_cell_starts_a_formula(client: TestClient, make: Factory) -> None:
    org = make.org('=HYPERLINK("http://evil.example","click")')
    other = make.org("@Nordic Aggregates Ltd")
    stored: list[str] = []  # as the API keeps them (it strips the tab and the carriage return)
    for i, title in enumerate(FORMULAS):
        posted = make.listing(
            org["id"] if i % 2 else other["id"],
            title=title + f" sawdust {i}",
            description=FORMULAS[-1 - i] + " description",
            kind="offer" if i % 2 else "need",
        )
        stored.append(posted["title"])
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] >= 1
    starts = ("=", "+", "-", "@", "\t", "\r")
    for url in ("/api/export/listings.csv", "/api/export/matches.csv"):
        rows = _csv(client, url)
        cells = [v for row in rows for v in row.values()]
        assert rows and not [v for v in cells if v[:1] in starts], url
    for url in ("/api/export/listings.xlsx", "/api/export/matches.xlsx"):
        cells = [v for row in _xlsx(client, url) for v in row]
        assert not [v for v in cells if isinstance(v, str) and v[:1] in starts], url
    listings = _csv(client, "/api/export/listings.csv")
    assert {r["title"] for r in listings} == {"'" + t for t in stored}
    assert {r["quantity"] for r in listings} == {"40.0"}  # numbers stay numbers


def test_an_exported_sheet_imports_back_as_it_was(client: TestClient, make: Factory) -> None:
    org = make.org("Porvoon Puutuote Oy")
    make.listing(org["id"], title="=1+1 sawdust", description="-2 t less than last year")
    exported = client.get("/api/export/listings.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({**r, "title": r["title"] + " (again)"} for r in rows)
    dry = client.post(
        "/api/import/listings", files={"file": ("back.csv", out.getvalue().encode("utf-8"))}
    ).json()
    assert dry["good"] == 1, dry
    done = client.post(
        "/api/import/listings",
        params={"commit": "true", "confirm_organisations": "true"},
        files={"file": ("back.csv", out.getvalue().encode("utf-8"))},
    ).json()
    assert done["added"] == 1
    titles = [i["title"] for i in client.get("/api/listings").json()["items"]]
    assert "=1+1 sawdust (again)" in titles
