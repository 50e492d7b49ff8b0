"""HTML pages of the workshop brokerage: the facilitator's setup and schedule, a member's
registration, and each participant's agenda with its calendar file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.settings import Settings
from matchmaker.web.i18n import N_
from matchmaker.web.render import Page, PageDep
from matchmaker.workshops import planning, service
from matchmaker.workshops import views as v
from matchmaker.workshops.schemas import MeetingEdit, ParticipantIn, RequestIn, SlotsIn, WorkshopIn
from matchmaker.workshops.tables import Workshop

router = APIRouter(tags=["pages"], include_in_schema=False)

DONE = {
    "created": N_("workshops.done.created"),
    "slots": N_("workshops.done.slots"),
    "registered": N_("workshops.done.registered"),
    "requested": N_("workshops.done.requested"),
    "solved": N_("workshops.done.solved"),
    "edited": N_("workshops.done.edited"),
}
# a form's input that failed its shape, as the person who typed it reads it
INVALID = {
    "title": N_("workshops.error.title"),
    "theme": N_("workshops.error.theme"),
    "day": N_("workshops.error.day"),
    "tables": N_("workshops.error.tables_number"),
    "start": N_("workshops.error.start"),
    "minutes": N_("workshops.error.minutes"),
    "count": N_("workshops.error.count"),
    "organisation_id": N_("workshops.error.organisation"),
    "name": N_("workshops.error.name"),
    "language": N_("workshops.error.language"),
    "slot_ids": N_("workshops.error.no_free_slot"),
    "listing_ids": N_("workshops.error.listing"),
    "requester_id": N_("workshops.error.unknown_participant"),
    "wanted_id": N_("workshops.error.unknown_participant"),
    "action": N_("workshops.error.move"),
    "slot_id": N_("workshops.error.move"),
    "table": N_("workshops.error.move"),
}


async def posted(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {k: [str(x).strip() for x in form.getlist(k)] for k in form}


FormDep = Annotated[dict[str, list[str]], Depends(posted)]


def one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def ints(form: dict[str, list[str]], name: str) -> list[int]:
    """The whole numbers among a form's values of `name`; anything else reads as unknown (0)."""
    return [int(x) if x.isdigit() and len(x) < 10 else 0 for x in form.get(name, []) if x]


def number(form: dict[str, list[str]], name: str) -> int | None:
    found = ints(form, name)
    return found[0] if found else None


def invalid(ui: Page, exc: ValidationError) -> str:
    fields = [str(e["loc"][0]) for e in exc.errors() if e["loc"]]
    return ui.t(INVALID.get(fields[0] if fields else "", N_("workshops.error.form")))


def settings_of(ui: Page) -> Settings:
    settings: Settings = ui.request.app.state.settings
    return settings


def _workshop(session: Session, workshop_id: int) -> Workshop | None:
    try:
        return service.get(session, workshop_id)
    except service.Refused:
        return None


# -- the list, and a new workshop ------------------------------------------------------------


def _index(ui: Page, session: Session, error: str = "", status: int = 200) -> Response:
    t = ui.t
    return ui.render(
        "workshops/index.html",
        "workshops/_index.html",
        status=status,
        section="workshops",
        here="/workshops",
        title=t("workshops.title"),
        workshops=[
            {
                "id": w.id,
                "title": w.title,
                "day": t.date(w.day),
                "theme": v.theme_name(session, w, t.lang),
            }
            for w in service.workshops(session)
        ],
        curates=ui.principal.curates,
        themes=v.themes(session, t.lang),
        error=error,
        notice="",
        max_tables=settings_of(ui).workshop_max_tables,
    )


@router.get("/workshops")
def index(ui: PageDep, session: SessionDep) -> Response:
    ui.require_login()
    return _index(ui, session)


