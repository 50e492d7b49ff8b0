"""What of a listing, and of a match, a viewer may see: the one rule every surface asks."""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from matchmaker.accounts.auth import VISITOR, Principal
from matchmaker.tables import Listing, Match
from matchmaker.vocab import Status, Visibility


def may_see(viewer: Principal, listing: Listing) -> bool:
    """Whether the listing exists for this viewer: drafts, pending and closed ones are shown
    only to its own organisation and to facilitators."""
    return listing.status == Status.active or viewer.curates or viewer.owns(listing)


def seen_clauses(viewer: Principal) -> list[Any]:
    """`may_see` as SQL conditions on Listing, for lists that go beyond active listings."""
    if viewer.curates:
        return []
    return [
        (col(Listing.status) == Status.active)
        | (col(Listing.organisation_id) == (viewer.organisation_id or -1))
    ]


def owner_named(viewer: Principal, listing: Listing) -> bool:
    """Whether the listing names its organisation to this viewer: a public one to everyone,
    an anonymous one only to its own organisation and to facilitators."""
    return listing.visibility == Visibility.public or viewer.curates or viewer.owns(listing)


def on_organisation_page(viewer: Principal, listing: Listing) -> bool:
    """Whether the listing is shown on its organisation's page: being there names its owner."""
    return may_see(viewer, listing) and owner_named(viewer, listing)


def starts_revealed(listing: Listing) -> bool:
    """Whether a new match names this side to the other party from the start: an anonymous
    side is named only once its owner accepts the introduction."""
    return listing.visibility != Visibility.anonymous


def revealed(match: Match, side: str) -> bool:
    """Whether the match names this side to the other party: an anonymous side is revealed
    once its owner accepts the introduction."""
    return match.offer_revealed if side == "offer" else match.need_revealed


def side_named(viewer: Principal, match: Match, side: str, listing: Listing) -> bool:
    """Whether a match names this side's organisation to this viewer: where the listing
    itself does, or once the side has been revealed to the other party."""
    return owner_named(viewer, listing) or revealed(match, side)


def named_to_other_party(match: Match, side: str, listing: Listing) -> bool:
    """Whether the other party of the match learns who this side is (in e-mails and exports).

    The other party neither owns this listing nor curates, so of it they see what any
    visitor sees, plus what the match has revealed.
    """
    return side_named(VISITOR, match, side, listing)


def may_see_match(viewer: Principal, offer: Listing | None, need: Listing | None) -> bool:
    """A match exists for facilitators and for the two organisations it pairs."""
    return viewer.curates or any(lst is not None and viewer.owns(lst) for lst in (offer, need))
