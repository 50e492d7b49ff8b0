"""An introduction that reaches people: "sent" only when SMTP took it, an anonymous party's
answer by its signed link (no account), and no step past "introduced" without its consent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matchmaker.vocab import MatchStatus
from tests.mailserver import Inbox, running
from tests.pagekit import csrf_of, get, page
from tests.world import Factory, brewery_and_bakery, link_in, login, logout, matches, outbox

SECRET = "Helsingin Panimo"  # the anonymous offer's organisation


def introduced(client: TestClient, make: Factory) -> int:
    """The brewery's anonymous spent grain introduced to the bakery, through the API."""
    brewery_and_bakery(make, anonymous_offer=True)
    assert client.post("/api/matches/refresh", json={"threshold": 0}).json()["added"] == 1
    match_id: int = client.get("/api/matches").json()[0]["id"]
    client.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
    assert client.post(f"/api/matches/{match_id}/introduction", json={}).status_code == 200
    return match_id


def answer_link(client: TestClient, db_engine: Any) -> str:
    letter = next(m for m in outbox(db_engine) if m.to == "panimo@example.fi")
    return link_in(client, letter, "/introductions/answer")


def answer(client: TestClient, link: str, choice: str) -> Any:
    """Open the link as its addressee, with no account, and press a button."""
    logout(client)
    asked = get(client, link)
    assert asked.status_code == 200, asked.text
    token = page(asked).find("input", name="token")[0]["value"]
    return client.post(
        "/introductions/answer",
        data={"csrf_token": csrf_of(asked), "token": token, "choice": choice},
        follow_redirects=False,
    )


