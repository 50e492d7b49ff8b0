"""Each role × each state-changing route, generated from the app's own route table.

Every POST/PUT/PATCH/DELETE route the app has must have a row below (a new route without
one fails `test_every_state_changing_route_has_a_row`, naming it). A row is what each role
gets: 401 not logged in; 403 logged in, not allowed; 404 a thing that is not the caller's to
see does not exist for them (nothing leaks); 303 a page's redirect (to the login page for a
visitor). The API is used with an API token, the pages with a session cookie and the form's
CSRF token, as a browser does.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx2 import Response  # the TestClient's (starlette.testclient uses httpx2)
from sqlalchemy import Engine
from sqlmodel import Session, select

from matchmaker.accounts import joining
from matchmaker.accounts import service as accounts
from matchmaker.tables import InfoItem, Listing, Match, Organisation, Theme, saved_id
from matchmaker.vocab import (
    Category,
    InfoKind,
    Language,
    ListingKind,
    OrgKind,
    Status,
    Visibility,
)
from matchmaker.vocab import MatchStatus as S
from tests.world import app_of, csrf_token, engine_of, link_in, login, outbox, person

ROLES = ("visitor", "member", "other member", "facilitator", "admin")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class World:
    """What the rows act on: "mine" owns it all, "other" nothing; a partner is each match's need."""

    mine: int
    other: int
    listing: int  # mine, pending approval
    owner_token: int  # an API token of mine's member
    victim: int  # a member of the other organisation, whose role the admin changes
    matches: dict[S, int]  # mine's offer × a partner's need, one in each status
    csrf: str = ""  # the caller's, for the pages' forms


def build(db_engine: Engine) -> World:
    with Session(db_engine) as s:
        mine = Organisation(name="Lohjan Lasi Oy", kind=OrgKind.company)
        other = Organisation(name="Hangon Satama Oy", kind=OrgKind.company)
        partner = Organisation(
            name="Raaseporin Rakennus Oy",
            kind=OrgKind.company,
            contact_email="rakennus@example.fi",
        )
        for org in (mine, other, partner):
            s.add(org)
        s.commit()
        theme = s.exec(select(Theme).where(Theme.slug == "construction")).one()
        assert mine.id and other.id and partner.id and theme.id
        theme_id = theme.id

        def listing(org_id: int, kind: ListingKind, title: str, status: Status) -> Listing:
            made = Listing(
                organisation_id=org_id,
                theme_id=theme_id,
                kind=kind,
                category=Category.material,
                title=title,
                description=f"{title}, from the Lohja glass works.",
                language=Language.en,
                status=status,
            )
            s.add(made)
            s.commit()
            return made

        pending = listing(mine.id, ListingKind.offer, "Flat glass cullet", Status.pending)
        offer = listing(mine.id, ListingKind.offer, "Green glass cullet, 20 t", Status.active)
        offer.visibility = Visibility.anonymous  # its member accepts the introduction
        s.add(offer)
        s.commit()
        matches = {}
        for step in (S.suggested, S.shortlisted, S.introduced, S.pilot):
            need = listing(partner.id, ListingKind.need, f"Glass wanted ({step})", Status.active)
            matches[step] = _match(s, offer, need, step)
        victim = accounts.create_user(
            s, email="victim@example.fi", password="x" * 12, organisation_id=other.id
        )
        assert pending.id and victim.id
        mine_id, other_id, pending_id, victim_id = mine.id, other.id, pending.id, victim.id
    owner = person(db_engine, "member", org_id=mine_id)
    with Session(db_engine) as s:
        token, _ = accounts.new_api_token(s, owner, "the ERP")
        assert token.id
    return World(mine_id, other_id, pending_id, token.id, victim_id, matches)


def _match(s: Session, offer: Listing, need: Listing, status: S) -> int:
    assert offer.id and need.id
    made = Match(
        offer_id=offer.id,
        need_id=need.id,
        theme_id=offer.theme_id,
        score=80.0,
        status=status,
        offer_revealed=False,  # mine is anonymous (above)
    )
    s.add(made)
    s.commit()
    assert made.id
    return made.id


