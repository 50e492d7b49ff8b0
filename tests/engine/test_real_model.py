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

FINNISH_MORE = [
    ("Ylijäämäpuuta työmaalta", "Käyttämätöntä rakennuspuuta, 40 m3."),
    ("Käytettyjä ikkunoita", "Vanhoja puuikkunoita saneerauksesta, 60 kpl."),
    ("Purettuja tiiliä", "Puhdistettuja punatiiliä purkukohteesta, 20 000 kpl."),
    ("Villaeristeen ylijäämää", "Avaamattomia mineraalivillapaketteja, 100 m3."),
    ("Asfalttirouhetta", "Jyrsittyä asfalttia kadun päällystystöistä, 900 t."),
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
        make.org("Vantaan Betonimurske Oy")["id"],  # never one's own organisation's
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
        "/api/search",
        params={"q": "överblivet bröd från bageri", "theme": "food", "min_similarity": 0},
    ).json()
    assert hits[0]["listing"]["id"] == bread["id"]


def test_listings_posted_one_by_one_rank_as_after_a_restart(
    real_embedder: Embedder, tmp_path: Any
) -> None:
    """An empty deployment that grows through the API centres languages as it grows: the
    cross-language partner of a need ranks where it ranks once the server restarts."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'grow.db'}",
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
    )

    def ranks(client: TestClient, need_id: int) -> list[int]:
        params = {"k": 20, "min_score": 0}  # the whole ranking, not only the possible ones
        got = client.get(f"/api/listings/{need_id}/suggestions", params=params).json()
        return [s["listing"]["id"] for s in got]

    with TestClient(create_app(settings, embedder=real_embedder)) as client:
        login(client, "admin")
        make = Factory(client)
        noise = make.org("Keski-Uudenmaan Rakennus Oy")["id"]
        for title, text in FINNISH_NOISE + FINNISH_MORE:
            make.listing(
                noise, title=title, description=text, language="fi", quantity=None, unit=None
            )
        for title, text in ENGLISH_NOISE[:3]:
            make.listing(
                noise, title=title, description=text, language="en", quantity=None, unit=None
            )
        offer = make.listing(
            make.org("Vantaan Betonimurske Oy")["id"],
            language="en",
            title="Crushed concrete from demolition",
            description="Crushed and screened concrete, 0-32 mm, from demolished apartment "
            "blocks. About 2,000 tonnes a year.",
            quantity=None,
            unit=None,
        )
        need = make.listing(
            make.org("Helsingin Katurakentajat Oy")["id"],
            kind="need",
            language="fi",
            title="Tienrakentaja etsii kierrätettyä kiviainesta kantavaan kerrokseen",
            description="Katujen rakenteisiin tarvitaan murskattua kiviainesta.",
            quantity=None,
            unit=None,
        )
        before = ranks(client, need["id"])
    with TestClient(create_app(settings, embedder=real_embedder)) as client:
        login(client, "admin")
        after = ranks(client, need["id"])
    # the index is a cache: one rebuilt from the stored vectors (a lost instance folder,
    # `reindex`) ranks the same too
    cold = settings.model_copy(update={"instance_dir": tmp_path / "cold"})
    with TestClient(create_app(cold, embedder=real_embedder)) as client:
        login(client, "admin")
        rebuilt = ranks(client, need["id"])
    assert offer["id"] in rebuilt[:3], rebuilt
    assert before.index(offer["id"]) == after.index(offer["id"]) == rebuilt.index(offer["id"])
    assert before == after == rebuilt  # and so does every other suggestion
