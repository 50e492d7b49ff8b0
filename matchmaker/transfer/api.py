"""Export listings and matches as CSV or XLSX; import a workshop sheet (dry run, then commit)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response, UploadFile

from matchmaker.accounts import auth
from matchmaker.accounts import service as accounts
from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.errors import InputError
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
    return _file(sheets.listing_rows(session), ["id", "status", *sheets.COLUMNS], "listings", fmt)


@router.get("/export/matches.{fmt}", response_class=Response, responses=SHEET)
def export_matches(
    fmt: Literal["csv", "xlsx"], session: SessionDep, principal: auth.CuratorDep
) -> Response:
    return _file(sheets.match_rows(session), sheets.MATCH_COLUMNS, "matches", fmt)


@router.post("/import/listings", response_model=dict[str, Any])
async def import_listings(
    file: UploadFile,
    session: SessionDep,
    matcher: MatcherDep,
    principal: auth.CuratorDep,
    commit: bool = False,
) -> Any:
    """Without `commit`: a dry run naming each bad row and why. With it: add the good rows."""
    try:
        rows = sheets.read_rows(file.filename or "", await file.read())
    except sheets.SheetError as exc:
        raise InputError("file", str(exc)) from exc
    if not commit:
        report, _ = sheets.check(session, rows)
    else:
        report = sheets.commit(session, matcher, rows)
        accounts.audit(
            session,
            principal.user,
            "import listings",
            file.filename or "",
            added=report.added,
            bad=len(report.bad_rows),
        )
        session.commit()
    return report.__dict__ | {"problems": [p.__dict__ for p in report.problems]}
