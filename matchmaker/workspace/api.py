"""JSON API of the facilitator workspace: queue, pipeline, introductions, impact, dashboard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel
from sqlmodel import col, select

from matchmaker.accounts import auth
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.listings import public as listing_public
from matchmaker.listings import service as listing_service
from matchmaker.listings import visibility
from matchmaker.shapes import PathId
from matchmaker.tables import Listing, Match, MatchEvent, Theme, saved_id
from matchmaker.vocab import MatchStatus
from matchmaker.workspace import dashboard, impact, introductions, pipeline
from matchmaker.workspace.schemas import ImpactIn, IntroductionIn, MoveIn, RefreshIn

router = APIRouter(prefix="/api/matches", tags=["matches"])


class MatchPublic(BaseModel):
    id: int
    theme: str
    status: MatchStatus
    reason: str | None
    score: float
    explanation: str
    offer_id: int
    need_id: int
    offer_available: bool  # False: withdrawn for this viewer (draft, pending, closed)
    need_available: bool
    offer_title: str | None  # None where the side is no longer available to this viewer
    need_title: str | None
    offer_organisation: str | None
    need_organisation: str | None
    tonnes_per_year: float | None
    co2e_t_per_year: float | None
    updated_at: Any
    requested: bool = False  # a member of one side asked for the introduction: first in the queue


def public(session: SessionDep, match: Match, viewer: auth.Principal) -> MatchPublic:
    """A match as this viewer may see it (visibility.match_side, as the match page): an
    unrevealed anonymous side stays unnamed, a withdrawn one shows nothing of itself."""
    offer, need = session.get(Listing, match.offer_id), session.get(Listing, match.need_id)
    theme = session.get(Theme, match.theme_id)
    assert offer is not None and need is not None and theme is not None
    names = listing_public.organisation_names(session, [offer, need])
    accepted = visibility.acceptances(session, [saved_id(match)])
    seen_offer = visibility.match_side(viewer, match, "offer", offer, accepted)
    seen_need = visibility.match_side(viewer, match, "need", need, accepted)
    return MatchPublic(
        id=saved_id(match),
        theme=theme.slug,
        status=match.status,
        reason=match.reason,
        score=match.score,
        explanation=match.explanation,
        offer_id=saved_id(offer),
        need_id=saved_id(need),
        offer_available=seen_offer.shown,
        need_available=seen_need.shown,
        offer_title=offer.title if seen_offer.shown else None,
        need_title=need.title if seen_need.shown else None,
        offer_organisation=names.get(offer.organisation_id) if seen_offer.named else None,
        need_organisation=names.get(need.organisation_id) if seen_need.named else None,
        tonnes_per_year=match.tonnes_per_year,
        co2e_t_per_year=match.co2e_t_per_year,
        updated_at=match.updated_at,
        requested=bool(pipeline.requesters(session, [saved_id(match)])),
    )


@router.get("", response_model=list[MatchPublic])
def list_matches(
    session: SessionDep,
    principal: auth.CuratorDep,
    status: MatchStatus | None = None,
    theme: str | None = None,
    min_score: Annotated[float, Query(ge=0, le=100)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[MatchPublic]:
    query = select(Match).where(col(Match.score) >= min_score)
    if status:
        query = query.where(Match.status == status)
    if theme:
        query = query.where(Match.theme_id == listing_service.theme_by_slug(session, theme).id)
    rows = session.exec(pipeline.requested_first(query).limit(limit))
    return [public(session, m, principal) for m in rows]


@router.post("/refresh", response_model=dict[str, int])
def refresh(
    data: RefreshIn,
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    principal: auth.CuratorDep,
) -> dict[str, int]:
    threshold = data.threshold
    if threshold is None:
        threshold = request.app.state.settings.queue_threshold
    report = pipeline.fill_queue(
        session, matcher, threshold=threshold, per_listing=data.per_listing
    )
    return {"needs": report.considered, "added": report.added}


@router.get("/stale", response_model=list[MatchPublic])
def stale(request: Request, session: SessionDep, principal: auth.CuratorDep) -> list[MatchPublic]:
    days = request.app.state.settings.stale_days
    return [public(session, m, principal) for m in pipeline.stale(session, days)]


@router.get("/dashboard", response_model=dict[str, Any])
def figures(
    session: SessionDep, principal: auth.CuratorDep, theme: str | None = None
) -> dict[str, Any]:
    theme_id = listing_service.theme_by_slug(session, theme).id if theme else None
    return dashboard.figures(session, theme_id).__dict__


@router.get("/{match_id}", response_model=MatchPublic)
def read_match(match_id: PathId, session: SessionDep, viewer: auth.UserDep) -> MatchPublic:
    return public(session, pipeline.visible_match(session, viewer, match_id), viewer)


@router.get("/{match_id}/history", response_model=list[MatchEvent])
def match_history(
    match_id: PathId, session: SessionDep, principal: auth.CuratorDep
) -> list[MatchEvent]:
    return pipeline.history(session, pipeline.get_match(session, match_id))


@router.post("/{match_id}/status", response_model=MatchPublic)
def move(
    match_id: PathId, data: MoveIn, session: SessionDep, principal: auth.CuratorDep
) -> MatchPublic:
    match = pipeline.get_match(session, match_id)
    match = pipeline.decide(
        session,
        match,
        data.status,
        by=principal.user,
        note=data.note,
        reason=data.reason,
        agreed=data.agreed,
    )
    return public(session, match, principal)


@router.get("/{match_id}/introduction", response_model=list[dict[str, str]])
def draft_introduction(
    match_id: PathId, request: Request, session: SessionDep, principal: auth.CuratorDep
) -> list[dict[str, str]]:
    assert principal.user is not None
    match = pipeline.get_match(session, match_id)
    return [
        d.__dict__
        for d in introductions.drafts(session, request.app.state.settings, match, principal.user)
    ]


@router.post("/{match_id}/introduction", response_model=MatchPublic)
def send_introduction(
    match_id: PathId,
    data: IntroductionIn,
    request: Request,
    session: SessionDep,
    principal: auth.CuratorDep,
) -> MatchPublic:
    assert principal.user is not None
    match = pipeline.get_match(session, match_id)
    introductions.send(session, request.app.state.settings, match, principal.user, data.edited())
    return public(session, match, principal)


@router.post("/{match_id}/accept", response_model=MatchPublic)
def accept(
    match_id: PathId, request: Request, session: SessionDep, principal: auth.UserDep
) -> MatchPublic:
    """The owner of an anonymous side accepts the introduction and is named to the other."""
    match = pipeline.visible_match(session, principal, match_id)
    if not introductions.owned_sides(session, match, principal):
        raise HTTPException(403, "only the anonymous listing's organisation accepts")
    introductions.accept_as(session, request.app.state.settings, match, principal)
    return public(session, match, principal)


@router.put("/{match_id}/impact", response_model=dict[str, Any])
def record_impact(
    match_id: PathId,
    data: ImpactIn,
    session: SessionDep,
    principal: auth.CuratorDep,
) -> dict[str, Any]:
    match = pipeline.get_match(session, match_id)
    result = impact.record(session, match, data.amount_per_year, data.unit, by=principal.user)
    return {
        "tonnes_per_year": result.tonnes_per_year,
        "co2e_t_per_year": result.co2e_t_per_year,
        "note": result.note,
        "source": result.factor.source if result.factor else None,
    }
