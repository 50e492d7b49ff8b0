"""A workshop's world for the tests: three food organisations, their listings, and a
facilitator who sets up a workshop through the pages' forms."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.world import Factory, brewery_and_bakery


def tomorrow() -> date:
    return datetime.now(ZoneInfo("Europe/Helsinki")).date() + timedelta(days=1)


def food_market(make: Factory) -> dict[str, Any]:
    """A brewery's spent grain, a bakery that bakes with it, and a farm that composts both."""
    brewery, bakery, offer, need = brewery_and_bakery(make)
    farm = make.org("Tuusulan Kompostitila Oy", municipality="Tuusula", language="fi")
    compost = make.listing(
        farm["id"],
        theme="food",
        kind="need",
        title="Biojätettä kompostiin",
        description="Otamme vastaan leipomoiden ja panimoiden biojätettä, 200 t vuodessa.",
        language="fi",
        quantity=200,
        municipality="Tuusula",
    )
    crusts = make.listing(
        bakery["id"],
        theme="food",
        title="Bread crusts and unsold bread",
        description="Unsold bread and crusts, 2 t a week, for feed or compost.",
        quantity=2,
        frequency="weekly",
        municipality="Espoo",
    )
    return {
        "brewery": brewery,
        "bakery": bakery,
        "farm": farm,
        "grain": offer,
        "bread_need": need,
        "compost": compost,
        "crusts": crusts,
    }


def post(client: TestClient, csrf: str, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf, **data}, follow_redirects=False)


def new_workshop(client: TestClient, csrf: str, **changes: Any) -> int:
    form = {
        "title": "Ruokaketjun kiertotalouspäivä",
        "theme": "food",
        "day": tomorrow().isoformat(),
        "tables": "2",
        "venue": "Kaapelitehdas",
        **changes,
    }
    r = post(client, csrf, "/workshops", **form)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("/")[2].split("?")[0])


def participant_id(client: TestClient, workshop: int, name: str) -> int:
    from sqlmodel import Session, select

    from matchmaker.workshops.tables import Participant
    from tests.world import engine_of

    with Session(engine_of(client)) as s:
        found = s.exec(
            select(Participant).where(Participant.workshop_id == workshop, Participant.name == name)
        ).one()
        assert found.id is not None
        return found.id


def set_up(client: TestClient, csrf: str, market: dict[str, Any]) -> dict[str, int]:
    """A workshop tomorrow, three 20-minute rounds from 09:00, two tables, three people; Paula
    (the brewery) asked to meet Tiina (the farm)."""
    workshop = new_workshop(client, csrf)
    assert (
        post(
            client, csrf, f"/workshops/{workshop}/slots", start="09:00", minutes="20", count="3"
        ).status_code
        == 303
    )
    slots = _slot_ids(client, workshop)
    for name, org, lang in (
        ("Paula Panimo", market["brewery"]["id"], "fi"),
        ("Ben Baker", market["bakery"]["id"], "en"),
        ("Tiina Tila", market["farm"]["id"], "fi"),
    ):
        r = client.post(
            f"/workshops/{workshop}/participants",
            data={
                "csrf_token": csrf,
                "organisation_id": str(org),
                "name": name,
                "language": lang,
                "slot": [str(s) for s in slots],
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    people = {
        n: participant_id(client, workshop, n) for n in ("Paula Panimo", "Ben Baker", "Tiina Tila")
    }
    r = post(
        client,
        csrf,
        f"/workshops/{workshop}/requests",
        requester=str(people["Paula Panimo"]),
        wanted=str(people["Tiina Tila"]),
    )
    assert r.status_code == 303, r.text
    return {"workshop": workshop, **people}


def _slot_ids(client: TestClient, workshop: int) -> list[int]:
    from sqlmodel import Session, col, select

    from matchmaker.workshops.tables import WorkshopSlot
    from tests.world import engine_of

    with Session(engine_of(client)) as s:
        rows = s.exec(
            select(WorkshopSlot)
            .where(WorkshopSlot.workshop_id == workshop)
            .order_by(col(WorkshopSlot.starts_at))
        )
        return [r.id for r in rows if r.id is not None]
