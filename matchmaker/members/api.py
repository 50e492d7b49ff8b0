"""JSON: a member asks for an introduction (POST /api/listings/{id}/interest)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from matchmaker.accounts import auth
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.errors import ErrorDetail
from matchmaker.members import service
from matchmaker.members.schemas import InterestIn, InterestOut
from matchmaker.shapes import PathId

router = APIRouter(prefix="/api", tags=["members"])


@router.post(
    "/listings/{listing_id}/interest",
    response_model=InterestOut,
    responses={409: {"model": ErrorDetail, "description": "The match is realised already."}},
)
def ask_for_introduction(
    listing_id: PathId,
    data: InterestIn,
    session: SessionDep,
    matcher: MatcherDep,
    principal: auth.UserDep,
) -> InterestOut:
    """ "I'm interested": puts the pair of `mine` and this listing first in the facilitators'
    queue, marked as requested by a member, with the note. The other party hears of it from
    a facilitator, never from this answer (an anonymous one stays unnamed)."""
    if not service.is_member(principal):
        raise HTTPException(403, "only members of an organisation ask for introductions")
    match, new = service.ask(session, matcher, principal, listing_id=listing_id, data=data)
    return InterestOut(match_id=match.id or 0, status=str(match.status), new=new)
