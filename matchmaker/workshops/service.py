"""Workshops: create them, add their rounds, register people, ask for meetings; and read them.

The setup's rules live here, the schedule's in planning.py; the pages only parse and render.
A refusal is a `Refused` carrying the message key and HTTP status the pages answer with.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker.accounts import links
from matchmaker.accounts.auth import Principal
from matchmaker.engine.matching import expired
from matchmaker.settings import Settings
from matchmaker.shapes import storable
from matchmaker.tables import Listing, Organisation, Theme, saved_id
from matchmaker.vocab import Role, Status
from matchmaker.web.i18n import N_
from matchmaker.workshops.schemas import ParticipantIn, RequestIn, SlotsIn, WorkshopIn
from matchmaker.workshops.tables import (
    Availability,
    Meeting,
    MeetingRequest,
    Participant,
    Workshop,
    WorkshopSlot,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


class Refused(Exception):
    """The request cannot be done: `key` is the message, `status` the HTTP answer."""

    def __init__(self, key: str, status: int = 422, **params: object) -> None:
        super().__init__(key)
        self.key, self.status, self.params = key, status, params


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime) -> datetime:
    """A stored time (SQLite gives it back naive, in UTC) as an aware one."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local(value: datetime) -> datetime:
    return utc(value).astimezone(HELSINKI)


# -- who may do what -------------------------------------------------------------------------


def may_register_for(principal: Principal, organisation_id: int) -> bool:
    """Facilitators for anyone; a member for their own organisation only."""
    return principal.curates or (
        principal.role == Role.member and principal.organisation_id == organisation_id
    )


def may_see(principal: Principal, participant: Participant) -> bool:
    """A participant's agenda: their organisation's members and the facilitators (and whoever
    holds its signed link: `by_link`)."""
    return may_register_for(principal, participant.organisation_id)


AGENDA_LINK = "workshop-agenda"


def agenda_link(settings: Settings, person: Participant) -> str:
    """The signed token of a participant's agenda: it opens the agenda without a login."""
    return links.make(settings, AGENDA_LINK, w=person.workshop_id, p=saved_id(person))


def by_link(session: Session, settings: Settings, token: str) -> tuple[Workshop, Participant]:
    """The workshop and participant a signed agenda token names; Refused(404) otherwise."""
    found = links.read(settings, AGENDA_LINK, token)
    if not found or not isinstance(found.get("w"), int) or not isinstance(found.get("p"), int):
        raise Refused(N_("error.not_found"), 404)
    workshop = get(session, found["w"])
    return workshop, participant(session, workshop, found["p"])


# -- reading ---------------------------------------------------------------------------------


def workshops(session: Session) -> list[Workshop]:
    return list(session.exec(select(Workshop).order_by(col(Workshop.day).desc(), col(Workshop.id))))


def get(session: Session, workshop_id: int) -> Workshop:
    found = session.get(Workshop, workshop_id) if storable(workshop_id) else None
    if found is None:
        raise Refused(N_("error.not_found"), 404)
    return found


def slots_of(session: Session, workshop: Workshop) -> list[WorkshopSlot]:
    return list(
        session.exec(
            select(WorkshopSlot)
            .where(WorkshopSlot.workshop_id == saved_id(workshop))
            .order_by(col(WorkshopSlot.starts_at))
        )
    )


def participants_of(session: Session, workshop: Workshop) -> list[Participant]:
    return list(
        session.exec(
            select(Participant)
            .where(Participant.workshop_id == saved_id(workshop))
            .order_by(col(Participant.organisation_id), col(Participant.id))
        )
    )


def participant(session: Session, workshop: Workshop, participant_id: int) -> Participant:
    found = session.get(Participant, participant_id) if storable(participant_id) else None
    if found is None or found.workshop_id != workshop.id:
        raise Refused(N_("workshops.error.unknown_participant"), 404)
    return found


def availability(session: Session, workshop: Workshop) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {p.id or 0: set() for p in participants_of(session, workshop)}
    rows = session.exec(
        select(Availability)
        .join(Participant, col(Participant.id) == col(Availability.participant_id))
        .where(Participant.workshop_id == saved_id(workshop))
    )
    for row in rows:
        found.setdefault(row.participant_id, set()).add(row.slot_id)
    return found


def requests_of(session: Session, workshop: Workshop) -> list[MeetingRequest]:
    return list(
        session.exec(
            select(MeetingRequest)
            .where(MeetingRequest.workshop_id == saved_id(workshop))
            .order_by(col(MeetingRequest.id))
        )
    )


def meetings_of(session: Session, workshop: Workshop) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(Meeting.workshop_id == saved_id(workshop))))


def organisations(session: Session, ids: Sequence[int] | None = None) -> dict[int, Organisation]:
    query = select(Organisation).order_by(col(Organisation.name))
    if ids is not None:
        query = query.where(col(Organisation.id).in_(list(ids)))
    return {saved_id(o): o for o in session.exec(query)}


