"""What one match's page shows: the next-step form, the introduction drafts, the impact."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from matchmaker.errors import InputError
from matchmaker.listings import visibility
from matchmaker.settings import Settings
from matchmaker.tables import EmissionFactor, Match, User, saved_id
from matchmaker.vocab import MatchStatus, Unit
from matchmaker.web.fields import Field, Option
from matchmaker.web.i18n import N_, Translator
from matchmaker.workspace import factors, introductions, pipeline
from matchmaker.workspace import views as match_views
from matchmaker.workspace.impact import Impact

Errors = dict[str, str]  # field name -> message, already worded


@dataclass
class MoveForm:
    status: Field
    reason: Field
    note: Field
    agreed: Field | None = None  # shown while an anonymous side has not accepted


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
    factor: str  # the material the factor is for
    value: str  # its number and unit: 1,4 t CO2e per tonne
    basis: str  # what it assumes is avoided, in the UI language
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


def move_form(
    t: Translator,
    match: Match,
    values: dict[str, str],
    errors: Errors,
    session: Session | None = None,
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
    agreed = None
    if session is not None and pipeline.unanswered(session, match):
        agreed = Field(
            "agreed",
            t("match.agreed"),
            "checkbox",
            value="yes" if values.get("agreed") == "yes" else "",
            error=errors.get("agreed", ""),
            hint=t("match.agreed_hint"),
        )
    return MoveForm(status, reason, note, agreed)


def drafts(
    session: Session,
    settings: Settings,
    t: Translator,
    match: Match,
    by: User,
    view: match_views.MatchView,
    values: dict[str, str],
    errors: Errors,
) -> tuple[list[DraftView], str]:
    """Both letters to edit, as the API would send them; or why there are none."""
    try:
        found = introductions.drafts(session, settings, match, by)
    except InputError as exc:
        return [], t("intro.withdrawn" if exc.field == "listing" else "intro.no_address")
    out = []
    for d in found:
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
            value=values.get(f"{d.side}_body") or d.body,
            error=errors.get(f"{d.side}_body", ""),
            attrs={"maxlength": "10000", "rows": "14", "lang": d.language.value},
        )
        out.append(DraftView(heading, d.to, subject, text))
    return out, ""


def factor_value(t: Translator, factor: EmissionFactor) -> str:
    """The factor's number and unit as the UI language writes them."""
    key = N_("impact.per_mwh") if factor.per == Unit.MWh else N_("impact.per_t")
    return t(key, co2e=t.number(factor.co2e, 3))


def impact_view(
    t: Translator, match: Match, result: Impact | None, values: dict[str, str], errors: Errors
) -> ImpactView:
    """The impact form, and what the recorded amount (`result`, if any) comes to."""
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
    shown = ImpactView("", "", "", "", "", "", "", "", amount, unit)
    if result is None or match.amount_per_year is None or match.amount_unit is None:
        return shown
    shown.recorded = t(
        "amount.per_year",
        amount=t.number(match.amount_per_year, 2),
        unit=t.label("unit", match.amount_unit),
    )
    if result.tonnes_per_year is not None:
        shown.tonnes = t("impact.tonnes", tonnes=t.number(result.tonnes_per_year, 1))
    if result.co2e_t_per_year is not None:
        shown.co2e = t("impact.co2e", co2e=t.number(result.co2e_t_per_year, 1))
    if result.factor:
        shown.factor = factors.material(result.factor, t.lang)
        shown.value = factor_value(t, result.factor)
        shown.basis = factors.basis(result.factor, t.lang)
        shown.source = result.factor.source
    if result.tonnes_per_year is None and result.co2e_t_per_year is None:
        shown.note = t("impact.no_conversion", unit=t.label("unit", match.amount_unit))
    elif result.tonnes_per_year is None:
        shown.note = t("impact.energy")
    return shown


@dataclass
class AnswerView:
    """What an anonymous side sees on its answer link's page: the two listings, no more."""

    own_title: str
    other_title: str
    other_org: str  # "" while the other side is anonymous to them too


def answer_view(session: Session, match: Match, side: str) -> AnswerView:
    own, other = introductions.listings_of(session, match, side)
    other_side = "need" if side == "offer" else "offer"
    named = visibility.named_to_other_party(
        match, other_side, other[0], visibility.acceptances(session, [saved_id(match)])
    )
    return AnswerView(own[0].title, other[0].title, other[1].name if named else "")
