"""The schedule of a workshop: each pair's fit from the matcher, the solver's answer stored as
meetings, and a facilitator's edits (lock, move, remove) checked against the same rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, delete, select

from matchmaker.engine.matching import Matcher
from matchmaker.settings import Settings
from matchmaker.shapes import storable
from matchmaker.tables import Listing, saved_id
from matchmaker.vocab import ListingKind, Visibility
from matchmaker.web.i18n import N_
from matchmaker.workshops import schedule, solver
from matchmaker.workshops.schemas import MeetingEdit
from matchmaker.workshops.service import (
    Refused,
    availability,
    meetings_of,
    participants_of,
    requests_of,
    slots_of,
    theme_listings,
)
from matchmaker.workshops.tables import Meeting, Participant, Workshop, WorkshopSlot

PARTNERS = 15  # each person's best partners kept in the model (and every requested one)

# why the locked meetings or a move cannot stand, as the facilitator reads it
INFEASIBLE = {
    "table": N_("workshops.error.table_taken"),
    "busy": N_("workshops.error.busy"),
    "away": N_("workshops.error.away"),
    "twice": N_("workshops.error.twice"),
    "slot": N_("workshops.error.unknown_slot"),
}


# -- the schedule ----------------------------------------------------------------------------


Best = tuple[float, int | None, int | None]  # score, offer id, need id


def organisation_fits(
    session: Session, matcher: Matcher, workshop: Workshop, people: Sequence[Participant]
) -> dict[tuple[int, int], Best]:
    """For each pair of organisations (low id first): the best calibrated score between an offer
    of one and a need of the other among the listings their people bring, and that pair."""
    brought: dict[int, list[Listing]] = {}
    for person in people:
        org = person.organisation_id
        mine = theme_listings(session, workshop, org)
        # an anonymous listing only when its people chose to bring it: meeting reveals them
        chosen = [lst for lst in mine if lst.id in person.listing_ids] or [
            lst for lst in mine if lst.visibility == Visibility.public
        ]
        known = {lst.id for lst in brought.get(org, [])}
        brought[org] = brought.get(org, []) + [lst for lst in chosen if lst.id not in known]
    best: dict[tuple[int, int], Best] = {}
    orgs = sorted(brought)
    for i, a in enumerate(orgs):
        for b in orgs[i + 1 :]:
            top: Best = (0.0, None, None)
            for x, y in ((a, b), (b, a)):
                offers = [lst for lst in brought[x] if lst.kind == ListingKind.offer]
                needs = [lst for lst in brought[y] if lst.kind == ListingKind.need]
                for offer in offers:
                    for need in needs:
                        score = matcher.pair_fit(session, offer, need).score
                        if score > top[0]:
                            top = (score, offer.id, need.id)
            best[(a, b)] = top
    return best


def problem_of(
    session: Session, matcher: Matcher, workshop: Workshop, floor: float
) -> tuple[schedule.Problem, dict[tuple[int, int], Best]]:
    """The workshop as the solver sees it, and each pair of people's best listing pair."""
    people = participants_of(session, workshop)
    by_org = {saved_id(p): p.organisation_id for p in people}
    fits = organisation_fits(session, matcher, workshop, people)
    scores: dict[tuple[int, int], float] = {}
    pairs: dict[tuple[int, int], Best] = {}
    for i, p in enumerate(people):
        for q in people[i + 1 :]:
            a, b = by_org[saved_id(p)], by_org[saved_id(q)]
            if a == b:
                continue
            found = fits.get(schedule.key(a, b), (0.0, None, None))
            pair = schedule.key(saved_id(p), saved_id(q))
            scores[pair], pairs[pair] = found[0], found
    asked = {
        schedule.key(r.requester_id, r.wanted_id)
        for r in requests_of(session, workshop)
        if r.requester_id in by_org and r.wanted_id in by_org
    }
    locked = [
        schedule.Placed(m.first_id, m.second_id, m.slot_id, m.table_no)
        for m in meetings_of(session, workshop)
        if m.locked
    ]
    problem = schedule.Problem(
        slots=[saved_id(s) for s in slots_of(session, workshop)],
        tables=workshop.tables,
        available=availability(session, workshop),
        pairs=schedule.candidate_pairs(scores, asked, partners=PARTNERS, floor=floor),
        locked=locked,
    )
    return problem, pairs


