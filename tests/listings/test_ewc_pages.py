"""Waste codes on the pages: suggested on the form as one types, checked on save, shown."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.engine import ewc
from tests.pagekit import HTMX, get, page
from tests.world import Factory, app_of, form_for, market

CONCRETE = {
    "title": "Krossad betong från rivning",
    "description": "Rivningsbetong krossad till 0/32, ca 600 ton.",
}


@pytest.fixture
def world(make: Factory) -> dict[str, Any]:
    return market(make)


def suggested(client: TestClient, lang: str, **query: str) -> Any:
    r = client.get("/listings/ewc-codes", params={"lang": lang, **query}, headers=HTMX)
    assert r.status_code == 200 and "<html" not in r.text
    return page(r)


def test_the_fragment_shows_three_codes_in_swedish_under_lang_sv(client: TestClient) -> None:
    p = suggested(client, "sv", **CONCRETE)
    choices = p.find("button", **{"data-fill": "f-ewc_code"})
    assert len(choices) == 3
    codes = [ewc.normalise(b["data-value"]) for b in choices]
    assert codes[0] == "170101"
    for code in codes:  # each with its Swedish description, as the list words it
        assert ewc.describe(code, "sv") in p.text
        assert ewc.describe(code, "sv") != ewc.describe(code, "en")
    assert "Koder som passar din text" in p.text
    assert p.find("span", lang="sv") and "på engelska" not in p.text


def test_the_finnish_ui_shows_the_english_description_and_says_so(client: TestClient) -> None:
    p = suggested(client, "fi", title="Purkubetonia", description="Murskattua betonia 0/45.")
    assert "17 01 01" in p.text and "Concrete" in p.text
    assert "(englanniksi)" in p.text and p.find("span", lang="en")


def test_a_hazardous_suggestion_carries_its_badge(client: TestClient) -> None:
    p = suggested(client, "en", title="Asbestos insulation", description="From a 1960s school.")
    assert p.find("button", **{"data-value": "17 06 01"})
    assert p.find("span", class_="badge hazard") and "hazardous" in p.text


def test_an_empty_form_asks_for_text_and_starts_preparing_the_codes(client: TestClient) -> None:
    p = suggested(client, "en")
    assert "Write a title and a description" in p.text and not p.find("button")
    assert app_of(client).state.code_suggester._started


def test_the_form_asks_for_suggestions_as_one_types_and_works_without(client: TestClient) -> None:
    p = page(get(client, "/listings/new"))
    box = p.find("div", id="ewc-suggestions")[0]
    assert box["hx-get"] == "/listings/ewc-codes" and box["hx-target"] == "this"
    assert "from:#f-title" in box["hx-trigger"] and "from:#f-description" in box["hx-trigger"]
    assert box["hx-include"] == "#f-title, #f-description"
    field = p.find("input", id="f-ewc_code")[0]  # a plain text field: typing works without JS
    assert field["type"] == "text" and "pattern" not in field
    assert p.find("input", id="f-accepted_codes")[0]["type"] == "text"
    assert p.find("a", href="/listings/ewc-codes")  # a lookup without JavaScript


def test_the_lookup_page_works_without_javascript(client: TestClient) -> None:
    r = get(client, "/listings/ewc-codes?text=crushed+concrete+from+demolition")
    p = page(r)
    assert r.status_code == 200 and r.text.startswith("<!doctype html>")
    assert p.find("textarea", name="text")[0] and "17 01 01" in p.text and "Concrete" in p.text
    assert not p.find("button", **{"data-fill": "f-ewc_code"})  # text to copy, not buttons


def test_a_code_typed_as_the_list_writes_it_is_stored_as_six_digits(
    client: TestClient, world: dict[str, Any]
) -> None:
    values = form_for(world, kind="offer", ewc_code="17 01 06*")
    r = client.post("/listings", data=values, follow_redirects=False)
    assert r.status_code == 303, r.text
    listing = client.get("/api/listings/" + r.headers["location"].split("/")[2].split("?")[0])
    assert listing.json()["ewc_code"] == "170106"
    shown = page(client.get(r.headers["location"] + "&lang=en"))
    assert (
        "17 01 06" in shown.text and "Mixtures of, or separate fractions of concrete" in shown.text
    )
    assert shown.find("span", class_="badge hazard") and "hazardous" in shown.text


@pytest.mark.parametrize(
    ("lang", "changes", "message"),
    [
        ("fi", {"ewc_code": "17 01 99"}, "17 01 99 ei ole Euroopan jäteluettelossa"),
        ("sv", {"ewc_code": "17 01 99"}, "17 01 99 finns inte i den europeiska"),
        ("en", {"ewc_code": "17 01"}, "Six digits, e.g. 17 01 01 or 170101."),
        ("en", {"ewc_code": "17 01 01*"}, "17 01 01 is not marked hazardous"),
        ("en", {"accepted_codes": "17 01 01, 17 01 98"}, "17 01 98 is not in the European"),
    ],
)
def test_a_code_not_in_the_list_is_refused_in_the_ui_language(
    client: TestClient, world: dict[str, Any], lang: str, changes: dict[str, str], message: str
) -> None:
    r = client.post(f"/listings?lang={lang}", data=form_for(world, **changes), headers=HTMX)
    assert r.status_code == 422
    field = next(iter(changes))
    assert message in page(r).text_of(f"f-{field}-error")


def test_an_offer_names_no_accepted_codes(client: TestClient, world: dict[str, Any]) -> None:
    values = form_for(world, kind="offer", accepted_codes="17 01 01")
    r = client.post("/listings?lang=en", data=values, headers=HTMX)
    assert r.status_code == 422
    assert page(r).text_of("f-accepted_codes-error").startswith("Only a need names the codes")
    offer = world["offer"]["id"]  # nor can an edit give an offer some
    edit = form_for(world, kind="offer", accepted_codes="17 01 01", title="Crushed concrete")
    r = client.post(f"/listings/{offer}/edit?lang=en", data=edit, headers=HTMX)
    assert r.status_code == 422 and "Only a need" in page(r).text_of("f-accepted_codes-error")


def test_a_need_names_the_codes_it_accepts_and_its_page_shows_them(
    client: TestClient, world: dict[str, Any]
) -> None:
    need = world["need"]["id"]
    edit_page = page(get(client, f"/listings/{need}/edit"))
    values = {a["name"]: a.get("value", "") for a in edit_page.find("input") if "name" in a}
    changed = form_for(world, accepted_codes="17 01 01 170107", version=values["version"])
    r = client.post(f"/listings/{need}/edit", data=changed, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert client.get(f"/api/listings/{need}").json()["accepted_codes"] == ["170101", "170107"]
    again = page(get(client, f"/listings/{need}/edit"))
    assert again.find("input", id="f-accepted_codes")[0]["value"] == "17 01 01, 17 01 07"
    shown = page(get(client, f"/listings/{need}", lang="sv"))
    assert "Avfallskoder som tas emot" in shown.text
    assert "17 01 01 Betong" in shown.text and "17 01 07 Andra blandningar av betong" in shown.text


def test_the_suggestions_say_whether_the_codes_agree(
    client: TestClient, world: dict[str, Any]
) -> None:
    need = world["need"]["id"]
    changed = client.patch(
        f"/api/listings/{need}",
        json={"accepted_codes": ["17 01 01"], "version": world["need"]["version"]},
    )
    assert changed.status_code == 200, changed.text
    p = page(get(client, f"/listings/{need}/matches", lang="fi", headers=HTMX))
    assert "Tarjouksen jätenimike 17 01 01 on tarpeen hyväksymä." in p.text
