"""A participant's agenda page and its calendar file, for their organisation and the
facilitators."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.tables import Participant, Workshop
from matchmaker.web.i18n import Translator
from matchmaker.web.render import Page, PageDep
from matchmaker.workshops import service
from matchmaker.workshops import views as v

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


@router.get("/workshops/{workshop_id:int}/participants/{participant_id:int}")
def agenda(
    workshop_id: int, participant_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep
) -> Response:
    found = _visible(ui, session, workshop_id, participant_id)
    if found is None:
        return ui.not_found()
    workshop, person = found
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
        ics_url=f"/workshops/{workshop_id}/participants/{participant_id}/agenda.ics?lang={t.lang}",
    )


@router.get("/workshops/{workshop_id:int}/participants/{participant_id:int}/agenda.ics")
def agenda_file(
    workshop_id: int, participant_id: int, ui: PageDep, session: SessionDep, matcher: MatcherDep
) -> Response:
    found = _visible(ui, session, workshop_id, participant_id)
    if found is None:
        return ui.not_found()
    workshop, person = found
    entries = v.agenda_entries(session, matcher, workshop, person, ui.t)
    name = f"agenda-{workshop_id}-{participant_id}.ics"
    return Response(
        v.calendar(workshop, person, entries),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