def test_an_anonymous_party_accepts_by_its_link_without_an_account(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    match_id = introduced(client, make)
    link = answer_link(client, db_engine)
    logout(client)
    asked = page(get(client, link))
    assert "Spent grain from brewing" in asked.text and "Bakery seeks spent grain" in asked.text
    r = answer(client, link, "accept")
    assert r.status_code == 303 and r.headers["location"] == "/introductions/answer?done=accepted"
    done = page(get(client, r.headers["location"]))
    assert "Introduction accepted" in done.text
    assert done.find("a", href="/join")  # may now ask to join
    told = [m for m in outbox(db_engine) if m.to == "bakery@example.com"][-1]
    assert SECRET in told.body and "panimo@example.fi" in told.body  # the other side learns
    login(client, "member", org_id=_bakery_id(client))
    assert SECRET in client.get(f"/api/matches/{match_id}").text
    again = get(client, link)  # used: it does nothing a second time
    assert again.status_code == 410 and "no longer works" in page(again).text


def _bakery_id(client: TestClient) -> int:
    login(client, "admin")
    orgs = client.get("/api/organisations").json()
    return int(next(o["id"] for o in orgs if o["name"] == "Espoo Bakery Ltd"))


def test_declining_drops_the_match_and_reveals_nothing(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    match_id = introduced(client, make)
    link = answer_link(client, db_engine)
    before = len(outbox(db_engine))
    r = answer(client, link, "decline")
    assert r.headers["location"] == "/introductions/answer?done=declined"
    assert page(get(client, r.headers["location"])).find("a", href="/join")
    assert len(outbox(db_engine)) == before  # nobody is told who they are
    (match,) = matches(db_engine)
    assert match.status == MatchStatus.dropped
    login(client, "admin")
    notes = [e["note"] for e in client.get(f"/api/matches/{match_id}/history").json()]
    assert "offer side declined the introduction" in notes
    assert get(client, link).status_code == 410


def test_an_altered_or_foreign_link_does_nothing(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    introduced(client, make)
    link = answer_link(client, db_engine)
    logout(client)
    token = link.split("token=")[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert get(client, f"/introductions/answer?token={tampered}").status_code == 410
    assert get(client, "/introductions/answer").status_code == 410
    # a session cookie signed with the same secret is not an answer link
    cookie = client.get("/").cookies.get("session") or "x.y"
    assert get(client, f"/introductions/answer?token={cookie}").status_code == 410
    asked = get(client, link)
    r = client.post(
        "/introductions/answer",
        data={"csrf_token": csrf_of(asked), "token": tampered, "choice": "accept"},
    )
    assert r.status_code == 410
    r = client.post(
        "/introductions/answer",
        data={"csrf_token": csrf_of(asked), "token": token, "choice": "maybe"},
    )
    assert r.status_code == 422 and "Choose whether you accept" in page(r).text
    assert matches(db_engine)[0].status == MatchStatus.introduced


def test_no_step_past_introduced_while_a_side_is_anonymous_and_unanswered(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    match_id = introduced(client, make)
    r = client.post(f"/api/matches/{match_id}/status", json={"status": "negotiating"})
    assert r.status_code == 422 and "has not accepted the introduction" in r.json()["detail"]
    csrf = login(client, "facilitator", browser=True)
    url = f"/matches/{match_id}"
    p = page(get(client, url))
    assert p.find("input", name="agreed")  # offered while the side is unanswered
    r = client.post(
        f"{url}/status", data={"csrf_token": csrf, "status": "negotiating"}, follow_redirects=False
    )
    assert r.status_code == 422
    assert "record that the party agreed by other means" in page(r).text_of("f-agreed-error")
    r = client.post(
        f"{url}/status",
        data={"csrf_token": csrf, "status": "negotiating", "agreed": "yes", "note": "by phone"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    history = page(get(client, url)).text_of("history")
    assert "The offer's organisation agreed by other means" in history
    assert not page(get(client, url)).find("input", name="agreed")
    r = client.post(
        f"{url}/status", data={"csrf_token": csrf, "status": "realised"}, follow_redirects=False
    )
    assert r.status_code == 303 and matches(db_engine)[0].status == MatchStatus.realised


def test_an_accepted_side_lets_the_match_move_on(
    client: TestClient, db_engine: Any, make: Factory
) -> None:
    match_id = introduced(client, make)
    answer(client, answer_link(client, db_engine), "accept")
    login(client, "admin")
    r = client.post(f"/api/matches/{match_id}/status", json={"status": "negotiating"})
    assert r.status_code == 200 and r.json()["status"] == "negotiating"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with running() as server:
        yield server


def test_the_page_says_sent_only_when_the_smtp_server_took_the_letters(
    client: TestClient, db_engine: Any, make: Factory, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = client.app.state.settings  # type: ignore[attr-defined]
    settings.smtp_host, settings.smtp_port, settings.smtp_starttls = "127.0.0.1", port, False
    brewery_and_bakery(make, anonymous_offer=True)
    client.post("/api/matches/refresh", json={"threshold": 0})
    match_id = client.get("/api/matches").json()[0]["id"]
    client.post(f"/api/matches/{match_id}/status", json={"status": "shortlisted"})
    csrf = login(client, "facilitator", browser=True)
    url = f"/matches/{match_id}"
    p = page(get(client, url))
    form = {
        "csrf_token": csrf,
        **{
            f"{side}_{part}": (
                p.find("input", id=f"f-{side}_subject")[0]["value"]
                if part == "subject"
                else p.text_of(f"f-{side}_body")
            )
            for side in ("offer", "need")
            for part in ("subject", "body")
        },
    }
    r = client.post(f"{url}/introduction", data=form, follow_redirects=False)
    assert r.headers["location"] == f"{url}?done=introduced"
    shown = page(get(client, r.headers["location"]))
    assert "Both introductions are sent" in shown.text
    assert "Shortlisted → Introduced Introduction sent" in shown.text_of("history")
    assert sorted(m["To"] for m in inbox.messages) == ["bakery@example.com", "panimo@example.fi"]
    brewery = next(m for m in inbox.messages if m["To"] == "panimo@example.fi")
    assert "/introductions/answer?token=" in inbox.text(brewery)  # the addressee gets the link
