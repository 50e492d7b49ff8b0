"""The admins' pages for themes and users, and the list of listings waiting for approval."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.admin import service, views
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.errors import InputError, NotFound
from matchmaker.listings import service as listings
from matchmaker.listings.schemas import ThemeIn
from matchmaker.shapes import storable
from matchmaker.tables import Listing
from matchmaker.web.fields import Field
from matchmaker.web.i18n import N_
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

NAMES = ("slug", "name_fi", "name_sv", "name_en", "role", "organisation_id", "active")


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in NAMES}


FormDep = Annotated[dict[str, str], Depends(posted)]


# -- themes -----------------------------------------------------------------------------------


def _new_theme_fields(ui: Page, values: dict[str, str], errors: views.Errors) -> list[Field]:
    t = ui.t
    labels = {
        "slug": t("admin.slug"),
        "name_fi": t("admin.name_fi"),
        "name_sv": t("admin.name_sv"),
        "name_en": t("admin.name_en"),
    }
    return [
        Field(
            name,
            label,
            "text",
            value=values.get(name, ""),
            error=errors.get(name, ""),
            required=True,
            hint=t("admin.slug_hint") if name == "slug" else "",
            attrs={"maxlength": "40" if name == "slug" else "120"},
        )
        for name, label in labels.items()
    ]


def _themes(
    ui: Page,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: views.Errors | None = None,
    row_errors: dict[int, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    errors = errors or {}
    return ui.render(
        "admin/themes.html",
        "admin/_themes.html",
        status=status,
        section="themes",
        here="/admin/themes",
        title=ui.t("admin.themes"),
        themes=views.themes(session, ui.t, row_errors or {}),
        fields=_new_theme_fields(ui, values or {}, errors),
        error=errors.get("form", ""),
        notice=notice,
    )


@router.get("/admin/themes")
def themes(ui: PageDep, session: SessionDep, saved: str = "") -> Response:
    ui.require_admin()
    return _themes(ui, session, notice=ui.t("admin.saved") if saved else "")


@router.post("/admin/themes")
def add_theme(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """A new theme, through the service the API uses; audited as the API audits it."""
    principal = ui.require_admin()
    try:
        data = ThemeIn.model_validate(
            {k: form[k] for k in ("slug", "name_fi", "name_sv", "name_en")}
        )
        accounts.audit(session, principal.user, "create theme", data.slug)
        listings.create_theme(session, data=data)
    except ValidationError as exc:
        errors = views.schema_errors(ui.t, exc)
        if "slug" in errors:
            errors["slug"] = ui.t("admin.slug_hint")
    except InputError:
        session.rollback()
        errors = {"slug": ui.t("admin.slug_taken")}
    else:
        return ui.redirect("/admin/themes?saved=1")
    errors.setdefault("form", ui.t("form.has_errors"))
    return _themes(ui, session, values=form, errors=errors, status=422)


@router.post("/admin/themes/{theme_id:int}")
def rename_theme(theme_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_admin()
    try:
        data = service.ThemeNames.model_validate(
            {k: form[k] for k in ("name_fi", "name_sv", "name_en")}
        )
        service.rename_theme(session, by=principal.user, theme_id=theme_id, data=data)
    except NotFound:
        return ui.not_found()
    except ValidationError:
        return _themes(ui, session, row_errors={theme_id: ui.t("admin.names_needed")}, status=422)
    return ui.redirect("/admin/themes?saved=1")


# -- users ------------------------------------------------------------------------------------


def _users(
    ui: Page,
    session: Session,
    *,
    row_errors: dict[int, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    return ui.render(
        "admin/users.html",
        "admin/_users.html",
        status=status,
        section="users",
        here="/admin/users",
        title=ui.t("admin.users"),
        users=views.users(session, ui.t, row_errors or {}),
        notice=notice,
    )


@router.get("/admin/users")
def users(ui: PageDep, session: SessionDep, saved: str = "") -> Response:
    ui.require_admin()
    return _users(ui, session, notice=ui.t("admin.saved") if saved else "")


@router.post("/admin/users/{user_id:int}")
def change_user(user_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Role, organisation, active: accounts.update_user, which ends the user's sessions."""
    principal = ui.require_admin()
    assert principal.user is not None
    try:
        data = accounts.UserUpdate.model_validate(
            {
                "role": form["role"] or None,
                "organisation_id": form["organisation_id"] or None,
                "active": form["active"] == "1",
            }
        )
        service.change_user(session, by=principal.user, user_id=user_id, data=data)
    except NotFound:
        return ui.not_found()
    except ValidationError:
        return _users(ui, session, row_errors={user_id: ui.t("error.choose")}, status=422)
    except InputError as exc:
        session.rollback()
        key = {
            "organisation_id": N_("invite.organisation_needed"),
            "role": N_("admin.not_yourself"),
        }
        message = ui.t(key.get(exc.field, N_("error.choose")))
        return _users(ui, session, row_errors={user_id: message}, status=422)
    return ui.redirect("/admin/users?saved=1")


# -- listings waiting for approval ------------------------------------------------------------


@router.get("/admin/approvals")
def approvals(ui: PageDep, session: SessionDep, approved: str = "") -> Response:
    """The facilitators' and admins' list of pending listings, each approved from here."""
    ui.require_curator()
    return ui.render(
        "admin/approvals.html",
        "admin/_approvals.html",
        section="approvals",
        title=ui.t("admin.approvals"),
        listings=views.pending_listings(session, ui.t),
        notice=ui.t("admin.approved") if approved else "",
    )


@router.post("/admin/approvals/{listing_id:int}")
def approve(listing_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep) -> Response:
    principal = ui.require_curator()
    listing = session.get(Listing, listing_id) if storable(listing_id) else None
    if listing is None:
        return ui.not_found()
    try:
        listings.approve_listing(session, listing=listing, by=principal.user, matcher=matcher)
    except InputError:
        session.rollback()  # approved already: the list shows what still waits
        return ui.redirect("/admin/approvals")
    return ui.redirect("/admin/approvals?approved=1")
