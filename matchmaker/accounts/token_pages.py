"""My API tokens: create one (its value shown once) and revoke those no longer used."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.deps import SessionDep
from matchmaker.errors import NotFound
from matchmaker.web.fields import Field
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@dataclass
class TokenView:
    id: int
    name: str
    created: str
    last_used: str
    revoke_url: str


def _page(
    ui: Page,
    session: Session,
    *,
    created: str = "",
    name: str = "",
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    t, user = ui.t, ui.principal.user
    assert user is not None
    rows = accounts.user_tokens(session, user)
    tokens = [
        TokenView(
            tok.id,
            tok.name,
            t.time(tok.created_at),
            t.time(tok.last_used_at) if tok.last_used_at else t("tokens.never"),
            f"/account/tokens/{tok.id}/revoke",
        )
        for tok in rows
        if tok.id is not None
    ]
    field = Field(
        "name",
        t("tokens.name"),
        "text",
        value=name,
        required=True,
        error=error,
        hint=t("tokens.name_hint"),
        attrs={"maxlength": "100", "autocomplete": "off"},
    )
    response = ui.render(
        "account/tokens.html",
        "account/_tokens.html",
        status=status,
        here="/account/tokens",
        title=t("tokens.title"),
        tokens=tokens,
        field=field,
        created=created,
        notice=notice,
    )
    if created:  # the one time the token is shown: no cache keeps it
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/account/tokens")
def tokens(ui: PageDep, session: SessionDep, revoked: str = "") -> Response:
    ui.require_login()
    return _page(ui, session, notice=ui.t("tokens.revoked") if revoked else "")


@router.post("/account/tokens")
async def create(ui: PageDep, session: SessionDep, request: Request) -> Response:
    """A new token, shown on this answer only (a redirect would have to keep it somewhere)."""
    principal = ui.require_login()
    name = str((await request.form()).get("name") or "").strip()
    assert principal.user is not None
    try:
        data = accounts.TokenIn(name=name)
    except ValidationError:
        error = ui.t("error.required") if not name else ui.t("error.too_long", max=100)
        return _page(ui, session, name=name[:100], error=error, status=422)
    _, plain = accounts.new_api_token(session, principal.user, data.name)
    return _page(ui, session, created=plain)


@router.post("/account/tokens/{token_id:int}/revoke")
def revoke(token_id: int, ui: PageDep, session: SessionDep) -> Response:
    principal = ui.require_login()
    try:
        accounts.revoke_api_token(session, principal.user, token_id)
    except NotFound:
        return ui.not_found()
    return ui.redirect("/account/tokens?revoked=1")