def theme_listings(session: Session, workshop: Workshop, organisation_id: int) -> list[Listing]:
    """The organisation's active listings in the workshop's theme: what a person may bring."""
    rows = session.exec(
        select(Listing)
        .where(
            Listing.organisation_id == organisation_id,
            Listing.theme_id == workshop.theme_id,
            Listing.status == Status.active,
        )
        .order_by(col(Listing.kind), col(Listing.id))
    )
    return [lst for lst in rows if not expired(lst)]


# -- a facilitator sets the workshop up ------------------------------------------------------


def create(session: Session, settings: Settings, by: Principal, data: WorkshopIn) -> Workshop:
    theme = session.exec(select(Theme).where(Theme.slug == data.theme)).first()
    if theme is None:
        raise Refused(N_("workshops.error.theme"))
    if data.tables > settings.workshop_max_tables:
        raise Refused(N_("workshops.error.tables"), most=settings.workshop_max_tables)
    if data.day < now().astimezone(HELSINKI).date():
        raise Refused(N_("workshops.error.day_past"))
    made = Workshop(
        title=data.title.strip(),
        theme_id=saved_id(theme),
        day=data.day,
        tables=data.tables,
        venue=data.venue.strip(),
        created_by=by.user.id if by.user else None,
    )
    session.add(made)
    session.commit()
    return made


def add_slots(session: Session, workshop: Workshop, data: SlotsIn) -> list[WorkshopSlot]:
    """`count` back-to-back rounds; none in the past, none overlapping a round already there."""
    first = datetime.combine(workshop.day, data.start, tzinfo=HELSINKI)
    length = timedelta(minutes=data.minutes)
    new = [(first + n * length, first + (n + 1) * length) for n in range(data.count)]
    if new[-1][1].date() != workshop.day:
        raise Refused(N_("workshops.error.past_midnight"))
    if new[0][0] < now():
        raise Refused(N_("workshops.error.slot_past"))
    for old in slots_of(session, workshop):
        start, end = utc(old.starts_at), utc(old.ends_at)
        if any(s < end and start < e for s, e in new):
            raise Refused(N_("workshops.error.overlap"), at=local(start).strftime("%H:%M"))
    made = [
        WorkshopSlot(
            workshop_id=saved_id(workshop), starts_at=s.astimezone(UTC), ends_at=e.astimezone(UTC)
        )
        for s, e in new
    ]
    session.add_all(made)
    session.commit()
    return made


# -- organisations register their people -----------------------------------------------------


def register(
    session: Session, by: Principal, workshop: Workshop, data: ParticipantIn
) -> Participant:
    org = session.get(Organisation, data.organisation_id)
    if org is None:
        raise Refused(N_("workshops.error.organisation"))
    if not may_register_for(by, data.organisation_id):
        raise Refused(N_("workshops.error.own_people"), 403)
    slots = {saved_id(s) for s in slots_of(session, workshop)}
    if not set(data.slot_ids) <= slots:
        raise Refused(N_("workshops.error.unknown_slot"))
    own = {saved_id(lst) for lst in theme_listings(session, workshop, data.organisation_id)}
    if not set(data.listing_ids) <= own:
        raise Refused(N_("workshops.error.listing"))
    person = Participant(
        workshop_id=saved_id(workshop),
        organisation_id=data.organisation_id,
        name=data.name.strip(),
        language=data.language,
        listing_ids=sorted(set(data.listing_ids)),
    )
    session.add(person)
    session.flush()
    session.add_all(
        Availability(participant_id=saved_id(person), slot_id=s) for s in set(data.slot_ids)
    )
    session.commit()
    return person


def request(session: Session, by: Principal, workshop: Workshop, data: RequestIn) -> MeetingRequest:
    """One participant asks to meet another (of another organisation); asking twice is once."""
    try:
        asking = participant(session, workshop, data.requester_id)
        wanted = participant(session, workshop, data.wanted_id)
    except Refused as exc:
        raise Refused(exc.key) from exc  # a form's bad choice: 422, not a missing page
    if not may_register_for(by, asking.organisation_id):
        raise Refused(N_("workshops.error.own_people"), 403)
    if asking.organisation_id == wanted.organisation_id:
        raise Refused(N_("workshops.error.same_organisation"))
    found = session.exec(
        select(MeetingRequest).where(
            MeetingRequest.requester_id == data.requester_id,
            MeetingRequest.wanted_id == data.wanted_id,
        )
    ).first()
    if found is not None:
        return found
    made = MeetingRequest(
        workshop_id=saved_id(workshop), requester_id=data.requester_id, wanted_id=data.wanted_id
    )
    session.add(made)
    session.commit()
    return made


def today() -> date:
    return now().astimezone(HELSINKI).date()