def answers(visitor: int, member: int, other: int, facilitator: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (visitor, member, other, facilitator, admin), strict=True))


Call = Callable[[TestClient, World], Response]
Row = tuple[Call, dict[str, int]]


def mailed_token(c: TestClient, to: str, path: str) -> str:
    """The one-time token in the last link to `path` mailed to `to`."""
    sent = [m for m in outbox(engine_of(c)) if m.to == to]
    assert sent, f"nothing was mailed to {to}"
    return link_in(c, sent[-1], path).split("token=")[1]


def answer_token(c: TestClient, w: World) -> str:
    """The signed answer link's token for mine's anonymous side of the introduced match."""
    from matchmaker.accounts import links
    from matchmaker.workspace import introductions

    settings = app_of(c).state.settings
    return links.make(settings, introductions.LINK, m=w.matches[S.introduced], s="offer")


def invitation(c: TestClient, w: World) -> str:
    """The token of an invitation to mine, made by an admin (not the caller)."""
    app = app_of(c)
    admin = person(app.state.db_engine, "admin", email="root@example.fi")
    with Session(app.state.db_engine) as s:
        data = accounts.InviteIn(email="new@example.fi", organisation_id=w.mine)
        accounts.invite(s, app.state.settings, by=admin, data=data)
    return mailed_token(c, "new@example.fi", "/register")


def reset_link(c: TestClient) -> str:
    """The token of a password reset the other organisation's member asked for."""
    app = app_of(c)
    with Session(app.state.db_engine) as s:
        accounts.request_reset(s, app.state.settings, "victim@example.fi")
    return mailed_token(c, "victim@example.fi", "/reset")


def suggested_pair(c: TestClient, w: World) -> tuple[int, int]:
    """(mine's offer, the partner's need) of the suggested match: a member asks about it."""
    with Session(engine_of(c)) as s:
        match = s.get(Match, w.matches[S.suggested])
        assert match is not None
        return match.offer_id, match.need_id


def ask(c: TestClient, w: World) -> Response:
    offer, need = suggested_pair(c, w)
    return c.post(f"/api/listings/{need}/interest", json={"mine": offer, "note": "Cullet?"})


def ask_page(c: TestClient, w: World) -> Response:
    offer, need = suggested_pair(c, w)
    return form(c, w, f"/listings/{need}/interest", mine=str(offer), note="Cullet?")


def join_request(c: TestClient) -> int:
    """A request to join, sent by someone without an account."""
    with Session(engine_of(c)) as s:
        data = joining.JoinIn(
            organisation="Tammisaaren Tiili Ab",
            kind=OrgKind.company,
            contact_name="Tiina Tiili",
            email="tiina@tiili.example.fi",
            about="Broken bricks, 30 t a year.",
        )
        return saved_id(joining.submit(s, data))


def saved_search(c: TestClient, w: World) -> int:
    """A saved search of mine's member."""
    from matchmaker.tables import SavedSearch

    owner = person(engine_of(c), "member", org_id=w.mine)
    with Session(engine_of(c)) as s:
        search = SavedSearch(user_id=saved_id(owner), text="glass cullet")
        s.add(search)
        s.commit()
        return saved_id(search)


def theme_id(c: TestClient) -> int:
    with Session(engine_of(c)) as s:
        return saved_id(s.exec(select(Theme).where(Theme.slug == "construction")).one())


def cable_factor(c: TestClient) -> int:
    """The id of the cable-scrap emission factor (seeded on start)."""
    from matchmaker.tables import EmissionFactor

    with Session(engine_of(c)) as s:
        return saved_id(s.exec(select(EmissionFactor).where(EmissionFactor.key == "cables")).one())


def info_item(c: TestClient) -> int:
    """An info-point item a facilitator published: the one the info rows edit."""
    with Session(engine_of(c)) as s:
        item = InfoItem(kind=InfoKind.research, title="Glass recycling study", language=Language.en)
        s.add(item)
        s.commit()
        return saved_id(item)


INFO = {"kind": "research", "title": "Glass cullet study", "language": "en"}


@dataclass
class WorkshopWorld:
    id: int
    mine: int  # a participant of mine's
    other: int  # a participant of the other organisation's
    meeting: int  # the two meet in the first round


