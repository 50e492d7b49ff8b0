"""The admins' page of emission factors: each factor edited in place, the edits audited."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from matchmaker.admin import factor_views
from matchmaker.deps import SessionDep
from matchmaker.errors import NotFound
from matchmaker.listings import views as listing_views
from matchmaker.web.i18n import N_
from matchmaker.web.render import Page, PageDep
from matchmaker.workspace import factors, impact

router = APIRouter(tags=["pages"], include_in_schema=False)
NUMBERS = ("co2e", "density_t_per_m3", "t_per_piece")


def _page(
    ui: Page,
    session: Session,
    *,
    values: dict[int, dict[str, str]] | None = None,
    errors: dict[int, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    t = ui.t
    themes = listing_views.theme_names(session, t)
    return ui.render(
        "admin/factors.html",
        "admin/_factors.html",
        status=status,
        section="factors",
        here="/admin/factors",
        title=t("factors.title"),
        factors=factor_views.rows(session, t, themes, values or {}, errors or {}),
        trail=factor_views.trail(session, t),
        notice=notice,
    )


@router.get("/admin/factors")
def show(ui: PageDep, session: SessionDep, saved: str = "", recomputed: int = 0) -> Response:
    ui.require_admin()
    notice = ui.t("factors.saved", count=recomputed) if saved else ""
    return _page(ui, session, notice=notice)


def _number(text: str) -> str | None:
    """A number as a person types it in fi, sv or en: 1,4 or 1.4, spaces as separators."""
    cleaned = text.replace(",", ".").replace(" ", "").replace("\xa0", "")
    return cleaned or None


@router.post("/admin/factors/{factor_id:int}")
async def edit(factor_id: int, request: Request, ui: PageDep, session: SessionDep) -> Response:
    """New values for one factor: audited, and every recorded figure counted again."""
    principal = ui.require_admin()
    form = await request.form()
    given = {name: str(form.get(name) or "").strip() for name in factor_views.LABELS}
    data = {k: _number(v) if k in NUMBERS else v for k, v in given.items()}
    try:
        update = factors.FactorUpdate.model_validate(data)
        _, recomputed = impact.edit_factor(
            session, by=principal.user, factor_id=factor_id, data=update
        )
    except NotFound:
        return ui.not_found()
    except ValidationError as exc:
        wrong = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        key = N_("factors.invalid_number") if wrong & set(NUMBERS) else N_("factors.invalid_text")
        return _page(
            ui,
            session,
            values={factor_id: given},
            errors={factor_id: ui.t(key)},
            status=422,
        )
    return ui.redirect(f"/admin/factors?saved=1&recomputed={recomputed}#factor-{factor_id}")
