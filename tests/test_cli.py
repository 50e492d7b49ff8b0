"""The command line as an operator uses it, in a real process on a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from matchmaker.settings import ROOT


def run(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": f"sqlite:///{tmp / 'mm.db'}",
        "MATCHMAKER_INSTANCE_DIR": str(tmp / "instance"),
        "MATCHMAKER_ENGINE": "hash",
    }
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_create_admin_then_refuse_a_duplicate(tmp_path: Path) -> None:
    done = run(
        tmp_path,
        "create-admin",
        "boss@example.fi",
        "--password-stdin",
        stdin="a-long-enough-secret\n",
    )
    assert done.returncode == 0, done.stderr
    assert "admin boss@example.fi created" in done.stdout
    again = run(
        tmp_path,
        "create-admin",
        "boss@example.fi",
        "--password-stdin",
        stdin="a-long-enough-secret\n",
    )
    assert again.returncode == 2 and "has an account already" in again.stderr


@pytest.mark.slow
def test_export_then_import_into_an_empty_database_is_lossless(tmp_path: Path) -> None:
    assert run(tmp_path, "seed").returncode == 0
    first = tmp_path / "first.json"
    assert run(tmp_path, "export", str(first)).returncode == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    imported = run(fresh, "import", str(first))
    assert imported.returncode == 0, imported.stderr
    assert "0 embedded" in imported.stdout  # the vectors came along
    second = tmp_path / "second.json"
    assert run(fresh, "export", str(second)).returncode == 0
    a, b = json.loads(first.read_text("utf-8")), json.loads(second.read_text("utf-8"))
    assert len(a["listing"]) == 180 and len(a["user"]) == 3 and len(a["listingvector"]) == 180
    assert a == b


@pytest.mark.slow
def test_a_killed_import_leaves_the_database_and_the_index_in_agreement(tmp_path: Path) -> None:
    import signal
    import sqlite3

    from sqlmodel import Session, col, select

    from matchmaker import db
    from matchmaker.engine.matching import build_matcher
    from matchmaker.settings import Settings
    from matchmaker.tables import Listing

    assert run(tmp_path, "seed").returncode == 0
    export = tmp_path / "seeds.json"
    assert run(tmp_path, "export", str(export)).returncode == 0
    doc = json.loads(export.read_text("utf-8"))
    listings: list[dict[str, Any]] = []
    vectors: list[dict[str, Any]] = []
    for copy in range(1, 61):  # 10,800 new listings with their vectors, under new ids
        for row in doc["listing"]:
            listings.append({**row, "id": row["id"] + 1000 * copy, "key": f"{row['key']}-{copy}"})
        for row in doc["listingvector"]:
            vectors.append({**row, "listing_id": row["listing_id"] + 1000 * copy})
    big = {**doc, "listing": listings, "listingvector": vectors}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(big), "utf-8")

    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": f"sqlite:///{tmp_path / 'mm.db'}",
        "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
        "MATCHMAKER_ENGINE": "hash",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "import", str(path)],
        env=env,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = ""
    while "importing:" not in seen or not _imported(seen) >= 3000:
        chunk = proc.stderr.read(64)
        assert chunk, f"the import ended before it could be killed: {seen[-500:]}"
        seen += chunk
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.stderr.close()

    with sqlite3.connect(tmp_path / "mm.db") as conn:  # all or nothing: nothing landed
        assert conn.execute("select count(*) from listing").fetchone() == (180,)
        assert conn.execute("select count(*) from listingvector").fetchone() == (180,)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'mm.db'}",
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
    )
    matcher = build_matcher(settings)
    with Session(db.make_engine(settings.database_url)) as session:
        report = matcher.sync(session)  # what the app does at start
        active = set(session.exec(select(Listing.id).where(col(Listing.status) == "active")))
    assert report.embedded == 0
    assert matcher.index is not None and matcher.index.ids() == active


def _imported(progress: str) -> int:
    import re

    counts = re.findall(r"importing:\s+\d+%\S*\s+(\d+)/", progress)
    return int(counts[-1]) if counts else 0


def test_the_server_never_imports_the_developer_tools(tmp_path: Path) -> None:
    """What `serve` runs (the CLI module and the app it builds) loads nothing from tools/."""
    settings = f"Settings(engine='hash', database_url='sqlite://', instance_dir={str(tmp_path)!r})"
    code = (
        "import sys\n"
        "from matchmaker import cli\n"
        "from matchmaker.app import create_app\n"
        "from matchmaker.settings import Settings\n"
        f"create_app({settings})\n"
        "print(sorted(m for m in sys.modules if m.startswith('matchmaker.tools')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_expire_closes_the_listings_past_their_end_date(tmp_path: Path) -> None:
    """The daily pass an operator's cron runs: expired listings are closed, others kept."""
    from datetime import date, timedelta

    from sqlmodel import Session, select

    from matchmaker import db
    from matchmaker.tables import Listing, Organisation, Theme
    from matchmaker.transfer import seeding
    from matchmaker.vocab import Category, Language, ListingKind, OrgKind, Status

    engine = db.make_engine(f"sqlite:///{tmp_path / 'mm.db'}")
    db.create_schema(engine)
    with Session(engine) as s:
        seeding.ensure_themes(s, ROOT / "seeds")
        org = Organisation(name="Hangon Lava Oy", kind=OrgKind.company)
        s.add(org)
        s.flush()
        theme = s.exec(select(Theme)).first()
        assert theme is not None and org.id is not None and theme.id is not None
        for title, until in (("old", date.today() - timedelta(days=5)), ("new", None)):
            s.add(
                Listing(
                    organisation_id=org.id,
                    theme_id=theme.id,
                    kind=ListingKind.offer,
                    category=Category.material,
                    title=title,
                    language=Language.en,
                    available_until=until,
                )
            )
        s.commit()
    done = run(tmp_path, "expire")
    assert done.returncode == 0, done.stderr
    assert "expired: 1 listings" in done.stdout
    with Session(engine) as s:
        status = {x.title: x.status for x in s.exec(select(Listing))}
    assert status == {"old": Status.closed, "new": Status.active}


