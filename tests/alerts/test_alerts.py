"""Alerts and digests: a strong new suggestion reaches the other organisation's members once,
in their language, by their period, with an unsubscribe link that needs no login."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from matchmaker.alerts import collect, digests, notify
from matchmaker.app import create_app
from matchmaker.engine.embeddings import Embedder
from matchmaker.settings import Settings
from matchmaker.tables import Digest, Notice, OutboxMessage, User
from matchmaker.vocab import AlertPeriod, Language
from tests.pagekit import get, page
from tests.world import Factory, app_of, engine_of, link_in, login, logout, outbox, person

# Wednesday 2 December 2026 and the Monday after, 08:00 in Helsinki (06:00 UTC)
WEDNESDAY = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
MONDAY = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def member(
    client: TestClient, org_id: int, email: str, lang: str = "en", alerts: str = "weekly"
) -> User:
    user = person(engine_of(client), "member", org_id=org_id, email=email)
    with Session(engine_of(client)) as s:
        found = s.get(User, user.id)
        assert found is not None
        found.language, found.alerts = Language(lang), AlertPeriod(alerts)
        s.add(found)
        s.commit()
        s.refresh(found)
        return found


def run(client: TestClient, *, now: datetime | None = None, force: bool = False) -> notify.Ran:
    app = app_of(client)
    with Session(engine_of(client)) as s:
        return notify.run(s, app.state.settings, app.state.matcher, now=now, force=force)


def sawmill_and_pellets(make: Factory) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pellet plant's need posted first; then a sawmill's offer that fits it strongly."""
    plant = make.org("Vantaan Pelletti Oy", municipality="Vantaa")
    sawmill = make.org("Porvoon Saha Oy", municipality="Porvoo")
    make.listing(
        plant["id"],
        kind="need",
        title="Dry oak sawdust for pellets",
        description="We press dry oak sawdust into pellets, 40 t a year.",
        municipality="Vantaa",
    )
    return plant, sawmill


