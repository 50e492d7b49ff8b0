"""What the workshop pages show: the schedule grid, the agenda rows and their reasons, in the
reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from babel.dates import format_time
from sqlmodel import Session, col, select

from matchmaker.engine import explanations
from matchmaker.engine.matching import Matcher
from matchmaker.tables import Listing, Organisation, Theme, saved_id
from matchmaker.web.i18n import LANGUAGES, N_, Translator
from matchmaker.workshops import ics, planning, service
from matchmaker.workshops.tables import Meeting, Participant, Workshop, WorkshopSlot


@dataclass
class SlotView:
    id: int
    label: str  # 09:00–09:20


@dataclass
class PersonView:
    id: int
    name: str
    organisation: str
    language: str
    slots: str  # how many rounds they are free for


@dataclass
class MeetingView:
    id: int
    table: int
    first: str
    second: str
    score: str
    requested: bool
    locked: bool


@dataclass
class RoundView:
    slot: SlotView
    meetings: list[MeetingView] = field(default_factory=list)


@dataclass
class AgendaRow:
    time: str
    table: int
    other: str
    organisation: str
    reasons: list[str]
    score: str


def slot_label(slot: WorkshopSlot, lang: str) -> str:
    start, end = service.local(slot.starts_at), service.local(slot.ends_at)
    return f"{format_time(start, 'short', locale=lang)}–{format_time(end, 'short', locale=lang)}"


def theme_name(session: Session, workshop: Workshop, lang: str) -> str:
    theme = session.get(Theme, workshop.theme_id)
    return str(getattr(theme, f"name_{lang}", "")) if theme else ""


def slot_views(slots: list[WorkshopSlot], t: Translator) -> list[SlotView]:
    return [SlotView(saved_id(s), slot_label(s, t.lang)) for s in slots]


def people_views(
    session: Session, workshop: Workshop, people: list[Participant], t: Translator
) -> list[PersonView]:
    orgs = service.organisations(session, [p.organisation_id for p in people])
    free = service.availability(session, workshop)
    return [
        PersonView(
            saved_id(p),
            p.name,
            orgs[p.organisation_id].name,
            t.label("language", p.language),
            t("workshops.free_rounds", n=len(free.get(saved_id(p), set()))),
        )
        for p in people
    ]


def name_of(person: Participant, orgs: dict[int, Organisation]) -> str:
    return f"{person.name} ({orgs[person.organisation_id].name})"


def rounds(session: Session, workshop: Workshop, t: Translator) -> list[RoundView]:
    """The schedule as the facilitator edits it: each round and its meetings by table."""
    people = {saved_id(p): p for p in service.participants_of(session, workshop)}
    orgs = service.organisations(session, list({p.organisation_id for p in people.values()}))
    out = {s.id: RoundView(s) for s in slot_views(service.slots_of(session, workshop), t)}
    for m in sorted(service.meetings_of(session, workshop), key=lambda m: m.table_no):
        out[m.slot_id].meetings.append(
            MeetingView(
                saved_id(m),
                m.table_no,
                name_of(people[m.first_id], orgs),
                name_of(people[m.second_id], orgs),
                t.number(m.score, 0),
                m.requested,
                m.locked,
            )
        )
    return list(out.values())


def reasons(
    session: Session,
    matcher: Matcher,
    meeting: Meeting,
    person: Participant,
    other: Participant,
    asked: set[tuple[int, int]],
    t: Translator,
) -> list[str]:
    """Why these two meet, as the participant reads it: who asked, and which listings fit."""
    found: list[str] = []
    if (saved_id(person), saved_id(other)) in asked:
        found.append(t("workshops.reason.you_asked"))
    if (saved_id(other), saved_id(person)) in asked:
        found.append(t("workshops.reason.they_asked", name=other.name))
    offer = session.get(Listing, meeting.offer_id) if meeting.offer_id else None
    need = session.get(Listing, meeting.need_id) if meeting.need_id else None
    if offer is not None and need is not None:
        theirs = offer.organisation_id == other.organisation_id
        key = N_("workshops.reason.their_offer") if theirs else N_("workshops.reason.your_offer")
        found.append(t(key, offer=offer.title, need=need.title))
        fit = matcher.pair_fit(session, offer, need)
        good = [r.text for r in explanations.reasons(fit.parts, t) if r.tone == "good"]
        found += good[:2]
    return found


def agenda_rows(
    session: Session, matcher: Matcher, workshop: Workshop, person: Participant, t: Translator
) -> list[AgendaRow]:
    asked = {(r.requester_id, r.wanted_id) for r in service.requests_of(session, workshop)}
    slots = {saved_id(s): s for s in service.slots_of(session, workshop)}
    rows: list[AgendaRow] = []
    for m in planning.agenda(session, person):
        other_id = m.second_id if m.first_id == person.id else m.first_id
        other = service.participant(session, workshop, other_id)
        org = session.get(Organisation, other.organisation_id)
        rows.append(
            AgendaRow(
                slot_label(slots[m.slot_id], t.lang),
                m.table_no,
                other.name,
                org.name if org else "",
                reasons(session, matcher, m, person, other, asked, t),
                t.number(m.score, 0),
            )
        )
    return rows


def agenda_entries(
    session: Session, matcher: Matcher, workshop: Workshop, person: Participant, t: Translator
) -> list[ics.Entry]:
    """The agenda for a calendar: one event per meeting, its reasons as the description."""
    slots = {saved_id(s): s for s in service.slots_of(session, workshop)}
    rows = agenda_rows(session, matcher, workshop, person, t)
    meetings = planning.agenda(session, person)
    return [
        ics.Entry(
            uid=f"workshop-{workshop.id}-meeting-{m.id}-{person.id}@matchmaker",
            starts=service.local(slots[m.slot_id].starts_at),
            ends=service.local(slots[m.slot_id].ends_at),
            summary=t("workshops.ics.summary", name=row.other, organisation=row.organisation),
            description="\n".join(row.reasons),
            location=t("workshops.ics.location", venue=workshop.venue, table=row.table),
        )
        for m, row in zip(meetings, rows, strict=True)
    ]


@dataclass
class WorkshopView:
    id: int
    title: str
    day: str
    theme: str
    tables: int
    venue: str
    solved: str  # how the last schedule was found, in words; "" before the first solve


SOLVED = {"optimal": N_("workshops.solved.optimal"), "feasible": N_("workshops.solved.feasible")}


def workshop_view(session: Session, workshop: Workshop, t: Translator) -> WorkshopView:
    return WorkshopView(
        saved_id(workshop),
        workshop.title,
        t.date(workshop.day),
        theme_name(session, workshop, t.lang),
        workshop.tables,
        workshop.venue,
        t(SOLVED[workshop.solved]) if workshop.solved in SOLVED else "",
    )


def themes(session: Session, lang: str) -> list[dict[str, str]]:
    rows = session.exec(select(Theme).order_by(col(Theme.slug)))
    return [{"slug": th.slug, "name": str(getattr(th, f"name_{lang}"))} for th in rows]


def listing_choices(
    session: Session, workshop: Workshop, organisation_id: int, t: Translator
) -> list[dict[str, str | int]]:
    """The listings a member's person may bring: their organisation's, in the theme."""
    return [
        {"id": saved_id(lst), "label": f"{t.label('kind', lst.kind)}: {lst.title}"}
        for lst in service.theme_listings(session, workshop, organisation_id)
    ]


def request_views(session: Session, workshop: Workshop, t: Translator) -> list[str]:
    people = {saved_id(p): p for p in service.participants_of(session, workshop)}
    return [
        t("workshops.asked", who=people[r.requester_id].name, whom=people[r.wanted_id].name)
        for r in service.requests_of(session, workshop)
        if r.requester_id in people and r.wanted_id in people
    ]


def language_choices(t: Translator) -> list[dict[str, str]]:
    return [{"code": code, "name": t.label("language", code)} for code in LANGUAGES]


def calendar(workshop: Workshop, person: Participant, entries: list[ics.Entry]) -> bytes:
    return ics.calendar(f"{workshop.title}: {person.name}", entries)
