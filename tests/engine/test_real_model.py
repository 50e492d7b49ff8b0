"""With the real multilingual model: partners are found across languages in a mixed pool."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import Settings
from tests.world import Factory, login

pytestmark = pytest.mark.model

ENGLISH_NOISE = [
    ("Plasterboard offcuts from interior fit-out", "Clean gypsum board offcuts, 60 t a year."),
    ("Used timber formwork panels", "Plywood formwork panels after three uses, 400 m2."),
    ("Window glass from renovation", "Float glass panes removed from a 1970s office, 25 t."),
    ("Roofing felt waste", "Bitumen roofing felt strips from re-roofing jobs, 12 t a year."),
    ("Surplus mineral wool insulation", "Unopened packs of stone wool, 300 m3, Espoo depot."),
    ("Excavated clay soil", "Clean clay from a foundation pit in Kerava, 8,000 m3."),
    ("Steel rebar cut-offs", "Reinforcement bar ends from a precast plant, 90 t a year."),
]
FINNISH_NOISE = [
    ("Käytettyjä toimistokalusteita", "Työpöytiä ja tuoleja toimistoremontista, 120 kpl."),
    ("Purkupuuta rakennustyömaalta", "Lajiteltua purkupuuta energiakäyttöön, 200 t vuodessa."),
    ("Ylijäämälaattoja kylpyhuoneremontista", "Seinä- ja lattialaattoja, 150 m2."),
]


@pytest.fixture(scope="module")
def real_client(real_embedder: Embedder, tmp_path_factory: Any) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("real")
    settings = Settings(database_url="sqlite://", instance_dir=folder, engine="hash", model="")
    with TestClient(create_app(settings, embedder=real_embedder)) as client:
        login(client, "admin")
        yield client


def test_a_finnish_need_finds_the_english_offer_of_the_same_material(
    real_client: TestClient,
) -> None:
    make = Factory(real_client)
    org = make.org("Uudenmaan Tie ja Purku Oy")
    for title, text in ENGLISH_NOISE:
        make.listing(
            org["id"], title=title, description=text, language="en", quantity=None, unit=None
        )
    for title, text in FINNISH_NOISE:
        make.listing(
            org["id"], title=title, description=text, language="fi", quantity=None, unit=None
        )
    offer = make.listing(
        org["id"],
        language="en",
        title="Crushed concrete from demolition",
        description="Crushed and screened concrete, 0-32 mm, from demolished apartment blocks "
        "in Vantaa. About 2,000 tonnes a year.",
        quantity=2000,
        unit="t",
        municipality="Vantaa",
    )
    need = make.listing(
        org["id"],
        kind="need",
        language="fi",
        title="Tienrakentaja etsii kierrätettyä kiviainesta kantavaan kerrokseen",
        description="Katujen ja pysäköintialueiden rakenteisiin tarvitaan murskattua "
        "kiviainesta, noin 1 500 tonnia vuodessa Helsingin seudulla.",
        quantity=1500,
        unit="t",
        municipality="Helsinki",
    )
    got = real_client.get(f"/api/listings/{need['id']}/suggestions", params={"k": 3}).json()
    assert offer["id"] in [s["listing"]["id"] for s in got], [s["listing"]["title"] for s in got]


def test_search_in_swedish_finds_the_finnish_listing(real_client: TestClient) -> None:
    make = Factory(real_client)
    org = make.org("Porvoon Leipomo Oy")
    bread = make.listing(
        org["id"],
        theme="food",
        language="fi",
        title="Ylijäämäleipää",
        description="Päivän vanhaa ruisleipää ja sämpylöitä, 2 t viikossa.",
        quantity=2,
        unit="t",
        frequency="weekly",
    )
    make.listing(
        org["id"],
        theme="food",
        language="en",
        title="Spent coffee grounds",
        description="Coffee grounds from our roastery cafe, 5 t a year.",
    )
    hits = real_client.get(
        "/api/search", params={"q": "överblivet bröd från bageri", "theme": "food"}
    ).json()
    assert hits[0]["listing"]["id"] == bread["id"]
