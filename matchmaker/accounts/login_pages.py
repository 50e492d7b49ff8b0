"""HTML pages to log in and out; accounts themselves are managed through the JSON API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from matchmaker.accounts import auth
from matchmaker.deps import SessionDep
from matchmaker.vocab import Role
from matchmaker.web.fields import Field
from matchmaker.web.render import Page, PageDep, safe_next

router = APIRouter(tags=["pages"], include_in_schema=False)

MEMBER_HOME = "/my"  # members/pages.py: where a member goes after logging in


async def login_posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "") for name in ("email", "password", "next")}


LoginDep = Annotated[dict[str, str], Depends(login_posted)]


def _show(
    ui: Page, *, next_url: str, email: str = "", error: str = "", status: int = 200
) -> Response:
    t = ui.t
    fields = [
        Field(
            "email",
            t("login.email"),
            "email",
            value=email,
            attrs={"autocomplete": "username", "maxlength": "254"},
            required=True,
        ),
        Field(
            "password",
            t("login.password"),
            "password",
            attrs={"autocomplete": "current-password", "maxlength": "200"},
            required=True,
        ),
    ]
    for f in fields:
        f.error = error if error and f.name == "password" else ""
    return ui.render(
        "account/login.html",
        "account/_login.html",
        status=status,
        title=t("login.title"),
        fields=fields,
        next_url=next_url,
        error=error,
        here="/login",
    )


@router.get("/login")
def login_page(ui: PageDep, next: str = "/") -> Response:
    if ui.principal.user is not None:
        return ui.redirect(safe_next(next))
    return _show(ui, next_url=safe_next(next))


@router.post("/login")
def login(ui: PageDep, session: SessionDep, form: LoginDep) -> Response:
    """The same checks as the API's login, rate limit included; then a session cookie."""
    target = safe_next(form["next"])
    try:
        user = auth.log_in(ui.request, session, form["email"], form["password"])
    except auth.TooManyAttempts:
        return _show(
            ui, next_url=target, email=form["email"], error=ui.t("login.too_many"), status=429
        )
    if user is None:
        return _show(
            ui, next_url=target, email=form["email"], error=ui.t("login.wrong"), status=401
        )
    if target == "/" and user.role == Role.member and user.organisation_id is not None:
        target = MEMBER_HOME  # a member lands on their organisation's page
    response = ui.redirect(target)
    auth.start_session(ui.request, response, session, user)
    return response


@router.post("/logout")
def logout(ui: PageDep, session: SessionDep) -> Response:
    response = ui.redirect("/")
    auth.end_session(ui.request, response, session)
    return response
