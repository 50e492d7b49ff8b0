"""One match's page: both sides, its history and next steps, the introduction, accept, impact."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.accounts.auth import Principal
from matchmaker.deps import SessionDep
from matchmaker.errors import InputError, NotFound
from matchmaker.shapes import storable
from matchmaker.tables import Match
from matchmaker.vocab import MatchStatus
from matchmaker.web.i18n import N_
from matchmaker.web.render import Page, PageDep
from matchmaker.workspace import detail_views, impact, introductions, pipeline
from matchmaker.workspace import views as match_views
from matchmaker.workspace.detail_views import Errors
from matchmaker.workspace.schemas import ImpactIn, MessageIn, MoveIn

router = APIRouter(tags=["pages"], include_in_schema=False)

NAMES = (
    "status",
    "reason",
    "note",
    "amount",
    "unit",
    "offer_subject",
    "offer_body",
    "need_subject",
    "need_body",
    "agreed",
)
INTRO_ERRORS = {  # why an introduction cannot be sent, by the field InputError names
    "organisation": N_("intro.no_address"),
    "listing": N_("intro.withdrawn"),
}
DONE = {
    "moved": N_("match.done.moved"),
    "introduced": N_("match.done.introduced"),
    "outbox": N_("match.done.outbox"),
    "accepted": N_("match.done.accepted"),
    "impact": N_("match.done.impact"),
}


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in NAMES}


FormDep = Annotated[dict[str, str], Depends(posted)]


def _visible(session: Session, principal: Principal, match_id: int) -> Match | None:
    if not storable(match_id):
        return None
    try:
        return pipeline.visible_match(session, principal, match_id)
    except NotFound:
        return None


def _show(
    ui: Page,
    session: Session,
    match: Match,
    *,
    status: int = 200,
    notice: str = "",
    error: str = "",
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
) -> Response:
    values, errors = values or {}, errors or {}
    principal = ui.principal
    t = ui.t
    view = match_views.match_views(session, [match], t, principal)[0]
    page = detail_views.MatchPage(view, principal.curates, notice=notice, error=error)
    if introductions.accepting_side(session, match, principal) is not None:
        page.accept_url = f"/matches/{match.id}/accept"
    if principal.curates:
        assert principal.user is not None
        page.history = match_views.history(session, pipeline.history(session, match), t)
        page.move = detail_views.move_form(t, match, values, errors, session)
        if match.status == MatchStatus.shortlisted:
            settings = ui.request.app.state.settings
            page.drafts, page.intro_error = detail_views.drafts(
                session, settings, t, match, principal.user, view, values, errors
            )
        if match.status in impact.RECORDED:
            recorded = impact.recorded(session, match)
            page.impact = detail_views.impact_view(t, match, recorded, values, errors)
    return ui.render(
        "matches/detail.html",
        "matches/_detail.html",
        status=status,
        here=f"/matches/{match.id}",
        title=ui.t("match.title", id=match.id),
        mp=page,
    )


@router.get("/matches/{match_id:int}")
def detail(match_id: int, ui: PageDep, session: SessionDep, done: str = "") -> Response:
    match = _visible(session, ui.require_login(), match_id)
    if match is None:
        return ui.not_found()
    return _show(ui, session, match, notice=ui.t(DONE[done]) if done in DONE else "")


@router.post("/matches/{match_id:int}/status")
def move(match_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_curator()
    match = _visible(session, principal, match_id)
    if match is None:
        return ui.not_found()
    errors: Errors = {}
    try:
        data = MoveIn(
            status=form["status"],
            reason=form["reason"] or None,
            note=form["note"],
            agreed=form["agreed"] == "yes",
        )
        pipeline.decide(
            session,
            match,
            data.status,
            by=principal.user,
            note=data.note,
            reason=data.reason,
            agreed=data.agreed,
        )
        return ui.redirect(f"/matches/{match_id}?done=moved")
    except ValidationError as exc:
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else "status"
            key = "error.too_long" if e["type"] == "string_too_long" else "error.choose"
            errors[name] = ui.t(key, max=(e.get("ctx") or {}).get("max_length", ""))
    except InputError as exc:
        session.rollback()
        if exc.field == "reason":
            errors["reason"] = ui.t("match.error.reason")
        elif exc.field == "agreed":
            errors["agreed"] = ui.t("match.error.agreed")
        else:
            errors["status"] = ui.t("match.error.status")
    session.refresh(match)
    return _show(
        ui, session, match, status=422, values=form, errors=errors, error=ui.t("form.has_errors")
    )


@router.post("/matches/{match_id:int}/introduction")
def introduce(match_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Send both introductions as edited; the match becomes introduced."""
    principal = ui.require_curator()
    match = _visible(session, principal, match_id)
    if match is None:
        return ui.not_found()
    errors: Errors = {}
    edited: dict[str, tuple[str, str]] = {}
    for side in introductions.SIDES:
        try:
            letter = MessageIn(subject=form[f"{side}_subject"], body=form[f"{side}_body"])
            edited[side] = (letter.subject, letter.body)
        except ValidationError as exc:
            for e in exc.errors():
                max_length = (e.get("ctx") or {}).get("max_length", "")
                errors[f"{side}_{e['loc'][0]}"] = (
                    ui.t("error.too_long", max=max_length)
                    if e["type"] == "string_too_long"
                    else ui.t("error.required")
                )
    message = ui.t("form.has_errors")
    if not errors:
        try:
            assert principal.user is not None
            settings = ui.request.app.state.settings
            sent = introductions.send(session, settings, match, principal.user, edited)
            # "sent" only when the SMTP server took both; otherwise they wait in the outbox
            done = "introduced" if introductions.delivered(session, sent) else "outbox"
            return ui.redirect(f"/matches/{match_id}?done={done}")
        except InputError as exc:
            message = ui.t(INTRO_ERRORS.get(exc.field, "match.error.status"))
    session.refresh(match)
    return _show(ui, session, match, status=422, values=form, errors=errors, error=message)


