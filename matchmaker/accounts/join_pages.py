"""Joining the valley: the form anyone sends, and the facilitators' list to approve or decline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.accounts import join_views as views
from matchmaker.accounts import joining
from matchmaker.deps import SessionDep
from matchmaker.errors import InputError, NotFound
from matchmaker.vocab import OrgKind
from matchmaker.web import fields as web_fields
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import LANGUAGES, N_
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

NAMES = ("organisation", "kind", "municipality", "contact_name", "email", "about", "language")
DECISION = ("organisation_id", "reason")
Errors = dict[str, str]


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in NAMES + DECISION}


FormDep = Annotated[dict[str, str], Depends(posted)]


def _errors(ui: Page, exc: ValidationError) -> Errors:
    """The first problem of each field, in the UI language, for the message beside it."""
    t, found = ui.t, Errors()
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else "form"
        if name == "email":
            message = t("register.email_invalid")
        elif e["type"] in ("string_too_short", "missing"):
            message = t("error.required")
        elif e["type"] == "string_too_long":
            message = t("error.too_long", max=(e.get("ctx") or {}).get("max_length", ""))
        else:
            message = t("error.choose")
        found.setdefault(name, message)
    return found


def _text(name: str, label: str, values: dict[str, str], errors: Errors, **kw: str) -> Field:
    most = int(kw.pop("maxlength", "200"))
    return web_fields.text(
        name, label, values, errors, required=name != "municipality", maxlength=most, **kw
    )


def _join_form(
    ui: Page, *, values: dict[str, str], errors: Errors, sent: bool = False, status: int = 200
) -> Response:
    t = ui.t
    kinds = [(k.value, t.label("orgkind", k)) for k in OrgKind if k != OrgKind.facilitator]
    chosen_lang = values.get("language") or ui.lang
    fields = [
        _text("organisation", t("field.organisation"), values, errors, autocomplete="organization"),
        Field(
            "kind",
            t("join.kind"),
            "radio",
            required=True,
            error=errors.get("kind", ""),
            options=[Option(v, label, v == values.get("kind")) for v, label in kinds],
        ),
        _text("municipality", t("field.municipality"), values, errors, maxlength="80"),
        _text("contact_name", t("org.contact"), values, errors, autocomplete="name"),
        web_fields.email(t("login.email"), values, errors),
        web_fields.text(
            "about",
            t("join.about"),
            values,
            errors,
            widget="textarea",
            maxlength=2000,
            hint=t("join.about_hint"),
            rows="5",
        ),
        Field(
            "language",
            t("join.language"),
            "select",
            options=[
                Option(code, t.label("language", code), code == chosen_lang) for code in LANGUAGES
            ],
        ),
    ]
    return ui.render(
        "account/join.html",
        "account/_join.html",
        status=status,
        here="/join",
        title=t("join.title"),
        fields=fields,
        sent=sent,
        contact=views.contact(ui.request.app.state.settings),
        error=errors.get("form", ""),
    )


@router.get("/join")
def join_page(ui: PageDep, sent: str = "") -> Response:
    return _join_form(ui, values={}, errors={}, sent=bool(sent))


@router.post("/join")
def join(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Anyone may ask to join; a facilitator decides. Bad fields: 422, a message beside each."""
    errors: Errors = {}
    try:
        data = joining.JoinIn.model_validate(
            {
                **{k: form[k] for k in NAMES if k != "municipality"},
                "municipality": form["municipality"] or None,
                "language": form["language"] or ui.lang,
            }
        )
        joining.submit(session, data)
    except ValidationError as exc:
        errors = _errors(ui, exc)
    except InputError as exc:
        session.rollback()
        key = N_("join.email_waiting") if "waiting" in exc.message else N_("join.email_taken")
        errors = {"email": ui.t(key)}
    else:
        return ui.redirect("/join?sent=1")
    errors.setdefault("form", ui.t("form.has_errors"))
    return _join_form(ui, values=form, errors=errors, status=422)


# -- the facilitators' list -------------------------------------------------------------------


def _list(
    ui: Page, session: Session, *, notice: str = "", errors: dict[int, str], status: int = 200
) -> Response:
    return ui.render(
        "account/joins.html",
        "account/_joins.html",
        status=status,
        section="joins",
        here="/joins",
        title=ui.t("joins.title"),
        waiting=views.waiting(session, ui.t, errors),
        decided=views.decided(session, ui.t),
        notice=notice,
        # a request decided meanwhile is no longer listed: its message goes on top
        error=" ".join(m for i, m in errors.items() if i not in joining.pending_ids(session)),
    )


@router.get("/joins")
def joins(ui: PageDep, session: SessionDep, done: str = "") -> Response:
    ui.require_curator()
    notice = {"approved": ui.t("joins.approved"), "declined": ui.t("joins.declined")}.get(done, "")
    return _list(ui, session, notice=notice, errors={})


@router.post("/joins/{request_id:int}/approve")
def approve(request_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Approve: the organisation is made (or the named one linked) and its contact invited."""
    principal = ui.require_curator()
    assert principal.user is not None
    link = form["organisation_id"]
    try:
        joining.approve(
            session,
            ui.request.app.state.settings,
            by=principal.user,
            request_id=request_id,
            organisation_id=int(link) if link.isdigit() else None,
        )
    except NotFound:
        return ui.not_found()
    except InputError as exc:
        session.rollback()
        message = {
            "organisation_id": N_("joins.name_taken"),
            "email": N_("joins.email_taken"),
        }.get(exc.field, N_("joins.decided_already"))
        return _list(ui, session, errors={request_id: ui.t(message)}, status=422)
    return ui.redirect("/joins?done=approved")


@router.post("/joins/{request_id:int}/decline")
def decline(request_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Decline with a reason: the applicant gets it in a polite message, in their language."""
    principal = ui.require_curator()
    assert principal.user is not None
    try:
        joining.decline(
            session,
            ui.request.app.state.settings,
            by=principal.user,
            request_id=request_id,
            reason=form["reason"],
        )
    except NotFound:
        return ui.not_found()
    except InputError as exc:
        session.rollback()
        key = N_("joins.reason_needed") if exc.field == "reason" else N_("joins.decided_already")
        return _list(ui, session, errors={request_id: ui.t(key)}, status=422)
    return ui.redirect("/joins?done=declined")
