"""Helpers of the workspace and account page tests: people logged in through the login page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.accounts import service as accounts
from matchmaker.tables import Match, OutboxMessage
from matchmaker.vocab import Role
from tests.pagekit import csrf_of

PASSWORD = "correct horse battery"
NAMES = {"admin": "Aino Admin", "facilitator": "Fanni Fasilitaattori", "member": "Mikko Member"}


def log_in(
    client: TestClient,
    db_engine: Any,
    role: str,
    *,
    org_id: int | None = None,
    email: str | None = None,
) -> str:
    """A new user of `role`, logged in with a session cookie as a browser is; the CSRF token.

    The client's API token (the `client` fixture's) is dropped: from here on it is a browser.
    """
    client.headers.pop("Authorization", None)
    client.cookies.clear()
    email = email or f"{role}.{org_id or 0}@pages.example.fi"
    with Session(db_engine) as s:
        accounts.create_user(
            s,
            email=email,
            password=PASSWORD,
            role=Role(role),
            organisation_id=org_id,
            name=NAMES[role],
        )
    r = client.post(
        "/login", data={"email": email, "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/?lang=en"))


def log_back_in(client: TestClient, email: str) -> str:
    """Log in again as a user made earlier; the CSRF token."""
    log_out(client)
    r = client.post(
        "/login", data={"email": email, "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/?lang=en"))


def log_out(client: TestClient) -> None:
    client.headers.pop("Authorization", None)
    client.cookies.clear()


def matches(db_engine: Any) -> list[Match]:
    with Session(db_engine) as s:
        return list(s.exec(select(Match).order_by(Match.id)))  # type: ignore[arg-type]


def outbox(db_engine: Any) -> list[OutboxMessage]:
    with Session(db_engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


def link_in(message: OutboxMessage, path: str) -> str:
    """The path and query of the link to `path` in an e-mail."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)", message.body)
    assert found, message.body
    return found.group(1)
