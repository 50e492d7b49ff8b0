"""The SQLAlchemy engine and the schema; the request's session dependency lives in deps.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine

from matchmaker import (
    changelog,
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


# Columns added since a table was first made: create_all() does not add a column to an
# existing table, so a database from before gets them here ("table" -> (column, its DDL)).
ADDED_COLUMNS = {
    "outboxmessage": [("secret", "BOOLEAN NOT NULL DEFAULT 0")],
    "listing": [("accepted_codes", "JSON"), ("reminded_for", "DATE")],
    "user": [("alerts", "VARCHAR(7) NOT NULL DEFAULT 'weekly'")],
}


def create_schema(engine: Engine) -> None:
    """Create the tables that do not exist yet, and add the columns added since."""
    SQLModel.metadata.create_all(engine)
    add_missing_columns(engine)


def add_missing_columns(engine: Engine) -> list[str]:
    """ALTER TABLE ... ADD COLUMN for each of ADDED_COLUMNS an existing table lacks."""
    added = []
    inspector = inspect(engine)
    with engine.begin() as conn:
        for table, columns in ADDED_COLUMNS.items():
            have = {c["name"] for c in inspector.get_columns(table)}
            for name, ddl in columns:
                if name not in have:
                    conn.execute(text(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {ddl}'))
                    added.append(f"{table}.{name}")
    return added
