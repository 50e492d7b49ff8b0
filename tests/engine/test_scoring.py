"""The structured parts of a match score, as a facilitator would read them."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

import pytest

from matchmaker.engine import geo, ranker, scoring
from matchmaker.tables import Listing


def listing(**kw: Any) -> Listing:
    base: dict[str, Any] = {
        "organisation_id": 1,
        "theme_id": 1,
        "kind": "offer",
        "category": "material",
        "title": "t",
        "language": "fi",
    }
    return Listing(**{**base, **kw})


def test_distance_between_neighbouring_cities_is_explained_in_km() -> None:
    part = scoring.distance_part("Helsinki", "Espoo")
    assert 10 < part.facts["km"] < 25  # type: ignore[operator]
    assert "km apart (Helsinki – Espoo)" in part.text
    assert scoring.distance_part("Porvoo", "Borgå").text == "same municipality (Porvoo)"
    far = scoring.distance_part("Helsinki", "Oulu")
    assert far.value is not None and far.value < 0.1
    assert scoring.distance_part("Helsinki", None).value is None


def test_quantity_compares_annual_amounts_across_kg_and_tonnes() -> None:
    offer = listing(quantity=500, unit="kg", frequency="weekly")  # 26 t a year
    need = listing(kind="need", quantity=26, unit="t", frequency="yearly")
    part = scoring.quantity_part(offer, need)
    assert part.facts["ratio"] == pytest.approx(1.0)
    assert part.value == pytest.approx(1.0)
    half = scoring.quantity_part(
        offer, listing(kind="need", quantity=52, unit="t", frequency="yearly")
    )
    assert half.text.startswith("offer covers 50% of the need")
    other = scoring.quantity_part(offer, listing(kind="need", quantity=10, unit="m3"))
    assert other.value is None and "different units" in other.text


def test_timing_overlap_and_gap() -> None:
    offer = listing(available_from=date(2027, 1, 1), available_until=date(2027, 3, 31))
    need = listing(kind="need", available_from=date(2027, 3, 1))
    assert scoring.timing_part(offer, need).value == 1.0
    late = listing(kind="need", available_from=date(2027, 5, 30))
    part = scoring.timing_part(offer, late)
    assert part.facts["gap_days"] == 60 and part.value is not None and part.value < 1
    assert scoring.timing_part(listing(), listing(kind="need")).value is None


def test_score_is_the_rankers_probability_with_unknowns_in_the_middle() -> None:
    offer, need = listing(), listing(kind="need", category="equipment")
    fit = scoring.fit(offer, need, semantic=0.5, raw_cosine=0.85, wording=0.25)
    w = ranker.HAND_SET.weights
    logit = (
        ranker.HAND_SET.intercept
        + w["semantic"] * 0.5
        + w["language"] * 1.0  # both in Finnish
        + w["wording"] * 0.25
        + w["category"] * 0.0  # material against equipment
        # not given: the middle (distance, quantity, timing, and any part not shown here)
        + sum(v for n, v in w.items() if n not in ("semantic", "language", "wording", "category"))
        * 0.5
    )
    assert fit.score == pytest.approx(100 / (1 + math.exp(-logit)), abs=0.05)
    assert [p.name for p in fit.parts] == [
        "semantic",
        "language",
        "wording",
        "category",
        "distance",
        "quantity",
        "timing",
        "codes",
    ]
    assert "offer is material, need is equipment" in fit.explanation
    assert [p.weight for p in fit.parts] == [w[p.name] for p in fit.parts]


def test_wording_counts_as_none_across_languages_and_the_language_part_says_so() -> None:
    offer, need = listing(), listing(kind="need", language="en")
    fit = scoring.fit(offer, need, semantic=0.5, raw_cosine=0.85, wording=None)
    parts = {p.name: p for p in fit.parts}
    assert parts["wording"].value is None and parts["language"].value == 0.0
    same = scoring.fit(offer, listing(kind="need"), semantic=0.5, raw_cosine=0.85, wording=0.0)
    # the language part takes back the pull of one language: the same meaning across two
    # languages is not worth less than within one
    assert fit.score >= same.score


def test_the_queue_threshold_defaults_to_the_possible_floor() -> None:
    from matchmaker.settings import Settings

    assert Settings().queue_threshold == ranker.POSSIBLE
    assert ranker.band(ranker.STRONG) == "strong" and ranker.band(ranker.POSSIBLE) == "possible"
    assert ranker.band(ranker.POSSIBLE - 0.1) == "weak"


def test_pairs_scored_at_once_are_scored_as_each_pair_alone(hash_embedder: Any) -> None:
    """scoring.pairs over many seeded pairs gives each pair what fit gives it alone: the same
    score, and the same parts, values, texts and facts."""
    rng = random.Random(7)
    places = [*sorted({p.name_fi for p in geo.places().values()})[:12], "Atlantis", None]
    codes = [None, "170101", "170102", "170107", "170904", "170106", "200101", "999999"]

    def side(kind: str) -> Listing:
        unit = rng.choice([None, "t", "kg", "m3", "pcs"])
        start = rng.choice([None, date(2027, 1, 1) + timedelta(days=rng.randrange(400))])
        return listing(
            kind=kind,
            language=rng.choice(["fi", "sv", "en"]),
            category=rng.choice(["material", "equipment", "energy"]),
            municipality=rng.choice(places),
            quantity=None if unit is None else rng.choice([0, 0.5, 3, 26, 500, 1200]),
            unit=unit,
            frequency=rng.choice([None, "one-off", "weekly", "monthly", "continuous"]),
            ewc_code=rng.choice(codes) if kind == "offer" else None,
            accepted_codes=rng.sample(codes[1:], rng.randrange(3)) if kind == "need" else None,
            available_from=start,
            available_until=rng.choice([None, date(2027, 3, 1) + timedelta(rng.randrange(400))]),
        )

    offers, needs = [side("offer") for _ in range(300)], [side("need") for _ in range(300)]
    vectors = hash_embedder.embed([f"tarjous {i} {rng.random()}" for i in range(600)])
    cosines = [float(vectors[i] @ vectors[300 + i]) for i in range(300)]
    sims = [c * 1.7 - 0.3 for c in cosines]  # some beyond 0..1, as centred ones may be
    overlaps = [rng.choice([None, 0.0, rng.random(), 1.2]) for _ in range(300)]
    learned = ranker.Ranker({**ranker.HAND_SET.weights, "timing": 2.5}, -10.0, "learned")
    for weights in (ranker.HAND_SET, learned):
        at_once = scoring.pairs(
            offers, needs, semantic=sims, raw_cosine=cosines, wording=overlaps, ranker=weights
        )
        for i in range(300):
            alone = scoring.fit(
                offers[i],
                needs[i],
                semantic=sims[i],
                raw_cosine=cosines[i],
                wording=overlaps[i],
                ranker=weights,
            )
            assert at_once.scores[i] == alone.score
            assert at_once.fit(i) == alone
    # the seeds reach every branch of the parts: known and unknown, near and far, early, late
    texts = {p.text.split(" ")[0] for i in range(300) for p in at_once.fit(i).parts}
    assert {"location", "same", "quantities", "quantity", "offer", "amounts", "no"} <= texts
    assert {"dates", "available", "the", "text", "both", "wording", "shared"} <= texts


def test_a_batch_with_no_pairs_is_empty() -> None:
    empty = scoring.pairs([], [], semantic=[], raw_cosine=[], wording=[])
    assert empty.scores == []
