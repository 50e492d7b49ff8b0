"""Expiry reminders: once per expiry date, in each member's language; renew or close by link."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from matchmaker import scheduler
from matchmaker.engine.matching import today
from matchmaker.listings import expiry
from matchmaker.settings import Settings
from matchmaker.tables import Listing, User
from matchmaker.vocab import Language, Status
from matchmaker.web.i18n import Translator
from tests.pagekit import csrf_of, get, page
from tests.world import Factory, app_of, link_in, logout, outbox, person


def members_and_listings(client: TestClient, make: Factory) -> dict[str, Any]:
    """Porvoon Puutuote: two members (Finnish, Swedish); sawdust ending in 10 days, planks in 30."""
    db_engine = app_of(client).state.db_engine
    org = make.org("Porvoon Puutuote Oy")
    person(db_engine, "member", org_id=org["id"], email="aino@puutuote.example.fi")
    sv = person(db_engine, "member", org_id=org["id"], email="stina@puutuote.example.fi")
    with Session(db_engine) as s:
        user = s.get(User, sv.id)
        assert user is not None
        user.language = Language.sv
        s.add(user)
        s.commit()
    soon = make.listing(org["id"], available_until=(today() + timedelta(days=10)).isoformat())
    later = make.listing(
        org["id"], title="Oak planks", available_until=(today() + timedelta(days=30)).isoformat()
    )
    return {"org": org, "soon": soon, "later": later}


def remind(client: TestClient, now: date | None = None) -> int:
    app = app_of(client)
    with Session(app.state.db_engine) as s:
        return expiry.remind(s, app.state.settings, now=now)


def test_members_are_reminded_once_in_their_own_language(client: TestClient, make: Factory) -> None:
    members_and_listings(client, make)
    db_engine = app_of(client).state.db_engine
    assert remind(client) == 2  # the sawdust, to both members; the planks are 30 days away
    sent = {m.to: m for m in outbox(db_engine)}
    assert (
        sent["aino@puutuote.example.fi"].subject
        == "Ilmoituksenne ”Oak sawdust, 40 t/year” päättyy pian"
    )
    assert (
        sent["stina@puutuote.example.fi"].subject
        == "Er annons ”Oak sawdust, 40 t/year” går snart ut"
    )
    assert "token=" not in sent["aino@puutuote.example.fi"].body  # the link is theirs alone
    assert remind(client) == 0  # a second run sends nothing
    assert remind(client, today() + timedelta(days=16)) == 2  # the planks' turn, once
    assert remind(client, today() + timedelta(days=17)) == 0
    assert len(outbox(db_engine)) == 4


def test_the_link_renews_the_listing_without_a_login(client: TestClient, make: Factory) -> None:
    world = members_and_listings(client, make)
    db_engine = app_of(client).state.db_engine
    remind(client)
    letter = next(m for m in outbox(db_engine) if m.to == "stina@puutuote.example.fi")
    link = link_in(client, letter, "/listings/renew")
    logout(client)
    asked = get(client, link)
    assert asked.status_code == 200 and "Renew for 6 months" in page(asked).text
    token = page(asked).find("input", name="token")[0]["value"]
    r = client.post(
        "/listings/renew",
        data={"csrf_token": csrf_of(asked), "token": token, "choice": "6"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    ends = date.fromisoformat(world["soon"]["available_until"])
    wanted = expiry.add_months(ends, 6)
    with Session(db_engine) as s:
        listing = s.get(Listing, world["soon"]["id"])
        assert listing is not None and listing.available_until == wanted
    shown = page(get(client, r.headers["location"])).text
    assert f"now available until {Translator('en').date(wanted)}." in shown
    assert get(client, link).status_code == 410  # the link did its one thing
    # the new date gets its own reminder, 14 days before it
    assert remind(client, wanted - timedelta(days=14)) == 2  # the sawdust anew (the planks,
    # 30 days from now, were past their end by then and are not reminded late)


def test_the_link_closes_the_listing(client: TestClient, make: Factory) -> None:
    world = members_and_listings(client, make)
    db_engine = app_of(client).state.db_engine
    remind(client)
    link = link_in(client, outbox(db_engine)[0], "/listings/renew")
    logout(client)
    asked = get(client, link)
    token = page(asked).find("input", name="token")[0]["value"]
    bad = client.post(
        "/listings/renew", data={"csrf_token": csrf_of(asked), "token": token, "choice": "7"}
    )
    assert bad.status_code == 422 and "Choose how long" in page(bad).text
    r = client.post(
        "/listings/renew",
        data={"csrf_token": csrf_of(asked), "token": token, "choice": "close"},
    )
    assert r.status_code == 200 and "The listing is closed" in page(r).text
    with Session(db_engine) as s:
        listing = s.get(Listing, world["soon"]["id"])
        assert listing is not None and listing.status == Status.closed
    tampered = token[:-3] + "abc"
    assert get(client, f"/listings/renew?token={tampered}").status_code == 410


def test_an_organisation_without_members_hears_at_its_contact_address(
    client: TestClient, make: Factory
) -> None:
    org = make.org("Sipoon Sora Oy", contact_email="sora@example.fi", language="en")
    make.listing(org["id"], available_until=(today() + timedelta(days=3)).isoformat())
    assert remind(client) == 1
    (letter,) = outbox(app_of(client).state.db_engine)
    assert letter.to == "sora@example.fi" and letter.subject.startswith("Your listing")


def test_the_reminder_is_one_of_the_daily_jobs(settings: Settings, db_engine: Any) -> None:
    daily = scheduler.daily_jobs(
        settings.daily_at,
        db_engine,
        None,  # type: ignore[arg-type]  # the jobs are only listed, never run here
        settings,
    )
    assert [name for name, _, _ in daily._jobs] == ["expire", "remind", "train"]


def test_remind_by_hand_twice_and_after_a_restart_sends_once(tmp_path: Path) -> None:
    """`python -m matchmaker remind` in real processes on one SQLite file: each run is a
    fresh start, and only the first sends."""
    from sqlmodel import select

    from matchmaker import db
    from matchmaker.settings import ROOT
    from matchmaker.tables import Organisation, OutboxMessage, Theme
    from matchmaker.transfer import seeding
    from matchmaker.vocab import Category, ListingKind, OrgKind
    from tests.test_cli import run

    engine = db.make_engine(f"sqlite:///{tmp_path / 'mm.db'}")
    db.create_schema(engine)
    with Session(engine) as s:
        seeding.ensure_themes(s, ROOT / "seeds")
        org = Organisation(name="Hangon Lava Oy", kind=OrgKind.company, contact_email="a@lava.fi")
        s.add(org)
        s.flush()
        theme = s.exec(select(Theme)).first()
        assert theme is not None and org.id is not None and theme.id is not None
        s.add(
            Listing(
                organisation_id=org.id,
                theme_id=theme.id,
                kind=ListingKind.offer,
                category=Category.material,
                title="Pallets",
                language=Language.en,
                available_until=today() + timedelta(days=5),
            )
        )
        s.commit()
    outputs = [run(tmp_path, "remind") for _ in range(2)]
    assert all(done.returncode == 0 for done in outputs), outputs[0].stderr
    assert "remind: 1 expiry reminders sent" in outputs[0].stdout
    assert "remind: 0 expiry reminders sent" in outputs[1].stdout
    with Session(engine) as s:
        assert [m.to for m in s.exec(select(OutboxMessage))] == ["a@lava.fi"]
