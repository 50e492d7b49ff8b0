"""The app as a whole: its documents, the headers every answer carries, storage that fails."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from matchmaker import db, errors
from matchmaker.accounts import service as accounts
from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import Settings
from matchmaker.tables import ApiToken, User, utcnow
from tests.pagekit import page
from tests.world import Factory, app_of, form_for, login, market

# -- the OpenAPI document -------------------------------------------------------------------


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/listings/{listing_id}/suggestions" in paths and "/api/search" in paths


def _answers(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = doc["paths"][path][method]["responses"]
    return responses


def _schema_of(doc: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    ref = answer["content"]["application/json"]["schema"]["$ref"]
    schema: dict[str, Any] = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def test_openapi_describes_the_422_body_the_api_really_sends(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    invalid = _schema_of(doc, _answers(doc, "post", "/api/listings")["422"])
    assert sorted(invalid["properties"]) == ["detail", "errors"]
    assert invalid["properties"]["detail"]["type"] == "string"
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    sent = client.post("/api/listings", json={"title": ""})
    assert sent.status_code == 422 and sorted(sent.json()) == ["detail", "errors"]
    assert sorted(sent.json()["errors"][0]) == ["field", "message"]


def test_openapi_names_each_routes_error_answers(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "401" in _answers(doc, "get", "/api/me")
    assert "403" not in _answers(doc, "get", "/api/me")
    assert {"401", "403"} <= set(_answers(doc, "get", "/api/users"))
    assert "404" in _answers(doc, "get", "/api/listings/{listing_id}")
    assert "404" not in _answers(doc, "get", "/api/listings")
    assert "409" in _answers(doc, "patch", "/api/listings/{listing_id}")
    assert "409" not in _answers(doc, "post", "/api/listings")
    assert "429" in _answers(doc, "post", "/api/session")
    assert "401" not in _answers(doc, "get", "/api/themes")  # the public catalogue
    error = _schema_of(doc, _answers(doc, "get", "/api/listings/{listing_id}")["404"])
    assert list(error["properties"]) == ["detail"]
    export = _answers(doc, "get", "/api/export/listings.{fmt}")["200"]["content"]
    assert "text/csv" in export and "application/json" not in export


# -- the headers every answer carries -------------------------------------------------------


def _protected(r: Any) -> None:
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"], r.status_code
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-frame-options"] == "DENY"


def test_security_headers_on_every_response(visitor: TestClient) -> None:
    _protected(visitor.get("/api/themes"))


def test_error_answers_carry_the_security_headers_too(
    settings: Settings, db_engine: Any, hash_embedder: Embedder
) -> None:
    app = create_app(settings, db_engine=db_engine, embedder=hash_embedder)

    @app.get("/api/broken")
    def broken() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        too_big = c.post("/api/organisations", content=b"x" * (settings.max_body_bytes + 1))
        answers = [
            (404, c.get("/api/listings/999")),
            (404, c.get("/listings/999?lang=en")),  # the page
            (422, c.get("/api/listings?limit=0")),
            (413, too_big),
            (405, c.put("/api/themes")),
            (500, c.get("/api/broken")),
        ]
        for status, r in answers:
            assert r.status_code == status
            _protected(r)
            assert r.headers["cache-control"] == "no-store"
        assert answers[-1][1].json()["detail"]  # a sentence, not a blank page


def test_private_answers_are_not_stored_by_caches(visitor: TestClient) -> None:
    """A cache must not keep what was answered to a logged-in user, or any API answer but
    the public catalogue: no-store on those, cacheable otherwise."""
    for public in ("/api/themes", "/api/organisations", "/openapi.json", "/static/style.css"):
        assert "no-store" not in visitor.get(public).headers.get("cache-control", ""), public
    # a page carries the browser's CSRF token, given in a cookie on the first visit
    assert visitor.get("/?lang=en").headers["cache-control"] == "no-store"
    assert visitor.get("/api/listings").headers["cache-control"] == "no-store"
    assert visitor.get("/api/me").headers["cache-control"] == "no-store"  # its 401 too

    login(visitor, "admin")
    assert visitor.get("/api/themes").headers["cache-control"] == "no-store"  # with a token
    assert visitor.get("/api/users").headers["cache-control"] == "no-store"
    login(visitor, "facilitator", browser=True)
    assert visitor.get("/matches?lang=en").headers["cache-control"] == "no-store"
    assert visitor.get("/?lang=en").headers["cache-control"] == "no-store"


def test_hsts_is_off_by_default_and_sent_when_set(
    settings: Settings, db_engine: Any, hash_embedder: Embedder, visitor: TestClient
) -> None:
    assert "strict-transport-security" not in visitor.get("/").headers
    settings.hsts_seconds = 31_536_000
    app = create_app(settings, db_engine=db_engine, embedder=hash_embedder)
    with TestClient(app) as c:
        for r in (c.get("/"), c.get("/api/listings/999"), c.get("/no-such-page")):
            assert r.headers["strict-transport-security"] == "max-age=31536000"


def test_the_language_cookie_is_secure_when_cookies_are(
    settings: Settings, db_engine: Any, hash_embedder: Embedder, visitor: TestClient
) -> None:
    plain = visitor.get("/?lang=sv").headers.get_list("set-cookie")
    assert any(c.startswith("lang=sv") and "secure" not in c.lower() for c in plain)
    settings.cookie_secure = True
    app = create_app(settings, db_engine=db_engine, embedder=hash_embedder)
    with TestClient(app, base_url="https://testserver") as c:
        cookies = c.get("/?lang=sv").headers.get_list("set-cookie")
    lang = [c for c in cookies if c.startswith("lang=")]
    assert lang and all("secure" in c.lower() for c in lang), cookies


# -- storage that is full or read-only ------------------------------------------------------


@pytest.fixture
def on_file(settings: Settings, tmp_path: Path) -> Settings:
    """Settings on a database file with some listings and an admin in it."""
    return settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'mm.db'}"})


def _fill(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    app = create_app(settings, embedder=embedder)
    with TestClient(app) as c:
        login(c, "admin")
        world = market(Factory(c))
        with Session(app_of(c).state.db_engine) as s:
            admin = s.exec(select(User).where(User.role == "admin")).one()
            _, world["token"] = accounts.new_api_token(s, admin, "never used")
    return world


def _app_on(settings: Settings, engine: Any, embedder: Embedder) -> Iterator[TestClient]:
    app = create_app(settings, db_engine=engine, embedder=embedder)
    with TestClient(app) as c:
        yield c


def test_a_read_only_database_answers_reads_and_refuses_writes_with_503(
    on_file: Settings, hash_embedder: Embedder, tmp_path: Path
) -> None:
    world = _fill(on_file, hash_embedder)
    read_only = create_engine(
        f"sqlite:///file:{tmp_path / 'mm.db'}?mode=ro&uri=true",
        connect_args={"check_same_thread": False, "uri": True},
    )
    for c in _app_on(on_file, read_only, hash_embedder):
        c.headers["Authorization"] = f"Bearer {world['token']}"  # first use: noted if it can be
        r = c.get("/api/listings")
        assert r.status_code == 200 and r.json()["total"] == 3
        assert c.get(f"/api/listings/{world['offer']['id']}").status_code == 200
        r = c.post("/api/organisations", json={"name": "Uusi Oy", "kind": "company"})
        assert r.status_code == 503, r.text
        assert "nothing was saved" in r.json()["detail"]
        assert r.headers["x-content-type-options"] == "nosniff"


def _full_disk(url: str) -> Any:
    """An engine on `url` whose database may not grow by a single page (SQLITE_FULL)."""
    engine = db.make_engine(url)

    @event.listens_for(engine, "connect")
    def _no_room(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages}")
        cur.close()

    return engine


def test_a_full_disk_refuses_writes_with_503_in_the_api_and_in_pages(
    on_file: Settings, hash_embedder: Embedder
) -> None:
    world = _fill(on_file, hash_embedder)
    long = "Kuivaa tammisahanpurua puusepänverstaaltamme Porvoosta, noudettavissa viikoittain. "
    for c in _app_on(on_file, _full_disk(on_file.database_url), hash_embedder):
        c.headers["Authorization"] = f"Bearer {world['token']}"
        assert c.get("/api/listings").status_code == 200
        need = {
            k: world["need"][k] for k in ("organisation_id", "theme", "kind", "category", "title")
        }
        r = c.post("/api/listings", json={**need, "description": long * 55})
        assert r.status_code == 503, r.text
        assert "nothing was saved" in r.json()["detail"]

        csrf = login(c, "admin", browser=True)
        form = form_for(world, description=long * 55, csrf_token=csrf)
        r = c.post("/listings?lang=en", data=form)
        assert r.status_code == 503
        assert "could not be saved" in page(r).text
        assert r.headers["content-type"].startswith("text/html")


def test_a_token_use_is_noted_at_most_once_an_hour(client: TestClient, db_engine: Any) -> None:
    def last_used() -> Any:
        with Session(db_engine) as s:
            return s.exec(select(ApiToken.last_used_at).where(ApiToken.name == "tests")).one()

    client.get("/api/me")
    first = last_used()
    assert first is not None
    client.get("/api/me")
    assert last_used() == first  # a read writes nothing

    with Session(db_engine) as s:
        token = s.exec(select(ApiToken).where(ApiToken.name == "tests")).one()
        token.last_used_at = utcnow() - timedelta(hours=2)
        s.add(token)
        s.commit()
    client.get("/api/me")
    assert last_used() >= first  # two hours on, the use is noted again


class _PgError(Exception):
    sqlstate = "53100"  # PostgreSQL's disk_full, as psycopg names it


def test_postgres_storage_failures_are_storage_failures_too() -> None:
    assert errors.storage_failure(OperationalError("INSERT", {}, _PgError("no space")))
    assert not errors.storage_failure(IntegrityError("INSERT", {}, Exception("UNIQUE failed")))
