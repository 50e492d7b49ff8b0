"""The facilitators' queue in pages of 25, and decisions that answer with their card alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from matchmaker.tables import InterestRequest, Listing, Match, MatchEvent, saved_id, utcnow
from matchmaker.vocab import MatchStatus
from matchmaker.workspace import pipeline
from matchmaker.workspace.queue_pages import PER_PAGE
from tests.pagekit import HTMX, get, page
from tests.world import Factory, login, matches

CARD = re.compile(r'<li class="card match-item[^"]*" id="match-(\d+)"')
OFFERS, NEEDS = 6, 5  # 30 pairs: more than a page, fewer than two


@pytest.fixture
def queue(client: TestClient, db_engine: Any, make: Factory) -> list[int]:
    """30 suggestions scored 30..59, the two weakest asked for by the needing organisation;
    their ids in the queue's order: the requested first (earliest request first), then by
    score."""
    offerer, needer = make.org("Porvoon Puutuote Oy"), make.org("Lohjan Lasi Oy")
    offers = [
        make.listing(offerer["id"], title=f"Oak sawdust lot {n}")["id"] for n in range(OFFERS)
    ]
    needs = [
        make.listing(needer["id"], kind="need", title=f"Sawdust for bedding {n}")["id"]
        for n in range(NEEDS)
    ]
    with Session(db_engine) as s:
        theme_id = s.get(Listing, offers[0]).theme_id  # type: ignore[union-attr]
        made = []
        for n, (offer, need) in enumerate((o, d) for o in offers for d in needs):
            m = Match(offer_id=offer, need_id=need, theme_id=theme_id, score=30 + n, parts={})
            s.add(m)
            s.flush()
            s.add(MatchEvent(match_id=saved_id(m), to_status=MatchStatus.suggested))
            made.append(saved_id(m))
        for n, match_id in enumerate(made[:2]):  # the weakest two, asked for in this order
            at = utcnow() - timedelta(hours=2 - n)
            s.add(InterestRequest(match_id=match_id, organisation_id=needer["id"], at=at))
        s.commit()
    return made[:2] + sorted(made[2:], reverse=True)


def cards(r: Any) -> list[int]:
    return [int(i) for i in CARD.findall(r.text)]


def test_the_queue_pages_at_25_with_the_requested_matches_first(
    client: TestClient, queue: list[int]
) -> None:
    login(client, "facilitator", browser=True)
    first = get(client, "/matches")
    assert cards(first) == queue[:PER_PAGE]
    p = page(first)
    assert "Suggestions waiting for a decision: 30. Showing 1–25 of 30." in p.text
    assert "Requested by a member" in p.text_of(f"match-{queue[0]}")
    assert p.find("a", rel="next", href="/matches?page=2")
    assert not p.find("a", rel="prev")
    second = get(client, "/matches?page=2")
    assert cards(second) == queue[PER_PAGE:]
    p = page(second)
    assert "Showing 26–30 of 30." in p.text and p.find("a", rel="prev", href="/matches")
    assert p.find("a", href="/matches?page=2", **{"aria-current": "page"})
    assert p.find("input", name="next", value="/matches?page=2")  # decisions come back here
    assert cards(get(client, "/matches?page=2", headers=HTMX)) == queue[PER_PAGE:]  # the list
    assert cards(get(client, "/matches?page=9")) == queue[PER_PAGE:]  # past the end: the last
    assert cards(get(client, "/matches?page=²")) == queue[:PER_PAGE]  # junk: the first
    assert "Näytetään 1–25, yhteensä 30." in page(get(client, "/matches", "fi")).text
    assert "Visar 26–30 av 30." in page(get(client, "/matches?page=2", "sv")).text


def test_the_filters_stay_on_every_page(client: TestClient, queue: list[int]) -> None:
    login(client, "facilitator", browser=True)
    # scores 34..59 and the two requested ones (never hidden): 28 in all
    p = page(get(client, "/matches?theme=construction&min_score=34"))
    assert "Showing 1–25 of 28." in p.text
    assert p.find("a", rel="next", href="/matches?theme=construction&min_score=34&page=2")
    second = get(client, "/matches?theme=construction&min_score=34&page=2")
    assert cards(second) == queue[PER_PAGE:28]
    back = "/matches?theme=construction&min_score=34&page=2"
    assert page(second).find("input", name="next", value=back)


def test_an_htmx_shortlist_answers_its_card_alone(
    client: TestClient, db_engine: Any, queue: list[int]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    chosen = queue[3]
    r = client.post(
        f"/matches/{chosen}/decide",
        headers=HTMX,
        data={"csrf_token": csrf, "status": "shortlisted", "next": "/matches"},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<li class="card match-item decided decided-shortlisted"')
    assert "<html" not in r.text and "<ol" not in r.text and r.text.count("<li") == 1
    assert re.findall(r'id="match-(\d+)"', r.text) == [str(chosen)]
    assert page(r).text.startswith("Shortlisted")
    # and, out of band, the page's count of what still waits: one fewer
    assert page(r).find("span", id="queue-waiting", **{"hx-swap-oob": "true"})
    assert page(r).text_of("queue-waiting") == "Suggestions waiting for a decision: 29."
    stored = {m.id: m for m in matches(db_engine)}
    assert stored[chosen].status == "shortlisted" and stored[queue[4]].status == "suggested"
    with Session(db_engine) as s:
        last = pipeline.history(s, stored[chosen])[-1]
    assert (last.from_status, last.to_status) == ("suggested", "shortlisted")
    assert last.user_id is not None
    # a reject without its reason: the card alone again, with the message, nothing stored
    failed = client.post(
        f"/matches/{queue[4]}/decide",
        headers=HTMX,
        data={"csrf_token": csrf, "status": "rejected", "next": "/matches?page=2"},
    )
    assert failed.status_code == 422 and cards(failed) == [queue[4]]
    assert "Choose a reason from the list." in failed.text and "<ol" not in failed.text
    assert page(failed).find("input", name="next", value="/matches?page=2")
    assert {m.id: m for m in matches(db_engine)}[queue[4]].status == "suggested"
    # the count follows the filters of the page decided on, in its language
    r = client.post(
        f"/matches/{queue[5]}/decide?lang=fi",
        headers=HTMX,
        data={
            "csrf_token": csrf,
            "status": "rejected",
            "reason": "duplicate",
            "next": "/matches?theme=construction&min_score=34&page=2",
        },
    )
    assert r.status_code == 200
    # 28 with these filters, two of them decided now
    assert page(r).text_of("queue-waiting") == "Päätöstä odottavat ehdotukset: 26."


def test_a_decision_without_javascript_returns_to_its_page(
    client: TestClient, db_engine: Any, queue: list[int]
) -> None:
    csrf = login(client, "facilitator", browser=True)
    back = "/matches?min_score=34&page=2"
    r = client.post(
        f"/matches/{queue[25]}/decide",
        data={"csrf_token": csrf, "status": "rejected", "reason": "duplicate", "next": back},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == back
    m = {m.id: m for m in matches(db_engine)}[queue[25]]
    assert (m.status, m.reason) == ("rejected", "duplicate")
    failed = client.post(
        f"/matches/{queue[26]}/decide",
        data={"csrf_token": csrf, "status": "rejected", "next": back},
        follow_redirects=False,
    )
    assert failed.status_code == 422 and failed.text.startswith("<!doctype html>")
    # the page it was decided on (one fewer on it now), the card with its message in its place
    assert "Showing 26–27 of 27." in page(failed).text and cards(failed) == queue[26:28]
    assert "Choose a reason from the list." in page(failed).text_of(f"match-{queue[26]}")


@contextmanager
def counted(db_engine: Any) -> Iterator[list[str]]:
    """The SQL statements run meanwhile."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(db_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db_engine, "before_cursor_execute", note)


def test_a_queue_page_takes_as_many_queries_for_25_cards_as_for_5(
    client: TestClient, db_engine: Any, queue: list[int]
) -> None:
    with Session(db_engine) as s:  # else page 1 alone names the organisations that asked
        for asked in s.exec(select(InterestRequest)):
            s.delete(asked)
        s.commit()
    login(client, "facilitator", browser=True)
    get(client, "/matches")  # the first request of a session may write to it
    with counted(db_engine) as full:
        assert len(cards(get(client, "/matches"))) == 25
    with counted(db_engine) as short:
        assert len(cards(get(client, "/matches?page=2"))) == 5
    assert len(full) == len(short) <= 25, full
