"""JSON API for listings: create, read, update, close, approve, list, suggestions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from matchmaker.accounts import auth
from matchmaker.deps import MatcherDep, SessionDep, session_and_matcher
from matchmaker.engine import ranker
from matchmaker.engine.rankings import Candidate, Ranking
from matchmaker.errors import InputError, NotFound
from matchmaker.listings import public, service, visibility
from matchmaker.listings.schemas import (
    ListingCreate,
    ListingPage,
    ListingPublic,
    ListingUpdate,
    SuggestionPublic,
)
from matchmaker.shapes import PathId
from matchmaker.tables import Listing
from matchmaker.vocab import Category, ListingKind, Role, Status

router = APIRouter(prefix="/api/listings", tags=["listings"])


def visible(session: SessionDep, listing_id: PathId, viewer: auth.Principal) -> Listing:
    """The listing if this viewer may see it; otherwise it does not exist for them."""
    listing = service.get_listing(session, listing_id)
    if not visibility.may_see(viewer, listing):
        raise NotFound(f"listing {listing_id} does not exist")
    return listing


def editable(session: SessionDep, listing_id: PathId, principal: auth.Principal) -> Listing:
    listing = visible(session, listing_id, principal)
    if not principal.can_edit(listing):
        raise HTTPException(403, "only the listing's organisation or a facilitator may change it")
    return listing


@router.get("", response_model=ListingPage)
def list_listings(
    session: SessionDep,
    viewer: auth.ViewerDep,
    theme: str | None = None,
    kind: ListingKind | None = None,
    category: Category | None = None,
    municipality: str | None = None,
    status: Annotated[Status | Literal["all"], Query(description="`all` for every status")] = (
        Status.active
    ),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> ListingPage:
    theme_id = service.theme_by_slug(session, theme).id if theme else None
    filters = {
        "theme_id": theme_id,
        "kind": kind,
        "category": category,
        "municipality": municipality,
        "status": None if status == "all" else status,
    }
    # beyond active listings, one sees only one's own organisation's
    extra = visibility.seen_clauses(viewer) if status != Status.active else []
    total, rows = service.list_listings(
        session, filters=filters, where=extra, limit=limit, offset=offset
    )
    return ListingPage(
        total=total, limit=limit, offset=offset, items=public.present(session, rows, viewer)
    )


@router.post("", response_model=ListingPublic, status_code=status.HTTP_201_CREATED)
def create_listing(
    data: ListingCreate,
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    principal: auth.UserDep,
) -> ListingPublic:
    if principal.role == Role.member and data.organisation_id != principal.organisation_id:
        raise HTTPException(403, "members post for their own organisation only")
    approval = request.app.state.settings.approval_required
    data = data.model_copy(
        update={
            "status": service.status_on_save(
                principal, None, data.status, approval_required=approval
            )
        }
    )
    listing = service.create_listing(session, data=data, matcher=matcher, by=principal)
    return public.present(session, [listing], principal)[0]


@router.get("/{listing_id}", response_model=ListingPublic)
def read_listing(listing_id: PathId, session: SessionDep, viewer: auth.ViewerDep) -> ListingPublic:
    return public.present(session, [visible(session, listing_id, viewer)], viewer)[0]


@router.patch("/{listing_id}", response_model=ListingPublic)
def update_listing(
    listing_id: PathId,
    data: ListingUpdate,
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    principal: auth.UserDep,
) -> ListingPublic:
    listing = editable(session, listing_id, principal)
    if data.version is None:
        raise InputError(
            "version",
            "send the version you edited (from the listing), so "
            "that nobody's concurrent edit is overwritten",
        )
    if data.status is not None:
        approval = request.app.state.settings.approval_required
        data = data.model_copy(
            update={
                "status": service.status_on_save(
                    principal, Status(listing.status), data.status, approval_required=approval
                )
            }
        )
    listing = service.update_listing(
        session, listing=listing, data=data, matcher=matcher, by=principal
    )
    return public.present(session, [listing], principal)[0]


@router.post("/{listing_id}/close", response_model=ListingPublic)
def close_listing(
    listing_id: PathId, session: SessionDep, matcher: MatcherDep, principal: auth.UserDep
) -> ListingPublic:
    listing = editable(session, listing_id, principal)
    listing = service.update_listing(
        session,
        listing=listing,
        data=ListingUpdate(status=Status.closed),
        matcher=matcher,
        by=principal,
    )
    return public.present(session, [listing], principal)[0]


@router.post("/{listing_id}/approve", response_model=ListingPublic)
def approve_listing(
    listing_id: PathId, session: SessionDep, matcher: MatcherDep, principal: auth.CuratorDep
) -> ListingPublic:
    listing = service.get_listing(session, listing_id)
    listing = service.approve_listing(session, listing=listing, by=principal.user, matcher=matcher)
    return public.present(session, [listing], principal)[0]


@router.get("/{listing_id}/suggestions", response_model=list[SuggestionPublic])
async def suggestions(
    request: Request,
    listing_id: PathId,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    all_themes: bool = False,
    min_score: Annotated[
        float,
        Query(
            ge=0,
            le=100,
            description="lowest calibrated score to return; the default is the 'possible' "
            "floor, below which a listing has no good match yet; 0 returns the whole ranking",
        ),
    ] = ranker.POSSIBLE,
) -> Response:
    """The listing's best partners, best first: each with its calibrated score, its band and
    its parts in words. Never a listing of its own organisation or of the viewer's, nor an
    expired one, nor a pair a facilitator rejected."""
    # The route under load answers on the event loop while its matcher is in step: a cached
    # answer is a few milliseconds of Python, which would hold the GIL in a worker thread as
    # well, and the hop to the thread and the GIL's hand-offs cost more than that (README,
    # Performance). A matcher behind the change log catches up in a worker thread, and an API
    # token's hourly note of its use is written there too: no commit waits on the loop.
    args = (request, listing_id, k, all_themes, min_score)
    body = _suggestions(*args, on_loop=True)
    if body is None:
        body = await run_in_threadpool(_suggestions, *args, on_loop=False)
    return Response(body, media_type="application/json")


def _suggestions(
    request: Request,
    listing_id: int,
    k: int,
    all_themes: bool,
    min_score: float,
    *,
    on_loop: bool,
) -> bytes | None:
    """The answer as JSON; on the loop, None where it would wait: for the matcher to catch up
    with the change log, or to note an API token's use (a commit)."""
    with session_and_matcher(request, catch_up=not on_loop) as (session, matcher):
        if matcher is None:
            return None
        try:
            principal = auth.principal_of(request, session, writes=not on_loop)
        except auth.WouldWrite:
            return None
        viewer = auth.browsing_allowed(request, principal)
        listing = visible(session, listing_id, viewer)
        mine = [viewer.organisation_id]  # nor the viewer's own
        ranking, best = matcher.best(
            session, listing, k=k, all_themes=all_themes, exclude_orgs=mine, min_score=min_score
        )
        # the shapes are SuggestionPublic's, built from columns: written as they are, without
        # a validation that costs more than the ranking (tests check them against the schema)
        return to_json(present_suggestions(session, ranking, best, viewer))


def present_suggestions(
    session: SessionDep, ranking: Ranking, best: list[Candidate], viewer: auth.Principal
) -> list[dict[str, Any]]:
    """SuggestionPublic's shapes as plain data, written as one list: a model per candidate
    and part cost more than the ranking did."""
    listings = public.public_data(session, [c.row.id for c in best], viewer)
    out: list[dict[str, Any]] = []
    for c in best:
        fit = ranking.fit(c)
        out.append(
            {
                "rank": len(out) + 1,
                "score": fit.score,
                "band": ranker.band(fit.score),
                "listing": listings[c.row.id],
                "parts": [
                    {
                        "name": p.name,
                        "value": None if p.value is None else round(p.value, 4),
                        "weight": p.weight,
                        "text": p.text,
                        "facts": p.facts,
                    }
                    for p in fit.parts
                ],
                "explanation": fit.explanation,
            }
        )
    return out
