"""An import runs off the event loop: on a real server, others are answered while it embeds."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session

from matchmaker.accounts import service as accounts
from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.index import Vectors
from matchmaker.settings import ROOT, Settings
from matchmaker.tools.liveserver import serve
from matchmaker.transfer.sheets import COLUMNS
from matchmaker.vocab import Role
from tests.transfer.test_sheets import sheet_rows

pytestmark = pytest.mark.slow
BUDGET = 0.2  # seconds another person may wait during an import


class Slow:
    """The hash embedder, made as slow as a real model on a busy machine (it sleeps, so the
    GIL is free: only a blocked event loop makes others wait)."""

    def __init__(self, inner: Embedder, per_text: float) -> None:
        self.inner, self.per_text = inner, per_text
        self.name, self.dim = inner.name, inner.dim
        self.started = threading.Event()

    def embed(self, texts: Sequence[str]) -> Vectors:
        if len(texts) > 1:  # a sheet's batch, not a search query
            self.started.set()
        time.sleep(self.per_text * len(texts))
        return self.inner.embed(texts)


@pytest.fixture
def live(tmp_path: Path, hash_embedder: Embedder) -> Iterator[tuple[str, FastAPI, Slow]]:
    slow = Slow(hash_embedder, per_text=0.006)  # 400 rows: ~2.4 s of embedding
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'live.db'}",
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
    )
    app = create_app(settings, embedder=slow)
    with serve(app) as base:
        yield base, app, slow


def _sheet(n: int) -> bytes:
    rows, _ = sheet_rows()
    good = [r for i, r in enumerate(rows) if i % 25 != 7][:n]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(good)
    return out.getvalue().encode("utf-8")


def _token(app: FastAPI, role: Role) -> str:
    with Session(app.state.db_engine) as s:
        user = accounts.create_user(
            s, email=f"{role.value}@example.fi", password="x" * 12, role=role
        )
        return accounts.new_api_token(s, user, "latency")[1]


def _waits_during(slow: Slow, base: str, start_import: Any) -> list[float]:
    """Start the import in a thread; once it embeds, time a few requests of another person
    (the last figure is 0 if the import was still running after them, 1 if not)."""
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.setdefault("r", start_import()))
    worker.start()
    assert slow.started.wait(30), "the import never started embedding"
    waits = []
    with httpx.Client(base_url=base, timeout=30) as other:
        for _ in range(5):
            start = time.perf_counter()
            assert other.get("/api/themes").status_code == 200
            waits.append(time.perf_counter() - start)
            time.sleep(0.05)
    ended = 0.0 if worker.is_alive() else 1.0
    worker.join(60)
    assert result["r"].status_code in (200, 303), result["r"].text
    return [*waits, ended]


def test_others_are_answered_during_an_api_import(live: tuple[str, FastAPI, Slow]) -> None:
    base, app, slow = live
    token = _token(app, Role.facilitator)
    sheet = _sheet(400)

    def start_import() -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as c:
            return c.post(
                "/api/import/listings",
                params={"commit": "true"},
                headers={"Authorization": f"Bearer {token}"},
                files={"file": ("workshop.csv", sheet)},
            )

    *waits, ended = _waits_during(slow, base, start_import)
    print(f"API import of 400 rows: another client waited {max(waits) * 1000:.0f} ms at most")
    assert max(waits) < BUDGET, waits
    assert not ended, "the import ended before the other requests were timed"


def test_others_are_answered_during_a_form_commit(live: tuple[str, FastAPI, Slow]) -> None:
    base, app, slow = live
    _token(app, Role.facilitator)
    browser = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    form = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
    assert form  # the login form's token, tied to this browser's pre-session cookie
    r = browser.post(
        "/login",
        data={
            "email": "facilitator@example.fi",
            "password": "x" * 12,
            "next": "/",
            "csrf_token": form.group(1),
        },
    )
    assert r.status_code == 303, r.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/import").text)
    assert found
    csrf = found.group(1)
    kept = browser.post(
        "/import", files={"file": ("workshop.csv", _sheet(400))}, data={"csrf_token": csrf}
    )
    upload = re.search(r"upload=([^&]+)", kept.headers["location"])
    assert upload

    def start_import() -> httpx.Response:
        return browser.post(
            "/import/commit",
            data={
                "csrf_token": csrf,
                "upload": upload.group(1),
                "name": "workshop.csv",
                "confirm_organisations": "1",
            },
        )

    *waits, ended = _waits_during(slow, base, start_import)
    browser.close()
    print(f"form commit of 400 rows: another client waited {max(waits) * 1000:.0f} ms at most")
    assert max(waits) < BUDGET, waits
    assert not ended, "the import ended before the other requests were timed"
