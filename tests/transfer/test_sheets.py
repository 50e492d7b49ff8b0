"""Workshop sheets: a dry run that names every bad row, then a commit that adds the rest once."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi.testclient import TestClient

from matchmaker.settings import ROOT
from matchmaker.transfer.sheets import COLUMNS
from tests.world import Factory

SEEDS = json.loads((ROOT / "seeds" / "listings.json").read_text("utf-8"))
ORGS = ["Porvoon Puutuote Oy", "Lohjan Lasi Oy", "Vantaan Kierrätys Oy", "Nya Bygg Ab"]
BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"title": ""}, "title", "must not be empty"),
    ({"theme": "aerospace"}, "theme", "unknown theme 'aerospace'"),
    ({"quantity": "-5"}, "quantity", "greater than 0"),
    ({"municipality": "Gotham"}, "municipality", "unknown municipality"),
    ({"kind": "gift"}, "kind", "'offer' or 'need'"),
    ({"organisation": ""}, "organisation", "an organisation is needed"),
    ({"available_from": "2027-13-45"}, "available_from", "valid date"),
    ({"ewc_code": "17 01"}, "ewc_code", "'17 01' is not a waste code"),
    ({"unit": "barrels"}, "unit", "Input should be"),
    ({"description": "x" * 5001}, "description", "at most 5000 characters"),
]


def sheet_rows() -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
    """480 good rows made from the seeds, with 20 bad rows mixed in; bad row -> (field, why)."""
    rows, bad = [], {}
    for i in range(500):
        seed = SEEDS[i % len(SEEDS)]
        row = {c: seed.get(c) or "" for c in COLUMNS}
        row["organisation"] = ORGS[i % len(ORGS)]
        row["title"] = f"{seed['title']} (workshop {i // len(SEEDS) + 1})"
        if i % 25 == 7:  # 20 bad rows, spread through the sheet
            change, field, why = BAD[(i // 25) % len(BAD)]
            row.update(change)
            bad[i + 2] = (field, why)  # +2: the header is row 1
        rows.append(row)
    return rows, bad


def xlsx(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: TestClient, name: str, data: bytes, commit: bool) -> Any:
    r = client.post("/api/import/listings", params={"commit": commit}, files={"file": (name, data)})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_500_row_sheet_with_20_bad_rows(client: TestClient, make: Factory) -> None:
    rows, bad = sheet_rows()
    data = xlsx(rows)
    before = client.get("/api/listings", params={"status": "all"}).json()["total"]

    dry = upload(client, "workshop.xlsx", data, commit=False)
    assert (dry["rows"], dry["good"], dry["committed"]) == (500, 480, False)
    assert sorted(dry["bad_rows"]) == sorted(bad)
    for problem in dry["problems"]:
        field, why = bad[problem["row"]]
        assert problem["field"] == field and why in problem["message"], problem
    assert client.get("/api/listings", params={"status": "all"}).json()["total"] == before

    done = upload(client, "workshop.xlsx", data, commit=True)
    assert done["added"] == 480 and done["committed"]
    assert sorted(done["new_organisations"]) == sorted(ORGS)
    assert client.get("/api/listings", params={"status": "all"}).json()["total"] == before + 480

    again = upload(client, "workshop.xlsx", data, commit=True)
    assert (again["added"], again["duplicates"]) == (0, 480)
    assert client.get("/api/listings", params={"status": "all"}).json()["total"] == before + 480
    orgs = [o["name"] for o in client.get("/api/organisations").json()]
    assert sorted(o for o in orgs if o in ORGS) == sorted(ORGS)  # each organisation once

    # the imported listings are embedded and matched like any other
    need = client.get("/api/listings", params={"kind": "need", "limit": 1}).json()["items"][0]
    assert client.get(f"/api/listings/{need['id']}/suggestions").json()


def test_csv_import_and_export_round_trip(client: TestClient, make: Factory) -> None:
    rows, _ = sheet_rows()
    good = [r for i, r in enumerate(rows[:40]) if i % 25 != 7]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(good)
    done = upload(client, "sheet.csv", out.getvalue().encode("utf-8"), commit=True)
    assert done["added"] == len(good)
    exported = client.get("/api/export/listings.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    back = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert {r["title"] for r in back} == {r["title"] for r in good}
    xl = client.get("/api/export/listings.xlsx")
    assert xl.content[:2] == b"PK"  # a zip: the xlsx container


def test_an_unreadable_upload_is_a_clear_422(client: TestClient) -> None:
    for name, data, words in (
        ("notes.txt", b"hello", "upload a .csv or an .xlsx"),
        ("sheet.xlsx", b"not a zip", "not a readable .xlsx"),
        ("sheet.csv", b"\xff\xfe\x00bad", "not UTF-8"),
        ("sheet.csv", b"a,b\n1,2\n", "lacks the columns"),
    ):
        r = client.post("/api/import/listings", files={"file": (name, data)})
        assert r.status_code == 422 and words in r.json()["detail"], (name, r.text)


def test_a_sheet_carries_a_needs_accepted_codes_there_and_back(
    client: TestClient, make: Factory
) -> None:
    def row(**kw: str) -> dict[str, str]:
        base = {c: "" for c in COLUMNS}
        base.update(organisation="Nya Bygg Ab", theme="construction", category="material")
        return {**base, **kw}

    rows = [
        row(kind="need", title="Betong till bullervall", accepted_codes="17 01 01, 17 01 07"),
        row(kind="offer", title="Tegel från rivning", ewc_code="17 01 02", accepted_codes="170101"),
        row(kind="need", title="Krossmaterial", accepted_codes="17 01 01 17 01 99"),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    dry = upload(client, "codes.csv", out.getvalue().encode("utf-8"), commit=False)
    assert dry["good"] == 1 and dry["bad_rows"] == [3, 4]
    why = {p["row"]: (p["field"], p["message"]) for p in dry["problems"]}
    assert why[3] == (
        "row",
        "only a need names the codes it accepts: an offer gives its own code in ewc_code",
    )
    assert why[4][0] == "accepted_codes" and "17 01 99 is not in the European" in why[4][1]
    upload(client, "codes.csv", out.getvalue().encode("utf-8"), commit=True)
    exported = client.get("/api/export/listings.csv").content.decode("utf-8-sig")
    (need,) = [r for r in csv.DictReader(io.StringIO(exported)) if r["title"].startswith("Betong")]
    assert need["accepted_codes"] == "170101, 170107"  # one cell, which an import reads back
