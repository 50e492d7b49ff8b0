"""The facilitator's match queue and pipeline: decisions and steps, each with who and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from matchmaker.accounts.auth import Principal
from matchmaker.engine.matching import Matcher, expired, today
from matchmaker.errors import Conflict, InputError, NotFound
from matchmaker.listings import visibility
from matchmaker.tables import (
    InterestRequest,
    Listing,
    Match,
    MatchEvent,
    User,
    saved_id,
    utcnow,
)
from matchmaker.vocab import ListingKind, MatchStatus, Status

S = MatchStatus
# Where a match may go from each step; "dropped" (with a reason) is possible from any open step.
NEXT: dict[MatchStatus, tuple[MatchStatus, ...]] = {
    S.suggested: (S.shortlisted, S.rejected),
    S.shortlisted: (S.introduced, S.dropped),
    S.introduced: (S.negotiating, S.dropped),
    S.negotiating: (S.pilot, S.realised, S.dropped),
    S.pilot: (S.realised, S.dropped),
    S.realised: (),
    S.rejected: (),
    S.dropped: (),
}
PIPELINE = (S.suggested, S.shortlisted, S.introduced, S.negotiating, S.pilot, S.realised)
OPEN = (S.shortlisted, S.introduced, S.negotiating, S.pilot)
REJECT_REASONS = (
    "not the same material",
    "quality or contamination",
    "too far apart",
    "quantities do not fit",
    "timing does not fit",
    "parties already in contact",
    "duplicate",
    "other",
)
# Past "introduced" only with both sides' consent: an anonymous side accepts (by its link or its
# page), or a facilitator records that it agreed by other means, in this history note.
BEYOND_INTRODUCED = (S.negotiating, S.pilot, S.realised)
AGREED = {
    side: f"{side} side agreed by other means (recorded by a facilitator)"
    for side in ("offer", "need")
}
# The note an anonymous side's "no" (by its link) writes; the match is dropped with "other".
DECLINED = {side: f"{side} side declined the introduction" for side in ("offer", "need")}
DROP_REASONS = (
    "no answer",
    "price",
    "logistics",
    "regulation or permits",
    "quality",
    "found another partner",
    "other",
)


# The history note of a member's request (workspace/views words it in the UI language).
REQUESTED = "introduction requested by a member"


@dataclass
class QueueReport:
    considered: int
    added: int


def fill_queue(
    session: Session, matcher: Matcher, *, threshold: float, per_listing: int = 3
) -> QueueReport:
    """Store each active need's best suggestions above `threshold` as new queue entries."""
    now = today()
    needs = [
        need
        for need in session.exec(
            select(Listing).where(Listing.kind == ListingKind.need, Listing.status == Status.active)
        )
        if not expired(need, now)
    ]
    known = {(m.offer_id, m.need_id) for m in session.exec(select(Match))}
    added = 0
    for need in needs:
        # suggest's one rule: never the need's own organisation, an expired or a rejected pair
        for s in matcher.suggest(session, need, k=per_listing):
            assert s.listing.id is not None and need.id is not None
            if s.fit.score < threshold or (s.listing.id, need.id) in known:
                continue
            match = Match(
                offer_id=s.listing.id,
                need_id=need.id,
                theme_id=need.theme_id,
                score=s.fit.score,
                parts={p.name: p.value for p in s.fit.parts},
                explanation=s.fit.explanation,
            )
            match.offer_revealed = visibility.starts_revealed(s.listing)
            match.need_revealed = visibility.starts_revealed(need)
            session.add(match)
            session.flush()
            session.add(
                MatchEvent(
                    match_id=saved_id(match),
                    to_status=S.suggested,
                    note="suggested by the matcher",
                )
            )
            known.add((s.listing.id, need.id))
            added += 1
    session.commit()
    return QueueReport(len(needs), added)


