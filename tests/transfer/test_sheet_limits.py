"""Hostile sheets: a declared range is not read, caps stop big sheets, XML tricks answer 422."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

from fastapi.testclient import TestClient

from matchmaker.transfer import sheetfile
from matchmaker.transfer.sheets import COLUMNS
from tests.pagekit import page
from tests.world import login

HEADER = ["organisation", "theme", "kind", "category", "title"]
ROW = ["Lohjan Lasi Oy", "construction", "offer", "material", "Green glass cullet, 20 t"]


def _base() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook(members: dict[str, bytes | str]) -> bytes:
    """A real openpyxl workbook with some of its parts replaced (or added)."""
    base = zipfile.ZipFile(io.BytesIO(_base()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            if info.filename not in members:
                z.writestr(info.filename, base.read(info.filename))
        for name, data in members.items():
            z.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return out.getvalue()


def _cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(n: int, values: list[str], first: int = 0) -> str:
    cells = "".join(_cell(f"{_letters(first + i)}{n}", v) for i, v in enumerate(values))
    return f'<row r="{n}">{cells}</row>'


def _letters(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def sheet_xml(rows: str, dimension: str = "A1:E2", prologue: str = "") -> str:
    return (
        f'{prologue}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def one_sheet(rows: str, dimension: str = "A1:E2", prologue: str = "") -> bytes:
    return workbook({"xl/worksheets/sheet1.xml": sheet_xml(rows, dimension, prologue)})


def dry_run(client: TestClient, name: str, data: bytes) -> Any:
    return client.post("/api/import/listings", files={"file": (name, data)})


def test_a_huge_declared_range_costs_only_the_cells_that_exist(client: TestClient) -> None:
    # A1:XFD8000 is 131 million cells; padding every row to it took a gigabyte and seconds
    last = '<row r="4000"><c r="A4000"/></row>'  # an empty (formatted) cell far down
    data = one_sheet(_row(1, HEADER) + _row(2, ROW) + last, dimension="A1:XFD8000")
    assert len(data) < 10_000
    start = time.perf_counter()
    r = dry_run(client, "workshop.xlsx", data)
    took = time.perf_counter() - start
    assert r.status_code == 200, r.text
    assert (r.json()["rows"], r.json()["good"]) == (1, 1)
    assert took < 2.0, f"{took:.1f} s for a two-row sheet"


def test_a_sheet_over_the_caps_is_refused_with_words(client: TestClient) -> None:
    rows = sheetfile.MAX_ROWS
    long = one_sheet("".join(_row(n, HEADER if n == 1 else ROW) for n in range(1, rows + 3)))
    wide = one_sheet(_row(1, HEADER) + _row(2, ROW) + _row(3, ["far away"], first=16_383))
    filled = sheetfile.MAX_CELLS // 40 + 1  # rows of 45 filled cells: just over the cap
    many = one_sheet(
        _row(1, HEADER + [f"note {i}" for i in range(40)])
        + "".join(_row(n, ROW + ["x"] * 40) for n in range(2, filled + 2))
    )
    bomb = io.BytesIO()
    small = one_sheet(_row(1, HEADER) + _row(2, ROW))
    with (
        zipfile.ZipFile(io.BytesIO(small)) as src,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z,
    ):
        for info in src.infolist():
            z.writestr(info.filename, src.read(info.filename))
        with z.open("xl/media/padding.xml", "w") as padding:
            for _ in range(sheetfile.MAX_UNPACKED_BYTES // 1_000_000 + 1):
                padding.write(b" " * 1_000_000)
    for name, data, words in (
        ("long.xlsx", long, f"more than {rows:,} rows"),
        ("wide.xlsx", wide, f"more than {sheetfile.MAX_COLUMNS} columns"),
        ("many.xlsx", many, f"more than {sheetfile.MAX_CELLS:,} filled cells"),
        ("bomb.xlsx", bomb.getvalue(), "unpacks to more than"),
    ):
        r = dry_run(client, name, data)
        assert r.status_code == 422 and words in r.json()["detail"], (name, r.text)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def test_xml_tricks_and_broken_workbooks_answer_422_never_500(client: TestClient) -> None:
    cases = {
        "billion laughs": one_sheet(
            _row(1, HEADER) + _row(2, [*ROW[:4], "&lol9;"]), prologue=BILLION_LAUGHS
        ),
        "external entity": one_sheet(
            _row(1, HEADER) + _row(2, [*ROW[:4], "&secret;"]), prologue=XXE
        ),
        "entity in the workbook part": workbook(
            {"xl/workbook.xml": XXE + "<workbook>&secret;</workbook>"}
        ),
        "no worksheet": workbook(
            {
                "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/'
                'spreadsheetml/2006/main"><sheets/></workbook>'
            }
        ),
        "broken XML": workbook({"xl/worksheets/sheet1.xml": "<worksheet><sheetData><row"}),
        "broken styles": workbook({"xl/styles.xml": "<styleSheet><numFmts count='x'>"}),
    }
    for case, data in cases.items():
        r = dry_run(client, "sheet.xlsx", data)
        assert r.status_code in (400, 422), (case, r.status_code, r.text)
        assert "root:" not in r.text and "lollol" not in r.text, case
        assert r.json()["detail"].startswith("file: "), (case, r.text)


def test_a_csv_over_the_caps_or_the_csv_field_limit_is_a_422(client: TestClient) -> None:
    header = ",".join(COLUMNS)
    good = "Lohjan Lasi Oy,construction,offer,material,Green glass cullet" + "," * (
        len(COLUMNS) - 5
    )
    huge_field = f'{header}\nLohjan Lasi Oy,construction,offer,material,"{"x" * 200_000}"\n'
    many_rows = "\n".join([header] + [good] * (sheetfile.MAX_ROWS + 1))
    wide = ",".join(HEADER + [f"c{i}" for i in range(sheetfile.MAX_COLUMNS)]) + "\n" + good
    for name, text, words in (
        ("huge.csv", huge_field, "longer than 131,072 characters"),
        ("many.csv", many_rows, f"more than {sheetfile.MAX_ROWS:,} rows"),
        ("wide.csv", wide, f"more than {sheetfile.MAX_COLUMNS} columns"),
    ):
        r = dry_run(client, name, text.encode("utf-8"))
        assert r.status_code == 422 and words in r.json()["detail"], (name, r.text[:300])


def test_the_import_page_words_the_limits_in_the_ui_language(client: TestClient) -> None:
    csrf = login(client, "facilitator", browser=True)
    wide = one_sheet(_row(1, HEADER) + _row(2, ROW) + _row(3, ["far away"], first=16_383))
    xxe = one_sheet(_row(1, HEADER) + _row(2, [*ROW[:4], "&secret;"]), prologue=XXE)
    for lang, data, words in (
        ("en", wide, f"more than {sheetfile.MAX_COLUMNS} columns"),
        ("fi", wide, f"yli {sheetfile.MAX_COLUMNS} saraketta"),
        ("sv", xxe, "DTD"),
    ):
        r = client.post(
            f"/import?lang={lang}",
            files={"file": ("sheet.xlsx", data)},
            data={"csrf_token": csrf},
        )
        assert r.status_code == 422 and words in page(r).text, (lang, page(r).text[:500])
