"""Export listings and matches as CSV or XLSX; import a workshop sheet (dry run, then commit)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response, UploadFile
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from matchmaker.accounts import auth
from matchmaker.accounts import service as accounts
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.errors import InputError
from matchmaker.tables import User
from matchmaker.transfer import sheets

router = APIRouter(prefix="/api", tags=["sheets"])
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The sheet, as the path's extension says.",
        "content": {m.split(";")[0]: {"schema": {"type": "string"}} for m in MEDIA.values()},
    }
}


def _file(rows: list[dict[str, Any]], columns: list[str], name: str, fmt: str) -> Response:
    body = sheets.to_csv(rows, columns) if fmt == "csv" else sheets.to_xlsx(rows, columns, name)
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get("/export/listings.{fmt}", response_class=Response, responses=SHEET)
def export_listings(
    fmt: Literal["csv", "xlsx"], session: SessionDep, principal: auth.CuratorDep
) -> Response:
    rows = sheets.listing_rows(session)
    _audit_export(session, principal, f"listings.{fmt}", len(rows))
    return _file(rows, ["id", "status", *sheets.COLUMNS], "listings", fmt)


@router.get("/export/matches.{fmt}", response_class=Response, responses=SHEET)
def export_matches(
    fmt: Literal["csv", "xlsx"], session: SessionDep, principal: auth.CuratorDep
) -> Response:
    rows = sheets.match_rows(session)
    _audit_export(session, principal, f"matches.{fmt}", len(rows))
    return _file(rows, sheets.MATCH_COLUMNS, "matches", fmt)


def _audit_export(session: SessionDep, principal: auth.Principal, name: str, rows: int) -> None:
    # a whole table leaves the service: who took it, and when, is kept
    accounts.audit(session, principal.user, "export", name, rows=rows)
    session.commit()


@router.post("/import/listings", response_model=dict[str, Any])
async def import_listings(
    file: UploadFile,
    request: Request,
    matcher: MatcherDep,
    principal: auth.CuratorDep,
    commit: bool = False,
    confirm_organisations: bool = False,
) -> Any:
    """Without `commit`: a dry run naming each bad row and why, and the existing organisations
    the rows would go to. With it: add the good rows; rows for an existing organisation found
    by name are added only with `confirm_organisations`."""
    data, filename = await file.read(), file.filename or ""
    db_engine = request.app.state.db_engine
    user_id = principal.user.id if principal.user else None

    def work() -> sheets.Report:  # in a worker thread, with a session of its own
        rows = sheets.read_rows(filename, data)
        with Session(db_engine) as s:
            if not commit:
                return sheets.check(s, rows)[0]
            return sheets.commit(
                s,
                matcher,
                rows,
                confirmed=confirm_organisations,
                by=s.get(User, user_id),
                source=filename,
            )

    try:
        report = await run_in_threadpool(work)
    except sheets.SheetError as exc:
        raise InputError("file", str(exc)) from exc
    except sheets.NeedsConfirmation as exc:
        raise InputError("confirm_organisations", str(exc)) from exc
    return report.__dict__ | {"problems": [p.__dict__ for p in report.problems]}