def _new_match(
    session: Session, matcher: Matcher, offer: Listing, need: Listing, note: str
) -> Match:
    """A match of this pair, scored as the matcher scores it, with its first history step."""
    fit = matcher.pair_fit(session, offer, need)
    match = Match(
        offer_id=saved_id(offer),
        need_id=saved_id(need),
        theme_id=need.theme_id,
        score=fit.score,
        parts={p.name: p.value for p in fit.parts},
        explanation=fit.explanation,
        offer_revealed=visibility.starts_revealed(offer),
        need_revealed=visibility.starts_revealed(need),
    )
    session.add(match)
    session.flush()
    session.add(MatchEvent(match_id=saved_id(match), to_status=S.suggested, note=note))
    return match


def request_introduction(
    session: Session,
    matcher: Matcher,
    *,
    offer: Listing,
    need: Listing,
    organisation_id: int,
    by: User | None,
    note: str = "",
) -> tuple[Match, bool]:
    """A member of one side asks for an introduction to the other: the pair's match is made,
    or taken back into the queue if a facilitator had closed it, and marked requested, with
    the member's note. Returns the match and whether this was a new request (asking again
    while the first request is open changes nothing)."""
    match = session.exec(
        select(Match).where(Match.offer_id == offer.id, Match.need_id == need.id)
    ).first()
    if match is None:
        match = _new_match(session, matcher, offer, need, REQUESTED)
    elif match.status == S.realised:
        raise Conflict("this match is realised already: the parties are working together")
    elif match.status in (S.rejected, S.dropped):
        _history(session, match, by=by, to=S.suggested, note=REQUESTED)
        match.status, match.reason = S.suggested, None
    elif organisation_id in requesters(session, [saved_id(match)]).get(saved_id(match), {}):
        return match, False
    else:
        _history(session, match, by=by, to=match.status, note=REQUESTED)
    match.updated_at = utcnow()
    session.add(match)
    session.add(
        InterestRequest(
            match_id=saved_id(match),
            organisation_id=organisation_id,
            user_id=by.id if by else None,
            note=note,
        )
    )
    session.commit()
    session.refresh(match)
    return match, True


def requesters(session: Session, match_ids: list[int]) -> dict[int, dict[int, InterestRequest]]:
    """match id -> organisation id -> its latest request, for the matches members asked for."""
    if not match_ids:
        return {}
    out: dict[int, dict[int, InterestRequest]] = {}
    rows = session.exec(
        select(InterestRequest)
        .where(col(InterestRequest.match_id).in_(match_ids))
        .order_by(col(InterestRequest.at), col(InterestRequest.id))
    )
    for r in rows:
        out.setdefault(r.match_id, {})[r.organisation_id] = r
    return out


def requested_first(query: Any, *, min_score: float | None = None) -> Any:
    """The queue's order: the matches members asked for first, earliest request first, then
    by score; `min_score` filters the others only (a member's request is never hidden)."""
    asked = (
        select(InterestRequest.match_id, func.min(InterestRequest.at).label("asked"))
        .group_by(col(InterestRequest.match_id))
        .subquery()
    )
    query = query.outerjoin(asked, asked.c.match_id == Match.id)
    if min_score is not None:
        query = query.where((col(Match.score) >= min_score) | asked.c.asked.is_not(None))
    return query.order_by(
        asked.c.asked.is_(None), asked.c.asked, col(Match.score).desc(), col(Match.id)
    )


def get_match(session: Session, match_id: int) -> Match:
    match = session.get(Match, match_id)
    if match is None:
        raise NotFound(f"match {match_id} does not exist")
    return match


def visible_match(session: Session, viewer: Principal, match_id: int) -> Match:
    """The match if this viewer is a facilitator or one of its two parties; to anyone else it
    does not exist (NotFound), so that its being there tells them nothing."""
    match = get_match(session, match_id)
    offer, need = session.get(Listing, match.offer_id), session.get(Listing, match.need_id)
    if not visibility.may_see_match(viewer, offer, need):
        raise NotFound(f"match {match_id} does not exist")
    return match


