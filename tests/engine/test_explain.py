"""Every part of a suggestion's score becomes a sentence a person can check, in their language."""

from __future__ import annotations

from datetime import date
from typing import Any

from matchmaker.engine import explanations, scoring
from matchmaker.tables import Listing
from matchmaker.web.i18n import Translator


def listing(**kw: Any) -> Listing:
    base: dict[str, Any] = {
        "organisation_id": 1,
        "theme_id": 1,
        "kind": "offer",
        "category": "material",
        "title": "x",
        "language": "en",
    }
    return Listing(**{**base, **kw})


def sentences(
    offer: Listing, need: Listing, lang: str = "en", semantic: float = 0.5
) -> dict[str, tuple[str, str, str]]:
    fit = scoring.fit(offer, need, semantic=semantic, raw_cosine=0.85)
    return {
        r.name: (r.label, r.text, r.tone) for r in explanations.reasons(fit.parts, Translator(lang))
    }


def test_a_well_informed_pair_explains_every_part() -> None:
    offer = listing(
        municipality="Porvoo",
        quantity=40,
        unit="t",
        frequency="yearly",
        available_from=date(2025, 1, 1),
    )
    need = listing(
        kind="need",
        municipality="Porvoo",
        quantity=1000,
        unit="kg",
        frequency="weekly",
        available_until=date(2025, 6, 1),
    )
    said = sentences(offer, need, semantic=0.62)
    assert said["semantic"] == (
        "Meaning",
        "The descriptions are close in meaning (similarity 0.62).",
        "good",
    )
    assert said["category"] == ("Category", "Same category: Material or side-stream.", "good")
    assert said["distance"] == ("Distance", "Same municipality: Porvoo.", "good")
    assert said["quantity"][1] == ("The offer covers 77% of the need (40 t a year vs 52 t a year).")
    assert said["timing"] == ("Timing", "Available when needed.", "good")


def test_what_the_listings_do_not_say_is_said_plainly() -> None:
    said = sentences(listing(), listing(kind="need", category="service"), semantic=-0.1)
    assert said["semantic"][1] == "The descriptions have little in common (similarity 0.00)."
    assert said["category"] == (
        "Category",
        "Different categories (offer: Material or side-stream; need: Service or expertise).",
        "weak",
    )
    assert said["distance"] == ("Distance", "The location is missing on one side.", "unknown")
    assert said["quantity"][1].startswith("The amounts cannot be compared")
    assert said["timing"] == ("Timing", "No dates given.", "unknown")


def test_far_apart_and_late_in_finnish_and_swedish() -> None:
    offer = listing(municipality="Hanko", available_until=date(2025, 1, 1), quantity=10, unit="t")
    need = listing(
        kind="need", municipality="Porvoo", available_from=date(2025, 1, 31), quantity=10, unit="t"
    )
    fi = sentences(offer, need, "fi")
    assert fi["distance"][1] == "Välimatka 162 km (Hanko – Porvoo)."
    assert fi["timing"][1] == "Ajankohtien väliin jää 30 päivää."
    assert fi["quantity"][1] == "Määrät vastaavat toisiaan (10 t vuodessa)."
    sv = sentences(offer, need, "sv")
    assert sv["distance"][1] == "162 km från varandra (Hangö – Borgå)."
    assert sv["semantic"][0] == "Betydelse"


def test_a_part_the_scorer_adds_later_still_shows() -> None:
    part = scoring.Part("certified", 1.0, "both are certified", weight=0.1)
    [reason] = explanations.reasons([part], Translator("fi"))
    assert (reason.label, reason.text, reason.tone) == ("certified", "both are certified", "good")
