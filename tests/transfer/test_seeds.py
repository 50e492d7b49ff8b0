"""The demo seeds read like the valley's actors and load idempotently."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlmodel import Session, func, select

from matchmaker.engine import ewc, geo
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import Matcher
from matchmaker.settings import ROOT
from matchmaker.tables import Listing, Organisation
from matchmaker.transfer import seeding

SEEDS = ROOT / "seeds"


def rows(name: str) -> list[dict[str, Any]]:
    return json.loads((SEEDS / name).read_text("utf-8"))  # type: ignore[no-any-return]


def test_seed_volume_and_mix() -> None:
    orgs, listings = rows("organisations.json"), rows("listings.json")
    assert len(orgs) >= 30 and len(listings) >= 150
    themes = Counter(x["theme"] for x in listings)
    assert set(themes) >= {"construction", "plastics", "textiles", "food", "electronics"}
    langs = Counter(x["language"] for x in listings)
    n = len(listings)
    assert 0.4 < langs["fi"] / n < 0.6 and 0.25 < langs["en"] / n < 0.42 and langs["sv"] > 0.1 * n
    assert set(Counter(x["category"] for x in listings)) == {
        "material",
        "energy",
        "equipment",
        "service",
        "research",
    }
    kinds = Counter(x["kind"] for x in listings)
    assert kinds["offer"] > 0.4 * n and kinds["need"] > 0.3 * n
    assert len({x["key"] for x in listings}) == n


def test_seed_places_are_known() -> None:
    for x in rows("listings.json") + rows("organisations.json"):
        assert geo.find(x["municipality"]) is not None, x


def test_seed_waste_codes_exist_in_the_european_waste_catalogue() -> None:
    """Checked against the list the product ships (and validates every listing with)."""
    used = [x["ewc_code"] for x in rows("listings.json") if x.get("ewc_code")]
    assert len(used) >= 30
    assert [c for c in used if c not in ewc.catalogue().entries] == []


def test_seeding_twice_adds_and_embeds_nothing_the_second_time(
    session: Session, hash_embedder: Embedder
) -> None:
    matcher = Matcher(hash_embedder.name, lambda: hash_embedder)
    first = seeding.load(session, SEEDS, matcher)
    assert first.listings_added == len(rows("listings.json")) == first.embedded
    assert first.users == 3  # one demo account per role
    second = seeding.load(session, SEEDS, matcher)
    assert (
        second.organisations,
        second.listings_added,
        second.listings_changed,
        second.embedded,
        second.users,
    ) == (0, 0, 0, 0, 0)
    assert session.exec(select(func.count()).select_from(Listing)).one() == first.listings_added
    assert session.exec(select(func.count()).select_from(Organisation)).one() == len(
        rows("organisations.json")
    )
