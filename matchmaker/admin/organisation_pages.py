"""The admins' pages for organisations: the list, create, edit, and merge a duplicate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.admin import service, views
from matchmaker.deps import SessionDep
from matchmaker.errors import InputError, NotFound
from matchmaker.listings import service as listings
from matchmaker.listings.schemas import OrganisationIn
from matchmaker.tables import Organisation
from matchmaker.vocab import OrgKind
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import LANGUAGES, N_
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

TEXTS = ("name", "municipality", "contact_name", "contact_email", "website", "description")
NAMES = (*TEXTS, "kind", "language", "into")


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in NAMES}


FormDep = Annotated[dict[str, str], Depends(posted)]


def _values(org: Organisation) -> dict[str, str]:
    return {name: str(getattr(org, name) or "") for name in (*TEXTS, "kind", "language")}


def _parse(form: dict[str, str]) -> OrganisationIn:
    return OrganisationIn.model_validate(
        {
            **{name: form[name] or None for name in TEXTS},
            "name": form["name"],
            "kind": form["kind"],
            "language": form["language"] or "fi",
        }
    )


def _fields(ui: Page, values: dict[str, str], errors: views.Errors, *, full: bool) -> list[Field]:
    t = ui.t
    labels = {
        "name": t("field.organisation"),
        "municipality": t("field.municipality"),
        "contact_name": t("org.contact"),
        "contact_email": t("org.email"),
        "website": t("org.website"),
        "description": t("admin.description"),
    }
    shown = TEXTS if full else ("name", "municipality")
    fields = [
        Field(
            name,
            labels[name],
            "textarea" if name == "description" else "text",
            value=values.get(name, ""),
            error=errors.get(name, ""),
            required=name == "name",
            attrs={"maxlength": "2000" if name == "description" else "200"},
        )
        for name in shown
    ]
    fields.insert(
        1,
        Field(
            "kind",
            t("join.kind"),
            "select",
            required=True,
            error=errors.get("kind", ""),
            options=[
                Option(k.value, t.label("orgkind", k), k.value == values.get("kind", "company"))
                for k in OrgKind
            ],
        ),
    )
    if full:
        chosen = values.get("language") or "fi"
        fields.append(
            Field(
                "language",
                t("join.language"),
                "select",
                options=[Option(c, t.label("language", c), c == chosen) for c in LANGUAGES],
            )
        )
    return fields


def _list(
    ui: Page,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: views.Errors | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    errors = errors or {}
    return ui.render(
        "admin/organisations.html",
        "admin/_organisations.html",
        status=status,
        section="organisations",
        here="/admin/organisations",
        title=ui.t("admin.organisations"),
        organisations=views.organisations(session, ui.t),
        fields=_fields(ui, values or {}, errors, full=False),
        error=errors.get("form", ""),
        notice=notice,
    )


def _errors(ui: Page, exc: ValidationError | InputError) -> views.Errors:
    if isinstance(exc, InputError):
        errors = {"name": ui.t("admin.name_taken")} if exc.field == "name" else {}
        if exc.field == "into":
            errors = {"into": ui.t("admin.merge_other")}
    else:
        errors = views.schema_errors(ui.t, exc)
        patterns = {
            "contact_email": N_("register.email_invalid"),
            "website": N_("admin.website_invalid"),
        }
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else ""
            if name in patterns and e["type"] == "string_pattern_mismatch":
                errors[name] = ui.t(patterns[name])
    errors.setdefault("form", ui.t("form.has_errors"))
    return errors


@router.get("/admin/organisations")
def organisations(ui: PageDep, session: SessionDep, done: str = "") -> Response:
    ui.require_admin()
    notice = {"saved": ui.t("admin.saved"), "merged": ui.t("admin.merged")}.get(done, "")
    return _list(ui, session, notice=notice)


@router.post("/admin/organisations")
def create(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """A new organisation, by the service the API uses; audited as the API audits it."""
    principal = ui.require_admin()
    try:
        data = _parse(form)
        accounts.audit(session, principal.user, "create organisation", data.name)
        listings.create_organisation(session, data=data)
    except (ValidationError, InputError) as exc:
        session.rollback()
        return _list(ui, session, values=form, errors=_errors(ui, exc), status=422)
    return ui.redirect("/admin/organisations?done=saved")


def _edit(
    ui: Page,
    session: Session,
    org: Organisation,
    *,
    values: dict[str, str],
    errors: views.Errors,
    status: int = 200,
) -> Response:
    others = [o for o in views.organisations(session, ui.t) if o.id != org.id]
    return ui.render(
        "admin/organisation.html",
        "admin/_organisation.html",
        status=status,
        section="organisations",
        here=f"/admin/organisations/{org.id}",
        title=org.name,
        org_id=org.id,
        org_name=org.name,
        fields=_fields(ui, values, errors, full=True),
        others=[Option(str(o.id), o.name, str(o.id) == values.get("into")) for o in others],
        merge_error=errors.get("into", ""),
        error=errors.get("form", ""),
    )


@router.get("/admin/organisations/{organisation_id:int}")
def edit(organisation_id: int, ui: PageDep, session: SessionDep) -> Response:
    ui.require_admin()
    try:
        org = service.get_organisation(session, organisation_id)
    except NotFound:
        return ui.not_found()
    return _edit(ui, session, org, values=_values(org), errors={})


@router.post("/admin/organisations/{organisation_id:int}")
def update(organisation_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_admin()
    try:
        org = service.get_organisation(session, organisation_id)
        service.update_organisation(
            session, by=principal.user, organisation_id=organisation_id, data=_parse(form)
        )
    except NotFound:
        return ui.not_found()
    except (ValidationError, InputError) as exc:
        session.rollback()
        org = service.get_organisation(session, organisation_id)
        return _edit(ui, session, org, values=form, errors=_errors(ui, exc), status=422)
    return ui.redirect("/admin/organisations?done=saved")


@router.post("/admin/organisations/{organisation_id:int}/merge")
def merge(organisation_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """This organisation is a duplicate of `into`: all of it moves there, and it goes."""
    principal = ui.require_admin()
    into = form["into"]
    try:
        org = service.get_organisation(session, organisation_id)
        if not into.isdigit():
            raise InputError("into", "choose the organisation to keep")
        service.merge_organisations(
            session, by=principal.user, keep_id=int(into), drop_id=organisation_id
        )
    except NotFound:
        session.rollback()
        return ui.not_found()
    except InputError as exc:
        session.rollback()
        org = service.get_organisation(session, organisation_id)
        errors = _errors(ui, exc)
        return _edit(ui, session, org, values=_values(org), errors=errors, status=422)
    return ui.redirect("/admin/organisations?done=merged")
