"""HTML pages of a member: my organisation, its profile, and asking for an introduction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.errors import Conflict, InputError, NotFound
from matchmaker.listings import views, visibility
from matchmaker.members import service
from matchmaker.members import views as my_views
from matchmaker.members.schemas import InterestIn, ProfileIn
from matchmaker.shapes import storable
from matchmaker.tables import Listing
from matchmaker.vocab import ListingKind
from matchmaker.web.i18n import N_
from matchmaker.web.render import NotAllowed, Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

PROFILE = ("contact_name", "contact_email", "website", "municipality", "description", "language")
DONE = {"saved": N_("my.saved"), "asked": N_("my.asked"), "again": N_("my.asked_again")}


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in (*PROFILE, "mine", "note")}


FormDep = Annotated[dict[str, str], Depends(posted)]


def _member(ui: Page) -> None:
    """Members of an organisation only; facilitators and admins have the workspace."""
    principal = ui.require_login()
    if not service.is_member(principal):
        raise NotAllowed(N_("my.members_only"))


@router.get("/my")
def my_organisation(
    ui: PageDep, session: SessionDep, matcher: MatcherDep, done: str = ""
) -> Response:
    _member(ui)
    t, viewer = ui.t, ui.principal
    org = service.organisation_of(session, viewer)
    since = service.last_visit(session, viewer)
    matches = service.matches_of(session, viewer)
    return ui.render(
        "members/my.html",
        "members/_my.html",
        section="my",
        title=t("my.title", name=org.name),
        org=views.organisation_view(org, t),
        notice=t(DONE[done]) if done in DONE else "",
        listings=my_views.my_listings(session, matcher, viewer, t, since),
        matches=my_views.my_matches(session, viewer, t, matches),
        received=my_views.received(
            session, viewer, t, service.introductions_received(session, viewer)
        ),
    )


def _profile_page(
    ui: Page, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    return ui.render(
        "members/profile.html",
        "members/_profile.html",
        status=status,
        section="my",
        here="/my/organisation",
        title=ui.t("profile.title"),
        fields=my_views.profile_form(ui.t, values, errors),
    )


@router.get("/my/organisation")
def profile(ui: PageDep, session: SessionDep) -> Response:
    _member(ui)
    org = service.organisation_of(session, ui.principal)
    values = {name: str(getattr(org, name) or "") for name in PROFILE}
    return _profile_page(ui, values, {})


@router.post("/my/organisation")
def save_profile(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    _member(ui)
    org = service.organisation_of(session, ui.principal)
    values = {name: form[name] for name in PROFILE}
    try:
        data = ProfileIn(
            **{k: v or None for k, v in values.items() if k != "language"},
            language=values["language"] or "fi",
        )
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors()} & set(my_views.PROFILE_ERRORS)
        errors = {f: ui.t(my_views.PROFILE_ERRORS[f]) for f in fields}
        return _profile_page(ui, values, errors, status=422)
    service.update_profile(session, org, data)
    return ui.redirect("/my?done=saved")


# -- ask for an introduction -----------------------------------------------------------------


def _other(ui: Page, session: Session, listing_id: int) -> Listing | None:
    listing = session.get(Listing, listing_id) if storable(listing_id) else None
    if listing is None or not visibility.may_see(ui.principal, listing):
        return None
    return listing


def _interest_page(
    ui: Page,
    session: Session,
    other: Listing,
    mine: str,
    note: str,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    t, viewer = ui.t, ui.principal
    choices = service.interest_choices(session, viewer, other)
    wanted = ListingKind(other.kind).opposite
    return ui.render(
        "members/interest.html",
        "members/_interest.html",
        status=status,
        here=f"/listings/{other.id}/interest",
        title=t("interest.title"),
        listing=views.listing_view(session, other, t, viewer),
        fields=my_views.interest_form(
            t, views.listing_views(session, choices, t, viewer), mine, note, errors
        ),
        available=service.may_ask(viewer, other),
        own=viewer.owns(other),
        none_yet=t("interest.none_yet", kind=t.label("kind", wanted)),
        post_url=f"/listings/new?kind={wanted}",
        action=f"/listings/{other.id}/interest",
        error=errors.get("form", ""),
    )


@router.get("/listings/{listing_id:int}/interest")
def interest(listing_id: int, ui: PageDep, session: SessionDep, mine: str = "") -> Response:
    _member(ui)
    other = _other(ui, session, listing_id)
    if other is None:
        return ui.not_found()
    return _interest_page(ui, session, other, mine, "", {})


@router.post("/listings/{listing_id:int}/interest")
def ask(
    listing_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep, form: FormDep
) -> Response:
    """Into the facilitators' queue, first, with the note; then to my page, which shows it."""
    _member(ui)
    other = _other(ui, session, listing_id)
    if other is None:
        return ui.not_found()
    t = ui.t
    try:
        data = InterestIn(
            mine=int(form["mine"]) if form["mine"].isdigit() else 0, note=form["note"]
        )
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors()} & set(my_views.INTEREST_ERRORS)
        errors = {f: t(my_views.INTEREST_ERRORS[f]) for f in fields}
        return _interest_page(ui, session, other, form["mine"], form["note"], errors, 422)
    try:
        _, new = service.ask(session, matcher, ui.principal, listing_id=listing_id, data=data)
    except InputError as exc:
        key = "mine" if exc.field == "mine" else "form"
        errors = {key: t(my_views.INTEREST_ERRORS.get(exc.field, "interest.error.listing"))}
        return _interest_page(ui, session, other, form["mine"], form["note"], errors, 422)
    except Conflict:
        errors = {"form": t("interest.error.realised")}
        return _interest_page(ui, session, other, form["mine"], form["note"], errors, 409)
    except NotFound:
        return ui.not_found()
    return ui.redirect("/my?done=asked" if new else "/my?done=again")
