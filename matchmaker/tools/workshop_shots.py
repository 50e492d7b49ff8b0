"""Screenshots of the workshop brokerage, fi and en: a solved schedule and a participant's agenda,
on a food workshop planned on the demo seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matchmaker.settings import Settings
from matchmaker.tools.shotkit import browser, new_page, shot


def plan_workshop(settings: Settings, db_engine: Any, matcher: Any) -> tuple[int, int]:
    """A food workshop tomorrow on the demo seeds: a person from each organisation with food
    listings, four rounds, three tables, two requests; solved. Returns the workshop and the
    participant with the most meetings (the agenda shown)."""
    from collections import Counter
    from datetime import time, timedelta

    from sqlmodel import Session, select

    from matchmaker.accounts.auth import Principal
    from matchmaker.tables import Listing, Theme, User
    from matchmaker.vocab import Language, Role
    from matchmaker.workshops import planning, service
    from matchmaker.workshops.schemas import ParticipantIn, RequestIn, SlotsIn, WorkshopIn

    with Session(db_engine) as s:
        user = s.exec(select(User).where(User.role == Role.facilitator)).first()
        by = Principal(user)
        food = s.exec(select(Theme).where(Theme.slug == "food")).one()
        orgs = sorted(
            {
                lst.organisation_id
                for lst in s.exec(select(Listing).where(Listing.theme_id == food.id))
            }
        )[:8]
        day = service.today() + timedelta(days=1)
        workshop = service.create(
            s,
            settings,
            by,
            WorkshopIn(
                title="Ruokaketjun kiertotalouspäivä",
                theme="food",
                day=day,
                tables=3,
                venue="Kaapelitehdas, Helsinki",
            ),
        )
        slots = service.add_slots(s, workshop, SlotsIn(start=time(9, 0), minutes=20, count=4))
        people = []
        for org_id in orgs:
            org = service.organisations(s, [org_id])[org_id]
            people.append(
                service.register(
                    s,
                    by,
                    workshop,
                    ParticipantIn(
                        organisation_id=org_id,
                        name=org.contact_name or org.name,
                        language=Language(org.language),
                        slot_ids=[x.id or 0 for x in slots],
                    ),
                )
            )
        for a, b in ((0, 3), (5, 1)):
            if max(a, b) < len(people):
                service.request(
                    s,
                    by,
                    workshop,
                    RequestIn(requester_id=people[a].id or 0, wanted_id=people[b].id or 0),
                )
        planning.solve(s, matcher, settings, workshop)
        counts = Counter(
            p for m in service.meetings_of(s, workshop) for p in (m.first_id, m.second_id)
        )
        return workshop.id or 0, counts.most_common(1)[0][0]


def take_workshop(
    base: str, out: Path, account: dict[str, str], ids: tuple[int, int]
) -> list[Path]:
    """The facilitator's schedule and a participant's agenda, in fi and en."""
    out.mkdir(parents=True, exist_ok=True)
    workshop, person = ids
    saved: list[Path] = []
    with browser() as chromium:
        page = new_page(chromium, base=base, account=account)
        for lang in ("fi", "en"):
            page.goto(f"{base}/workshops/{workshop}?lang={lang}")
            box = page.locator("#schedule").bounding_box()
            top = int(box["y"]) if box else 0
            full = int(page.evaluate("document.documentElement.scrollHeight"))
            clip: Any = {
                "x": 0,
                "y": max(top - 20, 0),
                "width": 1200,
                "height": min(1400, full - top),
            }
            path = out / f"workshop-{lang}.png"
            page.screenshot(path=str(path), full_page=True, clip=clip)
            saved.append(path)
            page.goto(f"{base}/workshops/{workshop}/participants/{person}?lang={lang}")
            page.locator("table.agenda").wait_for()
            saved.append(shot(page, out / f"agenda-{lang}.png"))
    return saved