def workshop(c: TestClient, w: World) -> WorkshopWorld:
    """A construction workshop tomorrow with one round, two tables, and a meeting in it."""
    from datetime import UTC, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from matchmaker.workshops.tables import (
        Availability,
        Meeting,
        Participant,
        Workshop,
        WorkshopSlot,
    )

    with Session(engine_of(c)) as s:
        # at 09:00 in Helsinki: the slots a test adds at 13:00 never overlap it, whatever the hour
        tomorrow = datetime.now(UTC).date() + timedelta(days=1)
        start = datetime.combine(tomorrow, time(9), ZoneInfo("Europe/Helsinki")).astimezone(UTC)
        made = Workshop(title="Lasipäivä", theme_id=theme_id(c), day=start.date(), tables=2)
        s.add(made)
        s.flush()
        slot = WorkshopSlot(
            workshop_id=saved_id(made), starts_at=start, ends_at=start + timedelta(minutes=20)
        )
        people = [
            Participant(workshop_id=saved_id(made), organisation_id=org, name=name)
            for org, name in ((w.mine, "Liisa Lasi"), (w.other, "Hannu Satama"))
        ]
        s.add_all([slot, *people])
        s.flush()
        s.add_all(Availability(participant_id=saved_id(p), slot_id=saved_id(slot)) for p in people)
        meeting = Meeting(
            workshop_id=saved_id(made),
            slot_id=saved_id(slot),
            table_no=1,
            first_id=saved_id(people[0]),
            second_id=saved_id(people[1]),
            score=40.0,
        )
        s.add(meeting)
        s.commit()
        return WorkshopWorld(
            saved_id(made), saved_id(people[0]), saved_id(people[1]), saved_id(meeting)
        )


def slot_of(c: TestClient, workshop_id: int) -> int:
    from matchmaker.workshops.tables import WorkshopSlot

    with Session(engine_of(c)) as s:
        slot = s.exec(select(WorkshopSlot).where(WorkshopSlot.workshop_id == workshop_id)).first()
        return saved_id(slot) if slot else 0


def soon() -> str:
    """A day that is in the future in Helsinki whatever the server's clock zone."""
    from datetime import date, timedelta

    return (date.today() + timedelta(days=2)).isoformat()


SHEET = (
    "organisation,theme,kind,category,title,description,language,quantity,unit,frequency,"
    "municipality\nLohjan Lasi Oy,construction,offer,material,Window glass,,en,5,t,yearly,Lohja\n"
)

# -- the JSON API ---------------------------------------------------------------------------

NEW_LISTING = {"theme": "construction", "kind": "need", "category": "material"}