def post_offer(make: Factory, sawmill: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return make.listing(
        sawmill["id"],
        title="Dry oak sawdust, 40 t a year",
        description="Dry oak sawdust for pellets from our sawmill, 40 t a year.",
        **kw,
    )


def mail_to(client: TestClient, email: str) -> list[OutboxMessage]:
    return [m for m in outbox(engine_of(client)) if m.to == email]


def test_a_strong_new_offer_reaches_the_needing_organisations_member_in_their_language(
    client: TestClient, make: Factory
) -> None:
    plant, sawmill = sawmill_and_pellets(make)
    member(client, plant["id"], "pia@pelletti.example.fi", lang="fi", alerts="instant")
    offer = post_offer(make, sawmill)
    ran = run(client)
    assert ran.digests >= 1
    [letter] = mail_to(client, "pia@pelletti.example.fi")
    assert letter.subject == "Kiertotalouslaakso: uutta sinulle (1)"
    assert "Uusia vahvoja ehdotuksia ilmoituksellesi ”Dry oak sawdust for pellets”" in letter.body
    assert "Dry oak sawdust, 40 t a year (Porvoon Saha Oy)" in letter.body
    assert link_in(client, letter, f"/listings/{offer['id']}") == f"/listings/{offer['id']}"
    # the unsubscribe link is the addressee's: the outbox keeps the body without it
    assert "/alerts/off?token=" not in letter.body
    assert "/alerts/off?token=" in link_in(client, letter, "/alerts/off")


def test_an_anonymous_offer_is_told_of_without_its_organisations_name(
    client: TestClient, make: Factory
) -> None:
    plant, sawmill = sawmill_and_pellets(make)
    member(client, plant["id"], "pia@pelletti.example.fi", alerts="instant")
    post_offer(make, sawmill, visibility="anonymous")
    run(client)
    [letter] = mail_to(client, "pia@pelletti.example.fi")
    assert "Dry oak sawdust, 40 t a year (anonymous organisation)" in letter.body
    assert "Porvoon Saha" not in letter.body


def test_nothing_is_sent_twice_across_runs_and_a_restart(
    settings: Settings, db_engine: Any, hash_embedder: Embedder, client: TestClient, make: Factory
) -> None:
    plant, sawmill = sawmill_and_pellets(make)
    member(client, plant["id"], "pia@pelletti.example.fi")
    member(client, sawmill["id"], "sami@saha.example.fi")
    post_offer(make, sawmill)
    first = run(client, force=True)
    assert first.digests == 2  # both sides hear of the other
    before = [(m.id, m.to, m.subject) for m in outbox(db_engine)]
    assert run(client, force=True).digests == 0
    # a restart: a new app and matcher over the same database
    with TestClient(create_app(settings, db_engine=db_engine, embedder=hash_embedder)) as again:
        assert run(again, force=True) == notify.Ran(0, 0, 0)
    assert [(m.id, m.to, m.subject) for m in outbox(db_engine)] == before
    # an edit that keeps the pair strong is not news either
    with Session(db_engine) as s:
        assert len(s.exec(select(Notice)).all()) == 2


def test_weekly_waits_for_monday_and_daily_for_the_digest_time(
    client: TestClient, make: Factory
) -> None:
    plant, sawmill = sawmill_and_pellets(make)
    member(client, plant["id"], "weekly@pelletti.example.fi", alerts="weekly")
    member(client, plant["id"], "daily@pelletti.example.fi", alerts="daily")
    post_offer(make, sawmill)
    early = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 06:00 in Helsinki, before 07:00
    run(client, now=early)  # found now: after Tuesday's and Monday's digest times
    assert outbox(engine_of(client)) == []
    run(client, now=WEDNESDAY)
    assert [m.to for m in outbox(engine_of(client))] == ["daily@pelletti.example.fi"]
    run(client, now=MONDAY)
    assert sorted(m.to for m in outbox(engine_of(client))) == [
        "daily@pelletti.example.fi",
        "weekly@pelletti.example.fi",
    ]


@pytest.mark.parametrize(
    ("alerts", "now", "period"),
    [
        # before 07:00 in Helsinki the day's digest is yesterday's, caught up if it was missed
        ("daily", datetime(2026, 12, 2, 4, 59, tzinfo=UTC), "daily:2026-12-01"),
        ("daily", datetime(2026, 12, 2, 5, 0, tzinfo=UTC), "daily:2026-12-02"),
        ("daily", datetime(2026, 3, 29, 4, 30, tzinfo=UTC), "daily:2026-03-29"),  # summer time
        ("weekly", datetime(2026, 12, 7, 4, 0, tzinfo=UTC), "weekly:2026-11-30"),  # Mon 06:00
        ("weekly", datetime(2026, 12, 7, 5, 30, tzinfo=UTC), "weekly:2026-12-07"),
        ("weekly", datetime(2026, 12, 9, 3, 0, tzinfo=UTC), "weekly:2026-12-07"),  # Wednesday
        ("instant", WEDNESDAY, "instant:2026-12-02T06:00:00+00:00"),
        ("off", WEDNESDAY, None),
    ],
)
def test_the_period_a_digest_belongs_to(alerts: str, now: datetime, period: str | None) -> None:
    due = digests.period(AlertPeriod(alerts), now, time(7, 0))
    assert (due[0] if due else None) == period


def test_two_workers_sending_at_once_send_each_digest_once(
    settings: Settings, hash_embedder: Embedder, tmp_path: Path
) -> None:
    # a database file, each worker with its own connection, as two server processes have
    on_disk = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'two.db'}"})
    app = create_app(on_disk, embedder=hash_embedder)
    with TestClient(app) as c:
        login(c, "admin")
        make = Factory(c)
        plant, sawmill = sawmill_and_pellets(make)
        for n in range(4):
            member(c, plant["id"], f"m{n}@pelletti.example.fi", alerts="daily")
        post_offer(make, sawmill)
        with Session(engine_of(c)) as s:
            collect.collect(s, app.state.matcher, now=datetime(2026, 12, 2, 4, 0, tzinfo=UTC))
        sent: list[int] = []

        def worker() -> None:
            with Session(engine_of(c)) as s:
                sent.append(digests.send_due(s, app.state.settings, now=WEDNESDAY))

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sum(sent) == 4  # between them; which worker sent which does not matter
        assert sorted(m.to for m in outbox(engine_of(c))) == [
            f"m{n}@pelletti.example.fi" for n in range(4)
        ]
        with Session(engine_of(c)) as s:
            assert len(s.exec(select(Digest).where(col(Digest.outbox_id).is_not(None))).all()) == 4


def test_the_unsubscribe_link_needs_no_login_and_one_click_on_its_page(
    client: TestClient, make: Factory
) -> None:
    plant, sawmill = sawmill_and_pellets(make)
    pia = member(client, plant["id"], "pia@pelletti.example.fi", lang="sv", alerts="instant")
    post_offer(make, sawmill)
    run(client)
    [letter] = mail_to(client, "pia@pelletti.example.fi")
    link = link_in(client, letter, "/alerts/off")
    logout(client)
    shown = get(client, link, lang="sv")
    assert shown.status_code == 200
    assert "Ska vi sluta skicka bevakningar till pia@pelletti.example.fi?" in page(shown).text
    with Session(engine_of(client)) as s:  # opening the page (a mail scanner) changes nothing
        assert s.get(User, pia.id).alerts == AlertPeriod.instant  # type: ignore[union-attr]
    # the mail program's one-click POST (RFC 8058) carries no cookie and no CSRF token
    logout(client)
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    with Session(engine_of(client)) as s:
        assert s.get(User, pia.id).alerts == AlertPeriod.off  # type: ignore[union-attr]
    login(client, "admin")
    make.listing(
        sawmill["id"],
        title="Dry oak sawdust, 80 t a year",
        description="Dry oak sawdust for pellets.",
    )
    run(client, force=True)
    assert len(mail_to(client, "pia@pelletti.example.fi")) == 1
    bad = get(client, "/alerts/off?token=forged", lang="fi")
    assert bad.status_code == 400
    assert "Linkki ei kelpaa" in page(bad).text


