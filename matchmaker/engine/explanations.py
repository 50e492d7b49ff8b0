"""Plain-language sentences, in the UI language, for the parts of a suggestion's score."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matchmaker.engine import ewc
from matchmaker.engine.geo import find
from matchmaker.engine.scoring import Part
from matchmaker.web.i18n import N_, Translator

# Bands of the language-centred similarity (0..1) the index ranks by; e5's raw cosines sit in a
# narrow band, so the words follow the centred value. Set on the demo seeds with the real model:
# a need's best suggestion has a median of 0.41, its tenth and later ones 0.21.
CLOSE, RELATED = 0.42, 0.28
# A part worth this much (0..1) reads as good; below WEAK as a mismatch.
GOOD, WEAK = 0.7, 0.35
# Bands of the shared wording (character n-gram cosine) of two texts in one language: a pair
# that names the same things shares 0.35 or more; unrelated texts 0.1–0.2.
MANY_WORDS, SOME_WORDS = 0.35, 0.2

LABELS = {
    "semantic": N_("part.semantic"),
    "language": N_("part.language"),
    "wording": N_("part.wording"),
    "category": N_("part.category"),
    "distance": N_("part.distance"),
    "quantity": N_("part.quantity"),
    "timing": N_("part.timing"),
    "codes": N_("part.codes"),
}


@dataclass
class Reason:
    name: str
    label: str
    text: str
    tone: str  # good, fair, weak or unknown: a CSS class beside the sentence, never alone


def reasons(parts: Sequence[Part], t: Translator) -> list[Reason]:
    """One sentence per part, in the order the scorer gives them."""
    return [
        Reason(
            p.name,
            t(LABELS[p.name]) if p.name in LABELS else p.name,
            _SENTENCES.get(p.name, _fallback)(p, t),
            _tone(p),
        )
        for p in parts
    ]


def _tone(part: Part) -> str:
    if part.name == "semantic":
        return tone(part.value, CLOSE, RELATED)
    if part.name == "wording":
        return tone(part.value, MANY_WORDS, SOME_WORDS)
    if part.name == "language":  # neither for nor against: the score takes the pull back out
        return "unknown"
    return tone(part.value)


def tone(value: float | None, good: float = GOOD, weak: float = WEAK) -> str:
    """The dot beside a sentence; the semantic part has its own bands (the words' bands)."""
    if value is None:
        return "unknown"
    return "good" if value >= good else "fair" if value >= weak else "weak"


def _semantic(part: Part, t: Translator) -> str:
    sim = part.value or 0.0  # the similarity clipped to 0..1: below 0 reads as nothing shared
    shown = t.fixed(sim, 2)
    if sim >= CLOSE:
        return t("explain.semantic.close", similarity=shown)
    if sim >= RELATED:
        return t("explain.semantic.related", similarity=shown)
    return t("explain.semantic.far", similarity=shown)


def _language(part: Part, t: Translator) -> str:
    return _same_or_not(
        part, t, "language", N_("explain.language.same"), N_("explain.language.different")
    )


def _wording(part: Part, t: Translator) -> str:
    if part.value is None:
        return t("explain.wording.not_compared")
    shown = t.fixed(part.value, 2)
    if part.value >= MANY_WORDS:
        return t("explain.wording.many", overlap=shown)
    if part.value >= SOME_WORDS:
        return t("explain.wording.some", overlap=shown)
    return t("explain.wording.few", overlap=shown)


def _category(part: Part, t: Translator) -> str:
    return _same_or_not(
        part, t, "category", N_("explain.category.same"), N_("explain.category.different")
    )


def _same_or_not(part: Part, t: Translator, vocabulary: str, same: str, different: str) -> str:
    """One sentence when both sides say the same ({<vocabulary>} is it), another naming both."""
    offer, need = part.facts.get("offer"), part.facts.get("need")
    if offer == need:
        return t(same, **{vocabulary: t.label(vocabulary, offer)})
    return t(different, offer=t.label(vocabulary, offer), need=t.label(vocabulary, need))


def _place(name: Any, t: Translator) -> str:
    place = find(str(name)) if name else None
    if place is None:
        return str(name or "")
    return place.name_sv if t.lang == "sv" else place.name_fi


def _distance(part: Part, t: Translator) -> str:
    km = part.facts.get("km")
    if km is None:
        return t("explain.distance.unknown")
    here, there = _place(part.facts.get("from"), t), _place(part.facts.get("to"), t)
    if here == there:
        return t("explain.distance.same", place=here)
    return t("explain.distance.km", km=t.number(float(km), 0), here=here, there=there)


def _quantity(part: Part, t: Translator) -> str:
    ratio = part.facts.get("ratio")
    if ratio is None:
        return t("explain.quantity.unknown")
    unit = t.label("unit", part.facts.get("unit"))
    offer = t(
        "amount.per_year", amount=t.number(float(part.facts["offer_per_year"] or 0), 1), unit=unit
    )
    need = t(
        "amount.per_year", amount=t.number(float(part.facts["need_per_year"] or 0), 1), unit=unit
    )
    ratio = float(ratio)
    if ratio < 0.95:
        return t("explain.quantity.less", percent=t.number(100 * ratio, 0), offer=offer, need=need)
    if ratio > 1.05:
        return t("explain.quantity.more", times=t.number(ratio, 1), offer=offer, need=need)
    return t("explain.quantity.match", offer=offer)


def _timing(part: Part, t: Translator) -> str:
    gap = part.facts.get("gap_days")
    if gap is None:
        return t("explain.timing.unknown")
    if int(float(gap)) <= 0:
        return t("explain.timing.overlap")
    return t("explain.timing.gap", days=int(float(gap)))


def _codes(part: Part, t: Translator) -> str:
    code, how, met = (part.facts.get(k) for k in ("offer_code", "match", "met"))
    shown = ewc.spaced(str(code)) if code else ""
    other = ewc.spaced(str(met)) if met else ""
    if not code:
        text = t("explain.codes.no_code")
    elif how is None:
        text = t("explain.codes.none_accepted")
    elif how == "code":
        text = t("explain.codes.same", code=shown)
    elif how == "sub_chapter":
        text = t("explain.codes.sub_chapter", code=shown, other=other)
    elif how == "chapter":
        text = t("explain.codes.chapter", code=shown, other=other)
    else:
        accepted = ", ".join(ewc.spaced(c) for c in str(part.facts.get("accepted") or "").split())
        text = t("explain.codes.different", code=shown, accepted=accepted)
    if part.facts.get("hazardous"):  # whatever the need accepts, a permit is the receiver's
        text += " " + t("explain.codes.hazardous", code=shown)
    return text


def _fallback(part: Part, _: Translator) -> str:
    return part.text  # a part added to the scorer later: its English sentence until translated


_SENTENCES: dict[str, Callable[[Part, Translator], str]] = {
    "semantic": _semantic,
    "language": _language,
    "wording": _wording,
    "category": _category,
    "distance": _distance,
    "quantity": _quantity,
    "timing": _timing,
    "codes": _codes,
}
