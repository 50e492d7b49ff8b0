"""The schema's migrations: the only adapter to Alembic, configured in code (no alembic.ini).

Each command runs on a connection the caller opened, so that db.upgrade() can decide, stamp and
upgrade in one transaction; env.py takes it from the Config's attributes.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for this package's scripts, bound to `connection`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # a new revision leaves `make migration` formatted and sorted as make lint wants it
    cfg.set_section_option("post_write_hooks", "hooks", "ruff_format, ruff_fix")
    for hook, options in (("ruff_format", "format"), ("ruff_fix", "check --fix")):
        cfg.set_section_option("post_write_hooks", f"{hook}.type", "module")
        cfg.set_section_option("post_write_hooks", f"{hook}.module", "ruff")
        cfg.set_section_option(
            "post_write_hooks", f"{hook}.options", f"{options} REVISION_SCRIPT_FILENAME"
        )
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def scripts() -> ScriptDirectory:
    """The revision scripts, read once per process (the app's start asks on every test)."""
    return ScriptDirectory.from_config(config())


def head() -> str:
    found = scripts().get_current_head()
    assert found is not None, f"{HERE / 'versions'} holds no revision"
    return found


def current(connection: Connection) -> str | None:
    """The revision the database is at; None when it has no alembic_version table."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, to: str = "head") -> None:
    command.upgrade(config(connection), to)


def stamp(connection: Connection, revision: str) -> None:
    """Mark the database as at `revision` without running anything."""
    command.stamp(config(connection), revision)


def revision(message: str) -> Path:
    """A new revision script by autogenerate: the models against a throwaway SQLite database
    brought to head, so that it holds what the models changed since the last revision."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'head.db'}")
        try:
            with engine.begin() as connection:
                upgrade(connection)
                cfg = config(connection)
                number = len(list(scripts().walk_revisions())) + 1
                made = command.revision(cfg, message, autogenerate=True, rev_id=f"{number:04d}")
        finally:
            engine.dispose()
    scripts.cache_clear()  # the new one is the head now
    assert made is not None and not isinstance(made, list)
    return Path(made.path)
