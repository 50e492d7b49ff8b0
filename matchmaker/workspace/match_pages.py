"""One match's page: both sides, its history and next steps, the introduction, accept, impact."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.accounts.auth import Principal
from matchmaker.deps import SessionDep
from matchmaker.errors import InputError
from matchmaker.listings import visibility
from matchmaker.listings.home_pages import not_found
from matchmaker.tables import Listing, Match, Theme
from matchmaker.vocab import MatchStatus, Unit
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import N_, Translator
from matchmaker.web.render import Page, PageDep
from matchmaker.workspace import api, impact, introductions, pipeline
from matchmaker.workspace import views as match_views

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
)
DONE = {
    "moved": N_("match.done.moved"),
    "introduced": N_("match.done.introduced"),
    "accepted": N_("match.done.accepted"),
    "impact": N_("match.done.impact"),
}


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in NAMES}


FormDep = Annotated[dict[str, str], Depends(posted)]
Errors = dict[str, str]  # field name -> message, already worded


@dataclass
class MoveForm:
    status: Field
    reason: Field
    note: Field


@dataclass
class DraftView:
    heading: str
    to: str
    subject: Field
    body: Field


@dataclass
class ImpactView:
    recorded: str
    tonnes: str
    co2e: str
    factor: str  # the material the factor is for, and what it assumes
    source: str
    note: str  # why an amount gives no tonnes or no CO2e
    amount: Field
    unit: Field


@dataclass
class MatchPage:
    match: match_views.MatchView
    curator: bool
    history: list[match_views.HistoryStep] = field(default_factory=list)
    move: MoveForm | None = None
    drafts: list[DraftView] = field(default_factory=list)
    intro_error: str = ""
    accept_url: str = ""  # set when this viewer is the anonymous side that may accept
    impact: ImpactView | None = None
    notice: str = ""
    error: str = ""


def _visible(session: Session, principal: Principal, match_id: int) -> Match | None:
    """The match if this viewer is a facilitator or one of its two parties; else none."""
    match = session.get(Match, match_id)
    if match is None:
        return None
    offer, need = session.get(Listing, match.offer_id), session.get(Listing, match.need_id)
    return match if visibility.may_see_match(principal, offer, need) else None


def accepting_side(session: Session, match: Match, principal: Principal) -> str | None:
    """The anonymous side this viewer's organisation owns and may now reveal, if any."""
    if match.status not in pipeline.OPEN or match.status == MatchStatus.shortlisted:
        return None
    for side in introductions.SIDES:
        listing = session.get(Listing, match.offer_id if side == "offer" else match.need_id)
        if listing and principal.owns(listing) and not visibility.revealed(match, side):
            return side
    return None


def _move_form(
    t: Translator, match: Match, values: dict[str, str], errors: Errors
) -> MoveForm | None:
    current = MatchStatus(match.status)
    # "introduced" is reached by sending the introduction, never by this form
    steps = [s for s in pipeline.NEXT[current] if s != MatchStatus.introduced]
    if not steps:
        return None
    chosen = values.get("status", "")
    reasons = pipeline.REJECT_REASONS if current == MatchStatus.suggested else pipeline.DROP_REASONS
    status = Field(
        "status",
        t("match.next"),
        "radio",
        required=True,
        error=errors.get("status", ""),
        options=[Option(s.value, t.label("matchstatus", s), s.value == chosen) for s in steps],
    )
    reason = match_views.reason_field(
        t, reasons, values.get("reason", ""), errors.get("reason", "")
    )
    reason.hint = t("match.reason_hint")
    note = Field(
        "note",
        t("match.note"),
        "textarea",
        value=values.get("note", ""),
        error=errors.get("note", ""),
        attrs={"maxlength": "2000", "rows": "3"},
    )
    return MoveForm(status, reason, note)


def _drafts(
    ui: Page,
    session: Session,
    match: Match,
    view: match_views.MatchView,
    values: dict[str, str],
    errors: Errors,
) -> tuple[list[DraftView], str]:
    t, user = ui.t, ui.principal.user
    assert user is not None
    try:
        drafts = introductions.drafts(session, ui.request.app.state.settings, match, user)
    except InputError:
        return [], t("intro.no_address")
    offer = session.get(Listing, match.offer_id)
    need = session.get(Listing, match.need_id)
    assert offer is not None and need is not None
    out = []
    for d in drafts:
        # the scorer's English reasons, in the words the page uses, in the party's language
        plain = " ".join(
            r.text for r in match_views.reasons(match, offer, need, Translator(d.language))
        )
        body = d.body.replace(match.explanation, plain) if match.explanation else d.body
        side = view.offer if d.side == "offer" else view.need
        heading = t(
            "intro.to",
            org=side.organisation_name or t("listing.anonymous"),
            language=t.label("language", d.language),
        )
        subject = Field(
            f"{d.side}_subject",
            t("intro.subject"),
            "text",
            required=True,
            value=values.get(f"{d.side}_subject") or d.subject,
            error=errors.get(f"{d.side}_subject", ""),
            attrs={"maxlength": "300"},
        )
        text = Field(
            f"{d.side}_body",
            t("intro.body"),
            "textarea",
            required=True,
            value=values.get(f"{d.side}_body") or body,
            error=errors.get(f"{d.side}_body", ""),
            attrs={"maxlength": "10000", "rows": "14", "lang": d.language.value},
        )
        out.append(DraftView(heading, d.to, subject, text))
    return out, ""


