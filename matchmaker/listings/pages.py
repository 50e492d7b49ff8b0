"""HTML pages of one listing: the listing, its suggested matches, posting and editing it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from matchmaker.accounts.auth import Principal
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.engine import ranker
from matchmaker.engine.matching import Matcher
from matchmaker.errors import Conflict, InputError
from matchmaker.listings import form_fields, forms, service, views, visibility
from matchmaker.listings.forms import Message
from matchmaker.members import service as members
from matchmaker.shapes import storable
from matchmaker.tables import Listing, Organisation, Theme
from matchmaker.vocab import Status
from matchmaker.web.i18n import N_
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

SUGGESTIONS = 8


async def posted(request: Request) -> dict[str, str]:
    return forms.read(await request.form())


FormDep = Annotated[dict[str, str], Depends(posted)]


# -- one listing and its suggested matches ----------------------------------------------------


def _panel(
    ui: Page,
    session: Session,
    matcher: Matcher,
    listing: Listing,
    *,
    all_themes: bool,
    compute: bool,
    weaker: bool = False,
) -> views.Panel:
    items = None
    if compute:
        mine = [ui.principal.organisation_id]  # nor the viewer's own
        found = matcher.suggest(
            session,
            listing,
            k=SUGGESTIONS,
            all_themes=all_themes,
            exclude_orgs=mine,
            min_score=0.0 if weaker else ranker.POSSIBLE,
        )
        items = views.suggestion_views(session, listing, found, ui.t, ui.principal)
    return views.panel(listing, ui.t, items, all_themes=all_themes, weaker=weaker)


def _visible(ui: Page, session: Session, listing_id: int) -> Listing | None:
    """The listing if this viewer may see it; drafts and pending ones are not for everyone."""
    listing = session.get(Listing, listing_id) if storable(listing_id) else None
    return listing if listing is not None and visibility.may_see(ui.principal, listing) else None


def _notice(ui: Page, listing: Listing, saved: bool) -> str:
    if not saved:
        return ""
    if listing.status == Status.pending:
        return ui.t("listing.pending")
    return ui.t("listing.saved")


@router.get("/listings/{listing_id:int}")
def detail(
    listing_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep, saved: str = ""
) -> Response:
    listing = _visible(ui, session, listing_id)
    if listing is None:
        return ui.not_found()
    # Right after a save the suggestions come with the page, so they show without JavaScript.
    return ui.render(
        "listings/detail.html",
        "listings/_detail.html",
        title=listing.title,
        listing=views.listing_view(session, listing, ui.t, ui.principal),
        notice=_notice(ui, listing, bool(saved)),
        panel=_panel(ui, session, matcher, listing, all_themes=False, compute=bool(saved)),
        # "I'm interested": a member of another organisation asks a facilitator to introduce them
        interest_url=(
            f"/listings/{listing.id}/interest" if members.may_ask(ui.principal, listing) else ""
        ),
    )


@router.get("/listings/{listing_id:int}/matches")
def matches(
    listing_id: int,
    ui: PageDep,
    session: SessionDep,
    matcher: MatcherDep,
    all_themes: str = "",
    weaker: str = "",
) -> Response:
    listing = _visible(ui, session, listing_id)
    if listing is None:
        return ui.not_found()
    view = views.listing_view(session, listing, ui.t, ui.principal)
    return ui.render(
        "listings/matches.html",
        "listings/_suggestions.html",
        title=ui.t("suggest.title_for", title=listing.title),
        listing=view,
        panel=_panel(
            ui,
            session,
            matcher,
            listing,
            all_themes=bool(all_themes),
            compute=True,
            weaker=bool(weaker),
        ),
    )


# -- post and edit ------------------------------------------------------------------------


def _show_form(
    ui: Page,
    session: Session,
    *,
    listing: Listing | None,
    values: dict[str, str],
    errors: forms.Errors,
    status: int = 422,
) -> Response:
    """The form, empty or filled; with errors, answered with `status` (422, or 409)."""
    principal = ui.principal
    editing = listing is not None
    action = f"/listings/{listing.id}/edit" if listing else "/listings"
    own = session.get(Organisation, principal.organisation_id or -1)
    orgs = [
        (o.id, o.name)
        for o in session.exec(select(Organisation).order_by(col(Organisation.name)))
        if o.id is not None
    ]
    form = form_fields.listing_form(
        ui.t,
        action=action,
        values=values,
        errors=errors,
        # a member posts for their own organisation; facilitators choose one
        organisations=orgs if principal.curates else [],
        organisation_name=own.name if own and not principal.curates else "",
        themes=views.theme_names(session, ui.t),
        statuses=list(Status) if principal.curates else [s for s in Status if s != "pending"],
        editing=editing,
        cancel_url=f"/listings/{listing.id}" if listing else "/",
    )
    return ui.render(
        "listings/form.html",
        "listings/_form.html",
        status=status if errors else 200,
        section="" if editing else "post",
        here=action if editing else "/listings/new",
        title=ui.t("form.edit_title") if editing else ui.t("form.new_title"),
        form=form,
    )


def _moderated(principal: Principal, ui: Page, old: Status | None, new: Status | None) -> Status:
    approval = ui.request.app.state.settings.approval_required
    return service.status_on_save(principal, old, new, approval_required=approval)


@router.get("/listings/new")
def new(
    ui: PageDep, session: SessionDep, kind: str = "", theme: str = "", organisation: str = ""
) -> Response:
    ui.require_login()
    values = {"kind": kind, "theme": theme, "organisation_id": organisation}
    return _show_form(ui, session, listing=None, values=values, errors={})


@router.post("/listings")
def create(ui: PageDep, session: SessionDep, matcher: MatcherDep, values: FormDep) -> Response:
    principal = ui.require_login()
    if not principal.curates:
        values = {**values, "organisation_id": str(principal.organisation_id or "")}
    data, errors = forms.parse_create(values)
    if data is not None:
        data = data.model_copy(update={"status": _moderated(principal, ui, None, data.status)})
        try:
            listing = service.create_listing(session, data=data, matcher=matcher, by=principal)
            return ui.redirect(f"/listings/{listing.id}?saved=1")
        except InputError as exc:
            errors = forms.input_error(exc)
    return _show_form(ui, session, listing=None, values=values, errors=errors)


@router.get("/listings/{listing_id:int}/edit")
def edit(listing_id: int, ui: PageDep, session: SessionDep) -> Response:
    principal = ui.require_login()
    listing = _visible(ui, session, listing_id)
    if listing is None:
        return ui.not_found()
    if not principal.can_edit(listing):
        return ui.forbidden()
    theme = session.get(Theme, listing.theme_id)
    values = forms.values_of(listing, theme.slug if theme else "")
    return _show_form(ui, session, listing=listing, values=values, errors={})


@router.post("/listings/{listing_id:int}/edit")
def update(
    listing_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep, values: FormDep
) -> Response:
    principal = ui.require_login()
    listing = _visible(ui, session, listing_id)
    if listing is None:
        return ui.not_found()
    if not principal.can_edit(listing):
        return ui.forbidden()
    data, errors = forms.parse_update(values)
    status = 422
    if data is not None:
        try:
            moderated = _moderated(principal, ui, Status(listing.status), data.status)
            data = data.model_copy(update={"status": moderated})
        except InputError:  # only a facilitator approves a pending listing
            data, errors = None, {"status": Message(N_("error.approval"))}
    if data is not None:
        try:
            service.update_listing(
                session, listing=listing, data=data, matcher=matcher, by=principal
            )
            return ui.redirect(f"/listings/{listing_id}?saved=1")
        except InputError as exc:
            session.rollback()  # update_listing changed the row before it refused
            errors = forms.input_error(exc)
        except Conflict:
            errors, status = {"form": Message(N_("error.conflict"))}, 409
    return _show_form(
        ui,
        session,
        listing=session.get(Listing, listing_id),
        values=values,
        errors=errors,
        status=status,
    )


@router.post("/listings/{listing_id:int}/approve")
def approve(listing_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep) -> Response:
    """A facilitator approves a pending listing: the API's rule (service), audit included."""
    principal = ui.require_curator()
    listing = session.get(Listing, listing_id) if storable(listing_id) else None
    if listing is None:
        return ui.not_found()
    try:
        service.approve_listing(session, listing=listing, by=principal.user, matcher=matcher)
    except InputError:
        session.rollback()  # approved already: the page shows it as it is
    return ui.redirect(f"/listings/{listing_id}")