def test_notify_twice_a_restart_and_again_sends_each_digest_once(tmp_path: Path) -> None:
    """The operator's `notify --now`, run by hand while the server's job runs too: each run a
    new process on the same database, as after a restart."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session, select

    from matchmaker.app import create_app
    from matchmaker.engine.embeddings import HashEmbedder
    from matchmaker.settings import Settings
    from matchmaker.tables import OutboxMessage, User
    from matchmaker.vocab import AlertPeriod
    from tests.world import Factory, engine_of, login, person

    assert run(tmp_path, "seed").returncode == 0  # the demo, which is no news
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'mm.db'}",
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
        scheduler=False,
    )
    with TestClient(create_app(settings, embedder=HashEmbedder())) as c:
        login(c, "admin")
        make = Factory(c)
        plant = make.org("Vantaan Pelletti Oy", municipality="Vantaa")
        sawmill = make.org("Porvoon Saha Oy")
        make.listing(
            plant["id"], kind="need", title="Dry oak sawdust for pellets", municipality="Vantaa"
        )
        pia = person(engine_of(c), "member", org_id=plant["id"], email="pia@pelletti.example.fi")
        with Session(engine_of(c)) as s:
            user = s.get(User, pia.id)
            assert user is not None
            user.alerts = AlertPeriod.daily  # not due at once: --now sends it anyway
            s.add(user)
            s.commit()
        make.listing(sawmill["id"], title="Dry oak sawdust for pellets, 40 t a year")
        done = [run(tmp_path, "notify", "--now") for _ in range(3)]
        assert all(d.returncode == 0 for d in done), [d.stderr for d in done]
        assert "1 digests sent" in done[0].stdout
        assert all("0 digests sent" in d.stdout for d in done[1:])
        with Session(engine_of(c)) as s:
            sent = [m.to for m in s.exec(select(OutboxMessage))]
    assert sent == ["pia@pelletti.example.fi"]  # the demo member hears nothing of the seeds
