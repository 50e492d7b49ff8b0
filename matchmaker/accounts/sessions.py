"""Server-side login sessions: the cookie carries a random id; the database, only its hash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, delete, select, update

from matchmaker.accounts import security
from matchmaker.tables import OneTimeToken, User, UserSession, utcnow


def start(session: Session, user: User, *, days: int) -> str:
    """A new session of `user`; its id, which only the cookie keeps (the table has its hash)."""
    now = utcnow()
    session.exec(delete(UserSession).where(col(UserSession.expires_at) < now))
    plain, hashed = security.new_token()
    session.add(
        UserSession(
            token_hash=hashed,
            user_id=user.id,  # type: ignore[arg-type]
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.commit()
    return plain


def user_of(session: Session, plain: str) -> User | None:
    """The active user of a live session, or None (unknown, ended, expired or deactivated)."""
    row = session.exec(
        select(UserSession).where(UserSession.token_hash == security.token_hash(plain))
    ).first()
    if row is None or _naive(row.expires_at) <= _naive(utcnow()):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def end(session: Session, plain: str) -> None:
    """Log out: this session ends; its cookie opens nothing any more."""
    hashed = security.token_hash(plain)
    session.exec(delete(UserSession).where(col(UserSession.token_hash) == hashed))
    session.commit()


def end_all(session: Session, user_id: int) -> None:
    """Every session of the user ends, and every reset link not used yet is spent.

    After a password reset, a role change or deactivation, whatever was signed in before
    (or could sign in through an old link) has to sign in again; the caller commits.
    """
    session.exec(delete(UserSession).where(col(UserSession.user_id) == user_id))
    session.exec(
        update(OneTimeToken)
        .where(
            col(OneTimeToken.user_id) == user_id,
            col(OneTimeToken.purpose) == "reset",
            col(OneTimeToken.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )


def _naive(value: Any) -> Any:
    return value.replace(tzinfo=None)
