"""The change log several workers follow: a row per listing written, in the writing transaction.

Every session that flushes a listing adds its `Change` rows in the same flush (one listener on
SQLModel's Session, installed by `db.make_engine`), so no path that writes a listing through
the ORM can forget it. A worker remembers the last `seq` it applied and, before it answers from
its index, asks for the highest one: one primary-key lookup when nothing changed.

Ordering: a reader that sees seq N must be able to trust that every smaller seq is committed.
SQLite gives that for free (one writer at a time). On PostgreSQL two transactions could take
seqs 10 and 11 and commit 11 first, so a writer of listings first takes a transaction-scoped
advisory lock: writers of listings commit one after another, in seq order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, func, insert, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from matchmaker.shared_tables import Change
from matchmaker.tables import Listing, utcnow

LISTING, RANKER = "listing", "ranker"
_LOCK = 0x6D6D_6368  # the advisory lock's number: "mmch"


def install() -> None:
    """Listen on every session (idempotent): the listings a flush writes get their rows."""
    if not event.contains(OrmSession, "before_flush", _lock_for_listings):
        event.listen(OrmSession, "before_flush", _lock_for_listings)
        event.listen(OrmSession, "after_flush", _note_listings)


def _touched(session: OrmSession) -> list[Listing]:
    return [
        obj
        for group in (session.new, session.dirty, session.deleted)
        for obj in group
        if isinstance(obj, Listing) and (group is not session.dirty or session.is_modified(obj))
    ]


def _lock_for_listings(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Before the flush takes row locks: PostgreSQL's writers of listings queue here."""
    if _touched(session):
        lock(session)


def lock(session: OrmSession) -> None:
    """Take the change log's write turn for this transaction (PostgreSQL; SQLite has one
    writer anyway)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})


def _note_listings(session: OrmSession, _context: Any) -> None:
    ids = sorted({lst.id for lst in _touched(session) if lst.id is not None})
    if ids:
        now = utcnow()
        rows = [{"topic": LISTING, "listing_id": i, "at": now} for i in ids]
        session.connection().execute(insert(Change), rows)


def note(session: Session, topic: str) -> None:
    """A change that is not a listing (new ranker weights), in the open transaction."""
    lock(session)
    session.add(Change(topic=topic, at=utcnow()))


def latest(session: Session) -> int:
    """The highest seq written: 0 for an empty log."""
    return int(session.exec(select(func.max(Change.seq))).one() or 0)


def since(session: Session, seq: int) -> Sequence[Change]:
    return session.exec(select(Change).where(col(Change.seq) > seq).order_by(col(Change.seq))).all()
