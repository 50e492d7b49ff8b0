"""Who is asking (token or session cookie), what their role allows, CSRF and rate limits."""

from __future__ import annotations

import hashlib
import itertools
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Annotated, Any, Protocol

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from matchmaker.accounts import security, sessions
from matchmaker.accounts import service as accounts
from matchmaker.deps import SessionDep
from matchmaker.shared_tables import RateHit
from matchmaker.tables import ApiToken, Listing, User, utcnow
from matchmaker.vocab import Role

COOKIE = "mm_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
TOKEN_USE_EVERY = timedelta(hours=1)  # how precisely a token's last use is kept
log = logging.getLogger(__name__)
LOGS_IN = {"/login", "/register"}  # the page forms that start a session
LOGIN_WINDOW = 15 * 60  # seconds in which MATCHMAKER_LOGIN_ATTEMPTS failures lock a login out
# Password-reset requests an hour: per address (known or not), and per client.
RESETS_PER_ADDRESS, RESETS_PER_CLIENT, RESET_WINDOW = 3, 10, 3600


class Owned(Protocol):
    """A listing, or a row of its columns: whose it is."""

    @property
    def organisation_id(self) -> int: ...


@dataclass(frozen=True)
class Principal:
    """The person behind a request; `user` is None for a visitor who has not logged in.

    It answers what the role allows; what of a listing this person may see is
    listings/visibility.py's to say.
    """

    user: User | None = None
    via_token: bool = False

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user else None

    @property
    def organisation_id(self) -> int | None:
        return self.user.organisation_id if self.user else None

    @property
    def curates(self) -> bool:
        return self.role in (Role.facilitator, Role.admin)

    def owns(self, listing: Owned) -> bool:
        return self.organisation_id is not None and listing.organisation_id == self.organisation_id

    def can_edit(self, listing: Listing) -> bool:
        return self.curates or (self.role == Role.member and self.owns(listing))


VISITOR = Principal()


def session_payload(request: Request) -> dict[str, object]:
    cached = getattr(request.state, "session_payload", None)
    if cached is None:
        raw = request.cookies.get(COOKIE)
        cached = (request.app.state.signer.loads(raw) if raw else None) or {}
        request.state.session_payload = cached
    payload: dict[str, object] = cached
    return payload


class WouldWrite(Exception):
    """principal_of(..., writes=False) met a token whose use is due to be noted: the caller
    (a route answering on the event loop) asks again where a write may wait for a lock."""


def get_principal(request: Request, session: SessionDep) -> Principal:
    return principal_of(request, session, writes=True)


