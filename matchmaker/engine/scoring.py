"""The structured fit between an offer and a need: named score parts and their explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from matchmaker.engine import ewc, geo
from matchmaker.engine.ranker import HAND_SET, Ranker, values_of
from matchmaker.tables import Listing
from matchmaker.vocab import PER_YEAR, Frequency, Unit, in_tonnes

_HALF_KM = 50.0  # worth half at 50 km: side-streams routinely travel that far in Uusimaa


@dataclass
class Part:
    name: str
    value: float | None  # 0..1; None when the listings do not say enough
    text: str
    facts: dict[str, float | str | None] = field(default_factory=dict)
    weight: float = 0.0  # the ranker's weight on this part (a logit coefficient)


@dataclass
class Fit:
    score: float  # 0..100
    parts: list[Part]

    @property
    def explanation(self) -> str:
        return "; ".join(p.text for p in self.parts)


def fit(
    offer: Listing,
    need: Listing,
    *,
    semantic: float,
    raw_cosine: float,
    wording: float | None = None,
    ranker: Ranker = HAND_SET,
) -> Fit:
    """The parts of a pair's score and the calibrated score the ranker makes of them.

    `wording` is the shared wording of two listings in one language; None when it was not
    compared (two languages)."""
    found = parts(offer, need, semantic=semantic, raw_cosine=raw_cosine, wording=wording)
    for p in found:
        p.weight = ranker.weights.get(p.name, 0.0)
    return Fit(score=round(ranker.score(values_of(found)), 1), parts=found)


def parts(
    offer: Listing,
    need: Listing,
    *,
    semantic: float,
    raw_cosine: float,
    wording: float | None = None,
) -> list[Part]:
    """The parts alone, unweighted: a stored match's reasons need no new score."""
    return [
        semantic_part(semantic, raw_cosine),
        language_part(offer, need),
        wording_part(wording),
        category_part(offer, need),
        distance_part(offer.municipality, need.municipality),
        quantity_part(offer, need),
        timing_part(offer, need),
        ewc.code_part(offer, need),
    ]


def semantic_part(similarity: float, raw_cosine: float) -> Part:
    value = min(1.0, max(0.0, similarity))
    return Part(
        "semantic",
        value,
        f"text similarity {value:.2f} (model cosine {raw_cosine:.3f})",
        {"similarity": round(similarity, 4), "cosine": round(raw_cosine, 4)},
    )


def language_part(offer: Listing, need: Listing) -> Part:
    return _agreement(
        "language",
        offer.language,
        need.language,
        f"both in {offer.language}",
        f"{offer.language} and {need.language}: compared by meaning only",
    )


def wording_part(overlap: float | None) -> Part:
    if overlap is None:
        return Part("wording", None, "wording not compared across languages")
    value = min(1.0, max(0.0, overlap))
    return Part("wording", value, f"shared wording {value:.2f}", {"overlap": round(value, 4)})


def category_part(offer: Listing, need: Listing) -> Part:
    return _agreement(
        "category",
        offer.category,
        need.category,
        f"both are {offer.category}",
        f"offer is {offer.category}, need is {need.category}",
    )


def _agreement(name: str, offer: object, need: object, same: str, different: str) -> Part:
    """A part that is 1 when both sides say the same (their category, their language), else 0."""
    return Part(
        name,
        1.0 if offer == need else 0.0,
        same if offer == need else different,
        {"offer": str(offer), "need": str(need)},
    )


def distance_part(a_name: str | None, b_name: str | None) -> Part:
    a, b = geo.find(a_name), geo.find(b_name)
    if a is None or b is None:
        return Part(
            "distance",
            None,
            "location unknown",
            {"km": None, "from": a_name, "to": b_name},
        )
    km = geo.distance_km(a, b)
    text = (
        f"same municipality ({a.name_fi})"
        if a == b
        else f"{km:.0f} km apart ({a.name_fi} – {b.name_fi})"
    )
    return Part(
        "distance",
        1.0 / (1.0 + km / _HALF_KM),
        text,
        {"km": round(km, 1), "from": a.name_fi, "to": b.name_fi},
    )


def annual_amount(listing: Listing) -> tuple[float, str] | None:
    """The amount per year in a comparable unit (mass in tonnes), or None if not given."""
    if listing.quantity is None or listing.unit is None:
        return None
    unit = Unit(listing.unit)
    amount = listing.quantity * PER_YEAR[Frequency(listing.frequency or Frequency.one_off)]
    tonnes = in_tonnes(amount, unit)
    if tonnes is not None:
        return tonnes, "t"
    return amount, unit.value


def quantity_part(offer: Listing, need: Listing) -> Part:
    o, n = annual_amount(offer), annual_amount(need)
    if o is None or n is None:
        return Part("quantity", None, "quantity not given on both sides")
    if o[1] != n[1]:
        return Part(
            "quantity",
            None,
            f"quantities in different units ({o[1]} vs {n[1]})",
        )
    if o[0] <= 0 or n[0] <= 0:
        return Part("quantity", None, "quantity of zero")
    ratio = o[0] / n[0]
    # a partial supply is still worth an introduction: a mismatch halves the part at most
    value = 0.5 + 0.5 * min(ratio, 1 / ratio) ** 0.5
    text = (
        f"offer covers {ratio:.0%} of the need"
        if ratio < 1
        else f"offer is {ratio:.1f}× the need"
        if ratio > 1.05
        else "amounts match"
    )
    return Part(
        "quantity",
        value,
        f"{text} ({o[0]:g} vs {n[0]:g} {o[1]}/yr)",
        {"ratio": round(ratio, 3), "offer_per_year": o[0], "need_per_year": n[0], "unit": o[1]},
    )


def timing_part(offer: Listing, need: Listing) -> Part:
    if not any(
        (offer.available_from, offer.available_until, need.available_from, need.available_until)
    ):
        return Part("timing", None, "no dates given")
    start = max(offer.available_from or date.min, need.available_from or date.min)
    end = min(offer.available_until or date.max, need.available_until or date.max)
    if start <= end:
        return Part("timing", 1.0, "available when needed", {"gap_days": 0})
    gap = (start - end).days
    return Part(
        "timing",
        max(0.0, 1 - gap / 365),
        f"dates miss each other by {gap} days",
        {"gap_days": gap},
    )
