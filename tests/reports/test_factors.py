"""Impact by material: a cable-scrap exchange uses the cable factor, not its theme's; an admin's
edit of a factor is audited and changes the figures; nobody else may edit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.tables import AuditEntry, EmissionFactor
from tests.pagekit import csrf_of
from tests.reports.exchanges import exchange, figures
from tests.world import Factory, engine_of, login


def factor(client: TestClient, key: str) -> EmissionFactor:
    with Session(engine_of(client)) as s:
        return s.exec(select(EmissionFactor).where(EmissionFactor.key == key)).one()


def cables(make: Factory) -> int:
    return exchange(
        make,
        theme="electronics",
        offer_title="Kaapeliromua sähköurakoinnista, 50 t vuodessa",
        need_title="Ostamme kuparikaapeliromua granulointiin",
        tonnes=50,
        ewc_code="170411",
    )


def test_a_cable_scrap_exchange_is_counted_with_the_cable_factor_not_the_themes(
    client: TestClient, make: Factory
) -> None:
    match_id = cables(make)
    cable, theme = factor(client, "cables"), factor(client, "electronics")
    assert cable.co2e != theme.co2e  # else the test could not tell them apart
    assert figures(client, match_id) == pytest.approx((50, 50 * cable.co2e))

    login(client, "facilitator", browser=True)
    page = client.get(f"/matches/{match_id}?lang=fi")
    assert page.status_code == 200
    assert "kaapeliromu (ei vaarallinen)" in page.text
    assert "1,4 t CO2e tonnia kohden" in page.text
    assert "granuloidaan" in page.text  # the basis, in Finnish
    assert "International Copper Association" in page.text  # the source, as published
    assert "sähkö- ja elektroniikkalaitteet (sekalaiset)" not in page.text

    english = client.get(f"/matches/{match_id}?lang=en")
    assert "cable scrap (non-hazardous)" in english.text
    assert "1.4 t CO2e per tonne" in english.text

    dashboard = client.get("/dashboard?lang=sv")
    assert "Använda utsläppsfaktorer" in dashboard.text
    assert "kabelskrot (icke-farligt)" in dashboard.text


def test_without_a_waste_code_the_themes_factor_is_used(client: TestClient, make: Factory) -> None:
    match_id = exchange(
        make,
        theme="food",
        offer_title="Mäskiä panimolta",
        need_title="Rehua sikalaan",
        tonnes=100,
    )
    food = factor(client, "food").co2e
    assert figures(client, match_id) == pytest.approx((100, 100 * food))


def test_an_admins_edit_is_audited_and_changes_the_figures(
    client: TestClient, make: Factory
) -> None:
    match_id = cables(make)
    cable = factor(client, "cables")
    csrf = login(client, "admin", browser=True)
    page = client.get("/admin/factors?lang=fi")
    assert page.status_code == 200 and "kaapeliromu (ei vaarallinen)" in page.text
    assert "Kertoimia ei ole muutettu" in page.text
    before = client.get("/dashboard?lang=en").text
    assert "70 " in before or "70<" in before  # 50 t × 1.4

    r = client.post(
        f"/admin/factors/{cable.id}",
        data={
            "csrf_token": csrf,
            "co2e": "2,2",  # written the Finnish way
            "density_t_per_m3": "",
            "t_per_piece": "",
            "basis_fi": cable.basis_fi,
            "basis_sv": cable.basis_sv,
            "basis_en": cable.basis_en,
            "source": cable.source,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert figures(client, match_id) == pytest.approx((50, 110))

    trail = client.get(r.headers["location"].replace("?", "?lang=fi&", 1))
    assert "Tallennettu. Uudelleen laskettuja lukuja: 1." in trail.text
    assert "Aino Admin" in trail.text
    assert "<del>1,4</del> → <ins>2,2</ins>" in trail.text
    with Session(engine_of(client)) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.target == "cables")).one()
        assert entry.detail == {"co2e_old": 1.4, "co2e_new": 2.2}
    assert "110" in client.get("/dashboard?lang=en").text
    assert "2.2 t CO2e per tonne" in client.get(f"/matches/{match_id}?lang=en").text


def test_a_bad_number_gets_a_message_in_the_ui_language(client: TestClient) -> None:
    cable = factor(client, "cables")
    csrf = login(client, "admin", browser=True)
    client.get("/admin/factors?lang=sv")
    r = client.post(
        f"/admin/factors/{cable.id}",
        data={"csrf_token": csrf, "co2e": "mycket", "basis_fi": "x", "basis_sv": "x"},
    )
    assert r.status_code == 422
    assert "Ange faktorerna som tal på minst 0" in r.text
    assert factor(client, "cables").co2e == cable.co2e


@pytest.mark.parametrize("role", ["facilitator", "member"])
def test_only_an_admin_edits_the_factors(client: TestClient, role: str) -> None:
    cable = factor(client, "cables")
    login(client, role, browser=True)
    page = client.get("/admin/factors?lang=en")
    assert page.status_code == 403 and "admin" in page.text.lower()
    csrf = csrf_of(client.get("/?lang=en"))
    r = client.post(
        f"/admin/factors/{cable.id}",
        data={"csrf_token": csrf, "co2e": "99", "basis_fi": "a", "basis_sv": "b"},
    )
    assert r.status_code == 403
    assert factor(client, "cables").co2e == cable.co2e
