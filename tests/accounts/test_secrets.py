"""One-time links (invitations, resets) reach their addressee only: not the outbox, not exports."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from matchmaker import db
from matchmaker.tables import OutboxMessage
from matchmaker.transfer import dump
from tests.pagekit import get, page
from tests.world import Factory, app_of, login, logout, outbox, person


def operator_copies(client: TestClient) -> Path:
    return Path(app_of(client).state.settings.instance_dir) / "outbox"


def test_a_facilitator_reading_the_outbox_cannot_take_over_an_admin(
    client: TestClient, db_engine: Any
) -> None:
    person(db_engine, "admin", email="root@example.fi")
    logout(client)
    assert client.post("/api/password-reset", json={"email": "root@example.fi"}).status_code == 202
    login(client, "facilitator")
    listed = client.get("/api/outbox").json()
    reset = next(m for m in listed if m["to"] == "root@example.fi")
    assert "token=" not in reset["body"] and "withheld" in reset["body"]
    assert reset["secret"] is True
    csrf = login(client, "facilitator", browser=True)
    assert csrf
    shown = page(get(client, "/outbox"))
    assert "token=" not in shown.text and "withheld" in shown.text
    for message in outbox(db_engine):  # not even the database keeps the link
        assert "token=" not in message.body


def test_without_smtp_the_operator_reads_the_link_in_a_private_file(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    org = make.org("Vantaan Kierrätys Oy")
    r = client.post(
        "/api/invitations", json={"email": "aino@example.fi", "organisation_id": org["id"]}
    )
    assert r.status_code == 201
    message = outbox(db_engine)[-1]
    copy = operator_copies(client) / f"{message.id}.eml"
    assert "/register?token=" in copy.read_text("utf-8")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_a_whole_database_export_withholds_the_links(
    client: TestClient, db_engine: Any, tmp_path: Path
) -> None:
    person(db_engine, "member", email="jussi@example.fi")
    with Session(db_engine) as s:  # a message from before this fix, link and all
        s.add(
            OutboxMessage(
                to="old@example.fi",
                subject="Reset your password",
                body="Choose a new one here:\nhttp://x.example/reset?token=abcDEF123_-x\n",
            )
        )
        s.commit()
    client.post("/api/password-reset", json={"email": "jussi@example.fi"})
    with Session(db_engine) as s:
        dump.export(s, tmp_path / "all.json")
    doc = json.loads((tmp_path / "all.json").read_text("utf-8"))
    bodies = [m["body"] for m in doc["outboxmessage"]]
    assert len(bodies) == 2 and all("token=" not in b for b in bodies), bodies
    legacy = client.get("/api/outbox").json()
    assert all("token=" not in m["body"] for m in legacy)


def test_only_an_admin_invites_facilitators_and_admins(client: TestClient, make: Factory) -> None:
    org = make.org()
    login(client, "facilitator")
    for role in ("admin", "facilitator"):
        r = client.post(
            "/api/invitations",
            json={"email": f"{role}@example.fi", "role": role, "organisation_id": org["id"]},
        )
        assert r.status_code == 422 and "admins invite" in r.json()["detail"], role
    login(client, "admin")
    r = client.post("/api/invitations", json={"email": "f@example.fi", "role": "facilitator"})
    assert r.status_code == 201


def test_an_existing_database_gets_the_new_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as con:  # the outbox table as it was before `secret`
        con.execute(
            "CREATE TABLE outboxmessage (id INTEGER PRIMARY KEY, 'to' VARCHAR(254) NOT NULL, "
            "subject VARCHAR(300) NOT NULL, body VARCHAR NOT NULL, created_at DATETIME NOT NULL, "
            "sent_at DATETIME, error VARCHAR)"
        )
        con.execute(
            "INSERT INTO outboxmessage VALUES (1, 'a@example.fi', 'Hei', 'Moi', "
            "'2026-01-01 00:00:00', NULL, NULL)"
        )
    engine = db.make_engine(f"sqlite:///{path}")
    db.create_schema(engine)
    db.create_schema(engine)  # twice: nothing to add the second time
    with Session(engine) as s:
        old = s.get(OutboxMessage, 1)
        assert old is not None and old.secret is False and old.body == "Moi"
