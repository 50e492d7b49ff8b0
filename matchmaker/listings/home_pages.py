"""HTML pages: the home page and organisation pages."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session, col, func, select

from matchmaker.accounts import join_views
from matchmaker.deps import SessionDep
from matchmaker.infopoint import views as info_views
from matchmaker.listings import service, views
from matchmaker.shapes import storable
from matchmaker.tables import Listing, Organisation, Theme
from matchmaker.vocab import ListingKind, Status
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

LATEST = 6


@dataclass
class ThemeCard:
    slug: str
    name: str
    url: str
    offers: int
    needs: int
    offers_url: str
    needs_url: str


def theme_cards(session: Session, ui: Page) -> list[ThemeCard]:
    """Every theme with its numbers of active offers and needs."""
    rows = session.exec(
        select(Listing.theme_id, Listing.kind, func.count())
        .where(Listing.status == Status.active)
        .group_by(col(Listing.theme_id), col(Listing.kind))
    ).all()
    counts: dict[tuple[int | None, str], int] = {
        (theme_id, str(kind)): int(n) for theme_id, kind, n in rows
    }
    cards = []
    for theme in session.exec(select(Theme).order_by(col(Theme.id))):
        offers = counts.get((theme.id, ListingKind.offer.value), 0)
        needs = counts.get((theme.id, ListingKind.need.value), 0)
        cards.append(
            ThemeCard(
                slug=theme.slug,
                name=views.theme_name(theme, ui.lang),
                url=f"/listings?theme={theme.slug}",
                offers=offers,
                needs=needs,
                offers_url=f"/listings?theme={theme.slug}&kind=offer",
                needs_url=f"/listings?theme={theme.slug}&kind=need",
            )
        )
    return cards


@router.get("/")
def home(ui: PageDep, session: SessionDep) -> Response:
    _, latest = service.list_listings(
        session, filters={"status": Status.active}, limit=LATEST, offset=0
    )
    return ui.render(
        "home/index.html",
        "home/_content.html",
        section="home",
        title=ui.t("home.title"),
        themes=theme_cards(session, ui),
        latest=views.listing_views(session, latest, ui.t, ui.principal),
        contact=join_views.contact(ui.request.app.state.settings),
        info=info_views.panel(session, ui.t),
    )


@router.get("/organisations/{organisation_id:int}")
def organisation(organisation_id: int, ui: PageDep, session: SessionDep) -> Response:
    org = session.get(Organisation, organisation_id) if storable(organisation_id) else None
    if org is None:
        return ui.not_found()
    rows = views.listings_of(session, org, ui.principal)
    listings = views.listing_views(session, rows, ui.t, ui.principal)
    return ui.render(
        "organisations/detail.html",
        "organisations/_detail.html",
        title=org.name,
        org=views.organisation_view(org, ui.t),
        listings=listings,
        can_post=ui.principal.curates or ui.principal.organisation_id == org.id,
    )
