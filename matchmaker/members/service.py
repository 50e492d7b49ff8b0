"""A member's rules: who may ask for which introduction, their organisation's matches, visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from matchmaker.accounts.auth import Principal
from matchmaker.engine.matching import Matcher, expired
from matchmaker.errors import InputError, NotFound
from matchmaker.listings import visibility
from matchmaker.members.schemas import InterestIn, ProfileIn
from matchmaker.tables import (
    Introduction,
    Listing,
    Match,
    MemberVisit,
    Organisation,
    saved_id,
    utcnow,
)
from matchmaker.vocab import ListingKind, MatchStatus, Role, Status
from matchmaker.workspace import pipeline

# What a member's page follows: the steps a facilitator is working on, and the realised ones.
FOLLOWED = (*pipeline.OPEN, MatchStatus.realised)


def is_member(viewer: Principal) -> bool:
    """A member of an organisation: the people this package serves."""
    return viewer.role == Role.member and viewer.organisation_id is not None


def may_ask(viewer: Principal, listing: Listing) -> bool:
    """Whether the viewer may ask for an introduction to this listing's owner: a member of
    another organisation, and the listing active (an anonymous one too: the facilitator
    contacts its owner, who stays unnamed)."""
    return (
        is_member(viewer)
        and not viewer.owns(listing)
        and listing.status == Status.active
        and not expired(listing)
    )


def own_listings(
    session: Session, viewer: Principal, kind: ListingKind | None = None
) -> list[Listing]:
    """The viewer's organisation's listings (of `kind`), the newest first."""
    query = select(Listing).where(Listing.organisation_id == (viewer.organisation_id or -1))
    if kind is not None:
        query = query.where(Listing.kind == kind)
    return list(session.exec(query.order_by(col(Listing.created_at).desc(), col(Listing.id))))


def interest_choices(session: Session, viewer: Principal, other: Listing) -> list[Listing]:
    """The viewer's listings an interest in `other` can pair: active, of the opposite kind."""
    kind = ListingKind(other.kind).opposite
    return [
        lst
        for lst in own_listings(session, viewer, kind)
        if lst.status == Status.active and not expired(lst)
    ]


def ask(
    session: Session, matcher: Matcher, viewer: Principal, *, listing_id: int, data: InterestIn
) -> tuple[Match, bool]:
    """The member's "ask for an introduction" to `listing_id` for their listing `data.mine`:
    into the facilitators' queue, first, with the note (pipeline.request_introduction)."""
    other = session.get(Listing, listing_id)
    if other is None or not visibility.may_see(viewer, other):
        raise NotFound(f"listing {listing_id} does not exist")
    if viewer.owns(other):
        raise InputError("listing", "this is your own organisation's listing")
    if not may_ask(viewer, other):
        raise InputError("listing", "this listing is no longer available")
    mine = session.get(Listing, data.mine)
    if mine is None or not viewer.owns(mine):
        raise InputError("mine", "choose one of your organisation's listings")
    if mine not in interest_choices(session, viewer, other):
        raise InputError(
            "mine", f"choose an active {ListingKind(other.kind).opposite} of your organisation"
        )
    offer, need = (mine, other) if mine.kind == ListingKind.offer else (other, mine)
    return pipeline.request_introduction(
        session,
        matcher,
        offer=offer,
        need=need,
        organisation_id=viewer.organisation_id or 0,
        by=viewer.user,
        note=data.note.strip(),
    )


def organisation_of(session: Session, viewer: Principal) -> Organisation:
    org = session.get(Organisation, viewer.organisation_id or -1)
    if org is None:
        raise NotFound("you belong to no organisation")
    return org


def update_profile(session: Session, org: Organisation, data: ProfileIn) -> Organisation:
    for name, value in data.model_dump().items():
        setattr(org, name, value.strip() if isinstance(value, str) else value)
    session.add(org)
    session.commit()
    session.refresh(org)
    return org


def matches_of(session: Session, viewer: Principal) -> list[Match]:
    """The organisation's matches to follow: those in the pipeline or realised, and every one it
    asked for (whatever became of it), the latest change first."""
    ids = [saved_id(lst) for lst in own_listings(session, viewer)]
    if not ids:
        return []
    rows = list(
        session.exec(
            select(Match)
            .where(or_(col(Match.offer_id).in_(ids), col(Match.need_id).in_(ids)))
            .order_by(col(Match.updated_at).desc(), col(Match.id).desc())
        )
    )
    asked = asked_by(session, viewer, rows)
    return [m for m in rows if m.status in FOLLOWED or saved_id(m) in asked]


def asked_by(session: Session, viewer: Principal, matches: list[Match]) -> dict[int, str]:
    """match id -> the note of this organisation's request, for the matches it asked for."""
    found = pipeline.requesters(session, [saved_id(m) for m in matches])
    org = viewer.organisation_id or -1
    return {mid: by_org[org].note for mid, by_org in found.items() if org in by_org}


@dataclass
class Received:
    introduction: Introduction
    match: Match


def introductions_received(session: Session, viewer: Principal) -> list[Received]:
    """The introductions sent to the viewer's organisation, the newest first."""
    listings = {saved_id(lst): lst for lst in own_listings(session, viewer)}
    if not listings:
        return []
    rows = session.exec(
        select(Introduction, Match)
        .where(Introduction.match_id == Match.id)
        .where(or_(col(Match.offer_id).in_(listings), col(Match.need_id).in_(listings)))
        .order_by(col(Introduction.at).desc(), col(Introduction.id).desc())
    )
    out = []
    for intro, match in rows:
        side_listing = match.offer_id if intro.side == "offer" else match.need_id
        if side_listing in listings:  # the letter to our side, not the one to the other party
            out.append(Received(intro, match))
    return out


def last_visit(session: Session, viewer: Principal) -> datetime | None:
    """When the member last opened their page (naive UTC), and the visit is noted as now."""
    user_id = viewer.user.id if viewer.user else None
    if user_id is None:
        return None
    visit = session.get(MemberVisit, user_id)
    before = visit.seen_at.replace(tzinfo=None) if visit else None
    visit = visit or MemberVisit(user_id=user_id)
    visit.seen_at = utcnow()
    session.add(visit)
    session.commit()
    return before
