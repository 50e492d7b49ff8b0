"""Alembic runs this for each command: the models' metadata, on the caller's connection."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql import sqltypes

from matchmaker import db  # noqa: F401  (registers every table on SQLModel.metadata)


def render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """SQLModel's column types as the plain SQLAlchemy types they store as, so that a revision
    needs no sqlmodel import and stays as it was written when SQLModel changes."""
    if kind == "type" and isinstance(obj, sqltypes.AutoString):
        length = obj.length  # the String it decorates
        return f"sa.String(length={length})" if length else "sa.String()"
    if kind == "type" and isinstance(obj, sqltypes.UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False  # the default rendering


def run() -> None:
    """Online only: matchmaker.migrations always hands over an open connection."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run the migrations through matchmaker.db.upgrade (db upgrade)")
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        # SQLite alters a table by copying it: batch mode does that for each ALTER
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
