"""The listing service: one way a listing is built and stored, whoever brings it in."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.index import Vectors
from matchmaker.engine.matching import Matcher
from matchmaker.listings import service
from matchmaker.listings.schemas import ListingCreate
from matchmaker.settings import ROOT
from matchmaker.tables import Listing, ListingVector, Organisation, Theme, saved_id
from matchmaker.transfer import seeding, sheets
from matchmaker.vocab import Language, OrgKind
from tests.world import Factory

SWEDISH = "Vi erbjuder träspån från vår snickeri i Borgå, cirka 40 ton per år."


def test_the_api_and_the_sheet_guess_a_missing_language_alike(
    client: TestClient, make: Factory
) -> None:
    org = make.org("Nya Bygg Ab")
    posted = make.listing(org["id"], title="Träspån", description=SWEDISH, language=None)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=sheets.COLUMNS)
    writer.writeheader()
    row = dict.fromkeys(sheets.COLUMNS, "")
    row |= {
        "organisation": "Nya Bygg Ab",
        "theme": "construction",
        "kind": "offer",
        "category": "material",
        "title": "Träspån, andra partiet",
        "description": SWEDISH,
    }
    writer.writerow(row)
    r = client.post(
        "/api/import/listings",
        params={"commit": "true", "confirm_organisations": "true"},
        files={"file": ("sheet.csv", out.getvalue().encode("utf-8"))},
    )
    assert r.status_code == 200 and r.json()["added"] == 1, r.text
    imported = client.get("/api/listings", params={"theme": "construction"}).json()["items"]
    languages = {item["title"]: item["language"] for item in imported}
    assert posted["language"] == languages["Träspån, andra partiet"] == "sv"
    assert service.guess_language("Träspån", SWEDISH) == Language.sv


class Broken:
    """An embedder that fails, as a model that runs out of memory would."""

    name, dim = "broken", 8

    def embed(self, texts: Sequence[str]) -> Vectors:
        raise RuntimeError("out of memory")


def test_a_listing_is_stored_with_its_vector_or_not_at_all(
    session: Session, hash_embedder: Embedder
) -> None:
    seeding.ensure_themes(session, ROOT / "seeds")
    theme = session.exec(select(Theme).where(Theme.slug == "construction")).one()
    org = Organisation(name="Porvoon Puutuote Oy", kind=OrgKind.company)
    session.add(org)
    session.commit()
    data = ListingCreate(
        organisation_id=saved_id(org),
        theme="construction",
        kind="offer",
        category="material",
        title="Oak sawdust, 40 t/year",
        description="Dry oak sawdust from our joinery in Porvoo, collected weekly.",
    )
    broken = Matcher("broken", lambda: Broken())
    with pytest.raises(RuntimeError):
        service.save_listings(
            session, [service.new_listing(data, theme_id=saved_id(theme))], broken
        )
    assert session.exec(select(func.count()).select_from(Listing)).one() == 0

    matcher = Matcher(hash_embedder.name, lambda: hash_embedder)
    listing = service.create_listing(session, data=data, matcher=matcher)
    assert listing.language == Language.en  # guessed: none was given
    vector = session.get(ListingVector, (listing.id, matcher.space))
    assert vector is not None and vector.text_hash
