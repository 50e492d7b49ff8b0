"""The one fixture world: a fresh in-memory database and an app on the deterministic embedder.

The data and the people in it, and the one way to log in, are in tests/world.py.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
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
from matchmaker.app import create_app
from matchmaker.engine import embeddings
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import ROOT, Settings
from matchmaker.tools import pgcluster
from matchmaker.tools.liveserver import CHROMIUM, CHROMIUM_ARGS
from tests.world import Factory, login

MODEL_DIR = ROOT / "models" / "multilingual-e5-small"


@pytest.fixture(scope="session")
def hash_embedder() -> Embedder:
    return embeddings.make_embedder("hash", "")


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    if not (MODEL_DIR / "BUILD_INFO.json").exists():
        pytest.fail(f"{MODEL_DIR} is missing: run `make model` (make test does)")
    return embeddings.make_embedder("sentence-transformers", str(MODEL_DIR))


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one for the whole run (the `browser` tests)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (make test does)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the database of the fixture world: in-memory SQLite, or a database of its own "
        "per test on a throwaway PostgreSQL cluster (then only the database-facing tests run)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    if config.getoption("--db") != "postgresql":
        return "database: SQLite (in memory, one per test)"
    cluster = pgcluster.bindir()
    return f"database: {pgcluster.version(cluster)}, a throwaway cluster, one database per test"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, the database-facing tests: those of the fixture world's database."""
    if config.getoption("--db") != "postgresql":
        return
    facing = [i for i in items if "db_engine" in getattr(i, "fixturenames", ())]
    config.hook.pytest_deselected(items=[i for i in items if i not in facing])
    items[:] = facing


_TEMPLATE = "world_template"  # the schema made once; each test's database is a copy of it
_numbers = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    """A PostgreSQL cluster of the test run's own, with a template database holding the schema."""
    with pgcluster.running() as cluster:
        pgcluster.create_database(cluster, _TEMPLATE)
        engine = db.make_engine(cluster.url(_TEMPLATE))
        db.create_schema(engine)
        engine.dispose()
        yield cluster


def _pg_database(cluster: pgcluster.Cluster, template: str) -> Iterator[str]:
    name = f"test_{os.getpid()}_{next(_numbers)}"
    pgcluster.create_database(cluster, name, template=template)
    try:
        yield cluster.url(name)
    finally:
        pgcluster.drop_database(cluster, name)


@pytest.fixture
def pg_url(pg_cluster: pgcluster.Cluster) -> Iterator[str]:
    """An empty PostgreSQL database of the test's own, dropped after it."""
    yield from _pg_database(pg_cluster, "template0")


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The fixture world's database: in-memory SQLite, or (--db=postgresql) a copy of the
    schema template on the throwaway cluster."""
    if request.config.getoption("--db") != "postgresql":
        yield "sqlite://"
        return
    cluster = request.getfixturevalue("pg_cluster")
    yield from _pg_database(cluster, _TEMPLATE)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        instance_dir=tmp_path / "instance",
        engine="hash",
        model="",
        seeds_dir=ROOT / "seeds",
        scheduler=False,
        eval_report=tmp_path / "eval" / "report.json",  # none: a test writes the one it shows
    )


@pytest.fixture
def db_engine(settings: Settings) -> Iterator[Any]:
    db_engine = db.make_engine(settings.database_url)
    db.create_schema(db_engine)
    yield db_engine
    db_engine.dispose()  # its connections closed, the test's PostgreSQL database can be dropped


@pytest.fixture
def session(db_engine: Any) -> Iterator[Session]:
    with Session(db_engine) as s:
        yield s


@pytest.fixture
def visitor(settings: Settings, db_engine: Any, hash_embedder: Embedder) -> Iterator[TestClient]:
    """The app as someone who has not logged in sees it."""
    app = create_app(settings, db_engine=db_engine, embedder=hash_embedder)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def client(visitor: TestClient, db_engine: Any) -> TestClient:
    """The app as an admin (by API token) uses it."""
    login(visitor, "admin")
    return visitor


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
    """The schemathesis run's summary: what each operation answered, what failed, in all."""
    from tests.test_fuzz_api import CHECKED, CHECKS, FAILURES, SUMMARY

    if not SUMMARY:
        return
    calls = sum(sum(c.values()) for c in SUMMARY.values())
    failures = sum(len(lines) for lines in FAILURES.values())
    operations = {label.rsplit(" (", 1)[0] for label in SUMMARY}
    terminalreporter.section("schemathesis")
    for label, counts in sorted(SUMMARY.items()):
        codes = ", ".join(f"{code}×{n}" for code, n in sorted(counts.items()))
        terminalreporter.write_line(f"{label}: {codes}")
    for label, lines in sorted(FAILURES.items()):
        for line, n in Counter(lines).most_common(3):
            terminalreporter.write_line(f"FAILED {label}: {line} (×{n})")
    terminalreporter.write_line(
        f"{len(operations)} operations, as a visitor and with a token: {calls} requests, "
        f"{CHECKED['checks']} checks ({', '.join(c.__name__ for c in CHECKS)}), "
        f"{failures} failures"
    )