API: dict[str, Row] = {
    "POST /api/listings": (
        lambda c, w: c.post(
            "/api/listings", json={**NEW_LISTING, "organisation_id": w.mine, "title": "Glass"}
        ),
        answers(401, 201, 403, 201, 201),
    ),
    "PATCH /api/listings/{listing_id}": (
        lambda c, w: c.patch(
            f"/api/listings/{w.listing}", json={"title": "Green glass cullet", "version": 1}
        ),
        answers(401, 200, 404, 200, 200),
    ),
    "POST /api/listings/{listing_id}/close": (
        lambda c, w: c.post(f"/api/listings/{w.listing}/close"),
        answers(401, 200, 404, 200, 200),
    ),
    "POST /api/listings/{listing_id}/approve": (
        lambda c, w: c.post(f"/api/listings/{w.listing}/approve"),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/themes": (
        lambda c, w: c.post(
            "/api/themes",
            json={"slug": "wood", "name_fi": "Puu", "name_sv": "Trä", "name_en": "Wood"},
        ),
        answers(401, 403, 403, 403, 201),
    ),
    "POST /api/organisations": (
        lambda c, w: c.post("/api/organisations", json={"name": "Uusi Oy", "kind": "company"}),
        answers(401, 403, 403, 201, 201),
    ),
    "POST /api/session": (  # logging in is open to all: the answer depends on the password
        lambda c, w: c.post(
            "/api/session", json={"email": "victim@example.fi", "password": "x" * 12}
        ),
        answers(200, 200, 200, 200, 200),
    ),
    "DELETE /api/session": (
        lambda c, w: c.delete("/api/session"),
        answers(204, 204, 204, 204, 204),
    ),
    "POST /api/invitations": (
        lambda c, w: c.post(
            "/api/invitations", json={"email": "new@example.fi", "organisation_id": w.mine}
        ),
        answers(401, 403, 403, 201, 201),
    ),
    "POST /api/register": (  # the invitation's link is the authority, whoever sends it
        lambda c, w: c.post(
            "/api/register",
            json={
                "token": invitation(c, w),
                "password": "kierto-talous-2026",
            },
        ),
        answers(201, 201, 201, 201, 201),
    ),
    "POST /api/password-reset": (
        lambda c, w: c.post("/api/password-reset", json={"email": "victim@example.fi"}),
        answers(202, 202, 202, 202, 202),
    ),
    "POST /api/password-reset/confirm": (  # likewise the reset link
        lambda c, w: c.post(
            "/api/password-reset/confirm",
            json={"token": reset_link(c), "password": "uusi-salasana-2026"},
        ),
        answers(200, 200, 200, 200, 200),
    ),
    "POST /api/tokens": (
        lambda c, w: c.post("/api/tokens", json={"name": "laptop"}),
        answers(401, 201, 201, 201, 201),
    ),
    "DELETE /api/tokens/{token_id}": (  # only one's own: a token of mine's member
        lambda c, w: c.delete(f"/api/tokens/{w.owner_token}"),
        answers(401, 204, 404, 404, 404),
    ),
    "PATCH /api/users/{user_id}": (
        lambda c, w: c.patch(f"/api/users/{w.victim}", json={"role": "facilitator"}),
        answers(401, 403, 403, 403, 200),
    ),
    "POST /api/matches/refresh": (
        lambda c, w: c.post("/api/matches/refresh", json={}),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/matches/{match_id}/status": (
        lambda c, w: c.post(
            f"/api/matches/{w.matches[S.suggested]}/status",
            json={"status": "shortlisted"},
        ),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/matches/{match_id}/introduction": (
        lambda c, w: c.post(f"/api/matches/{w.matches[S.shortlisted]}/introduction", json={}),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/matches/{match_id}/accept": (  # the anonymous side's organisation accepts
        lambda c, w: c.post(f"/api/matches/{w.matches[S.introduced]}/accept"),
        answers(401, 200, 404, 403, 403),
    ),
    "PUT /api/matches/{match_id}/impact": (
        lambda c, w: c.put(
            f"/api/matches/{w.matches[S.pilot]}/impact",
            json={"amount_per_year": 20, "unit": "t"},
        ),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/listings/{listing_id}/interest": (  # members only; the other has no offer
        ask,
        answers(401, 200, 422, 403, 403),
    ),
    "POST /api/info": (
        lambda c, w: c.post("/api/info", json=INFO),
        answers(401, 403, 403, 201, 201),
    ),
    "PATCH /api/info/{item_id}": (
        lambda c, w: c.patch(f"/api/info/{info_item(c)}", json={"title": "Cullet study"}),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/info/{item_id}/unpublish": (
        lambda c, w: c.post(f"/api/info/{info_item(c)}/unpublish"),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/info/{item_id}/publish": (
        lambda c, w: c.post(f"/api/info/{info_item(c)}/publish"),
        answers(401, 403, 403, 200, 200),
    ),
    "POST /api/import/listings": (
        lambda c, w: c.post(
            "/api/import/listings", files={"file": ("glass.csv", io.BytesIO(SHEET.encode()))}
        ),
        answers(401, 403, 403, 200, 200),
    ),
}

# -- the pages' forms -----------------------------------------------------------------------


def form(c: TestClient, w: World, url: str, **data: str) -> Response:
    return c.post(url, data={"csrf_token": w.csrf, **data}, follow_redirects=False)


def upload(c: TestClient, w: World) -> Response:
    sheet = {"file": ("glass.csv", io.BytesIO(SHEET.encode()))}
    return c.post("/import", files=sheet, data={"csrf_token": w.csrf}, follow_redirects=False)


