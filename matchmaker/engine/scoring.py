"""The structured fit between an offer and a need: named score parts and their explanations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matchmaker.engine import ewc, geo
from matchmaker.engine.ranker import FEATURES, HAND_SET, UNKNOWN, Ranker, percent
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


class Scored(Protocol):
    """What scoring reads of a listing: a Listing, or a row of its columns (rankings.Row)."""

    @property
    def language(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def municipality(self) -> str | None: ...
    @property
    def quantity(self) -> float | None: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def frequency(self) -> str | None: ...
    @property
    def ewc_code(self) -> str | None: ...
    @property
    def accepted_codes(self) -> list[str] | None: ...
    @property
    def available_from(self) -> date | None: ...
    @property
    def available_until(self) -> date | None: ...


Array = npt.NDArray[np.float64]


@dataclass
class Pairs:
    """Many (offer, need) pairs scored at once: per pair, the ranker's inputs (`values`, NaN
    where the listings do not say enough), the calibrated `scores`, and the numbers each
    part's text reports. `fit(i)` words pair i; only the pairs shown need it."""

    offers: Sequence[Scored]
    needs: Sequence[Scored]
    cosine: Array
    similarity: Array
    places: list[tuple[geo.Place | None, geo.Place | None]]
    km: Array
    amounts: list[tuple[tuple[float, str] | None, tuple[float, str] | None]]
    ratio: Array
    dated: npt.NDArray[np.bool_]
    gap: npt.NDArray[np.int64]
    codes: list[ewc.Agreement]
    values: dict[str, Array]
    weights: dict[str, float]
    scores: list[float]

    def fit(self, i: int) -> Fit:
        offer, need, v = self.offers[i], self.needs[i], {n: a[i] for n, a in self.values.items()}
        parts = [
            semantic_part(float(self.similarity[i]), float(self.cosine[i]), float(v["semantic"])),
            language_part(offer, need),
            wording_part(_known(v["wording"])),
            category_part(offer, need),
            _distance_part(offer.municipality, need.municipality, *self.places[i], self.km[i]),
            _quantity_part(*self.amounts[i], float(self.ratio[i]), _known(v["quantity"])),
            _timing_part(bool(self.dated[i]), int(self.gap[i]), _known(v["timing"])),
            ewc.agreed_part(self.codes[i]),
        ]
        for p in parts:
            p.weight = self.weights.get(p.name, 0.0)
        return Fit(score=self.scores[i], parts=parts)