def _impact(
    ui: Page, session: Session, match: Match, values: dict[str, str], errors: Errors
) -> ImpactView:
    t = ui.t
    unit_value = values.get("unit") or (str(match.amount_unit) if match.amount_unit else "t")
    amount = Field(
        "amount",
        t("impact.amount"),
        "text",
        required=True,
        value=values.get("amount")
        or (t.number(match.amount_per_year, 3) if match.amount_per_year else ""),
        hint=t("impact.amount_hint"),
        error=errors.get("amount", ""),
        attrs={"inputmode": "decimal", "autocomplete": "off"},
    )
    unit = Field(
        "unit",
        t("field.unit"),
        "select",
        required=True,
        error=errors.get("unit", ""),
        options=[Option(u.value, t.label("unit", u), u.value == unit_value) for u in Unit],
    )
    shown = ImpactView("", "", "", "", "", "", amount, unit)
    if match.amount_per_year is None or match.amount_unit is None:
        return shown
    theme = session.get(Theme, match.theme_id)
    table = impact.factors(ui.request.app.state.settings.seeds_dir / "emission_factors.csv")
    result = impact.assess(
        match.amount_per_year, Unit(match.amount_unit), theme.slug if theme else "", table
    )
    per_year = t(
        "amount.per_year",
        amount=t.number(match.amount_per_year, 2),
        unit=t.label("unit", match.amount_unit),
    )
    shown.recorded = per_year
    if result.tonnes_per_year is not None:
        shown.tonnes = t("impact.tonnes", tonnes=t.number(result.tonnes_per_year, 1))
    if result.co2e_t_per_year is not None:
        shown.co2e = t("impact.co2e", co2e=t.number(result.co2e_t_per_year, 1))
    if result.factor:
        shown.factor = f"{result.factor.material}: {result.factor.basis}"
        shown.source = result.factor.source
    if result.tonnes_per_year is None and result.co2e_t_per_year is None:
        shown.note = t("impact.no_conversion", unit=t.label("unit", match.amount_unit))
    elif result.tonnes_per_year is None:
        shown.note = t("impact.energy")
    return shown


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
    view = match_views.match_views(session, [match], ui.t, principal)[0]
    page = MatchPage(view, principal.curates, notice=notice, error=error)
    side = accepting_side(session, match, principal)
    if side is not None:
        page.accept_url = f"/matches/{match.id}/accept"
    if principal.curates:
        page.history = match_views.history(session, pipeline.history(session, match), ui.t)
        page.move = _move_form(ui.t, match, values, errors)
        if match.status == MatchStatus.shortlisted:
            page.drafts, page.intro_error = _drafts(ui, session, match, view, values, errors)
        if match.status in (MatchStatus.pilot, MatchStatus.realised):
            page.impact = _impact(ui, session, match, values, errors)
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
        return not_found(ui)
    return _show(ui, session, match, notice=ui.t(DONE[done]) if done in DONE else "")


@router.post("/matches/{match_id:int}/status")
def move(match_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    principal = ui.require_curator()
    match = _visible(session, principal, match_id)
    if match is None:
        return not_found(ui)
    errors: Errors = {}
    try:
        data = api.MoveIn(status=form["status"], reason=form["reason"] or None, note=form["note"])
        api.move(match_id, data, session, principal)
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
        return not_found(ui)
    errors: Errors = {}
    edited: dict[str, api.MessageIn] = {}
    for side in introductions.SIDES:
        try:
            edited[side] = api.MessageIn(subject=form[f"{side}_subject"], body=form[f"{side}_body"])
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
            api.send_introduction(
                match_id, api.IntroductionIn(**edited), ui.request, session, principal
            )
            return ui.redirect(f"/matches/{match_id}?done=introduced")
        except InputError as exc:
            message = (
                ui.t("intro.no_address")
                if exc.field == "organisation"
                else ui.t("match.error.status")
            )
    session.refresh(match)
    return _show(ui, session, match, status=422, values=form, errors=errors, error=message)


@router.get("/matches/{match_id:int}/accept")
def accept_page(match_id: int, ui: PageDep, session: SessionDep) -> Response:
    """The link in the anonymous owner's e-mail: a page that asks, since a GET changes nothing."""
    principal = ui.require_login()
    match = _visible(session, principal, match_id)
    if match is None:
        return not_found(ui)
    if accepting_side(session, match, principal) is None:
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
        return not_found(ui)
    try:
        api.accept(match_id, ui.request, session, principal)
    except (HTTPException, InputError):
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
        return not_found(ui)
    errors: Errors = {}
    amount = form["amount"].replace(",", ".").replace(" ", "").replace("\xa0", "")
    try:
        data = api.ImpactIn.model_validate({"amount_per_year": amount, "unit": form["unit"]})
        api.record_impact(match_id, data, ui.request, session, principal)
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