def principal_of(request: Request, session: Session, *, writes: bool) -> Principal:
    """Who is asking. With writes=False, WouldWrite instead of the hourly note of a token's use:
    a commit may wait seconds for another writer, which no request on the event loop may."""
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    principal = VISITOR
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = session.exec(
            select(ApiToken).where(ApiToken.token_hash == security.token_hash(header[7:].strip()))
        ).first()
        user = session.get(User, token.user_id) if token else None
        if token is None or user is None or not user.active:
            raise HTTPException(
                401,
                "this API token is not valid (revoked or mistyped)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if use_due(token):
            if not writes:
                raise WouldWrite
            note_use(session, token)
        principal = Principal(user, via_token=True)
    else:
        sid = session_payload(request).get("sid")
        user = sessions.user_of(session, sid) if isinstance(sid, str) else None
        if user is not None:
            principal = Principal(user)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_user(principal: PrincipalDep) -> Principal:
    if principal.user is None:
        raise HTTPException(401, "log in first")
    return principal


def require_curator(principal: PrincipalDep) -> Principal:
    require_user(principal)
    if not principal.curates:
        raise HTTPException(403, "only facilitators and admins may do this")
    return principal


def require_admin(principal: PrincipalDep) -> Principal:
    require_user(principal)
    if principal.role != Role.admin:
        raise HTTPException(403, "only admins may do this")
    return principal


def browsing_allowed(request: Request, principal: PrincipalDep) -> Principal:
    """Anyone may browse public listings, unless the login_required setting says otherwise."""
    if request.app.state.settings.login_required and principal.user is None:
        raise HTTPException(401, "log in to browse listings")
    return principal


ViewerDep = Annotated[Principal, Depends(browsing_allowed)]
UserDep = Annotated[Principal, Depends(require_user)]
CuratorDep = Annotated[Principal, Depends(require_curator)]
AdminDep = Annotated[Principal, Depends(require_admin)]


def start_session(request: Request, response: Response, session: Session, user: User) -> str:
    """Log the user in on this browser: a new server-side session, a fresh CSRF token."""
    settings = request.app.state.settings
    sid = sessions.start(session, user, days=settings.session_days)
    csrf = secrets.token_urlsafe(24)
    payload = {"sid": sid, "csrf": csrf}
    response.set_cookie(
        COOKIE,
        request.app.state.signer.dumps(payload),
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    request.state.session_payload = payload
    return csrf


def end_session(request: Request, response: Response, session: Session) -> None:
    """Log out: the server forgets the session, so a copy of the cookie opens nothing."""
    sid = session_payload(request).get("sid")
    if isinstance(sid, str):
        sessions.end(session, sid)
    request.state.session_payload = {}
    response.delete_cookie(COOKIE, path="/")


def csrf_token(request: Request, response: Response | None = None) -> str:
    """This browser's CSRF token; a visitor without a session gets one in a fresh cookie."""
    payload = session_payload(request)
    token = payload.get("csrf")
    if isinstance(token, str):
        return token
    token = secrets.token_urlsafe(24)
    if response is not None:
        settings = request.app.state.settings
        response.set_cookie(
            COOKIE,
            request.app.state.signer.dumps({"csrf": token}),
            max_age=settings.session_days * 86400,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
            path="/",
        )
    request.state.session_payload = {**payload, "csrf": token}
    return token


class CsrfRejected(HTTPException):
    """A failed CSRF check: JSON for the API, a page saying what to do for a form (web/render)."""


async def check_csrf(request: Request) -> None:
    """A state change carried by a browser cookie must carry the page's CSRF token too.

    Requests with a bearer token, or with no session cookie at all, carry no ambient
    authority and need none, except the forms that log a browser in: without a token a
    cross-site form could log it into the attacker's account, so these need the token tied
    to the pre-session cookie their page set, cookie or not. The API's login takes JSON
    only, which a cross-site form cannot send.
    """
    if request.method not in _UNSAFE:
        return
    if COOKIE not in request.cookies and request.url.path not in LOGS_IN:
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    expected = session_payload(request).get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise CsrfRejected(
            403,
            "the form has expired or did not come from this site: reload the page and try again",
        )


class TooManyAttempts(Exception):
    """A login or reset request over its limit: the caller answers 429 in its own words."""


def client_address(request: Request) -> str:
    """The client's address as the server saw it.

    Behind a proxy named in MATCHMAKER_TRUSTED_PROXIES, uvicorn has put the address the proxy
    forwarded here; from anyone else an X-Forwarded-For header is ignored (cli.uvicorn_options).
    """
    return request.client.host if request.client else "?"


def log_in(request: Request, session: Session, email: str, password: str) -> User | None:
    """The login of the API and of the login page: the user, or None for a wrong password.

    Failures count per client and address (spelt as accounts.normalise_email spells it); a
    success wipes them. Raises TooManyAttempts once MATCHMAKER_LOGIN_ATTEMPTS failed.
    """
    limiter: RateLimiter = request.app.state.login_limiter
    key = f"{client_address(request)}|{accounts.normalise_email(email)}"
    if not limiter.allow(key):  # counted now, so that parallel guesses count too
        raise TooManyAttempts
    user = accounts.authenticate(session, email, password)
    if user is not None:
        limiter.forget(key)
    return user


def check_reset_limit(request: Request, email: str) -> None:
    """Reset requests per client and per address (known or not, alike), or TooManyAttempts."""
    per_client, per_address = request.app.state.reset_limiters
    if not per_client.allow(client_address(request)):
        raise TooManyAttempts
    if not per_address.allow(accounts.normalise_email(email)):
        raise TooManyAttempts


def make_limiters(
    db_engine: Engine, login_attempts: int
) -> tuple[RateLimiter, tuple[RateLimiter, RateLimiter]]:
    """The login limiter, and the reset limiters per client and per address."""
    return RateLimiter(db_engine, "login", login_attempts, LOGIN_WINDOW), (
        RateLimiter(db_engine, "reset-client", RESETS_PER_CLIENT, RESET_WINDOW),
        RateLimiter(db_engine, "reset-address", RESETS_PER_ADDRESS, RESET_WINDOW),
    )


class RateLimiter:
    """At most `limit` attempts per key in a sliding window of `seconds`, counted in the
    database: every worker (and every machine) counts the same attempts."""

    PRUNE_EVERY = 500  # attempts, after which the rows that left every window are deleted

    def __init__(self, db_engine: Engine, bucket: str, limit: int, seconds: float) -> None:
        self.bucket, self.limit, self.seconds = bucket, limit, seconds
        self._db_engine = db_engine
        self._calls = itertools.count(1)

    def _mine(self, key: str) -> Any:
        return (col(RateHit.bucket) == self.bucket) & (col(RateHit.key) == _stored(key))

    def allow(self, key: str) -> bool:
        """Count the attempt first and commit it, then count the window: parallel attempts
        each see the others (at worst one too many is refused, never one too many let in)."""
        now = utcnow()
        cutoff = now - timedelta(seconds=self.seconds)
        with Session(self._db_engine) as session:
            if next(self._calls) % self.PRUNE_EVERY == 0:
                session.exec(
                    delete(RateHit).where(
                        col(RateHit.bucket) == self.bucket, col(RateHit.at) < cutoff
                    )
                )
            hit = RateHit(bucket=self.bucket, key=_stored(key), at=now)
            session.add(hit)
            session.commit()
            seen = session.exec(
                select(func.count()).where(self._mine(key), col(RateHit.at) >= cutoff)
            ).one()
            if seen <= self.limit:
                return True
            session.delete(hit)  # a refused attempt does not stretch the window
            session.commit()
            return False

    def forget(self, key: str) -> None:
        with Session(self._db_engine) as session:
            session.exec(delete(RateHit).where(self._mine(key)))
            session.commit()


def _stored(key: str) -> str:
    """A key as the limits keep it: a digest, so that no address is stored in the clear and
    any text a client sends (a NUL, which PostgreSQL refuses, or a lone surrogate) is one."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def use_due(token: ApiToken) -> bool:
    """Whether the token's last use is older than its precision: a read writes once an hour
    at most."""
    last = token.last_used_at
    return last is None or utcnow() - last.replace(tzinfo=last.tzinfo or UTC) >= TOKEN_USE_EVERY


def note_use(session: Session, token: ApiToken) -> None:
    """Keep when the token was last used (its caller asks use_due first): a failed write (a
    full or read-only disk) never fails the request."""
    token_id = token.id
    token.last_used_at = utcnow()
    session.add(token)
    try:
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("could not note the use of API token %s: %s", token_id, exc)