def _known(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def pairs(
    offers: Sequence[Scored],
    needs: Sequence[Scored],
    *,
    semantic: Sequence[float] | Array,
    raw_cosine: Sequence[float] | Array,
    wording: Sequence[float | None],
    ranker: Ranker = HAND_SET,
) -> Pairs:
    """The one scoring rule, over arrays of pairs: what `fit` gives pair by pair, at once.

    `wording` is the shared wording of two listings in one language; None when it was not
    compared (two languages)."""
    nan = float("nan")
    similarity = np.asarray(semantic, dtype=np.float64)
    overlap = np.array([nan if w is None else w for w in wording], dtype=np.float64)
    both = list(zip(offers, needs, strict=True))
    places = [(geo.find(o.municipality), geo.find(n.municipality)) for o, n in both]
    km = np.array([nan if a is None or b is None else _km(a, b) for a, b in places])
    amounts = [(annual_amount(o), annual_amount(n)) for o, n in both]
    # per year in one unit on both sides, else NaN: the ratio, and the part, are then unknown
    same = [a is not None and b is not None and a[1] == b[1] for a, b in amounts]
    given = np.array([a[0] if ok and a else nan for (a, _), ok in zip(amounts, same, strict=True)])
    wanted = np.array([b[0] if ok and b else nan for (_, b), ok in zip(amounts, same, strict=True)])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((given > 0) & (wanted > 0), given / wanted, nan)
        # a partial supply is still worth an introduction: a mismatch halves the part at most
        quantity = 0.5 + 0.5 * np.minimum(ratio, 1 / ratio) ** 0.5
    dated = np.array(
        [
            any((o.available_from, o.available_until, n.available_from, n.available_until))
            for o, n in both
        ],
        dtype=np.bool_,
    )
    start = np.maximum(
        _days([o.available_from for o in offers], _FIRST),
        _days([n.available_from for n in needs], _FIRST),
    )
    end = np.minimum(
        _days([o.available_until for o in offers], _LAST),
        _days([n.available_until for n in needs], _LAST),
    )
    gap = np.maximum(start - end, 0)
    timing = np.where(dated, np.where(gap == 0, 1.0, np.maximum(0.0, 1 - gap / 365)), nan)
    codes = [ewc.agreement(o, n) for o, n in both]
    values = {
        "semantic": np.minimum(1.0, np.maximum(0.0, similarity)),
        "language": _same([o.language for o in offers], [n.language for n in needs]),
        "wording": np.minimum(1.0, np.maximum(0.0, overlap)),
        "category": _same([o.category for o in offers], [n.category for n in needs]),
        "distance": _closeness(km),
        "quantity": quantity,
        "timing": timing,
        "codes": np.array([nan if c.value is None else c.value for c in codes]),
    }
    inputs = {n: np.where(np.isnan(a), UNKNOWN[n], a) for n, a in values.items()}
    logits = ranker.logit(inputs) + np.zeros(len(offers))  # an array even with no weights
    return Pairs(
        offers,
        needs,
        np.asarray(raw_cosine, dtype=np.float64),
        similarity,
        places,
        km,
        amounts,
        ratio,
        dated,
        gap,
        codes,
        values,
        dict(ranker.weights),
        [round(percent(z), 1) for z in logits.tolist()],
    )


_FIRST, _LAST = date.min.toordinal(), date.max.toordinal()


def _days(dates: Sequence[date | None], missing: int) -> npt.NDArray[np.int64]:
    return np.array([missing if d is None else d.toordinal() for d in dates], dtype=np.int64)


def _same(a: Sequence[object], b: Sequence[object]) -> Array:
    return np.array([1.0 if x == y else 0.0 for x, y in zip(a, b, strict=True)])


@cache
def _km(a: geo.Place, b: geo.Place) -> float:
    return geo.distance_km(a, b)


def fit(
    offer: Scored,
    need: Scored,
    *,
    semantic: float,
    raw_cosine: float,
    wording: float | None = None,
    ranker: Ranker = HAND_SET,
) -> Fit:
    """The parts of a pair's score and the calibrated score the ranker makes of them: `pairs`
    of one pair."""
    found = pairs(
        [offer],
        [need],
        semantic=[semantic],
        raw_cosine=[raw_cosine],
        wording=[wording],
        ranker=ranker,
    )
    return found.fit(0)


def parts(
    offer: Scored,
    need: Scored,
    *,
    semantic: float,
    raw_cosine: float,
    wording: float | None = None,
) -> list[Part]:
    """The parts alone, unweighted: a stored match's reasons need no new score."""
    found = fit(offer, need, semantic=semantic, raw_cosine=raw_cosine, wording=wording).parts
    for part in found:
        part.weight = 0.0
    return found


def semantic_part(similarity: float, raw_cosine: float, value: float) -> Part:
    return Part(
        "semantic",
        value,
        f"text similarity {value:.2f} (model cosine {raw_cosine:.3f})",
        {"similarity": round(similarity, 4), "cosine": round(raw_cosine, 4)},
    )


def language_part(offer: Scored, need: Scored) -> Part:
    return _agreement(
        "language",
        offer.language,
        need.language,
        f"both in {offer.language}",
        f"{offer.language} and {need.language}: compared by meaning only",
    )


def wording_part(value: float | None) -> Part:
    if value is None:
        return Part("wording", None, "wording not compared across languages")
    return Part("wording", value, f"shared wording {value:.2f}", {"overlap": round(value, 4)})


def category_part(offer: Scored, need: Scored) -> Part:
    return _agreement(
        "category",
        offer.category,
        need.category,
        f"both are {offer.category}",
        f"offer is {offer.category}, need is {need.category}",
    )


def _agreement(name: str, offer: object, need: object, same: str, different: str) -> Part:
    """A part that is 1 when both sides say the same (their category, their language), else 0."""
    value = float(_same([offer], [need])[0])
    return Part(
        name,
        value,
        same if value else different,
        {"offer": str(offer), "need": str(need)},
    )


def _closeness(km: Array) -> Array:
    return 1.0 / (1.0 + km / _HALF_KM)


def distance_part(a_name: str | None, b_name: str | None) -> Part:
    a, b = geo.find(a_name), geo.find(b_name)
    km = float("nan") if a is None or b is None else _km(a, b)
    return _distance_part(a_name, b_name, a, b, km)


def _distance_part(
    a_name: str | None, b_name: str | None, a: geo.Place | None, b: geo.Place | None, km: float
) -> Part:
    if a is None or b is None:
        return Part(
            "distance",
            None,
            "location unknown",
            {"km": None, "from": a_name, "to": b_name},
        )
    text = (
        f"same municipality ({a.name_fi})"
        if a == b
        else f"{km:.0f} km apart ({a.name_fi} – {b.name_fi})"
    )
    return Part(
        "distance",
        float(_closeness(np.array([km]))[0]),
        text,
        {"km": round(km, 1), "from": a.name_fi, "to": b.name_fi},
    )


def annual_amount(listing: Scored) -> tuple[float, str] | None:
    """The amount per year in a comparable unit (mass in tonnes), or None if not given."""
    if listing.quantity is None or listing.unit is None:
        return None
    unit = Unit(listing.unit)
    amount = listing.quantity * PER_YEAR[Frequency(listing.frequency or Frequency.one_off)]
    tonnes = in_tonnes(amount, unit)
    if tonnes is not None:
        return tonnes, "t"
    return amount, unit.value


def quantity_part(offer: Scored, need: Scored) -> Part:
    return _one(offer, need).parts[FEATURES.index("quantity")]


def _quantity_part(
    o: tuple[float, str] | None, n: tuple[float, str] | None, ratio: float, value: float | None
) -> Part:
    if o is None or n is None:
        return Part("quantity", None, "quantity not given on both sides")
    if o[1] != n[1]:
        return Part(
            "quantity",
            None,
            f"quantities in different units ({o[1]} vs {n[1]})",
        )
    if value is None:
        return Part("quantity", None, "quantity of zero")
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


def timing_part(offer: Scored, need: Scored) -> Part:
    return _one(offer, need).parts[FEATURES.index("timing")]


def _timing_part(dated: bool, gap: int, value: float | None) -> Part:
    if not dated or value is None:
        return Part("timing", None, "no dates given")
    if gap == 0:
        return Part("timing", value, "available when needed", {"gap_days": 0})
    return Part(
        "timing",
        value,
        f"dates miss each other by {gap} days",
        {"gap_days": gap},
    )


def _one(offer: Scored, need: Scored) -> Fit:
    """A pair's parts on their own (the semantic ones left at zero)."""
    return fit(offer, need, semantic=0.0, raw_cosine=0.0)
