"""The command line's `db` group: the schema's migrations, and the database's backup and restore."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from matchmaker.settings import Settings


def add_commands(sub: Any) -> None:
    """`db upgrade | current | revision | backup | restore` on the main parser's subcommands."""
    database = sub.add_parser(
        "db", help="the database itself: its schema's migrations, backup and restore"
    )
    database_sub = database.add_subparsers(dest="action", required=True)
    database_sub.add_parser(
        "upgrade", help="bring the schema to the newest revision (serve does it at start)"
    ).set_defaults(run=cmd_schema)
    database_sub.add_parser(
        "current", help="the revision the database is at, and whether it is the newest"
    ).set_defaults(run=cmd_schema)
    revision = database_sub.add_parser(
        "revision", help="developers: a new revision by autogenerate (make migration)"
    )
    revision.add_argument("message", help="what changed, e.g. 'a change log table'")
    revision.set_defaults(run=cmd_schema)
    for action, text in (
        ("backup", "copy the whole database into FILE (SQLite online backup or pg_dump)"),
        ("restore", "replace the database with the backup FILE (SQLite or pg_restore)"),
    ):
        one = database_sub.add_parser(action, help=text)
        one.add_argument("file")
        one.set_defaults(run=cmd_db)


def cmd_db(settings: Settings, args: argparse.Namespace) -> None:
    from matchmaker.transfer import backup

    try:
        if args.action == "backup":
            backup.backup(settings.database_url, Path(args.file))
            print(f"backed up to {args.file}")
        else:
            backup.restore(settings.database_url, Path(args.file))
            print(f"restored from {args.file}: run `reindex` if a server keeps a saved index")
    except backup.BackupError as exc:
        raise SystemExit(f"{args.action}: {exc}") from exc


def cmd_schema(settings: Settings, args: argparse.Namespace) -> None:
    """db upgrade | current | revision: the schema's migrations (README: Migrations)."""
    from matchmaker import db, migrations

    if args.action == "revision":
        print(f"new revision: {migrations.revision(args.message)}: review it, then commit it")
        return
    engine = db.make_engine(settings.database_url)
    try:
        if args.action == "upgrade":
            print(db.upgrade(engine))
            return
        with engine.connect() as conn:
            at = migrations.current(conn)
        head = migrations.head()
        state = "up to date" if at == head else f"behind head {head}: run `db upgrade`"
        print(f"database at {at or 'no revision (empty, or from before the migrations)'}: {state}")
    finally:
        engine.dispose()
