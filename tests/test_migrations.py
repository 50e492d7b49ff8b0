"""The schema's migrations: an empty database brought to head is exactly the models' schema, a
database of the release before the migrations upgrades without losing a row, and `db upgrade`
says what it did.

tests/data/legacy-4257b74.sql was made with that release's own code (a `git archive 4257b74`
on PYTHONPATH): its create_schema on a SQLite file, the demo seeds cut to 24 listings loaded
with the hash embedder, impact.seed, one match; then listing.reminded_for dropped, as a database
older still lacks it; then sqlite3's iterdump.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from matchmaker import db, migrations
from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import ROOT, Settings

LEGACY = ROOT / "tests" / "data" / "legacy-4257b74.sql"


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, tmp_path: Path, db_engine: Engine) -> Iterator[str]:
    """An empty database: a SQLite file, or (--db=postgresql) an empty PostgreSQL database.

    It asks for db_engine, unused, so that the PostgreSQL pass collects the tests using it.
    """
    if request.config.getoption("--db") == "postgresql":
        yield request.getfixturevalue("pg_url")
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def engine_of(empty_url: str) -> Iterator[Engine]:
    engine = db.make_engine(empty_url)
    yield engine
    engine.dispose()


def differences(engine: Engine) -> list[Any]:
    """What autogenerate would write: the models against the database's schema."""
    with engine.connect() as conn:
        found: list[Any] = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    return found


def test_an_empty_database_upgraded_to_head_is_the_models_schema(engine_of: Engine) -> None:
    head = migrations.head()
    assert str(db.upgrade(engine_of)) == f"database upgraded from empty to {head}"
    assert differences(engine_of) == []
    assert str(db.upgrade(engine_of)) == f"database is up to date at {head}"


def test_the_tests_fast_path_is_the_same_schema_at_head(db_engine: Engine) -> None:
    """create_all and a stamp (the fixture world's database): what the revisions make."""
    assert differences(db_engine) == []
    with db_engine.connect() as conn:
        assert migrations.current(conn) == migrations.head()


def test_the_baseline_downgrades_to_nothing_and_up_again(engine_of: Engine) -> None:
    db.upgrade(engine_of)
    with engine_of.begin() as conn:
        command.downgrade(migrations.config(conn), "base")
    assert set(inspect(engine_of).get_table_names()) <= {"alembic_version"}
    if engine_of.dialect.name == "postgresql":  # its enum types go with the tables
        with engine_of.connect() as conn:
            assert conn.execute(text("SELECT typname FROM pg_type WHERE typtype = 'e'")).all() == []
    assert str(db.upgrade(engine_of)).startswith("database upgraded from empty to")
    assert differences(engine_of) == []


def legacy_database(tmp_path: Path) -> Engine:
    path = tmp_path / "legacy.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(LEGACY.read_text("utf-8"))
    conn.close()
    return db.make_engine(f"sqlite:///{path}")


def every_row(engine: Engine, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    """Each table's rows, of the given columns, in a stable order."""
    rows = {}
    with engine.connect() as conn:
        for table, names in columns.items():
            listed = ", ".join(f'"{name}"' for name in names)
            found = conn.execute(text(f'SELECT {listed} FROM "{table}"'))
            rows[table] = sorted((tuple(row) for row in found), key=repr)
    return rows


def test_a_database_of_the_release_before_the_migrations_upgrades_keeping_every_row(
    tmp_path: Path, hash_embedder: Embedder
) -> None:
    engine = legacy_database(tmp_path)
    inspector = inspect(engine)
    columns = {
        t: [c["name"] for c in inspector.get_columns(t)] for t in inspector.get_table_names()
    }
    assert "alembic_version" not in columns and "reminded_for" not in columns["listing"]
    before = every_row(engine, columns)
    assert len(before["listing"]) == 24 and len(before["match"]) == 1 and before["user"]

    done = db.upgrade(engine)
    assert (done.legacy, done.before, done.after) == (True, None, migrations.head())
    assert done.added == ("listing.reminded_for",)
    assert str(done) == (
        f"database from before the migrations (listing.reminded_for added) upgraded to {done.after}"
    )
    assert every_row(engine, columns) == before
    assert differences(engine) == []

    settings = Settings(
        database_url=str(engine.url),
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
        scheduler=False,
    )
    with TestClient(create_app(settings, db_engine=engine, embedder=hash_embedder)) as client:
        listed = client.get("/api/listings", params={"limit": 100})
        assert listed.status_code == 200
        titles = {item["title"] for item in listed.json()["items"]}
        assert titles == {row[columns["listing"].index("title")] for row in before["listing"]}
    engine.dispose()


def cli(tmp: Path, *args: str) -> str:
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": f"sqlite:///{tmp / 'fresh.db'}",
        "MATCHMAKER_INSTANCE_DIR": str(tmp / "instance"),
        "MATCHMAKER_ENGINE": "hash",
    }
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker", "db", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_db_upgrade_on_a_fresh_file_says_what_it_did_and_then_that_it_is_up_to_date(
    tmp_path: Path,
) -> None:
    head = migrations.head()
    assert cli(tmp_path, "current").startswith("database at no revision")
    assert cli(tmp_path, "upgrade") == f"database upgraded from empty to {head}"
    assert cli(tmp_path, "upgrade") == f"database is up to date at {head}"
    assert cli(tmp_path, "current") == f"database at {head}: up to date"


def test_on_sqlite_a_batch_copy_of_a_table_others_point_at_keeps_every_row(tmp_path: Path) -> None:
    """A revision that alters a column on SQLite copies the table and drops the old one: the
    foreign keys are off for it (match rows point at the listings), and checked before commit."""
    engine = legacy_database(tmp_path)
    db.upgrade(engine)
    with db._one_at_a_time(engine) as conn:
        ops = Operations(MigrationContext.configure(conn))
        with ops.batch_alter_table("listing", recreate="always") as batch:
            batch.alter_column("title", type_=sa.String(300))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM listing")).scalar() == 24
        assert conn.execute(text("SELECT count(*) FROM match")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with pytest.raises(RuntimeError, match="pointing nowhere"), db._one_at_a_time(engine) as conn:
        conn.execute(text("DELETE FROM listing"))  # what a careless revision might do
    with engine.connect() as conn:  # and nothing of it was kept
        assert conn.execute(text("SELECT count(*) FROM listing")).scalar() == 24
    engine.dispose()
