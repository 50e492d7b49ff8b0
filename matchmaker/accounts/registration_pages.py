"""Joining and getting back in: register from an invitation, reset a password, invite people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from matchmaker.accounts import auth, join_views
from matchmaker.accounts import service as accounts
from matchmaker.deps import SessionDep
from matchmaker.errors import InputError
from matchmaker.tables import Organisation
from matchmaker.vocab import Role
from matchmaker.web import fields as web_fields
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import LANGUAGES, Translator
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

NAMES = (
    "token",
    "email",
    "name",
    "organisation",
    "password",
    "language",
    "role",
    "organisation_id",
)


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in NAMES}
    return {k: v if k == "password" else v.strip() for k, v in values.items()}


FormDep = Annotated[dict[str, str], Depends(posted)]
Errors = dict[str, str]


def _password(t: Translator, errors: Errors, label: str = "") -> Field:
    return Field(
        "password",
        label or t("register.password"),
        "password",
        required=True,
        hint=t("register.password_hint"),
        error=errors.get("password", ""),
        attrs={"autocomplete": "new-password", "minlength": "10", "maxlength": "200"},
    )


def _email(t: Translator, value: str, errors: Errors) -> Field:
    return web_fields.email(t("login.email"), {"email": value}, errors)


def _schema_errors(t: Translator, exc: ValidationError) -> Errors:
    """The first problem of each field, worded; the schemas are the API's own."""
    found: Errors = {}
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else "form"
        if name == "password":
            message = t("register.password_hint")
        elif name == "email":
            message = t("register.email_invalid")
        elif e["type"] == "string_too_long":
            message = t("error.too_long", max=(e.get("ctx") or {}).get("max_length", ""))
        else:
            message = t("error.choose")
        found.setdefault(name, message)
    return found


# -- register ---------------------------------------------------------------------------------


def _register_page(
    ui: Page, *, token: str, values: dict[str, str], errors: Errors, status: int = 200
) -> Response:
    t = ui.t
    open_signup = ui.request.app.state.settings.open_signup
    fields: list[Field] = []
    signing_up = not token and open_signup
    if signing_up:
        fields.append(_email(t, values.get("email", ""), errors))
    chosen = values.get("language") or ui.lang
    fields.append(
        Field(
            "name",
            t("register.name"),
            "text",
            value=values.get("name", ""),
            error=errors.get("name", ""),
            attrs={"autocomplete": "name", "maxlength": "200"},
        )
    )
    if signing_up:  # the organisation's name is public; the e-mail address never is
        fields.append(
            Field(
                "organisation",
                t("field.organisation"),
                "text",
                value=values.get("organisation", ""),
                required=True,
                error=errors.get("organisation", ""),
                attrs={"autocomplete": "organization", "maxlength": "200"},
            )
        )
    fields += [
        _password(t, errors),
        Field(
            "language",
            t("register.language"),
            "select",
            options=[Option(code, t.label("language", code), code == chosen) for code in LANGUAGES],
        ),
    ]
    return ui.render(
        "account/register.html",
        "account/_register.html",
        status=status,
        here="/register",
        title=t("register.title"),
        token=token,
        allowed=bool(token) or open_signup,
        contact=join_views.contact(ui.request.app.state.settings),
        fields=fields,
        error=errors.get("form", ""),
    )


@router.get("/register")
def register_page(ui: PageDep, token: str = "") -> Response:
    return _register_page(ui, token=token[:200], values={}, errors={})


