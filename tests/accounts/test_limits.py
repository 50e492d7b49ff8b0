"""The login and reset limits hold against a rotating X-Forwarded-For, spaced e-mails and floods."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker import cli, db
from matchmaker.settings import Settings
from tests.world import PASSWORD, app_of, logout, outbox, person


def served(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Any:
    """The ASGI app exactly as `python -m matchmaker serve` hands it to uvicorn."""
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    cli.cmd_serve(settings, argparse.Namespace(seed=False, host=None, port=None, workers=None))
    app = seen.pop("app")
    config = uvicorn.Config(app, **seen)
    config.load()
    return config.loaded_app


def guesses(client: TestClient, email: str, n: int, **headers: str) -> list[int]:
    return [
        client.post(
            "/api/session",
            json={"email": email, "password": "wrong guess"},
            headers={**headers, "X-Forwarded-For": f"203.0.113.{i}"} if headers else {},
        ).status_code
        for i in range(n)
    ]


def test_a_rotating_forwarded_for_header_does_not_reset_the_limit(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, db_engine: Any
) -> None:
    settings.database_url = f"sqlite:///{settings.instance_dir / 'mm.db'}"
    with TestClient(served(monkeypatch, settings), client=("127.0.0.1", 40000)) as c:
        person(app_of_loaded(c), "admin", email="root@example.fi")
        codes = guesses(c, "root@example.fi", 8, rotate="1")
        assert codes == [401] * 5 + [429] * 3


def app_of_loaded(c: TestClient) -> Any:
    app = c.app
    while not hasattr(app, "state"):
        app = app.app  # type: ignore[attr-defined]
    return app.state.db_engine


def test_a_named_proxy_is_believed(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    settings.database_url = f"sqlite:///{settings.instance_dir / 'mm.db'}"
    settings.trusted_proxies = "10.0.0.5"
    with TestClient(served(monkeypatch, settings), client=("10.0.0.5", 40000)) as c:
        person(app_of_loaded(c), "admin", email="root@example.fi")
        # behind the proxy each client is its own: the sixth guess is a new client's first
        assert guesses(c, "root@example.fi", 6, rotate="1") == [401] * 6
    options = cli.uvicorn_options(Settings(trusted_proxies=""))
    assert options == {"proxy_headers": False, "forwarded_allow_ips": ""}


def test_spaces_and_capitals_around_the_email_count_as_the_same_address(
    visitor: TestClient,
) -> None:
    person(app_of(visitor).state.db_engine, "admin", email="root@example.fi")
    logout(visitor)
    spellings = ["root@example.fi", " root@example.fi", "ROOT@example.fi ", "\troot@Example.fi"]
    codes = [
        visitor.post("/api/session", json={"email": e, "password": "x"}).status_code
        for e in spellings + spellings
    ]
    assert codes == [401] * 5 + [429] * 3
    page = visitor.post(
        "/login",
        data={"email": "  Root@example.fi", "password": PASSWORD, "csrf_token": csrf(visitor)},
    )
    assert page.status_code == 429


def csrf(client: TestClient) -> str:
    from tests.world import csrf_token

    return csrf_token(client)


def test_correct_logins_do_not_use_up_the_limit(visitor: TestClient) -> None:
    person(app_of(visitor).state.db_engine, "member", email="mikko@example.fi")
    logout(visitor)
    body = {"email": "mikko@example.fi", "password": PASSWORD}
    codes = [logout(visitor).post("/api/session", json=body).status_code for _ in range(8)]
    assert codes == [200] * 8


def test_reset_requests_are_limited_per_address_and_per_client(visitor: TestClient) -> None:
    engine = app_of(visitor).state.db_engine
    person(engine, "member", email="mikko@example.fi")
    logout(visitor)
    codes = [
        visitor.post("/api/password-reset", json={"email": " Mikko@example.fi"}).status_code
        for _ in range(5)
    ]
    assert codes == [202] * 3 + [429] * 2
    assert len(outbox(engine)) == 3
    others = [
        visitor.post("/api/password-reset", json={"email": f"n{i}@example.fi"}).status_code
        for i in range(10)
    ]
    assert others == [202] * 5 + [429] * 5  # ten an hour from one client, refused ones too


def test_a_known_address_is_answered_as_fast_as_an_unknown_one(
    settings: Settings, db_engine: Any, hash_embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a real server: the mail (here a slow SMTP server) is made after the answer."""
    import json
    import time
    import urllib.request

    from matchmaker.accounts import mail
    from matchmaker.app import create_app
    from matchmaker.tools.liveserver import serve

    monkeypatch.setattr(mail, "deliver", lambda *a: time.sleep(2.0))
    settings.smtp_host = "smtp.example.fi"
    if settings.database_url == "sqlite://":
        # in memory, every thread shares one connection: the rate limits' commits, made while
        # the mail thread writes, would end its transaction; a server's database has a pool
        settings.database_url = f"sqlite:///{settings.instance_dir / 'mm.db'}"
        db_engine = db.make_engine(settings.database_url)
        db.create_schema(db_engine)
    person(db_engine, "member", email="mikko@example.fi")
    app = create_app(settings, db_engine=db_engine, embedder=hash_embedder)

    def answer_time(base: str, email: str) -> float:
        request = urllib.request.Request(
            base + "/api/password-reset",
            data=json.dumps({"email": email}).encode(),
            headers={"Content-Type": "application/json"},
        )
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 202
            r.read()
        return time.perf_counter() - start

    with serve(app) as base:
        known, unknown = answer_time(base, "mikko@example.fi"), answer_time(base, "n@example.fi")
        deadline = time.monotonic() + 20
        while not outbox(db_engine) or outbox(db_engine)[-1].sent_at is None:
            assert time.monotonic() < deadline, "the reset mail was never made"
            time.sleep(0.1)
    assert known < 1.5 and unknown < 1.5, (known, unknown)  # the mail alone takes 2 s
    assert [m.to for m in outbox(db_engine)] == ["mikko@example.fi"]


@pytest.mark.parametrize("email", [r"\u0000", r"mikko@example.fi\u0000"])
def test_an_address_no_account_can_have_is_a_wrong_login_and_is_still_counted(
    visitor: TestClient, email: str
) -> None:
    """A NUL (as JSON spells it) is text PostgreSQL will not even compare: such an address is
    simply nobody's."""
    person(app_of(visitor).state.db_engine, "member", email="mikko@example.fi")
    logout(visitor)
    body = f'{{"email": "{email}", "password": "wrong guess"}}'
    headers = {"Content-Type": "application/json"}
    codes = [visitor.post("/api/session", content=body, headers=headers) for _ in range(7)]
    assert [r.status_code for r in codes] == [401] * 5 + [429] * 2


def test_the_login_page_answers_an_address_with_a_nul_as_a_wrong_login(visitor: TestClient) -> None:
    form = {"email": "mikko@example.fi\x00", "password": "wrong", "csrf_token": csrf(visitor)}
    r = visitor.post("/login?lang=en", data=form)
    assert r.status_code == 401 and 'name="email"' in r.text
