"""A stored match's reasons in plain words, in any language: its page and its letters agree."""

from __future__ import annotations

from matchmaker.engine import explanations, scoring, wording
from matchmaker.engine.vectors import text_of
from matchmaker.tables import Listing, Match
from matchmaker.web.i18n import Translator


def of_match(
    match: Match, offer: Listing, need: Listing, t: Translator
) -> list[explanations.Reason]:
    """The score's parts in plain words: the stored similarities of meaning and wording (the
    n-gram vectors cost more than the rest of a queue card), the rest from the listings."""
    semantic = match.parts.get("semantic")
    shared = match.parts.get("wording")
    if shared is None and offer.language == need.language:  # stored before it was a part
        shared = float(wording.similarities(text_of(offer), [text_of(need)])[0])
    found = scoring.parts(offer, need, semantic=semantic or 0.0, raw_cosine=0.0, wording=shared)
    if semantic is None:
        found[0].value = None
    return explanations.reasons(found, t)


def in_words(match: Match, offer: Listing, need: Listing, t: Translator) -> str:
    """The reasons as one paragraph, as a letter says them."""
    return " ".join(r.text for r in of_match(match, offer, need, t))
