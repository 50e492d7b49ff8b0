"""The browse page: filters, semantic search as one types, pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session, col, select

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.engine import geo
from matchmaker.engine.matching import Matcher
from matchmaker.infopoint import views as info_views
from matchmaker.listings import service, views
from matchmaker.shapes import MAX_ID
from matchmaker.tables import Listing, Theme
from matchmaker.vocab import Category, ListingKind, Role, Status
from matchmaker.web import paging
from matchmaker.web.fields import Field, Option
from matchmaker.web.render import Page, PageDep, url_with

router = APIRouter(tags=["pages"], include_in_schema=False)

PER_PAGE = 20
MAX_PAGE = MAX_ID // PER_PAGE
SEARCH_DEPTH = 100  # nearest listings a search ranks; paging goes through these


@dataclass
class Results:
    items: list[views.ListingView]
    summary: str
    pages: list[paging.PageLink]
    previous: str | None
    next: str | None
    empty: str
    # a member's search can be kept: its new results then come with their alerts
    save: dict[str, str] | None = None


def _filter_fields(ui: Page, session: Session, chosen: dict[str, str]) -> list[Field]:
    t = ui.t
    places = session.exec(
        select(Listing.municipality)
        .where(Listing.status == Status.active, col(Listing.municipality).is_not(None))
        .distinct()
    ).all()
    towns = sorted({(p, views.place_name(p, ui.lang)) for p in places if p}, key=lambda x: x[1])

    def options(pairs: list[tuple[str, str]], name: str, blank: str) -> list[Option]:
        return [Option("", blank, not chosen[name])] + [
            Option(value, label, value == chosen[name]) for value, label in pairs
        ]

    return [
        Field(
            "q",
            t("browse.search"),
            "search",
            value=chosen["q"],
            hint=t("browse.search_hint"),
            attrs={"maxlength": "500", "autocomplete": "off"},
        ),
        Field(
            "theme",
            t("field.theme"),
            "select",
            options=options(
                list(views.theme_names(session, t).items()), "theme", t("browse.all_themes")
            ),
        ),
        Field(
            "kind",
            t("field.kind"),
            "select",
            options=options(
                [(k.value, t.label("kind", k)) for k in ListingKind], "kind", t("browse.all_kinds")
            ),
        ),
        Field(
            "category",
            t("field.category"),
            "select",
            options=options(
                [(c.value, t.label("category", c)) for c in Category],
                "category",
                t("browse.all_categories"),
            ),
        ),
        Field(
            "municipality",
            t("field.municipality"),
            "select",
            options=options(towns, "municipality", t("browse.all_places")),
        ),
    ]


def _chosen(
    session: Session, q: str, theme: str, kind: str, category: str, municipality: str
) -> dict[str, str]:
    """The filters as asked, with unknown values dropped rather than refused."""
    known_themes = set(session.exec(select(Theme.slug)).all())
    place = geo.find(municipality)
    return {
        "q": q.strip()[:500],
        "theme": theme if theme in known_themes else "",
        "kind": kind if kind in {k.value for k in ListingKind} else "",
        "category": category if category in {c.value for c in Category} else "",
        "municipality": place.name_fi if place else "",
    }


def _find(
    session: Session, matcher: Matcher, chosen: dict[str, str], offset: int
) -> tuple[int, list[Listing]]:
    theme_id = service.theme_by_slug(session, chosen["theme"]).id if chosen["theme"] else None
    if not chosen["q"]:
        filters: dict[str, Any] = {
            "theme_id": theme_id,
            "kind": chosen["kind"] or None,
            "category": chosen["category"] or None,
            "municipality": chosen["municipality"] or None,
            "status": Status.active,
        }
        return service.list_listings(session, filters=filters, limit=PER_PAGE, offset=offset)
    hits = matcher.search(
        session, chosen["q"], k=SEARCH_DEPTH, theme_id=theme_id, kind=chosen["kind"] or None
    )
    found = [
        lst
        for lst, _ in hits
        if (not chosen["category"] or lst.category == chosen["category"])
        and (not chosen["municipality"] or lst.municipality == chosen["municipality"])
    ]
    return len(found), found[offset : offset + PER_PAGE]


def _results(
    ui: Page, session: Session, total: int, rows: list[Listing], number: int, chosen: dict[str, str]
) -> Results:
    t = ui.t
    shown = paging.pages(
        total,
        number,
        PER_PAGE,
        lambda n: url_with(ui.request, page=None if n == 1 else n, lang=None),
    )
    count = shown.offset
    if chosen["q"]:
        summary = t("browse.found_search", total=total, q=chosen["q"])
    else:
        summary = t("browse.found", total=total)
    if total > PER_PAGE:
        summary += " " + t("browse.showing", first=count + 1, last=count + len(rows))
    return Results(
        items=views.listing_views(session, rows, t, ui.principal),
        summary=summary,
        pages=shown.links,
        previous=shown.previous,
        next=shown.next,
        empty=t("browse.empty"),
        save=chosen if chosen["q"] and ui.principal.role == Role.member else None,
    )


@router.get("/listings")
def browse(
    ui: PageDep,
    session: SessionDep,
    matcher: MatcherDep,
    q: str = "",
    theme: str = "",
    kind: str = "",
    category: str = "",
    municipality: str = "",
    page: str = "1",
) -> Response:
    chosen = _chosen(session, q, theme, kind, category, municipality)
    number = paging.asked(page, MAX_PAGE)
    total, rows = _find(session, matcher, chosen, (number - 1) * PER_PAGE)
    return ui.render(
        "listings/browse.html",
        "listings/_results.html",
        section="browse",
        title=ui.t("browse.title"),
        filters=_filter_fields(ui, session, chosen),
        results=_results(ui, session, total, rows, number, chosen),
        # a theme's page: the info point's items for it, above its listings
        info=info_views.panel(session, ui.t, chosen["theme"]) if chosen["theme"] else None,
    )
