"""The report worded in the UI language: its tables and charts, one shape that the page, the
XLSX and the PDF all show, so that the three never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from matchmaker.listings import views as listing_views
from matchmaker.reports import service
from matchmaker.vocab import ListingKind, MatchStatus, OrgKind
from matchmaker.web import charts
from matchmaker.web.i18n import Translator
from matchmaker.workspace import dashboard_views


@dataclass
class Cell:
    text: str  # as the page and the PDF write it: 1 234,5 in Finnish
    value: float | int | str  # as the spreadsheet stores it: a number stays a number


@dataclass
class Table:
    key: str  # the sheet's name and the section's id
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    numeric_from: int = 1  # the columns from this one on are numbers, right-aligned


@dataclass
class Total:
    label: str
    value: str
    unit: str
    amount: float  # the number the sheet stores


@dataclass
class ReportView:
    title: str
    scope: str
    made: str  # the day it was made, worded
    totals: list[Total]
    tables: list[Table]
    charts: list[charts.Chart]
    note: str


def _count(n: int) -> Cell:
    return Cell(str(n), n)


def _amount(t: Translator, x: float) -> Cell:
    return Cell(t.number(x, 1), round(x, 3))


def _text(s: str) -> Cell:
    return Cell(s, s)


def _total(label: str, amount: float, unit: str, t: Translator) -> Total:
    return Total(label, t.number(amount, 1), unit, amount)


def _parts(t: Translator, key: str, title: str, first: str, parts: list[service.Part]) -> Table:
    return Table(
        key,
        title,
        [
            first,
            t("reports.organisations"),
            t("reports.listings"),
            t("reports.matches"),
            t("reports.realised"),
            t("dashboard.tonnes_unit"),
            t("dashboard.co2e_unit"),
        ],
        [
            [
                _text(p.key),
                _count(p.organisations),
                _count(p.listings),
                _count(p.matches),
                _count(p.realised),
                _amount(t, p.tonnes),
                _amount(t, p.co2e),
            ]
            for p in parts
        ],
    )


def scope_name(session: Session, t: Translator, theme: str, municipality: str) -> str:
    """ "Construction · Porvoo", or the whole region."""
    names = listing_views.theme_names(session, t)
    parts = [names.get(theme, "") if theme else "", municipality]
    return " · ".join(p for p in parts if p) or t("dashboard.region")


def view(
    session: Session, t: Translator, report: service.Report, scope: str, today: date
) -> ReportView:
    themes = listing_views.theme_names(session, t)
    nowhere = t("reports.no_municipality")
    for part in report.by_theme:
        part.key = themes.get(part.key, part.key)
    for part in report.by_municipality:
        part.key = listing_views.place_name(part.key, t.lang) if part.key else nowhere
    orgs = Table(
        "organisations",
        t("reports.by_kind"),
        [t("reports.kind"), t("reports.organisations")],
        [[_text(t.label("orgkind", k)), _count(report.organisations[k])] for k in OrgKind],
    )
    listings = Table(
        "listings",
        t("reports.listings"),
        [t("reports.kind"), t("reports.listings")],
        [[_text(t.label("kind", k)), _count(report.listings[k])] for k in ListingKind],
    )
    stages = Table(
        "matches",
        t("reports.by_stage"),
        [t("history.step"), t("reports.matches")],
        [[_text(t.label("matchstatus", s)), _count(report.matches[s])] for s in MatchStatus],
    )
    years = Table(
        "years",
        t("reports.per_year"),
        [
            t("reports.year"),
            t("reports.realised"),
            t("reports.realised_tonnes"),
            t("reports.realised_co2e"),
            t("reports.pilots"),
            t("reports.pilot_tonnes"),
            t("reports.pilot_co2e"),
        ],
        [
            [
                Cell(str(y.year), y.year),
                _count(y.realised),
                _amount(t, y.realised_tonnes),
                _amount(t, y.realised_co2e),
                _count(y.pilots),
                _amount(t, y.pilot_tonnes),
                _amount(t, y.pilot_co2e),
            ]
            for y in report.years
        ],
    )
    used = Table(
        "factors",
        t("factors.used"),
        [
            t("impact.factor"),
            t("impact.value"),
            t("impact.basis"),
            t("impact.source"),
            t("factors.matches"),
            t("dashboard.tonnes_unit"),
            t("dashboard.co2e_unit"),
        ],
        [
            [
                _text(r.material),
                _text(r.value),
                _text(r.basis),
                _text(r.source),
                _count(r.matches),
                Cell(r.tonnes, round(u.tonnes_per_year, 3)),
                Cell(r.co2e, round(u.co2e_t_per_year, 3)),
            ]
            for r, u in zip(
                dashboard_views.factor_rows(report.usages, t), report.usages, strict=True
            )
        ],
        numeric_from=4,
    )
    year_labels = [str(y.year) for y in report.years]
    pictures = [
        charts.Chart(
            t("reports.by_stage"),
            [t.label("matchstatus", s) for s in MatchStatus],
            [report.matches[s] for s in MatchStatus],
            t("chart.matches"),
        ),
        charts.Chart(
            t("reports.tonnes_chart"),
            year_labels,
            [y.realised_tonnes + y.pilot_tonnes for y in report.years],
            t("dashboard.tonnes_unit"),
            horizontal=False,
            digits=1,
        ),
        charts.Chart(
            t("reports.co2e_chart"),
            year_labels,
            [y.realised_co2e + y.pilot_co2e for y in report.years],
            t("dashboard.co2e_unit"),
            horizontal=False,
            digits=1,
        ),
    ]
    return ReportView(
        title=t("reports.title"),
        scope=scope,
        made=t("reports.made", day=t.date(today)),
        totals=[
            _total(t("reports.organisations"), sum(report.organisations.values()), "", t),
            _total(t("reports.listings"), sum(report.listings.values()), "", t),
            _total(t("reports.realised"), report.matches[MatchStatus.realised], "", t),
            _total(t("dashboard.tonnes_total"), report.tonnes, t("dashboard.tonnes_unit"), t),
            _total(t("dashboard.co2e_total"), report.co2e, t("dashboard.co2e_unit"), t),
        ],
        tables=[
            orgs,
            listings,
            stages,
            years,
            _parts(t, "themes", t("reports.by_theme"), t("admin.theme"), report.by_theme),
            _parts(
                t,
                "municipalities",
                t("reports.by_municipality"),
                t("field.municipality"),
                report.by_municipality,
            ),
            used,
        ],
        charts=pictures,
        note=t("reports.note"),
    )