@router.post("/workshops")
def create(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_curator()
    try:
        data = WorkshopIn(
            title=one(form, "title"),
            theme=one(form, "theme"),
            day=one(form, "day"),
            tables=number(form, "tables") or 0,
            venue=one(form, "venue"),
        )
        made = service.create(session, settings_of(ui), principal, data)
    except ValidationError as exc:
        return _index(ui, session, invalid(ui, exc), 422)
    except service.Refused as exc:
        return _index(ui, session, ui.t(exc.key, **exc.params), exc.status)
    return ui.redirect(f"/workshops/{made.id}?done=created")


# -- one workshop: the facilitator's schedule, or a member's registration ---------------------


def _page(
    ui: Page,
    session: Session,
    workshop: Workshop,
    *,
    done: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    t, principal = ui.t, ui.principal
    people = service.participants_of(session, workshop)
    mine = [
        p for p in people if principal.curates or p.organisation_id == principal.organisation_id
    ]
    orgs = service.organisations(session) if principal.curates else {}
    own = principal.organisation_id
    return ui.render(
        "workshops/detail.html",
        "workshops/_detail.html",
        status=status,
        section="workshops",
        here=f"/workshops/{workshop.id}",
        title=workshop.title,
        workshop=v.workshop_view(session, workshop, t),
        curates=principal.curates,
        notice=t(DONE[done]) if done in DONE else "",
        error=error,
        slots=v.slot_views(service.slots_of(session, workshop), t),
        people=v.people_views(session, workshop, mine, t),
        everyone=v.people_views(session, workshop, people, t),
        rounds=v.rounds(session, workshop, t) if principal.curates else [],
        organisations=[{"id": i, "name": o.name} for i, o in orgs.items()],
        listings=v.listing_choices(session, workshop, own, t) if own else [],
        requests=v.request_views(session, workshop, t),
        languages=v.language_choices(t),
    )


@router.get("/workshops/{workshop_id:int}")
def detail(workshop_id: int, ui: PageDep, session: SessionDep, done: str = "") -> Response:
    ui.require_login()
    workshop = _workshop(session, workshop_id)
    if workshop is None:
        return ui.not_found()
    return _page(ui, session, workshop, done=done)


def _refused(ui: Page, session: Session, workshop: Workshop, exc: service.Refused) -> Response:
    return _page(ui, session, workshop, error=ui.t(exc.key, **exc.params), status=exc.status)


@router.post("/workshops/{workshop_id:int}/slots")
def add_slots(workshop_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    ui.require_curator()
    workshop = _workshop(session, workshop_id)
    if workshop is None:
        return ui.not_found()
    try:
        data = SlotsIn(
            start=one(form, "start"),
            minutes=number(form, "minutes") or 0,
            count=number(form, "count") or 0,
        )
        service.add_slots(session, workshop, data)
    except ValidationError as exc:
        return _page(ui, session, workshop, error=invalid(ui, exc), status=422)
    except service.Refused as exc:
        return _refused(ui, session, workshop, exc)
    return ui.redirect(f"/workshops/{workshop_id}?done=slots")


@router.post("/workshops/{workshop_id:int}/participants")
def register(workshop_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_login()
    workshop = _workshop(session, workshop_id)
    if workshop is None:
        return ui.not_found()
    org = number(form, "organisation_id") if principal.curates else principal.organisation_id
    try:
        data = ParticipantIn(
            organisation_id=org or 0,
            name=one(form, "name"),
            language=one(form, "language") or ui.lang,
            slot_ids=ints(form, "slot"),
            listing_ids=ints(form, "listing"),
        )
        service.register(session, principal, workshop, data)
    except ValidationError as exc:
        return _page(ui, session, workshop, error=invalid(ui, exc), status=422)
    except service.Refused as exc:
        return _refused(ui, session, workshop, exc)
    return ui.redirect(f"/workshops/{workshop_id}?done=registered")


@router.post("/workshops/{workshop_id:int}/requests")
def ask(workshop_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_login()
    workshop = _workshop(session, workshop_id)
    if workshop is None:
        return ui.not_found()
    try:
        data = RequestIn(
            requester_id=number(form, "requester") or 0, wanted_id=number(form, "wanted") or 0
        )
        service.request(session, principal, workshop, data)
    except ValidationError as exc:
        return _page(ui, session, workshop, error=invalid(ui, exc), status=422)
    except service.Refused as exc:
        return _refused(ui, session, workshop, exc)
    return ui.redirect(f"/workshops/{workshop_id}?done=requested")


@router.post("/workshops/{workshop_id:int}/solve")
def solve(workshop_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep) -> Response:
    ui.require_curator()
    workshop = _workshop(session, workshop_id)
    if workshop is None:
        return ui.not_found()
    try:
        planning.solve(session, matcher, settings_of(ui), workshop)
    except service.Refused as exc:
        return _refused(ui, session, workshop, exc)
    return ui.redirect(f"/workshops/{workshop_id}?done=solved#schedule")


@router.post("/workshops/{workshop_id:int}/meetings/{meeting_id:int}")
def edit_meeting(
    workshop_id: int, meeting_id: int, ui: PageDep, session: SessionDep, form: FormDep
) -> Response:
    ui.require_curator()
    workshop = _workshop(session, workshop_id)
    if workshop is None:
        return ui.not_found()
    try:
        data = MeetingEdit(
            action=one(form, "action"), slot_id=number(form, "slot"), table=number(form, "table")
        )
        planning.edit_meeting(session, workshop, meeting_id, data)
    except ValidationError as exc:
        return _page(ui, session, workshop, error=invalid(ui, exc), status=422)
    except service.Refused as exc:
        if exc.status == 404:
            return ui.not_found()
        return _refused(ui, session, workshop, exc)
    return ui.redirect(f"/workshops/{workshop_id}?done=edited#schedule")
