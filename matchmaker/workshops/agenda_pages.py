"""A participant's agenda page and its calendar file: for their organisation and the
facilitators, and by its signed link for the participant, without a login."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.engine.matching import Matcher
from matchmaker.web.i18n import Translator
from matchmaker.web.render import Page, PageDep
from matchmaker.workshops import service
from matchmaker.workshops import views as v
from matchmaker.workshops.tables import Participant, Workshop

router = APIRouter(tags=["pages"], include_in_schema=False)


def _visible(
    ui: Page, session: Session, workshop_id: int, participant_id: int
) -> tuple[Workshop, Participant] | None:
    """The workshop and the participant, if both exist and the viewer may see the agenda."""
    ui.require_login()
    try:
        workshop = service.get(session, workshop_id)
        person = service.participant(session, workshop, participant_id)
    except service.Refused:
        return None
    return (workshop, person) if service.may_see(ui.principal, person) else None


def _agenda(
    ui: Page,
    session: Session,
    matcher: Matcher,
    workshop: Workshop,
    person: Participant,
    *,
    ics_url: str,
    share_url: str = "",
) -> Response:
    if "lang" not in ui.request.query_params:  # in the participant's language unless chosen
        ui.lang = str(person.language)
        ui.t = Translator(ui.lang)
    t = ui.t
    return ui.render(
        "workshops/agenda.html",
        "workshops/_agenda.html",
        section="workshops",
        title=t("workshops.agenda.title", name=person.name),
        workshop=v.workshop_view(session, workshop, t),
        person=person.name,
        rows=v.agenda_rows(session, matcher, workshop, person, t),
        ics_url=f"{ics_url}{'&' if '?' in ics_url else '?'}lang={t.lang}",
        share_url=share_url,
        signed_in=ui.principal.user is not None,
    )


def _calendar(
    ui: Page, session: Session, matcher: Matcher, workshop: Workshop, person: Participant
) -> Response:
    entries = v.agenda_entries(session, matcher, workshop, person, ui.t)
    name = f"agenda-{workshop.id}-{person.id}.ics"
    return Response(
        v.calendar(workshop, person, entries),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/workshops/{workshop_id:int}/participants/{participant_id:int}")
def agenda(
    workshop_id: int, participant_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep
) -> Response:
    found = _visible(ui, session, workshop_id, participant_id)
    if found is None:
        return ui.not_found()
    workshop, person = found
    settings = ui.request.app.state.settings
    token = quote(service.agenda_link(settings, person))
    return _agenda(
        ui,
        session,
        matcher,
        workshop,
        person,
        ics_url=f"/workshops/{workshop_id}/participants/{participant_id}/agenda.ics",
        share_url=f"{settings.base_url.rstrip('/')}/workshops/agenda?token={token}",
    )


@router.get("/workshops/{workshop_id:int}/participants/{participant_id:int}/agenda.ics")
def agenda_file(
    workshop_id: int, participant_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep
) -> Response:
    found = _visible(ui, session, workshop_id, participant_id)
    if found is None:
        return ui.not_found()
    return _calendar(ui, session, matcher, *found)


def _linked(ui: Page, session: Session, token: str) -> tuple[Workshop, Participant] | None:
    try:
        return service.by_link(session, ui.request.app.state.settings, token)
    except service.Refused:
        return None


@router.get("/workshops/agenda")
def agenda_by_link(
    ui: PageDep, session: SessionDep, matcher: MatcherDep, token: str = ""
) -> Response:
    """The agenda its participant was sent: the signed link is the authority, no login."""
    found = _linked(ui, session, token)
    if found is None:
        return ui.not_found()
    return _agenda(
        ui, session, matcher, *found, ics_url=f"/workshops/agenda.ics?token={quote(token)}"
    )


@router.get("/workshops/agenda.ics")
def agenda_file_by_link(
    ui: PageDep, session: SessionDep, matcher: MatcherDep, token: str = ""
) -> Response:
    found = _linked(ui, session, token)
    if found is None:
        return ui.not_found()
    return _calendar(ui, session, matcher, *found)
