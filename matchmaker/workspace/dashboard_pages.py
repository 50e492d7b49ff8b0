"""The facilitators' dashboard: the pipeline and its impact as charts, and the reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from fastapi import APIRouter
from fastapi.responses import Response
from markupsafe import Markup

from matchmaker.deps import SessionDep
from matchmaker.listings import views
from matchmaker.vocab import MatchStatus
from matchmaker.web import charts as svg
from matchmaker.web.i18n import Translator
from matchmaker.web.render import PageDep
from matchmaker.workspace import dashboard, pipeline
from matchmaker.workspace import views as match_views

router = APIRouter(tags=["pages"], include_in_schema=False)


@dataclass
class Total:
    label: str
    value: str
    unit: str


@dataclass
class FunnelRow:
    label: str
    reached: int
    conversion: str  # of the step before, "–" for the first


@dataclass
class Charts:
    statuses: Markup
    funnel: Markup
    tonnes: Markup
    co2e: Markup


def month_label(month: str, t: Translator) -> str:
    """A month such as 2027-03 as the UI language writes it: Mar 2027, maalis 2027."""
    year, number = month.split("-")
    return format_date(date(int(year), int(number), 1), format="LLL yyyy", locale=t.lang)


def charts(figures: dashboard.Figures, t: Translator) -> Charts:
    statuses = list(MatchStatus)
    months = [month_label(m.month, t) for m in figures.months]
    return Charts(
        statuses=svg.bars(
            [t.label("matchstatus", s) for s in statuses],
            [figures.counts.get(s.value, 0) for s in statuses],
            title=t("dashboard.statuses"),
        ),
        funnel=svg.bars(
            [t.label("matchstatus", s.status) for s in figures.funnel],
            [s.reached for s in figures.funnel],
            title=t("dashboard.funnel"),
        ),
        # whole tonnes on the charts (the exact totals are above them): no decimal point to
        # write the wrong way in Finnish and Swedish
        tonnes=svg.line(
            months,
            [round(m.tonnes) for m in figures.months],
            title=t("dashboard.tonnes"),
            unit=t("dashboard.tonnes_unit"),
        ),
        co2e=svg.line(
            months,
            [round(m.co2e) for m in figures.months],
            title=t("dashboard.co2e"),
            unit=t("dashboard.co2e_unit"),
        ),
    )


def funnel_rows(figures: dashboard.Figures, t: Translator) -> list[FunnelRow]:
    return [
        FunnelRow(
            t.label("matchstatus", s.status),
            s.reached,
            "–"
            if s.conversion is None
            else t("dashboard.percent", percent=t.number(100 * s.conversion, 0)),
        )
        for s in figures.funnel
    ]


@router.get("/dashboard")
def show(ui: PageDep, session: SessionDep, theme: str = "") -> Response:
    ui.require_curator()
    t = ui.t
    slug, theme_id = match_views.theme_choice(session, theme)
    figures = dashboard.figures(session, theme_id)
    days = ui.request.app.state.settings.stale_days
    stale = [m for m in pipeline.stale(session, days) if theme_id is None or m.theme_id == theme_id]
    open_now = sum(figures.counts.get(s.value, 0) for s in pipeline.OPEN)
    totals = [
        Total(
            t("dashboard.tonnes_total"),
            t.number(figures.tonnes_per_year, 1),
            t("dashboard.tonnes_unit"),
        ),
        Total(
            t("dashboard.co2e_total"),
            t.number(figures.co2e_t_per_year, 1),
            t("dashboard.co2e_unit"),
        ),
        Total(t("dashboard.realised"), str(figures.realised), ""),
        Total(t("dashboard.open"), str(open_now), ""),
    ]
    scope = views.theme_names(session, t).get(slug) if slug else None
    return ui.render(
        "dashboard/index.html",
        "dashboard/_content.html",
        section="dashboard",
        title=t("dashboard.title"),
        scope=scope or t("dashboard.region"),
        filters=[match_views.theme_field(session, t, slug)],
        totals=totals,
        charts=charts(figures, t),
        funnel=funnel_rows(figures, t),
        stale=match_views.match_views(
            session, stale, t, ui.principal, stale_ids={m.id for m in stale if m.id is not None}
        ),
        stale_note=t("board.stale_note", days=days),
    )