def solve(
    session: Session, matcher: Matcher, settings: Settings, workshop: Workshop
) -> schedule.Schedule:
    """A new schedule around the locked meetings; the unlocked ones are replaced."""
    problem, pairs = problem_of(session, matcher, workshop, settings.queue_threshold)
    if not problem.slots:
        raise Refused(N_("workshops.error.no_slots"))
    try:
        found = solver.solve(problem, seconds=settings.workshop_seconds)
    except schedule.Infeasible as exc:
        raise Refused(INFEASIBLE[exc.reason], 409) from exc
    asked = {schedule.key(p.a, p.b) for p in problem.pairs if p.requested}
    session.exec(
        delete(Meeting).where(
            col(Meeting.workshop_id) == saved_id(workshop), col(Meeting.locked).is_(False)
        )
    )
    locked = {(m.a, m.b, m.slot) for m in problem.locked}
    for m in found.meetings:
        if (m.a, m.b, m.slot) in locked:
            continue
        score, offer_id, need_id = pairs.get(schedule.key(m.a, m.b), (0.0, None, None))
        session.add(
            Meeting(
                workshop_id=saved_id(workshop),
                slot_id=m.slot,
                table_no=m.table,
                first_id=m.a,
                second_id=m.b,
                score=score,
                requested=schedule.key(m.a, m.b) in asked,
                offer_id=offer_id,
                need_id=need_id,
            )
        )
    workshop.solved = found.status
    session.add(workshop)
    session.commit()
    return found


def edit_meeting(session: Session, workshop: Workshop, meeting_id: int, data: MeetingEdit) -> None:
    """Lock, unlock, remove, or move (to a slot and table, which locks it: a facilitator's
    choice is kept by the next solve)."""
    meeting = session.get(Meeting, meeting_id) if storable(meeting_id) else None
    if meeting is None or meeting.workshop_id != workshop.id:
        raise Refused(N_("error.not_found"), 404)
    if data.action == "remove":
        session.delete(meeting)
    elif data.action in ("lock", "unlock"):
        meeting.locked = data.action == "lock"
        session.add(meeting)
    else:
        if data.slot_id is None or data.table is None:
            raise Refused(N_("workshops.error.move"))
        moved = schedule.Placed(meeting.first_id, meeting.second_id, data.slot_id, data.table)
        others = [
            schedule.Placed(m.first_id, m.second_id, m.slot_id, m.table_no)
            for m in meetings_of(session, workshop)
            if m.id != meeting.id
        ]
        problem = schedule.Problem(
            slots=[saved_id(s) for s in slots_of(session, workshop)],
            tables=workshop.tables,
            available=availability(session, workshop),
            pairs=[],
        )
        broken = [v for v in schedule.violations(problem, [*others, moved]) if v[1] == moved]
        if broken:
            raise Refused(INFEASIBLE[broken[0][0]], 409)
        meeting.slot_id, meeting.table_no, meeting.locked = data.slot_id, data.table, True
        session.add(meeting)
    session.commit()


def agenda(session: Session, person: Participant) -> list[Meeting]:
    """The participant's meetings, in time order."""
    pid = saved_id(person)
    rows = session.exec(
        select(Meeting)
        .join(WorkshopSlot, col(WorkshopSlot.id) == col(Meeting.slot_id))
        .where((col(Meeting.first_id) == pid) | (col(Meeting.second_id) == pid))
        .order_by(col(WorkshopSlot.starts_at))
    )
    return list(rows)
