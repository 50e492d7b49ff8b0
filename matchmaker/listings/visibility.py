"""What of a listing, and of a match, a viewer may see: the one rule every surface asks."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, col, select

from matchmaker.accounts.auth import VISITOR, Owned, Principal
from matchmaker.tables import Listing, Match, MatchEvent
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


class Shown(Owned, Protocol):
    """A listing, or a row of its columns (the suggestions' answer): what owner_named reads."""

    @property
    def visibility(self) -> str: ...


def owner_named(viewer: Principal, listing: Shown) -> bool:
    """Whether the listing names its organisation to this viewer: a public one to everyone,
    an anonymous one only to its own organisation and to facilitators."""
    return listing.visibility == Visibility.public or viewer.curates or viewer.owns(listing)


def on_organisation_page(viewer: Principal, listing: Listing) -> bool:
    """Whether the listing is shown on its organisation's page: being there names its owner."""
    return may_see(viewer, listing) and owner_named(viewer, listing)


def starts_revealed(listing: Listing) -> bool:
    """The reveal flag a new match starts with (a record of what was told when: whom a
    match names is match_side's to say, from the listing as it is now and the acceptances)."""
    return listing.visibility != Visibility.anonymous


# The history note an owner's acceptance writes (workspace/introductions.accept): the one record
# that a side was revealed by its owner, rather than public when the match was made.
ACCEPTED = {side: f"{side} side accepted and was revealed" for side in ("offer", "need")}
Acceptances = Collection[tuple[int, str]]  # (match id, side) of each side its owner revealed


def acceptances(session: Session, match_ids: Collection[int] | None = None) -> set[tuple[int, str]]:
    """The sides whose owners accepted the introduction, of these matches (None: of all)."""
    if match_ids is not None and not match_ids:
        return set()
    query = select(MatchEvent.match_id, MatchEvent.note).where(
        col(MatchEvent.note).in_(ACCEPTED.values()),
        col(MatchEvent.from_status) == col(MatchEvent.to_status),  # a note, never a move
    )
    if match_ids is not None:
        query = query.where(col(MatchEvent.match_id).in_(match_ids))
    side_of = {note: side for side, note in ACCEPTED.items()}
    return {(match_id, side_of[note]) for match_id, note in session.exec(query)}


@dataclass(frozen=True)
class SideSeen:
    """What a viewer sees of one side of a match."""

    shown: bool  # the listing as it is now; False: withdrawn (draft, pending, closed) for them
    named: bool  # its organisation's name


def match_side(
    viewer: Principal, match: Match, side: str, listing: Listing, accepted: Acceptances
) -> SideSeen:
    """The one rule of a match's side, which its page, its JSON, its export and its letters ask.

    A side's listing is shown to whom it exists (may_see): to the other party a listing
    withdrawn into a draft, pending or closed is only "no longer available", never its new
    content. Its organisation is named where the listing itself names it now (a listing
    that turned anonymous stops being named, even on matches made while it was public), or
    once its owner accepted the introduction of this match.
    """
    shown = may_see(viewer, listing)
    named = shown and (owner_named(viewer, listing) or (match.id or 0, side) in accepted)
    return SideSeen(shown, named)


def seen_by_other_party(
    match: Match, side: str, listing: Listing, accepted: Acceptances
) -> SideSeen:
    """What the other party of the match sees of this side (in letters and exports).

    The other party neither owns this listing nor curates, so of it they see what any
    visitor sees, plus what its owner's acceptance has revealed.
    """
    return match_side(VISITOR, match, side, listing, accepted)


def named_to_other_party(match: Match, side: str, listing: Listing, accepted: Acceptances) -> bool:
    """Whether the other party of the match learns who this side is."""
    return seen_by_other_party(match, side, listing, accepted).named


def awaits_owner(match: Match, side: str, listing: Listing, accepted: Acceptances) -> bool:
    """Whether this side stays unnamed to the other party until its owner accepts: it is
    anonymous now, and its owner has not accepted this match's introduction."""
    return listing.visibility == Visibility.anonymous and (match.id or 0, side) not in accepted


def may_see_match(viewer: Principal, offer: Listing | None, need: Listing | None) -> bool:
    """A match exists for facilitators and for the two organisations it pairs."""
    return viewer.curates or any(lst is not None and viewer.owns(lst) for lst in (offer, need))
