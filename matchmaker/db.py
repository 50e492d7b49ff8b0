"""The SQLAlchemy engine and the schema; the request's session dependency lives in deps.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine

from matchmaker import (
    changelog,
    shared_tables,  # noqa: F401  (and the ones several workers share)
    tables,  # noqa: F401  (registers the tables on SQLModel.metadata)
)
from matchmaker.mailinglist import tables as mailing_tables  # noqa: F401  (and these)
from matchmaker.workshops import tables as workshop_tables  # noqa: F401


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a folder to live in. Sessions
    from here on write the change log with every listing they flush."""
    changelog.install()
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# Columns added to a table before the migrations: create_all() did not add a column to an
# existing table, so the release before them added these at start ("table" -> (column, its DDL)).
# db.upgrade() still does, for a database of such a release, before the baseline revision makes
# the tables it lacks; a column added since is a migration (README: Migrations).
ADDED_COLUMNS = {
    "outboxmessage": [("secret", "BOOLEAN NOT NULL DEFAULT false")],
    "listing": [("accepted_codes", "JSON"), ("reminded_for", "DATE")],
    "user": [("alerts", "VARCHAR(7) NOT NULL DEFAULT 'weekly'")],
}


@dataclass(frozen=True)
class Upgrade:
    """What upgrade() did: from which revision (None: none yet) to which."""

    before: str | None
    after: str
    legacy: bool = False  # made by a release before the migrations (tables, no alembic_version)
    added: tuple[str, ...] = ()  # the columns such a database lacked (ADDED_COLUMNS)

    def __str__(self) -> str:
        if self.legacy:
            columns = f" ({', '.join(self.added)} added)" if self.added else ""
            return f"database from before the migrations{columns} upgraded to {self.after}"
        if self.before == self.after:
            return f"database is up to date at {self.after}"
        return f"database upgraded from {self.before or 'empty'} to {self.after}"


def upgrade(engine: Engine, *, fast: bool = False) -> Upgrade:
    """Bring the database to the newest revision, in one transaction; the one place that
    decides how: an empty database is migrated from nothing (or, `fast`, made by create_all and
    stamped at head); one made before the migrations gets the columns it lacks, then runs them
    all, the baseline making only the tables it lacks; one at an older revision runs those since.
    """
    from matchmaker import migrations  # Alembic (~0.3 s) loads when a database opens, not before

    with _one_at_a_time(engine) as conn:
        before = migrations.current(conn)
        head = migrations.head()
        if before == head:
            return Upgrade(before, head)
        if before is None and not _has_tables(conn):
            if fast:
                SQLModel.metadata.create_all(conn)
                migrations.stamp(conn, head)
            else:
                migrations.upgrade(conn)
            return Upgrade(None, head)
        legacy = before is None
        added = tuple(add_missing_columns(conn)) if legacy else ()
        migrations.upgrade(conn)
        return Upgrade(before, migrations.current(conn) or head, legacy, added)


@contextmanager
def _one_at_a_time(engine: Engine) -> Iterator[Connection]:
    """A transaction that two workers starting at once cannot both be in: PostgreSQL's
    transaction-scoped advisory lock; a SQLite file's write lock, taken at BEGIN IMMEDIATE
    (an in-memory database has one connection, the process's own).

    On SQLite the foreign keys are off meanwhile, as its ALTER TABLE procedure asks: a batch
    migration copies a table and drops the old one, which they would refuse while other rows
    point at it; PRAGMA foreign_key_check then finds any the migration left dangling.
    """
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(47110815)"))
            yield conn
            conn.commit()
            return
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or ignored
        try:
            if engine.url.database not in (None, "", ":memory:"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
            dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if dangling:
                raise RuntimeError(f"the migration left rows pointing nowhere: {dangling[:5]}")
            conn.commit()
        finally:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _has_tables(conn: Connection) -> bool:
    return bool(set(inspect(conn).get_table_names()) & set(SQLModel.metadata.tables))


def create_schema(engine: Engine) -> None:
    """The fast path for a new throwaway database (the tests, the evaluation, the benchmarks):
    create_all and a stamp at head; any other database is upgraded as at a start."""
    upgrade(engine, fast=True)


def add_missing_columns(conn: Connection) -> list[str]:
    """ALTER TABLE ... ADD COLUMN for each of ADDED_COLUMNS an existing table lacks (a table
    missing altogether is made whole by the baseline revision)."""
    added = []
    inspector = inspect(conn)
    for table, columns in ADDED_COLUMNS.items():
        if not inspector.has_table(table):
            continue
        have = {c["name"] for c in inspector.get_columns(table)}
        for name, ddl in columns:
            if name not in have:
                conn.execute(text(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {ddl}'))
                added.append(f"{table}.{name}")
    return added
