"""The facilitators' dashboard: the pipeline and its impact as charts, and the reminders."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from matchmaker.deps import SessionDep
from matchmaker.listings import views
from matchmaker.web.render import PageDep
from matchmaker.workspace import dashboard, dashboard_views, impact, pipeline
from matchmaker.workspace import views as match_views

router = APIRouter(tags=["pages"], include_in_schema=False)


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
        dashboard_views.Total(
            t("dashboard.tonnes_total"),
            t.number(figures.tonnes_per_year, 1),
            t("dashboard.tonnes_unit"),
        ),
        dashboard_views.Total(
            t("dashboard.co2e_total"),
            t.number(figures.co2e_t_per_year, 1),
            t("dashboard.co2e_unit"),
        ),
        dashboard_views.Total(t("dashboard.realised"), str(figures.realised), ""),
        dashboard_views.Total(t("dashboard.open"), str(open_now), ""),
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
        charts=dashboard_views.charts(figures, t),
        funnel=dashboard_views.funnel_rows(figures, t),
        factors_used=dashboard_views.factor_rows(impact.used_in(session, theme_id), t),
        stale=match_views.match_views(
            session, stale, t, ui.principal, stale_ids={m.id for m in stale if m.id is not None}
        ),
        stale_note=t("board.stale_note", days=days),
    )