def test_a_saved_search_hears_of_new_results(client: TestClient, make: Factory) -> None:
    plant, sawmill = sawmill_and_pellets(make)
    others = make.org("Kierrättäjät Oy")
    for theme, title in [
        ("textiles", "Denim offcuts from a jeans factory"),
        ("plastics", "Clean PET bottles, baled"),
        ("food", "Spent grain from brewing"),
    ]:  # a search ranks against the others: a market of one says little
        make.listing(others["id"], theme=theme, title=title, description=title)
    member(client, plant["id"], "pia@pelletti.example.fi", alerts="instant")
    csrf = login(client, "pia@pelletti.example.fi", browser=True)
    found = get(client, "/listings?q=oak+sawdust&kind=offer")
    assert "Save this search" in page(found).text
    saved = client.post(
        "/my/searches",
        data={"q": "oak sawdust", "kind": "offer", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/my/alerts?done=search"
    settings_page = page(get(client, "/my/alerts"))
    assert "“oak sawdust”" in settings_page.text and "Offer" in settings_page.text
    run(client)  # nothing new yet
    login(client, "admin")
    post_offer(make, sawmill, theme="textiles")  # another theme: no strong pair, but a result
    run(client)
    [letter] = mail_to(client, "pia@pelletti.example.fi")
    assert "New results for your saved search “oak sawdust”:" in letter.body
    assert "Dry oak sawdust, 40 t a year (Porvoon Saha Oy)" in letter.body


def test_a_member_sets_the_period_and_bad_input_is_explained(
    client: TestClient, make: Factory
) -> None:
    plant, _ = sawmill_and_pellets(make)
    member(client, plant["id"], "pia@pelletti.example.fi")
    csrf = login(client, "pia@pelletti.example.fi", browser=True)
    form = page(get(client, "/my/alerts", lang="fi"))
    assert "Kerran viikossa (maanantaisin)" in form.text
    r = client.post("/my/alerts", data={"alerts": "hourly", "csrf_token": csrf})
    assert r.status_code == 422
    assert "Valitse, kuinka usein haluat viestejä." in page(r).text
    r = client.post("/my/alerts", data={"alerts": "daily", "csrf_token": csrf})
    assert r.status_code == 200 and "Hälytysasetukset tallennettu." in page(r).text
    r = client.post("/my/searches", data={"q": "x", "csrf_token": csrf})
    assert r.status_code == 422
    assert "kirjoita vähintään kaksi merkkiä" in page(r).text


def test_the_demo_seeds_are_no_news(
    settings: Settings, db_engine: Any, hash_embedder: Embedder
) -> None:
    seeded = settings.model_copy(update={"seed_on_start": True})
    with TestClient(create_app(seeded, db_engine=db_engine, embedder=hash_embedder)) as c:
        assert run(c, force=True) == notify.Ran(0, 0, 0)
    assert outbox(db_engine) == []


def test_a_new_info_point_item_reaches_the_members_of_its_theme_in_their_digest(
    client: TestClient, make: Factory
) -> None:
    plant, _sawmill = sawmill_and_pellets(make)  # both in construction
    bakery = make.org("Espoon Leipomo Oy")
    make.listing(bakery["id"], theme="food", kind="need", title="Spent grain for bread")
    member(client, plant["id"], "pia@pelletti.example.fi", lang="fi", alerts="instant")
    member(client, bakery["id"], "leo@leipomo.example.fi", alerts="instant")
    run(client)  # the listings as they are: nothing strong, nothing sent
    call = {
        "kind": "funding",
        "title": "Business Finland: kiertotalouden pilotit 2027",
        "summary": "Rahoitusta rakentamisen kiertotalouden pilotteihin.",
        "url": "https://www.businessfinland.fi/kiertotalous",
        "language": "fi",
        "themes": ["construction"],
        "deadline": "2027-03-01",
    }
    assert client.post("/api/info", json=call).status_code == 201
    run(client)
    [letter] = mail_to(client, "pia@pelletti.example.fi")
    assert "Uutta Kiertotalouslaakson infopisteessä:" in letter.body
    assert "Rahoitushaku: Business Finland: kiertotalouden pilotit 2027" in letter.body
    assert "https://www.businessfinland.fi/kiertotalous" in letter.body
    assert mail_to(client, "leo@leipomo.example.fi") == []  # food only: not theirs
    run(client)
    assert len(mail_to(client, "pia@pelletti.example.fi")) == 1
