"""What the dashboard shows of the figures: totals, charts and the funnel table, worded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from markupsafe import Markup

from matchmaker.vocab import MatchStatus
from matchmaker.web import charts as svg
from matchmaker.web.i18n import Translator
from matchmaker.workspace import dashboard


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
