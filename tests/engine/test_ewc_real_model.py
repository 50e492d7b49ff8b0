"""With the real multilingual model: listing texts in fi/sv/en get their waste codes suggested."""

from __future__ import annotations

import pytest

from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.ewc_suggest import Suggester
from matchmaker.settings import ROOT

pytestmark = pytest.mark.model

# Listing texts as posters write them, with the codes a facilitator would accept for each.
LISTINGS: list[tuple[str, str, str, set[str]]] = [
    (
        "fi",
        "Purkubetonia koulun purkutyömaalta",
        "Valikoivasti purettua betonia, murskattu 0/45, noin 800 t.",
        {"170101", "170107"},
    ),
    (
        "fi",
        "Puhdistettuja punatiiliä",
        "Vanhan varastorakennuksen tiilet, laasti poistettu käsin.",
        {"170102"},
    ),
    (
        "fi",
        "Kipsilevyn leikkuujätettä",
        "Puhdasta kipsilevyhukkaa kerrostalotyömaalta, 30 t vuodessa.",
        {"170802"},
    ),
    (
        "fi",
        "Ylijäämämaita",
        "Puhdasta savimaata ja kiviä kaava-alueen kaivuista, 5 000 m3.",
        {"170504"},
    ),
    (
        "fi",
        "Käytettyjä kuormalavoja",
        "Rikkinäisiä puisia EUR-lavoja varastolta, 200 kpl kuukaudessa.",
        {"150103"},
    ),
    (
        "fi",
        "Käytettyä paistorasvaa",
        "Ravintolan käytettyä friteerausöljyä, 500 l kuussa.",
        {"200125"},
    ),
    (
        "fi",
        "Jäteöljyä korjaamolta",
        "Käytettyä moottori- ja vaihteistoöljyä autokorjaamolta.",
        {"130205", "130206", "130208"},
    ),
    ("fi", "Lyijyakkuja", "Käytöstä poistettuja auton lyijyakkuja, 2 t vuodessa.", {"160601"}),
    ("fi", "Pahvipakkauksia", "Paalattua aaltopahvia kaupan takahuoneesta.", {"150101", "200101"}),
    (
        "fi",
        "Kahvinporoja kahvilasta",
        "Kahvinporoja noin 200 kg viikossa sienten kasvatukseen.",
        {"020304", "020399", "200108"},
    ),
    (
        "fi",
        "Sahanpurua",
        "Kuivaa koivun sahanpurua ja kutterinlastua puusepänverstaalta.",
        {"030105"},
    ),
    (
        "fi",
        "Lasivillaa purkukohteesta",
        "Puhdasta mineraalivillaeristettä puretusta toimistosta.",
        {"170604"},
    ),
    (
        "sv",
        "Krossad betong från rivning",
        "Rivningsbetong krossad till 0/32, ca 600 ton.",
        {"170101", "170107"},
    ),
    ("sv", "Trädgårdsavfall", "Gräsklipp, löv och kvistar från parkskötsel.", {"200201"}),
    (
        "sv",
        "Begagnade kläder",
        "Utsorterade kläder och textilier från insamling.",
        {"200110", "200111"},
    ),
    (
        "sv",
        "Spillolja från verkstad",
        "Använd motorolja från bilverkstaden.",
        {"130205", "130206", "130208"},
    ),
    ("sv", "Blandat byggavfall", "Osorterat bygg- och rivningsavfall från renovering.", {"170904"}),
    ("sv", "Träpallar", "Trasiga lastpallar av trä.", {"150103"}),
    (
        "en",
        "Crushed concrete from demolition",
        "Clean concrete rubble from a demolished school, crushed to 0/45.",
        {"170101", "170107"},
    ),
    (
        "en",
        "Used cooking oil",
        "Used frying oil from our restaurants, 2,000 litres a month.",
        {"200125"},
    ),
    (
        "en",
        "Scrap copper cable",
        "Insulated copper cable offcuts from electrical installations.",
        {"170411", "170401"},
    ),
    (
        "en",
        "Baled LDPE stretch film",
        "Clear plastic stretch wrap from a warehouse, baled.",
        {"150102"},
    ),
    (
        "en",
        "Fly ash from a biomass boiler",
        "Fly ash from burning untreated wood chips at our district heating plant.",
        {"100103"},
    ),
    (
        "en",
        "Old laptops and monitors",
        "Decommissioned office laptops and screens.",
        {"160214", "200136"},
    ),
    (
        "en",
        "Waste paint",
        "Leftover solvent-based paint tins from renovation.",
        {"080111", "200127"},
    ),
    ("en", "Car tyres", "End-of-life car tyres from a tyre shop.", {"160103"}),
]


@pytest.fixture(scope="module")
def codes(real_embedder: Embedder) -> Suggester:
    # the product's own cache folder: keyed by the model and the list's texts, it cannot be stale,
    # and `make run` and the tests then embed the list once between them (~45 s on one thread)
    return Suggester(real_embedder.name, lambda: real_embedder, ROOT / "instance" / "ewc")


def top3(codes: Suggester, text: str) -> list[str]:
    return [s.code for s in codes.suggest(text, 3)]


def test_finnish_demolition_concrete_gets_its_code(codes: Suggester) -> None:
    text = (
        "Murskattua purkubetonia 0/45\nPuhdasta betonimursketta koulun purkutyömaalta Tikkurilasta."
    )
    assert "170101" in top3(codes, text)


def test_swedish_and_english_texts_get_their_codes(codes: Suggester) -> None:
    def text(n: int) -> str:
        return f"{LISTINGS[n][1]}\n{LISTINGS[n][2]}"

    assert {"170101", "170107"} & set(top3(codes, text(12)))  # krossad betong
    assert "200125" in top3(codes, text(19))  # used cooking oil
    assert "160103" in top3(codes, text(25))  # tyres


def test_most_listing_texts_get_an_accepted_code_in_the_top_three(codes: Suggester) -> None:
    """18 of these 26 when measured (en 7/8, fi 7/12, sv 4/6); the floor leaves room for noise."""
    missed = [
        (lang, title)
        for lang, title, description, good in LISTINGS
        if not good & set(top3(codes, f"{title}\n{description}"))
    ]
    assert len(LISTINGS) - len(missed) >= 16, missed