@router.post("/register")
def register(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    t = ui.t
    errors: Errors = {}
    try:
        data = accounts.RegisterIn.model_validate(
            {
                "token": form["token"] or None,
                "email": form["email"] or None,
                "name": form["name"],
                "organisation": form["organisation"],
                "password": form["password"],
                "language": form["language"] or ui.lang,
            }
        )
        user = accounts.register(session, ui.request.app.state.settings, data)
    except ValidationError as exc:
        errors = _schema_errors(t, exc)
    except InputError as exc:
        session.rollback()
        if exc.field == "email" and "account already" in exc.message:
            errors = {"email": t("register.email_taken"), "form": t("register.email_taken")}
        elif exc.field == "email":
            errors = {"email": t("register.email_invalid")}
        elif exc.field == "password":
            errors = {"password": t("register.password_hint")}
        elif exc.field == "organisation":
            errors = {"organisation": t("register.organisation_needed")}
        else:
            errors = {"form": t("register.token_invalid")}
    else:
        response = ui.redirect("/")
        auth.start_session(ui.request, response, session, user)
        return response
    errors.setdefault("form", t("form.has_errors"))
    return _register_page(ui, token=form["token"], values=form, errors=errors, status=422)


# -- password reset ---------------------------------------------------------------------------


def _reset_page(
    ui: Page,
    *,
    token: str = "",
    notice: str = "",
    errors: Errors | None = None,
    email: str = "",
    status: int = 200,
) -> Response:
    t, errors = ui.t, errors or {}
    fields = (
        [_password(t, errors, t("reset.new_password"))] if token else [_email(t, email, errors)]
    )
    return ui.render(
        "account/reset.html",
        "account/_reset.html",
        status=status,
        here="/reset",
        title=t("reset.title"),
        token=token,
        fields=fields,
        notice=notice,
        error=errors.get("form", ""),
    )


@router.get("/reset")
def reset_page(ui: PageDep, token: str = "", sent: str = "", done: str = "") -> Response:
    if done:
        return _reset_page(ui, notice=ui.t("reset.done"))
    notice = ui.t("reset.sent") if sent else ""
    return _reset_page(ui, token=token[:200], notice=notice)


@router.post("/reset")
def request_reset(ui: PageDep, form: FormDep, background: BackgroundTasks) -> Response:
    """Mail a one-time link; the answer is the same, as fast, whether the address has an
    account: the link is made after the answer."""
    email = form["email"][:254]
    if email:
        try:
            auth.check_reset_limit(ui.request, email)
        except auth.TooManyAttempts:
            errors = {"form": ui.t("reset.too_many")}
            return _reset_page(ui, email=email, errors=errors, status=429)
        background.add_task(accounts.request_reset_later, ui.request.app, email)
    return ui.redirect("/reset?sent=1")


@router.post("/reset/confirm")
def confirm_reset(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    t = ui.t
    try:
        accounts.reset_password(
            session, accounts.ResetConfirmIn(token=form["token"], password=form["password"])
        )
    except ValidationError as exc:
        errors = _schema_errors(t, exc)
        if "token" in errors:
            errors = {"form": t("register.token_invalid")}
    except InputError:
        session.rollback()
        errors = {"form": t("register.token_invalid")}
    else:
        return ui.redirect("/reset?done=1")
    errors.setdefault("form", t("form.has_errors"))
    return _reset_page(ui, token=form["token"] or "-", errors=errors, status=422)


# -- invitations ------------------------------------------------------------------------------


def _organisations(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(select(Organisation).order_by(col(Organisation.name)))
    return [(o.id, o.name) for o in rows if o.id is not None]


def _invite_page(
    ui: Page,
    session: Session,
    *,
    values: dict[str, str],
    errors: Errors,
    notice: str = "",
    status: int = 200,
) -> Response:
    t = ui.t
    roles = list(Role) if ui.principal.role == Role.admin else [Role.member]
    chosen_role = values.get("role") or Role.member.value
    chosen_org = values.get("organisation_id", "")
    fields = [
        _email(t, values.get("email", ""), errors),
        Field(
            "name",
            t("register.name"),
            "text",
            value=values.get("name", ""),
            error=errors.get("name", ""),
            attrs={"maxlength": "200"},
        ),
        Field(
            "role",
            t("invite.role"),
            "radio",
            required=True,
            error=errors.get("role", ""),
            options=[Option(r.value, t.label("role", r), r.value == chosen_role) for r in roles],
        ),
        Field(
            "organisation_id",
            t("field.organisation"),
            "select",
            hint=t("invite.organisation_hint"),
            error=errors.get("organisation_id", ""),
            options=[Option("", t("form.choose"), not chosen_org)]
            + [Option(str(i), name, str(i) == chosen_org) for i, name in _organisations(session)],
        ),
    ]
    return ui.render(
        "account/invite.html",
        "account/_invite.html",
        status=status,
        section="invite",
        here="/invite",
        title=t("invite.title"),
        fields=fields,
        notice=notice,
        error=errors.get("form", ""),
    )


@router.get("/invite")
def invite_page(ui: PageDep, session: SessionDep, sent: str = "") -> Response:
    ui.require_curator()
    notice = ui.t("invite.sent") if sent else ""
    return _invite_page(ui, session, values={}, errors={}, notice=notice)


@router.post("/invite")
def invite(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_curator()
    assert principal.user is not None
    t = ui.t
    try:
        data = accounts.InviteIn.model_validate(
            {
                "email": form["email"],
                "name": form["name"],
                "role": form["role"] or Role.member,
                "organisation_id": form["organisation_id"] or None,
            }
        )
        accounts.invite(session, ui.request.app.state.settings, by=principal.user, data=data)
    except ValidationError as exc:
        errors = _schema_errors(t, exc)
    except InputError as exc:
        session.rollback()
        if exc.field == "email":
            errors = {"email": t("register.email_taken")}
        elif exc.field == "role":
            errors = {"role": t("invite.role_not_allowed")}
        else:
            errors = {"organisation_id": t("invite.organisation_needed")}
    else:
        return ui.redirect("/invite?sent=1")
    errors.setdefault("form", t("form.has_errors"))
    return _invite_page(ui, session, values=form, errors=errors, status=422)
