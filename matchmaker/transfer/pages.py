"""Import a workshop sheet: upload, a dry run naming each bad row, then commit with progress."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.settings import Settings
from matchmaker.tables import User
from matchmaker.transfer import jobs, sheets
from matchmaker.web.i18n import N_, Translator
from matchmaker.web.render import Page, PageDep, url_with

router = APIRouter(tags=["pages"], include_in_schema=False)

UPLOAD = re.compile(r"^[A-Za-z0-9_-]{20,40}\.(csv|xlsx)$")  # the names _keep gives, nothing else
KEEP_SECONDS = 24 * 3600  # an upload nobody committed is deleted after a day
# The sheet reader's refusals by code, worded in the UI language (the API keeps them in English).
SHEET_ERRORS = {
    "type": N_("import.error.type"),
    "encoding": N_("import.error.encoding"),
    "xlsx": N_("import.error.xlsx"),
    "empty": N_("import.error.empty"),
    "columns": N_("import.error.columns"),
    "rows": N_("import.error.rows"),
    "wide": N_("import.error.wide"),
    "cells": N_("import.error.cells"),
    "unpacked": N_("import.error.unpacked"),
    "dtd": N_("import.error.dtd"),
    "no_sheet": N_("import.error.no_sheet"),
    "field": N_("import.error.field"),
    "csv": N_("import.error.csv"),
}
EXPORTS = (
    (N_("import.export_listings"), "/api/export/listings"),
    (N_("import.export_matches"), "/api/export/matches"),
)


@dataclass
class ProblemRow:
    row: int
    field: str
    message: str


@dataclass
class ReportView:
    upload: str
    filename: str
    summary: list[str]
    problems: list[ProblemRow]
    good: int
    commit_label: str
    confirm: str = ""  # the checkbox's words, when rows would go to existing organisations


@dataclass
class Export:
    label: str
    csv: str
    xlsx: str


@dataclass
class JobView:
    id: str
    url: str
    running: bool
    failed: bool
    done: int
    total: int
    progress: str
    summary: list[str] = field(default_factory=list)
    error: str = ""


def _folder(settings: Settings) -> Path:
    return settings.instance_dir / "uploads"


def _keep(settings: Settings, filename: str, data: bytes) -> str:
    """Store the upload under a random name until it is committed (or a day has passed)."""
    folder = _folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{'xlsx' if filename.lower().endswith('.xlsx') else 'csv'}"
    (folder / name).write_bytes(data)
    return name


def _kept(settings: Settings, upload: str) -> Path | None:
    path = _folder(settings) / upload
    return path if UPLOAD.match(upload) and path.is_file() else None


def _sheet_error(t: Translator, exc: sheets.SheetError) -> str:
    key = SHEET_ERRORS.get(exc.code)
    if key is None:
        return str(exc)
    params = {k: t.number(v, 0) if isinstance(v, int) else v for k, v in exc.params.items()}
    return t(key, **params)


def _field_label(t: Translator, name: str) -> str:
    labels = {
        "organisation": t("field.organisation"),
        "theme": t("field.theme"),
        "kind": t("field.kind"),
        "category": t("field.category"),
        "title": t("field.title"),
        "description": t("field.description"),
        "language": t("field.language"),
        "quantity": t("field.quantity"),
        "unit": t("field.unit"),
        "frequency": t("field.frequency"),
        "municipality": t("field.municipality"),
        "ewc_code": t("field.ewc_code"),
        "accepted_codes": t("field.accepted_codes"),
        "available_from": t("field.available_from"),
        "available_until": t("field.available_until"),
        "visibility": t("field.visibility"),
    }
    return labels.get(name, name)


def _report(t: Translator, report: sheets.Report, upload: str, filename: str) -> ReportView:
    summary = [
        t("import.rows", rows=report.rows, good=report.good),
        t("import.bad", bad=len(report.bad_rows)),
    ]
    if report.duplicates:
        summary.append(t("import.duplicates", duplicates=report.duplicates))
    if report.new_organisations:
        summary.append(t("import.new_orgs", names=", ".join(report.new_organisations)))
    matched = ", ".join(report.matched_organisations)
    if matched:
        summary.append(t("import.matched_orgs", names=matched))
    return ReportView(
        upload=upload,
        filename=filename,
        summary=summary,
        problems=[ProblemRow(p.row, _field_label(t, p.field), p.message) for p in report.problems],
        good=report.good,
        commit_label=t("import.commit", good=report.good),
        confirm=t("import.confirm_orgs", names=matched) if matched else "",
    )


def _page(
    ui: Page, *, status: int = 200, error: str = "", report: ReportView | None = None
) -> Response:
    exports = [Export(ui.t(label), f"{base}.csv", f"{base}.xlsx") for label, base in EXPORTS]
    return ui.render(
        "imports/index.html",
        "imports/_upload.html",
        status=status,
        section="import",
        here="/import",
        title=ui.t("import.title"),
        columns=", ".join(sheets.COLUMNS),
        error=error,
        report=report,
        exports=exports,
    )


@router.get("/import")
def start(ui: PageDep, session: SessionDep, upload: str = "", name: str = "") -> Response:
    """The upload form; with `upload`, the dry run of a sheet kept from the last step."""
    ui.require_curator()
    if not upload:
        return _page(ui)
    path = _kept(ui.request.app.state.settings, upload)
    if path is None:
        return _page(ui, status=404, error=ui.t("import.gone"))
    try:
        rows = sheets.read_rows(path.name, path.read_bytes())
    except sheets.SheetError as exc:
        return _page(ui, status=422, error=_sheet_error(ui.t, exc))
    report, _ = sheets.check(session, rows)
    return _page(ui, report=_report(ui.t, report, upload, name[:200] or path.name))


@router.post("/import")
async def upload(ui: PageDep) -> Response:
    """Keep the sheet and show its dry run (a GET of its own, so a reload repeats nothing)."""
    try:
        ui.require_curator()
    except Exception:  # refused: the CSRF check may have parsed the upload, so close its file
        await ui.request.close()
        raise
    form = await ui.request.form()
    sent = form.get("file")
    if not isinstance(sent, UploadFile):
        return _page(ui, status=422, error=ui.t("import.error.none"))
    data = await sent.read()
    await sent.close()  # read by hand, so closed by hand: FastAPI closes only its own params
    if not sent.filename:
        return _page(ui, status=422, error=ui.t("import.error.none"))
    try:  # refuse what is not a sheet before keeping it; parsing is work for a thread
        await run_in_threadpool(sheets.read_rows, sent.filename, data)
    except sheets.SheetError as exc:
        return _page(ui, status=422, error=_sheet_error(ui.t, exc))
    kept = _keep(ui.request.app.state.settings, sent.filename, data)
    return ui.redirect(url_with(ui.request, "/import", upload=kept, name=sent.filename[:200]))


def _summary(report: sheets.Report) -> dict[str, Any]:
    """What the job page says of a finished import, as the job's stored result."""
    return {
        "added": report.added,
        "duplicates": report.duplicates,
        "bad": len(report.bad_rows),
        "new_organisations": report.new_organisations,
        "matched_organisations": report.matched_organisations,
    }


