"""JSON API for themes, organisations and free-text search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlmodel import col, select

from matchmaker.accounts import auth
from matchmaker.accounts import service as accounts
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.engine.matching import SEARCH_FLOOR
from matchmaker.errors import InputError, NotFound
from matchmaker.listings import public, service
from matchmaker.listings.schemas import (
    OrganisationIn,
    OrganisationPublic,
    SearchHit,
    ThemeIn,
    ThemePublic,
)
from matchmaker.shapes import PathId
from matchmaker.tables import Organisation, Theme
from matchmaker.vocab import ListingKind

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/themes", response_model=list[ThemePublic])
def list_themes(session: SessionDep) -> list[Theme]:
    return list(session.exec(select(Theme).order_by(col(Theme.id))))


@router.post("/themes", response_model=ThemePublic, status_code=status.HTTP_201_CREATED)
def create_theme(data: ThemeIn, session: SessionDep, principal: auth.AdminDep) -> Theme:
    accounts.audit(session, principal.user, "create theme", data.slug)
    return service.create_theme(session, data=data)


@router.get("/organisations", response_model=list[OrganisationPublic])
def list_organisations(session: SessionDep, _: auth.ViewerDep) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.name))))


@router.get("/organisations/{organisation_id}", response_model=OrganisationPublic)
def read_organisation(
    organisation_id: PathId, session: SessionDep, _: auth.ViewerDep
) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    return org


@router.post(
    "/organisations", response_model=OrganisationPublic, status_code=status.HTTP_201_CREATED
)
def create_organisation(
    data: OrganisationIn, session: SessionDep, principal: auth.CuratorDep
) -> Organisation:
    accounts.audit(session, principal.user, "create organisation", data.name)
    return service.create_organisation(session, data=data)


@router.get("/search", response_model=list[SearchHit])
def search(
    session: SessionDep,
    matcher: MatcherDep,
    viewer: auth.ViewerDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    theme: str | None = None,
    kind: ListingKind | None = None,
    k: Annotated[int, Query(ge=1, le=100)] = 20,
    min_similarity: Annotated[
        float,
        Query(
            ge=0,
            le=1,
            description=f"the relevance cut (language-centred cosine; default {SEARCH_FLOOR}); "
            "0 returns the nearest k",
        ),
    ] = SEARCH_FLOOR,
) -> list[SearchHit]:
    if not q.strip():
        raise InputError("q", "type a few words to search for")
    theme_id = service.theme_by_slug(session, theme).id if theme else None
    hits = matcher.search(
        session,
        q,
        k=k,
        theme_id=theme_id,
        kind=kind.value if kind else None,
        min_similarity=min_similarity,
    )
    shown = public.present(session, [lst for lst, _ in hits], viewer)
    return [
        SearchHit(similarity=round(sim, 4), listing=pub)
        for (_, sim), pub in zip(hits, shown, strict=True)
    ]
