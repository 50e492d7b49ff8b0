"""Users: creation, login, invitations, password resets, API tokens, and the audit log."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from matchmaker.accounts import mail, security, sessions
from matchmaker.errors import InputError, NotFound
from matchmaker.settings import Settings
from matchmaker.shapes import EMAIL_PATTERN, DbId, StrictModel, storable
from matchmaker.tables import (
    ApiToken,
    AuditEntry,
    OneTimeToken,
    Organisation,
    User,
    utcnow,
)
from matchmaker.vocab import Language, OrgKind, Role

Email = Annotated[str, Field(max_length=254, pattern=EMAIL_PATTERN)]
Password = Annotated[
    str, Field(min_length=10, max_length=200, description="at least 10 characters")
]
INVITE_DAYS, RESET_HOURS = 14, 2
log = logging.getLogger(__name__)


class LoginIn(StrictModel):
    email: Annotated[str, Field(max_length=254)]
    password: Annotated[str, Field(max_length=200)]


class InviteIn(StrictModel):
    email: Email
    role: Role = Role.member
    organisation_id: DbId | None = None
    name: Annotated[str, Field(max_length=200)] = ""


class RegisterIn(StrictModel):
    token: Annotated[str | None, Field(max_length=200)] = None
    email: Email | None = None  # open sign-up only
    name: Annotated[str, Field(max_length=200)] = ""
    organisation: Annotated[str, Field(max_length=200)] = ""  # open sign-up: shown publicly
    password: Password
    language: Language = Language.fi


class ResetIn(StrictModel):
    email: Annotated[str, Field(max_length=254)]


class ResetConfirmIn(StrictModel):
    token: Annotated[str, Field(max_length=200)]
    password: Password


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    organisation_id: int | None
    language: Language
    active: bool


class UserUpdate(StrictModel):
    role: Role | None = None
    organisation_id: DbId | None = None
    active: bool | None = None


class TokenIn(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: Any
    last_used_at: Any


def normalise_email(email: str) -> str:
    """The one spelling of an address: logins, limits and accounts all key on it."""
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role = Role.member,
    organisation_id: int | None = None,
    name: str = "",
    language: Language = Language.fi,
) -> User:
    email = normalise_email(email)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise InputError("email", f"{email} has an account already")
    if len(password) < 10:
        raise InputError("password", "use at least 10 characters")
    if role == Role.member and organisation_id is None:
        raise InputError("organisation_id", "a member belongs to an organisation")
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise InputError("organisation_id", f"organisation {organisation_id} does not exist")
    user = User(
        email=email,
        name=name,
        password_hash=security.hash_password(password),
        role=role,
        organisation_id=organisation_id,
        language=language,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def account_of(session: Session, email: str) -> User | None:
    """The account of an address as typed at a login or a reset; an address no account can
    have (a control character, a NUL that PostgreSQL would refuse to compare) is none."""
    address = normalise_email(email)
    if not re.fullmatch(EMAIL_PATTERN, address):
        return None
    return session.exec(select(User).where(User.email == address)).first()


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = account_of(session, email)
    ok = security.verify_or_waste_time(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


def audit(
    session: Session,
    user: User | None,
    action: str,
    target: str = "",
    **detail: str | int | float | None,
) -> None:
    """Record a facilitator's or admin's action; the caller commits with its own change."""
    session.add(
        AuditEntry(user_id=user.id if user else None, action=action, target=target, detail=detail)
    )


def invite(session: Session, settings: Settings, *, by: User, data: InviteIn) -> OneTimeToken:
    if by.role != Role.admin and data.role != Role.member:
        raise InputError("role", "facilitators invite members; admins invite any role")
    if data.role == Role.member and data.organisation_id is None:
        raise InputError("organisation_id", "a member belongs to an organisation")
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        raise InputError("organisation_id", f"organisation {data.organisation_id} does not exist")
    email = normalise_email(data.email)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise InputError("email", f"{email} has an account already")
    plain, hashed = security.new_token()
    invitation = OneTimeToken(
        purpose="invite",
        token_hash=hashed,
        email=email,
        role=data.role,
        organisation_id=data.organisation_id,
        created_by=by.id,
        expires_at=utcnow() + timedelta(days=INVITE_DAYS),
    )
    session.add(invitation)
    audit(session, by, "invite", email, role=data.role.value, organisation_id=data.organisation_id)
    session.commit()
    link = f"{settings.base_url}/register?token={plain}"
    mail.send(
        session,
        settings,
        to=email,
        subject="Invitation to the Circular Valley Matchmaker",
        body=f"{by.name or by.email} invites you to the Circular Valley Matchmaker.\n\n"
        f"Choose a password here (valid {INVITE_DAYS} days):\n{link}\n",
        secret=link,
    )
    return invitation


def _redeem(session: Session, purpose: str, plain: str) -> OneTimeToken:
    token = session.exec(
        select(OneTimeToken).where(
            OneTimeToken.token_hash == security.token_hash(plain), OneTimeToken.purpose == purpose
        )
    ).first()
    if token is None or token.used_at is not None or _naive(token.expires_at) < _naive(utcnow()):
        raise InputError("token", "this link is not valid any more: ask for a new one")
    token.used_at = utcnow()
    session.add(token)
    return token


def _naive(value: Any) -> Any:
    return value.replace(tzinfo=None)


def register(session: Session, settings: Settings, data: RegisterIn) -> User:
    if data.token:
        token = _redeem(session, "invite", data.token)
        return create_user(
            session,
            email=token.email,
            password=data.password,
            role=token.role,
            organisation_id=token.organisation_id,
            name=data.name,
            language=data.language,
        )
    if not settings.open_signup:
        raise InputError("token", "registration is by invitation: ask a facilitator")
    if not data.email:
        raise InputError("email", "an e-mail address is needed")
    # Shown with the listings: never the e-mail address, which would make it public.
    org_name = data.organisation.strip() or data.name.strip()
    if not org_name:
        raise InputError("organisation", "give your organisation's name: listings show it")
    from matchmaker.listings import service as listings  # listings' service imports this one

    listings.require_free_name(session, org_name)
    org = Organisation(name=org_name, kind=OrgKind.company)
    session.add(org)
    session.flush()
    return create_user(
        session,
        email=data.email,
        password=data.password,
        role=Role.member,
        organisation_id=org.id,
        name=data.name,
        language=data.language,
    )


def request_reset(session: Session, settings: Settings, email: str) -> None:
    """Mail a reset link if the account exists; the answer is the same either way."""
    user = account_of(session, email)
    if user is None or not user.active:
        return
    plain, hashed = security.new_token()
    session.add(
        OneTimeToken(
            purpose="reset",
            token_hash=hashed,
            email=user.email,
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=RESET_HOURS),
        )
    )
    session.commit()
    link = f"{settings.base_url}/reset?token={plain}"
    mail.send(
        session,
        settings,
        to=user.email,
        subject="Reset your password",
        body=f"Someone asked to reset the password of {user.email}.\n\n"
        f"Choose a new one here (valid {RESET_HOURS} hours):\n{link}\n\n"
        "If it was not you, ignore this message.",
        secret=link,
    )


def request_reset_later(app: Any, email: str) -> None:
    """request_reset in its own database session, run after the answer has gone out.

    Known and unknown addresses then answer alike and as fast; a failure is logged.
    """
    try:
        with Session(app.state.db_engine) as session:
            request_reset(session, app.state.settings, email)
    except Exception:
        log.exception("the password reset for a requested address failed")


def reset_password(session: Session, data: ResetConfirmIn) -> User:
    token = _redeem(session, "reset", data.token)
    user = session.get(User, token.user_id)
    if user is None:
        raise InputError("token", "this link is not valid any more: ask for a new one")
    user.password_hash = security.hash_password(data.password)
    session.add(user)
    assert user.id is not None
    sessions.end_all(session, user.id)  # whoever held a session or another link is out
    session.commit()
    return user


def update_user(session: Session, *, by: User | None, user_id: int, data: UserUpdate) -> User:
    """An admin changes a user's role, organisation or activity; the audit log records it.

    A change of role or organisation, or deactivation, ends the user's sessions and unused
    reset links: the next request signs in with what the user now is.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    changes = data.model_dump(exclude_unset=True)
    for name in ("role", "active"):
        if name in changes and changes[name] is None:
            raise InputError(name, "must not be empty")
    org_id = changes.get("organisation_id")
    if org_id is not None and session.get(Organisation, org_id) is None:
        raise InputError("organisation_id", f"organisation {org_id} does not exist")
    if (
        changes.get("role", user.role) == Role.member
        and changes.get("organisation_id", user.organisation_id) is None
    ):
        raise InputError("organisation_id", "a member belongs to an organisation")
    ends = (
        changes.get("role", user.role) != user.role
        or changes.get("organisation_id", user.organisation_id) != user.organisation_id
        or changes.get("active", user.active) is False
    )
    user.sqlmodel_update(changes)
    audit(session, by, "update user", user.email, **{k: str(v) for k, v in changes.items()})
    session.add(user)
    if ends:
        sessions.end_all(session, user_id)
    session.commit()
    session.refresh(user)
    return user


def new_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token of `user` and its value, which is never stored (only its hash is)."""
    plain, hashed = security.new_token()
    token = ApiToken(user_id=user.id, name=name, token_hash=hashed)  # type: ignore[arg-type]
    session.add(token)
    session.commit()
    session.refresh(token)
    return token, plain


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's API tokens, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created_at).desc())
        )
    )


def revoke_api_token(session: Session, user: User | None, token_id: int) -> None:
    """Delete one of `user`'s tokens; another's, or none, does not exist for them (NotFound)."""
    token = session.get(ApiToken, token_id) if storable(token_id) else None
    if token is None or user is None or token.user_id != user.id:
        raise NotFound(f"token {token_id} does not exist")
    session.delete(token)
    session.commit()