def _job_view(t: Translator, job: jobs.Job) -> JobView:
    view = JobView(
        job.id,
        f"/import/jobs/{job.id}",
        job.state == "running",
        job.state == "failed",
        job.done,
        job.total,
        t("import.progress", done=job.done, total=job.total),
    )
    if job.state == "done" and job.result is not None:
        report = job.result  # _summary's
        view.summary = [t("import.added", added=report["added"])]
        if report["duplicates"]:
            view.summary.append(t("import.duplicates", duplicates=report["duplicates"]))
        if report["bad"]:
            view.summary.append(t("import.bad", bad=report["bad"]))
        if report["new_organisations"]:
            names = ", ".join(report["new_organisations"])
            view.summary.append(t("import.new_orgs", names=names))
        if report["matched_organisations"]:
            names = ", ".join(report["matched_organisations"])
            view.summary.append(t("import.matched_orgs", names=names))
    if job.state == "failed":
        view.error = t("import.stalled") if job.stalled else t("import.failed", error=job.error)
    return view


@router.post("/import/commit")
async def commit(ui: PageDep, matcher: MatcherDep) -> Response:
    """Add the good rows in a background job; htmx polls its progress, a plain form waits
    (in a thread: the event loop serves others meanwhile)."""
    principal = ui.require_curator()
    form = await ui.request.form()
    upload, filename = str(form.get("upload") or ""), str(form.get("name") or "")[:200]
    confirmed = bool(form.get("confirm_organisations"))
    settings = ui.request.app.state.settings
    path = _kept(settings, upload)
    if path is None:
        return _page(ui, status=404, error=ui.t("import.gone"))
    db_engine = ui.request.app.state.db_engine
    user_id = principal.user.id if principal.user else None

    def dry_run() -> tuple[list[dict[str, str]], sheets.Report]:
        rows = sheets.read_rows(path.name, path.read_bytes())
        with Session(db_engine) as s:
            return rows, sheets.check(s, rows)[0]

    try:
        rows, checked = await run_in_threadpool(dry_run)
    except sheets.SheetError as exc:
        return _page(ui, status=422, error=_sheet_error(ui.t, exc))
    if checked.matched_organisations and not confirmed:
        report = _report(ui.t, checked, upload, filename)
        return _page(ui, status=422, error=ui.t("import.confirm_needed"), report=report)

    def work(progress: jobs.Progress) -> dict[str, Any]:
        with Session(db_engine) as s:
            report = sheets.commit(
                s,
                matcher,
                rows,
                progress,
                confirmed=confirmed,
                by=s.get(User, user_id),
                source=filename,
            )
        path.unlink(missing_ok=True)
        return _summary(report)

    registry: jobs.Jobs = ui.request.app.state.jobs
    job = registry.start(checked.good, work)
    if not ui.htmx:
        await run_in_threadpool(job.wait)
        return ui.redirect(f"/import/jobs/{job.id}")
    return ui.render(
        "imports/job.html",
        "imports/_job.html",
        title=ui.t("import.title"),
        section="import",
        job=_job_view(ui.t, job),
    )


@router.get("/import/jobs/{job_id}")
def job_page(job_id: str, ui: PageDep) -> Response:
    ui.require_curator()
    job = ui.request.app.state.jobs.get(job_id)
    if job is None:
        return ui.not_found()
    return ui.render(
        "imports/job.html",
        "imports/_job.html",
        title=ui.t("import.title"),
        section="import",
        job=_job_view(ui.t, job),
    )
