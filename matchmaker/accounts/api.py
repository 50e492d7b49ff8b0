"""JSON API for accounts: login, invitations, registration, password reset, tokens, users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request, Response, status
from sqlmodel import col, select

from matchmaker.accounts import auth, mail
from matchmaker.accounts import service as accounts
from matchmaker.accounts.service import (
    InviteIn,
    LoginIn,
    RegisterIn,
    ResetConfirmIn,
    ResetIn,
    TokenIn,
    TokenPublic,
    UserPublic,
    UserUpdate,
)
from matchmaker.deps import SessionDep
from matchmaker.errors import answer
from matchmaker.shapes import PathId
from matchmaker.tables import ApiToken, AuditEntry, OutboxMessage, User

router = APIRouter(prefix="/api", tags=["accounts"])


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/session",
    response_model=dict[str, Any],
    responses={
        401: answer("The e-mail or the password is wrong."),
        429: answer("Too many failed logins for this e-mail: wait 15 minutes."),
    },
)
def login(data: LoginIn, request: Request, response: Response, session: SessionDep) -> Any:
    """Log in with JSON (a cross-site form cannot send JSON, so no CSRF token is needed)."""
    try:
        user = auth.log_in(request, session, data.email, data.password)
    except auth.TooManyAttempts:
        raise HTTPException(
            429, "too many failed logins: wait 15 minutes or reset the password"
        ) from None
    if user is None:
        raise HTTPException(401, "the e-mail or the password is wrong")
    csrf = auth.start_session(request, response, session, user)
    return {"user": _public(user), "csrf_token": csrf}


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, session: SessionDep) -> None:
    auth.end_session(request, response, session)


@router.get("/me", response_model=UserPublic)
def me(principal: auth.UserDep) -> UserPublic:
    assert principal.user is not None
    return _public(principal.user)


@router.post("/invitations", status_code=status.HTTP_201_CREATED, response_model=dict[str, Any])
def invite(
    data: InviteIn, request: Request, session: SessionDep, principal: auth.CuratorDep
) -> Any:
    assert principal.user is not None
    token = accounts.invite(session, request.app.state.settings, by=principal.user, data=data)
    return {"email": token.email, "role": token.role, "expires_at": token.expires_at}


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserPublic)
def register(data: RegisterIn, request: Request, session: SessionDep) -> UserPublic:
    return _public(accounts.register(session, request.app.state.settings, data))


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=dict[str, str],
    responses={429: answer("Too many reset requests for this address or from this client.")},
)
def request_reset(data: ResetIn, request: Request, background: BackgroundTasks) -> dict[str, str]:
    """The same answer, as fast, for any address: the link is made after the answer."""
    try:
        auth.check_reset_limit(request, data.email)
    except auth.TooManyAttempts:
        raise HTTPException(
            429, "too many reset requests: wait an hour, or ask a facilitator"
        ) from None
    background.add_task(accounts.request_reset_later, request.app, data.email)
    return {"detail": "if the address has an account, a reset link is on its way"}


@router.post("/password-reset/confirm", response_model=UserPublic)
def confirm_reset(data: ResetConfirmIn, session: SessionDep) -> UserPublic:
    return _public(accounts.reset_password(session, data))


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(session: SessionDep, principal: auth.UserDep) -> list[ApiToken]:
    assert principal.user is not None
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == principal.user.id)))


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=dict[str, Any])
def create_token(data: TokenIn, session: SessionDep, principal: auth.UserDep) -> Any:
    assert principal.user is not None
    token, plain = accounts.new_api_token(session, principal.user, data.name)
    return {
        "id": token.id,
        "name": token.name,
        "token": plain,
        "note": "shown once: store it now; only its hash is kept",
    }


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: PathId, session: SessionDep, principal: auth.UserDep) -> None:
    accounts.revoke_api_token(session, principal.user, token_id)


@router.get("/users", response_model=list[UserPublic])
def list_users(session: SessionDep, _: auth.AdminDep) -> list[UserPublic]:
    return [_public(u) for u in session.exec(select(User).order_by(col(User.email)))]


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(
    user_id: PathId, data: UserUpdate, session: SessionDep, principal: auth.AdminDep
) -> UserPublic:
    user = accounts.update_user(session, by=principal.user, user_id=user_id, data=data)
    return _public(user)


@router.get("/audit", response_model=list[AuditEntry])
def audit_log(
    session: SessionDep, _: auth.AdminDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)))


@router.get("/outbox", response_model=list[OutboxMessage])
def outbox(
    session: SessionDep,
    principal: auth.CuratorDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """The messages sent or held; a one-time link is withheld (it is its addressee's only)."""
    accounts.audit(session, principal.user, "read outbox", "api", limit=limit)
    session.commit()  # before the read: a commit would expire the rows read
    rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit))
    return [{**m.model_dump(), "body": mail.shown_body(m)} for m in rows]
