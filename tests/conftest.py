"""Shared fixtures: a fresh in-memory database and an app on the deterministic embedder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from matchmaker import db
from matchmaker.accounts import service as accounts
from matchmaker.app import create_app
from matchmaker.engine import embeddings
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import ROOT, Settings
from matchmaker.tables import Organisation
from matchmaker.vocab import Role

MODEL_DIR = ROOT / "models" / "multilingual-e5-small"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def hash_embedder() -> Embedder:
    return embeddings.make_embedder("hash", "")


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    if not (MODEL_DIR / "BUILD_INFO.json").exists():
        pytest.fail(f"{MODEL_DIR} is missing: run `make model` (make test does)")
    return embeddings.make_embedder("sentence-transformers", str(MODEL_DIR))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url="sqlite://",
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
    )


@pytest.fixture
def db_engine(settings: Settings) -> Any:
    db_engine = db.make_engine(settings.database_url)
    db.create_schema(db_engine)
    return db_engine


@pytest.fixture
def session(db_engine: Any) -> Iterator[Session]:
    with Session(db_engine) as s:
        yield s


def login_as(
    client: TestClient,
    db_engine: Any,
    role: str,
    org_id: int | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    """Make a user of `role` and give `client` their API token; returns the user's fields."""
    with Session(db_engine) as s:
        if role == "member" and org_id is None:
            org = Organisation(name="Kiertotalous Testi Oy", kind="company")
            s.add(org)
            s.commit()
            org_id = org.id
        user = accounts.create_user(
            s,
            email=email or f"{role}@example.fi",
            password="correct horse battery",
            role=Role(role),
            organisation_id=org_id,
            name=role.title(),
        )
        _, token = accounts.new_api_token(s, user, "tests")
        client.headers["Authorization"] = f"Bearer {token}"
        return user.model_dump()


@pytest.fixture
def visitor(settings: Settings, db_engine: Any, hash_embedder: Embedder) -> Iterator[TestClient]:
    """The app as someone who has not logged in sees it."""
    app = create_app(settings, db_engine=db_engine, embedder=hash_embedder)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def client(visitor: TestClient, db_engine: Any) -> TestClient:
    """The app as an admin (by API token) uses it."""
    login_as(visitor, db_engine, "admin")
    return visitor


class Factory:
    """Readable test data through the public API."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def org(self, name: str = "Porvoon Puutuote Oy", **kw: Any) -> dict[str, Any]:
        r = self.client.post(
            "/api/organisations",
            json={"name": name, "kind": "company", "municipality": "Porvoo", **kw},
        )
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def listing(self, org_id: int, **kw: Any) -> dict[str, Any]:
        body = {
            "organisation_id": org_id,
            "theme": "construction",
            "kind": "offer",
            "category": "material",
            "title": "Oak sawdust, 40 t/year",
            "description": "Dry oak sawdust from our joinery in Porvoo, collected weekly.",
            "language": "en",
            "quantity": 40,
            "unit": "t",
            "frequency": "yearly",
            "municipality": "Porvoo",
            **kw,
        }
        r = self.client.post("/api/listings", json=body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def make(client: TestClient) -> Factory:
    return Factory(client)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 with its production cost takes ~0.5 s a hash here; tests need the logic only."""
    from argon2 import PasswordHasher

    from matchmaker.accounts import security

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    original = security._hasher
    security._hasher = lambda: cheap  # type: ignore[assignment]
    yield
    security._hasher = original


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The schemathesis run's summary: calls per operation, and what they answered."""
    from tests.test_fuzz_api import SUMMARY

    if not SUMMARY:
        return
    calls = sum(sum(c.values()) for c in SUMMARY.values())
    errors = sum(n for c in SUMMARY.values() for code, n in c.items() if code >= 500)
    terminalreporter.section("schemathesis")
    for label, counts in sorted(SUMMARY.items()):
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(counts.items()))
        terminalreporter.write_line(f"{label}: {codes}")
    terminalreporter.write_line(
        f"{calls} generated requests over {len(SUMMARY)} operation "
        f"× credential pairs; server errors: {errors}"
    )