@router.get("/matches/{match_id:int}/accept")
def accept_page(match_id: int, ui: PageDep, session: SessionDep) -> Response:
    """The link in the anonymous owner's e-mail: a page that asks, since a GET changes nothing."""
    principal = ui.require_login()
    match = _visible(session, principal, match_id)
    if match is None:
        return ui.not_found()
    if introductions.accepting_side(session, match, principal) is None:
        return _show(ui, session, match, notice=ui.t("accept.nothing"))
    view = match_views.match_views(session, [match], ui.t, principal)[0]
    return ui.render(
        "matches/accept.html",
        "matches/_accept.html",
        title=ui.t("accept.title"),
        match=view,
        action=f"/matches/{match_id}/accept",
    )


@router.post("/matches/{match_id:int}/accept")
def accept(match_id: int, ui: PageDep, session: SessionDep) -> Response:
    principal = ui.require_login()
    match = _visible(session, principal, match_id)
    if match is None:
        return ui.not_found()
    try:
        introductions.accept_as(session, ui.request.app.state.settings, match, principal)
    except InputError:
        session.rollback()
        session.refresh(match)
        return _show(ui, session, match, status=422, error=ui.t("accept.nothing"))
    return ui.redirect(f"/matches/{match_id}?done=accepted")


@router.post("/matches/{match_id:int}/impact")
def record_impact(match_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """The amount a pilot or a realised exchange moves a year: tonnes and CO2e follow."""
    principal = ui.require_curator()
    match = _visible(session, principal, match_id)
    if match is None:
        return ui.not_found()
    errors: Errors = {}
    amount = form["amount"].replace(",", ".").replace(" ", "").replace("\xa0", "")
    try:
        data = ImpactIn.model_validate({"amount_per_year": amount, "unit": form["unit"]})
        impact.record(session, match, data.amount_per_year, data.unit, by=principal.user)
        return ui.redirect(f"/matches/{match_id}?done=impact")
    except ValidationError as exc:
        for e in exc.errors():
            name = "amount" if e["loc"] and e["loc"][0] == "amount_per_year" else "unit"
            key = (
                "error.choose"
                if name == "unit"
                else "error.positive"
                if e["type"] == "greater_than"
                else "error.too_big"
                if e["type"] == "less_than"
                else "error.number"
            )
            errors[name] = ui.t(key)
        message = ui.t("form.has_errors")
    except InputError:
        message = ui.t("impact.not_yet")
    session.refresh(match)
    return _show(ui, session, match, status=422, values=form, errors=errors, error=message)