def uploaded(c: TestClient, w: World) -> str:
    """The name the import page keeps a sheet under ("" where the caller may not upload)."""
    found = re.search(r"upload=([^&]+)", upload(c, w).headers.get("location", ""))
    return found.group(1) if found else ""


def register_person(c: TestClient, w: World) -> Response:
    ws = workshop(c, w)
    data = {
        "csrf_token": w.csrf,
        "organisation_id": str(w.mine),  # a facilitator's choice; a member's is their own
        "name": "Lasse Lasi",
        "slot": str(slot_of(c, ws.id)),
    }
    return c.post(f"/workshops/{ws.id}/participants", data=data, follow_redirects=False)


def ask_to_meet(c: TestClient, w: World) -> Response:
    ws = workshop(c, w)
    return form(c, w, f"/workshops/{ws.id}/requests", requester=str(ws.mine), wanted=str(ws.other))


def lock_meeting(c: TestClient, w: World) -> Response:
    ws = workshop(c, w)
    return form(c, w, f"/workshops/{ws.id}/meetings/{ws.meeting}", action="lock")


LISTING_FORM = {
    **NEW_LISTING,
    "title": "Glass wanted",
    "description": "Clear flat glass, 5 t a year.",
    "language": "en",
    "quantity": "",
    "unit": "",
    "frequency": "",
    "municipality": "Lohja",
    "ewc_code": "",
    "available_from": "",
    "available_until": "",
    "visibility": "public",
    "status": "active",
}

