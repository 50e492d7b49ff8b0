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

from matchmaker import db, embeddings  # noqa: E402
from matchmaker.app import create_app  # noqa: E402
from matchmaker.matching import Embedder  # noqa: E402
from matchmaker.settings import ROOT, Settings  # noqa: E402

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
    return Settings(database_url="sqlite://", instance_dir=tmp_path / "instance", engine="hash",
                    model="", seeds_dir=ROOT / "seeds")


@pytest.fixture
def engine(settings: Settings) -> Any:
    engine = db.make_engine(settings.database_url)
    db.create_schema(engine)
    return engine


@pytest.fixture
def session(engine: Any) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def client(settings: Settings, engine: Any, hash_embedder: Embedder) -> Iterator[TestClient]:
    app = create_app(settings, engine=engine, embedder=hash_embedder)
    with TestClient(app) as c:
        yield c


class Factory:
    """Readable test data through the public API."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def org(self, name: str = "Porvoon Puutuote Oy", **kw: Any) -> dict[str, Any]:
        r = self.client.post("/api/organisations",
                             json={"name": name, "kind": "company", "municipality": "Porvoo", **kw})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def listing(self, org_id: int, **kw: Any) -> dict[str, Any]:
        body = {
            "organisation_id": org_id, "theme": "construction", "kind": "offer",
            "category": "material", "title": "Oak sawdust, 40 t/year",
            "description": "Dry oak sawdust from our joinery in Porvoo, collected weekly.",
            "language": "en", "quantity": 40, "unit": "t", "frequency": "yearly",
            "municipality": "Porvoo", **kw,
        }
        r = self.client.post("/api/listings", json=body)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def make(client: TestClient) -> Factory:
    return Factory(client)
