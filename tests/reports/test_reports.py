"""The reports: the page's figures, the same figures in the XLSX, the PDF with its title, and
who may see them."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, select

from matchmaker.tables import EmissionFactor
from matchmaker.vocab import MatchStatus
from tests.reports.exchanges import exchange
from tests.world import Factory, engine_of, login


@pytest.fixture
def valley(client: TestClient, make: Factory) -> TestClient:
    """Concrete realised in Porvoo (240 t), cable scrap as a pilot in Vantaa (50 t)."""
    exchange(
        make,
        theme="construction",
        offer_title="Betonimursketta purkutyömaalta, 240 t vuodessa",
        need_title="Tarvitsemme mursketta kenttärakenteisiin",
        tonnes=240,
        ewc_code="170101",
    )
    exchange(
        make,
        theme="electronics",
        offer_title="Kaapeliromua, 50 t vuodessa",
        need_title="Kuparikaapelia granulointiin",
        tonnes=50,
        ewc_code="170411",
        municipality="Vantaa",
        until=MatchStatus.pilot,
        seller="Vantaan Sähkö Oy",
    )
    login(client, "facilitator", browser=True)
    return client


def test_the_report_page_shows_the_regions_figures_in_finnish(valley: TestClient) -> None:
    page = valley.get("/reports?lang=fi")
    assert page.status_code == 200
    text = page.text
    assert "Raportti: kiertotalouden vaihdot" in text and "Koko alue" in text
    assert "Mukana olevat organisaatiot tyypeittäin" in text
    assert "Toteutuneet vaihdot" in text and "Pilotit" in text
    assert "290" in text  # 240 t realised + 50 t in a pilot
    assert "Porvoo" in text and "Vantaa" in text
    assert "kaapeliromu (ei vaarallinen)" in text  # the factors used
    assert text.count("<svg") == 3 and 'class="visually-hidden"' in text


def test_a_municipality_report_counts_only_its_exchanges(valley: TestClient) -> None:
    page = valley.get("/reports", params={"municipality": "Vantaa", "lang": "en"})
    assert page.status_code == 200
    assert "Whole region" not in page.text and "Vantaa" in page.text
    assert "cable scrap (non-hazardous)" in page.text
    assert "concrete, bricks and tiles" not in page.text


def test_the_xlsx_holds_the_figures_the_page_shows(valley: TestClient) -> None:
    page = valley.get("/reports?theme=construction&lang=en")
    assert "240" in page.text
    r = valley.get("/reports/report.xlsx?theme=construction&lang=en")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "report-construction-en.xlsx" in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    cover = book.worksheets[0]
    assert cover["A1"].value == "Report: circular exchanges"
    assert cover["A2"].value == "Construction"
    totals = {row[0]: row[1] for row in cover.iter_rows(min_row=5, max_row=9, values_only=True)}
    assert totals["Diverted from disposal"] == 240
    years = book["Tonnes exchanged and CO2e avoid"]
    header = [c.value for c in years[2]]
    assert header[:3] == ["Year", "Realised exchanges", "Realised, t/yr"]
    row = [c.value for c in years[3]]
    assert row[1] == 1 and row[2] == 240 and row[3] == pytest.approx(240 * 0.005)
    stages = book["Matches by stage"]
    assert ("Realised", 1) in [(r[0], r[1]) for r in stages.iter_rows(values_only=True)]
    # every table on the page is a sheet
    for title in ("By theme", "By municipality", "Emission factors used"):
        assert title in book.sheetnames and title in page.text


def test_the_pdf_is_a_pdf_with_the_reports_title(valley: TestClient) -> None:
    r = valley.get("/reports/report.pdf?lang=fi")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(r.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Raportti: kiertotalouden vaihdot" in text
    assert "Koko alue" in text and "Ehdotukset vaiheittain" in text
    assert "240" in text and "Betoni, tiili ja laatat".casefold() in text.casefold()
    assert len(reader.pages[0].images) >= 1  # the charts, as pictures


def test_the_reports_are_for_facilitators_and_admins(client: TestClient) -> None:
    login(client, "member", browser=True)
    for url in ("/reports", "/reports/report.xlsx", "/reports/report.pdf"):
        r = client.get(url + "?lang=en")
        assert r.status_code == 403, url
        assert "facilitator" in r.text.lower()
    login(client, "admin", browser=True)
    assert client.get("/reports?lang=en").status_code == 200


def test_a_visitor_is_asked_to_log_in(visitor: TestClient) -> None:
    r = visitor.get("/reports", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_an_unknown_theme_or_place_gives_the_region_not_an_error(valley: TestClient) -> None:
    r = valley.get("/reports", params={"theme": "nope", "municipality": "Atlantis", "lang": "en"})
    assert r.status_code == 200 and "Whole region" in r.text


def test_a_text_that_looks_like_a_formula_stays_text_in_the_xlsx(valley: TestClient) -> None:
    with Session(engine_of(valley)) as s:
        cable = s.exec(select(EmissionFactor).where(EmissionFactor.key == "cables")).one()
        cable.material_en = '=HYPERLINK("http://evil.example")'
        s.add(cable)
        s.commit()
    book = load_workbook(io.BytesIO(valley.get("/reports/report.xlsx?lang=en").content))
    cells = [c for row in book["Emission factors used"].iter_rows() for c in row]
    found = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert found and all(c.data_type == "s" for c in found)


def test_a_hostile_theme_name_renders_escaped(valley: TestClient) -> None:
    from matchmaker.tables import Theme

    with Session(engine_of(valley)) as s:
        theme = s.exec(select(Theme).where(Theme.slug == "construction")).one()
        theme.name_en = "<script>alert(1)</script>"
        s.add(theme)
        s.commit()
    page = valley.get("/reports?lang=en&theme=construction")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
