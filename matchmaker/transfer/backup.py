"""Backups of the whole database in its own format: SQLite's online backup, pg_dump/pg_restore.

Besides the app's JSON export (transfer/dump.py), which moves data between deployments, these
copy one database exactly and restore it in place: the way back after a lost disk or a bad day.
SQLite's backup API copies a consistent snapshot while the server keeps writing; pg_dump's
custom format is restored with pg_restore --clean, which replaces what the database holds.
"""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why."""


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing on disk to back up")
    return Path(parsed.database)


def _libpq(url: str) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL (the driver's name taken out)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_program(name: str) -> str:
    """pg_dump or pg_restore of the newest PostgreSQL installed (Debian keeps each version's
    under /usr/lib/postgresql/N/bin; a client-only install has them too), else on the PATH."""
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if versions:
        return max(
            versions, key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0
        )
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client programs")
    return found


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()}")


def backup(url: str, dest: Path) -> Path:
    """Copy the database at `url` into the file `dest`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_file(url)
    if source is not None:
        if not source.is_file():
            raise BackupError(f"{source} does not exist")
        with sqlite3.connect(source) as live, sqlite3.connect(dest) as copy:
            live.backup(copy)
        return dest
    _run([_pg_program("pg_dump"), "--format=custom", f"--file={dest}", _libpq(url)])
    return dest


def restore(url: str, src: Path) -> None:
    """Replace what the database at `url` holds with the backup `src`."""
    if not src.is_file():
        raise BackupError(f"{src} does not exist")
    target = _sqlite_file(url)
    if target is not None:
        with sqlite3.connect(src) as copy, sqlite3.connect(target) as live:
            copy.backup(live)
        return
    _run(
        [
            _pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq(url)}",
            str(src),
        ]
    )