def move(
    session: Session,
    match: Match,
    to: MatchStatus,
    *,
    by: User | None,
    note: str = "",
    reason: str | None = None,
    agreed: bool = False,
) -> Match:
    """One step along the pipeline, recorded with who, when, why; the caller's rules first.

    `agreed`: the facilitator records that the sides still anonymous and unanswered agreed
    by other means, which lets the match past "introduced"."""
    current = MatchStatus(match.status)
    if to not in NEXT[current] and not (to == S.dropped and current in OPEN):
        allowed = ", ".join(NEXT[current]) or "nothing: it is closed"
        raise InputError("status", f"a {current} match can go to {allowed}, not {to}")
    waiting = unanswered(session, match) if to in BEYOND_INTRODUCED else []
    if waiting and not agreed:
        raise InputError(
            "agreed",
            f"the {' and '.join(waiting)} side is anonymous and has not accepted the "
            "introduction: record that it agreed by other means to move on",
        )
    for side in waiting:
        session.add(
            MatchEvent(
                match_id=saved_id(match),
                user_id=by.id if by else None,
                from_status=current,
                to_status=current,
                note=AGREED[side],
            )
        )
    if to == S.rejected and reason not in REJECT_REASONS:
        raise InputError("reason", f"choose a reason: {', '.join(REJECT_REASONS)}")
    if to == S.dropped and reason not in DROP_REASONS:
        raise InputError("reason", f"choose a reason: {', '.join(DROP_REASONS)}")
    session.add(
        MatchEvent(
            match_id=saved_id(match),
            user_id=by.id if by else None,
            from_status=current,
            to_status=to,
            reason=reason,
            note=note,
        )
    )
    match.status, match.reason, match.updated_at = to, reason, utcnow()
    session.add(match)
    session.commit()
    session.refresh(match)
    return match


def decide(
    session: Session,
    match: Match,
    to: MatchStatus,
    *,
    by: User | None,
    note: str = "",
    reason: str | None = None,
    agreed: bool = False,
) -> Match:
    """A facilitator's step: any allowed one but "introduced", which sending the introduction
    makes (so that no match is marked introduced without its letters)."""
    if to == S.introduced:
        raise InputError("status", "send the introduction to mark a match introduced")
    return move(session, match, to, by=by, note=note, reason=reason, agreed=agreed)


def unanswered(session: Session, match: Match) -> list[str]:
    """The sides still anonymous whose owner has neither accepted the introduction nor been
    recorded as agreeing by other means: the match waits for them at "introduced"."""
    accepted = visibility.acceptances(session, [saved_id(match)])
    agreed = {
        note
        for note in session.exec(
            select(MatchEvent.note).where(
                MatchEvent.match_id == match.id, col(MatchEvent.note).in_(AGREED.values())
            )
        )
    }
    out = []
    for side, listing_id in (("offer", match.offer_id), ("need", match.need_id)):
        listing = session.get(Listing, listing_id)
        if (
            listing is not None
            and visibility.awaits_owner(match, side, listing, accepted)
            and AGREED[side] not in agreed
        ):
            out.append(side)
    return out


def note(session: Session, match: Match, *, by: User | None, note: str) -> None:
    """A history entry that does not change the status."""
    _history(session, match, by=by, to=match.status, note=note)
    match.updated_at = utcnow()
    session.add(match)
    session.commit()


def _history(session: Session, match: Match, *, by: User | None, to: S, note: str) -> None:
    """One entry in a match's history, from its present status to `to`."""
    session.add(
        MatchEvent(
            match_id=saved_id(match),
            user_id=by.id if by else None,
            from_status=match.status,
            to_status=to,
            note=note,
        )
    )


def history(session: Session, match: Match) -> list[MatchEvent]:
    return list(
        session.exec(
            select(MatchEvent)
            .where(MatchEvent.match_id == match.id)
            .order_by(col(MatchEvent.at), col(MatchEvent.id))
        )
    )


def stale(session: Session, days: int) -> list[Match]:
    """Open matches nobody has moved for `days` days: the dashboard's reminders."""
    cutoff = utcnow() - timedelta(days=days)
    return list(
        session.exec(
            select(Match)
            .where(col(Match.status).in_(OPEN), col(Match.updated_at) < cutoff)
            .order_by(col(Match.updated_at))
        )
    )