PAGES: dict[str, Row] = {
    "POST /listings": (
        lambda c, w: form(c, w, "/listings", **LISTING_FORM, organisation_id=str(w.mine)),
        answers(303, 303, 303, 303, 303),  # a member's listing is for their own organisation
    ),
    "POST /listings/{listing_id:int}/edit": (
        lambda c, w: form(
            c,
            w,
            f"/listings/{w.listing}/edit",
            **{**LISTING_FORM, "kind": "offer", "status": "pending"},
            organisation_id=str(w.mine),
            version="1",
        ),
        answers(303, 303, 404, 303, 303),
    ),
    "POST /listings/{listing_id:int}/approve": (
        lambda c, w: form(c, w, f"/listings/{w.listing}/approve"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /login": (
        lambda c, w: form(c, w, "/login", email="victim@example.fi", password="x" * 12, next="/"),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /logout": (
        lambda c, w: form(c, w, "/logout"),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /register": (
        lambda c, w: form(
            c,
            w,
            "/register",
            token=invitation(c, w),
            name="Uusi",
            password="kierto-talous-2026",
        ),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /reset": (
        lambda c, w: form(c, w, "/reset", email="victim@example.fi"),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /reset/confirm": (
        lambda c, w: form(
            c, w, "/reset/confirm", token=reset_link(c), password="uusi-salasana-2026"
        ),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /invite": (
        lambda c, w: form(
            c, w, "/invite", email="new@example.fi", role="member", organisation_id=str(w.mine)
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /account/tokens": (
        lambda c, w: form(c, w, "/account/tokens", name="laptop"),
        answers(303, 200, 200, 200, 200),
    ),
    "POST /account/tokens/{token_id:int}/revoke": (
        lambda c, w: form(c, w, f"/account/tokens/{w.owner_token}/revoke"),
        answers(303, 303, 404, 404, 404),
    ),
    "POST /matches/refresh": (
        lambda c, w: form(c, w, "/matches/refresh"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /matches/{match_id:int}/decide": (
        lambda c, w: form(
            c,
            w,
            f"/matches/{w.matches[S.suggested]}/decide",
            status="shortlisted",
            next="/matches",
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /matches/{match_id:int}/status": (
        lambda c, w: form(
            c,
            w,
            f"/matches/{w.matches[S.introduced]}/status",
            status="negotiating",
            agreed="yes",  # mine is anonymous and has not accepted
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /matches/{match_id:int}/introduction": (
        lambda c, w: form(
            c,
            w,
            f"/matches/{w.matches[S.shortlisted]}/introduction",
            offer_subject="Glass for your sites",
            offer_body="Raaseporin Rakennus needs glass cullet.",
            need_subject="Glass cullet near you",
            need_body="An anonymous glass works offers cullet.",
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /matches/{match_id:int}/accept": (
        lambda c, w: form(c, w, f"/matches/{w.matches[S.introduced]}/accept"),
        answers(303, 303, 404, 422, 422),  # the API says 403 to a curator here
    ),
    "POST /introductions/answer": (  # the signed link is the authority, whoever holds it
        lambda c, w: form(c, w, "/introductions/answer", token=answer_token(c, w), choice="accept"),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /listings/renew": (  # without a valid link nobody renews anything
        lambda c, w: form(c, w, "/listings/renew", token="forged.token", choice="6"),
        answers(410, 410, 410, 410, 410),
    ),
    "POST /matches/{match_id:int}/impact": (
        lambda c, w: form(c, w, f"/matches/{w.matches[S.pilot]}/impact", amount="20", unit="t"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /listings/{listing_id:int}/interest": (
        ask_page,
        answers(303, 303, 422, 403, 403),
    ),
    "POST /my/organisation": (  # each member their own organisation's
        lambda c, w: form(c, w, "/my/organisation", contact_name="Liisa Lasi", language="fi"),
        answers(303, 303, 303, 403, 403),
    ),
    "POST /my/alerts": (  # each member their own
        lambda c, w: form(c, w, "/my/alerts", alerts="daily"),
        answers(303, 303, 303, 403, 403),
    ),
    "POST /my/searches": (
        lambda c, w: form(c, w, "/my/searches", q="glass cullet", kind="offer"),
        answers(303, 303, 303, 403, 403),
    ),
    "POST /my/searches/{search_id:int}/delete": (
        lambda c, w: form(c, w, f"/my/searches/{saved_search(c, w)}/delete"),
        answers(303, 303, 404, 403, 403),
    ),
    "POST /alerts/off": (  # the signed link is the authority: without one nothing changes
        lambda c, w: form(c, w, "/alerts/off?token=forged.token"),
        answers(400, 400, 400, 400, 400),
    ),
    "POST /mailing-list": (  # anyone subscribes; the confirmation link decides
        lambda c, w: form(c, w, "/mailing-list", email="liisa@example.fi", themes="food"),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /mailing-list/leave": (
        lambda c, w: form(c, w, "/mailing-list/leave?token=forged.token"),
        answers(400, 400, 400, 400, 400),
    ),
    "POST /mailings": (
        lambda c, w: form(
            c, w, "/mailings", subject="Glass workshop", body="Welcome.", themes="construction"
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /join": (
        lambda c, w: form(
            c,
            w,
            "/join",
            organisation="Tammisaaren Tiili Ab",
            kind="company",
            municipality="Raasepori",
            contact_name="Tiina Tiili",
            email="tiina@tiili.example.fi",
            about="Broken bricks, 30 t a year.",
            language="sv",
        ),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /joins/{request_id:int}/approve": (
        lambda c, w: form(c, w, f"/joins/{join_request(c)}/approve"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /joins/{request_id:int}/decline": (
        lambda c, w: form(c, w, f"/joins/{join_request(c)}/decline", reason="Outside Uusimaa."),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /admin/themes": (
        lambda c, w: form(
            c, w, "/admin/themes", slug="wood", name_fi="Puu", name_sv="Trä", name_en="Wood"
        ),
        answers(303, 403, 403, 403, 303),
    ),
    "POST /admin/themes/{theme_id:int}": (
        lambda c, w: form(
            c,
            w,
            f"/admin/themes/{theme_id(c)}",
            name_fi="Rakentaminen",
            name_sv="Byggande",
            name_en="Building",
        ),
        answers(303, 403, 403, 403, 303),
    ),
    "POST /admin/factors/{factor_id:int}": (
        lambda c, w: form(
            c,
            w,
            f"/admin/factors/{cable_factor(c)}",
            co2e="1,5",
            basis_fi="Kupari primäärikuparin sijaan",
            basis_sv="Koppar i stället för primär koppar",
            basis_en="Copper in place of primary copper",
            source="International Copper Association (2023)",
        ),
        answers(303, 403, 403, 403, 303),
    ),
    "POST /admin/users/{user_id:int}": (
        lambda c, w: form(
            c, w, f"/admin/users/{w.victim}", role="member", organisation_id=str(w.other)
        ),
        answers(303, 403, 403, 403, 303),
    ),
    "POST /admin/organisations": (
        lambda c, w: form(c, w, "/admin/organisations", name="Uusi Oy", kind="company"),
        answers(303, 403, 403, 403, 303),
    ),
    "POST /admin/organisations/{organisation_id:int}": (
        lambda c, w: form(
            c, w, f"/admin/organisations/{w.other}", name="Hangon Satama Oy", kind="company"
        ),
        answers(303, 403, 403, 403, 303),
    ),
    "POST /admin/organisations/{organisation_id:int}/merge": (
        lambda c, w: form(c, w, f"/admin/organisations/{w.other}/merge", into=str(w.mine)),
        answers(303, 403, 403, 403, 303),
    ),
    "POST /admin/approvals/{listing_id:int}": (
        lambda c, w: form(c, w, f"/admin/approvals/{w.listing}"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /info": (
        lambda c, w: form(c, w, "/info", **INFO, summary="", themes="construction"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /info/{item_id:int}/edit": (
        lambda c, w: form(c, w, f"/info/{info_item(c)}/edit", **INFO, summary="Cullet."),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /info/{item_id:int}/unpublish": (
        lambda c, w: form(c, w, f"/info/{info_item(c)}/unpublish"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /info/{item_id:int}/publish": (
        lambda c, w: form(c, w, f"/info/{info_item(c)}/publish"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /import": (
        lambda c, w: upload(c, w),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /import/commit": (
        lambda c, w: form(  # the sheet's organisation exists: the facilitator confirms it
            c, w, "/import/commit", upload=uploaded(c, w), name="g.csv", confirm_organisations="1"
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /workshops": (
        lambda c, w: form(
            c, w, "/workshops", title="Lasipäivä", theme="construction", day=soon(), tables="4"
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /workshops/{workshop_id:int}/slots": (
        lambda c, w: form(
            c, w, f"/workshops/{workshop(c, w).id}/slots", start="13:00", minutes="20", count="2"
        ),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /workshops/{workshop_id:int}/participants": (  # a member registers their own people
        lambda c, w: register_person(c, w),
        answers(303, 303, 303, 303, 303),
    ),
    "POST /workshops/{workshop_id:int}/requests": (  # for one's own organisation's people
        lambda c, w: ask_to_meet(c, w),
        answers(303, 303, 403, 303, 303),
    ),
    "POST /workshops/{workshop_id:int}/solve": (
        lambda c, w: form(c, w, f"/workshops/{workshop(c, w).id}/solve"),
        answers(303, 403, 403, 303, 303),
    ),
    "POST /workshops/{workshop_id:int}/meetings/{meeting_id:int}": (
        lambda c, w: lock_meeting(c, w),
        answers(303, 403, 403, 303, 303),
    ),
}


# the pages a visitor may post to: their redirect goes elsewhere than the login page
OPEN_PAGES = {
    "POST /login",
    "POST /logout",
    "POST /register",
    "POST /reset",
    "POST /reset/confirm",
    "POST /join",
    "POST /introductions/answer",
    "POST /mailing-list",
}


def state_changing_routes(app: FastAPI) -> dict[str, str]:
    """Every POST/PUT/PATCH/DELETE route of the app: "METHOD path" -> "api" or "pages"."""
    found = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted((route.methods or set()) & WRITES):
                found[f"{method} {context.path}"] = "api" if route.include_in_schema else "pages"
    return found


def test_every_state_changing_route_has_a_row(visitor: TestClient) -> None:
    app = app_of(visitor)
    routes = state_changing_routes(app)
    tables = {"api": API, "pages": PAGES}
    missing = sorted(r for r, where in routes.items() if r not in tables[where])
    assert not missing, "state-changing routes without a row in tests/test_roles.py: " + (
        ", ".join(missing)
    )
    stale = sorted(set(API) - set(routes)) + sorted(set(PAGES) - set(routes))
    assert not stale, "rows in tests/test_roles.py for routes the app lacks: " + ", ".join(stale)


def log_in_as(client: TestClient, role: str, w: World, *, browser: bool) -> str:
    if role == "visitor":  # a browser has the pre-session cookie of the page it posts from
        return csrf_token(client) if browser else ""
    if role == "member":
        return login(client, "member", org_id=w.mine, browser=browser)
    if role == "other member":
        return login(client, "member", org_id=w.other, browser=browser)
    return login(client, role, browser=browser)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(API))
def test_the_api(route: str, role: str, visitor: TestClient) -> None:
    w = build(engine_of(visitor))
    log_in_as(visitor, role, w, browser=False)
    call, expected = API[route]
    response = call(visitor, w)
    assert response.status_code == expected[role], response.text
    if response.status_code >= 400:
        assert response.json()["detail"]  # a sentence, not a bare code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(PAGES))
def test_the_pages(route: str, role: str, visitor: TestClient) -> None:
    w = build(engine_of(visitor))
    w.csrf = log_in_as(visitor, role, w, browser=True)
    call, expected = PAGES[route]
    response = call(visitor, w)
    assert response.status_code == expected[role], response.text[:500]
    if role == "visitor" and response.status_code == 303 and expected[role] == 303:
        where = response.headers["location"]
        assert where.startswith("/login") or route in OPEN_PAGES, where
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("text/html")  # a page, not JSON


def test_a_pending_listing_is_hidden_until_approved(visitor: TestClient) -> None:
    w = build(engine_of(visitor))
    assert visitor.get(f"/api/listings/{w.listing}").status_code == 404
    login(visitor, "member", org_id=w.mine)
    assert visitor.get(f"/api/listings/{w.listing}").json()["status"] == "pending"


def test_a_member_never_approves_a_pending_listing_even_with_approval_off(
    visitor: TestClient,
) -> None:
    """Pending (set by a facilitator, or from when approval was on) stays for facilitators to
    lift: the API says so as the edit form does, and the listing stays hidden."""
    w = build(engine_of(visitor))
    app_of(visitor).state.settings.approval_required = False
    login(visitor, "member", org_id=w.mine)
    r = visitor.patch(f"/api/listings/{w.listing}", json={"status": "active", "version": 1})
    assert r.status_code == 422
    assert r.json()["detail"] == "status: a facilitator approves a pending listing"
    assert visitor.get(f"/api/listings/{w.listing}").json()["status"] == "pending"
    edited = visitor.patch(f"/api/listings/{w.listing}", json={"title": "Cullet", "version": 1})
    assert edited.status_code == 200 and edited.json()["status"] == "pending"
    login(visitor, "facilitator")
    approved = visitor.patch(f"/api/listings/{w.listing}", json={"status": "active", "version": 2})
    assert approved.status_code == 200 and approved.json()["status"] == "active"


def test_with_approval_required_a_members_listing_waits_for_a_facilitator(
    visitor: TestClient,
) -> None:
    w = build(engine_of(visitor))
    app_of(visitor).state.settings.approval_required = True
    login(visitor, "member", org_id=w.mine)
    made = visitor.post(
        "/api/listings",
        json={**NEW_LISTING, "organisation_id": w.mine, "kind": "offer", "title": "Window glass"},
    ).json()
    assert made["status"] == "pending"
    again = visitor.patch(f"/api/listings/{made['id']}", json={"status": "active", "version": 1})
    # a member cannot approve their own listing: refused, as the edit form refuses it
    assert again.status_code == 422
    assert again.json()["detail"] == "status: a facilitator approves a pending listing"
    assert visitor.get(f"/api/listings/{made['id']}").json()["status"] == "pending"
    anonymous = {"Authorization": ""}
    assert visitor.get(f"/api/listings/{made['id']}", headers=anonymous).status_code == 404
    login(visitor, "facilitator")
    approved = visitor.post(f"/api/listings/{made['id']}/approve")
    assert approved.json()["status"] == "active"
    assert visitor.get(f"/api/listings/{made['id']}", headers=anonymous).json()["title"] == (
        "Window glass"
    )
