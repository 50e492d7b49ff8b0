"""What the dashboard shows of the figures: totals, charts and the funnel table, worded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from matchmaker.vocab import MatchStatus
from matchmaker.web import charts as svg
from matchmaker.web.i18n import Translator
from matchmaker.workspace import dashboard, detail_views, factors, impact


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
    statuses: svg.Shown
    funnel: svg.Shown
    tonnes: svg.Shown
    co2e: svg.Shown


def month_label(month: str, t: Translator) -> str:
    """A month such as 2027-03 as the UI language writes it: Mar 2027, maalis 2027."""
    year, number = month.split("-")
    return format_date(date(int(year), int(number), 1), format="LLL yyyy", locale=t.lang)


def charts(figures: dashboard.Figures, t: Translator) -> Charts:
    statuses = list(MatchStatus)
    months = [month_label(m.month, t) for m in figures.months]
    count = t("chart.matches")
    return Charts(
        statuses=svg.show(
            svg.Chart(
                t("dashboard.statuses"),
                [t.label("matchstatus", s) for s in statuses],
                [figures.counts.get(s.value, 0) for s in statuses],
                count,
            ),
            t.number,
        ),
        funnel=svg.show(
            svg.Chart(
                t("dashboard.funnel"),
                [t.label("matchstatus", s.status) for s in figures.funnel],
                [s.reached for s in figures.funnel],
                count,
            ),
            t.number,
        ),
        tonnes=svg.show(
            svg.Chart(
                t("dashboard.tonnes"),
                months,
                [m.tonnes for m in figures.months],
                t("dashboard.tonnes_unit"),
                horizontal=False,
            ),
            t.number,
        ),
        co2e=svg.show(
            svg.Chart(
                t("dashboard.co2e"),
                months,
                [m.co2e for m in figures.months],
                t("dashboard.co2e_unit"),
                horizontal=False,
            ),
            t.number,
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


@dataclass
class FactorRow:
    """A factor the figures were counted with, worded: what a facilitator defends them by."""

    material: str
    value: str
    basis: str
    source: str
    matches: int
    tonnes: str
    co2e: str


def factor_rows(usages: list[impact.Usage], t: Translator) -> list[FactorRow]:
    return [
        FactorRow(
            factors.material(u.factor, t.lang),
            detail_views.factor_value(t, u.factor),
            factors.basis(u.factor, t.lang),
            u.factor.source,
            u.matches,
            t.number(u.tonnes_per_year, 1),
            t.number(u.co2e_t_per_year, 1),
        )
        for u in usages
    ]
