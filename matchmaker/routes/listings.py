"""JSON API for listings: create, read, update, close, list with filters, suggestions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from matchmaker import crud
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.matching import Suggestion
from matchmaker.schemas import (
    ListingCreate,
    ListingPage,
    ListingPublic,
    ListingUpdate,
    ScorePart,
    SuggestionPublic,
)
from matchmaker.tables import Listing
from matchmaker.vocab import Category, ListingKind, Status

router = APIRouter(prefix="/api/listings", tags=["listings"])


def _one(session: SessionDep, listing: Listing) -> ListingPublic:
    return crud.present(session, [listing])[0]


@router.get("", response_model=ListingPage)
def list_listings(
    session: SessionDep,
    theme: str | None = None,
    kind: ListingKind | None = None,
    category: Category | None = None,
    municipality: str | None = None,
    status: Annotated[Status | Literal["all"], Query(description="`all` for every status")] = (
        Status.active
    ),
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ListingPage:
    theme_id = crud.theme_by_slug(session, theme).id if theme else None
    total, rows = crud.list_listings(
        session,
        filters={"theme_id": theme_id, "kind": kind, "category": category,
                 "municipality": municipality, "status": None if status == "all" else status},
        limit=limit, offset=offset,
    )
    return ListingPage(total=total, limit=limit, offset=offset,
                       items=crud.present(session, rows))


@router.post("", response_model=ListingPublic, status_code=status.HTTP_201_CREATED)
def create_listing(data: ListingCreate, session: SessionDep, matcher: MatcherDep) -> ListingPublic:
    return _one(session, crud.create_listing(session, data=data, matcher=matcher))


@router.get("/{listing_id}", response_model=ListingPublic)
def read_listing(listing_id: int, session: SessionDep) -> ListingPublic:
    return _one(session, crud.get_listing(session, listing_id))


@router.patch("/{listing_id}", response_model=ListingPublic)
def update_listing(
    listing_id: int, data: ListingUpdate, session: SessionDep, matcher: MatcherDep
) -> ListingPublic:
    listing = crud.get_listing(session, listing_id)
    return _one(session, crud.update_listing(session, listing=listing, data=data,
                                             matcher=matcher))


@router.post("/{listing_id}/close", response_model=ListingPublic)
def close_listing(listing_id: int, session: SessionDep, matcher: MatcherDep) -> ListingPublic:
    listing = crud.get_listing(session, listing_id)
    data = ListingUpdate(status=Status.closed)
    return _one(session, crud.update_listing(session, listing=listing, data=data,
                                             matcher=matcher))


@router.get("/{listing_id}/suggestions", response_model=list[SuggestionPublic])
def suggestions(
    listing_id: int,
    session: SessionDep,
    matcher: MatcherDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    all_themes: bool = False,
) -> list[SuggestionPublic]:
    listing = crud.get_listing(session, listing_id)
    found = matcher.suggest(session, listing, k=k, all_themes=all_themes)
    return present_suggestions(session, found)


def present_suggestions(session: SessionDep, found: list[Suggestion]) -> list[SuggestionPublic]:
    listings = crud.present(session, [s.listing for s in found])
    return [
        SuggestionPublic(
            rank=rank, score=s.fit.score, listing=pub, explanation=s.fit.explanation,
            parts=[ScorePart(name=p.name, value=None if p.value is None else round(p.value, 4),
                             weight=p.weight, text=p.text, facts=p.facts) for p in s.fit.parts],
        )
        for rank, (s, pub) in enumerate(zip(found, listings, strict=True), start=1)
    ]
