"""The database's own backups: made while it is in use, restored over a damaged database, and
then every table is as it was (SQLite's online backup; pg_dump and pg_restore)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from matchmaker.settings import ROOT

pytestmark = pytest.mark.slow


def cli(url: str, tmp: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": url,
        "MATCHMAKER_INSTANCE_DIR": str(tmp / "instance"),
        "MATCHMAKER_ENGINE": "hash",
    }
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert (done.returncode == 0) == ok, done.stderr
    return done


def damage(url: str) -> None:
    """What a bad day does: a table emptied, a listing's text overwritten."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM listingvector"))
        conn.execute(text("UPDATE listing SET title = 'vandalised' WHERE id = 1"))
    engine.dispose()


def everything(url: str, tmp: Path, name: str) -> dict[str, object]:
    path = tmp / name
    cli(url, tmp, "export", str(path))
    doc: dict[str, object] = json.loads(path.read_text("utf-8"))
    return doc


def restores_every_row(url: str, tmp: Path) -> None:
    cli(url, tmp, "seed")
    before = everything(url, tmp, "before.json")
    backup = tmp / "copy.backup"
    assert "backed up" in cli(url, tmp, "db", "backup", str(backup)).stdout
    damage(url)
    assert everything(url, tmp, "damaged.json") != before
    assert "restored" in cli(url, tmp, "db", "restore", str(backup)).stdout
    after = everything(url, tmp, "after.json")
    assert after == before
    listings = after["listing"]
    assert isinstance(listings, list) and len(listings) == 180


def test_sqlite_online_backup_restores_every_row(tmp_path: Path) -> None:
    restores_every_row(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)


def test_pg_dump_and_pg_restore_restore_every_row(tmp_path: Path, pg_url: str) -> None:
    restores_every_row(pg_url, tmp_path)


def test_restoring_a_missing_backup_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    done = cli(url, tmp_path, "db", "restore", str(tmp_path / "nowhere.backup"), ok=False)
    assert done.returncode == 1 and "nowhere.backup does not exist" in done.stderr
