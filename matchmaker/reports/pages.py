"""The reports: one page per scope (region, theme, municipality), and the same report as XLSX
and PDF downloads. For facilitators and admins."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from matchmaker.deps import SessionDep
from matchmaker.engine.matching import today
from matchmaker.reports import pdf, service, views, workbook
from matchmaker.web import charts
from matchmaker.web.fields import Field, Option
from matchmaker.web.render import Page, PageDep
from matchmaker.workspace import views as match_views

router = APIRouter(tags=["pages"], include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(
    ui: Page, session: Session, theme: str, municipality: str
) -> tuple[views.ReportView, str, str]:
    """The worded report for the asked scope; an unknown theme or place is dropped."""
    slug, theme_id = match_views.theme_choice(session, theme)
    place = municipality if municipality in service.municipalities(session) else ""
    report = service.build(session, service.Scope(theme_id, place))
    scope = views.scope_name(session, ui.t, slug, place)
    return views.view(session, ui.t, report, scope, today()), slug, place


def _filename(ui: Page, slug: str, place: str, suffix: str) -> str:
    parts = ["report", slug or "region", place.casefold().replace(" ", "-") if place else ""]
    return "-".join(p for p in parts if p) + f"-{ui.lang}.{suffix}"


def _download(body: bytes, media: str, name: str) -> Response:
    # the name is built from a known slug and a known municipality: safe in the header
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{ascii_name}"', "Vary": "Cookie"},
    )


@router.get("/reports")
def show(ui: PageDep, session: SessionDep, theme: str = "", municipality: str = "") -> Response:
    ui.require_curator()
    t = ui.t
    report, slug, place = _report(ui, session, theme, municipality)
    places = [Option("", t("browse.all_places"), not place)] + [
        Option(p, p, p == place) for p in service.municipalities(session)
    ]
    query = urlencode({k: v for k, v in (("theme", slug), ("municipality", place)) if v})
    suffix = f"?{query}" if query else ""
    return ui.render(
        "reports/index.html",
        "reports/_content.html",
        section="reports",
        title=report.title,
        report=report,
        pictures=[charts.show(c, t.number) for c in report.charts],
        filters=[
            match_views.theme_field(session, t, slug),
            Field("municipality", t("field.municipality"), "select", options=places),
        ],
        xlsx_url=f"/reports/report.xlsx{suffix}",
        pdf_url=f"/reports/report.pdf{suffix}",
    )


@router.get("/reports/report.xlsx")
def download_xlsx(
    ui: PageDep, session: SessionDep, theme: str = "", municipality: str = ""
) -> Response:
    ui.require_curator()
    report, slug, place = _report(ui, session, theme, municipality)
    return _download(workbook.xlsx(report), XLSX, _filename(ui, slug, place, "xlsx"))


@router.get("/reports/report.pdf")
def download_pdf(
    ui: PageDep, session: SessionDep, theme: str = "", municipality: str = ""
) -> Response:
    ui.require_curator()
    report, slug, place = _report(ui, session, theme, municipality)
    body = pdf.pdf(report, ui.t.number)
    return _download(body, "application/pdf", _filename(ui, slug, place, "pdf"))
