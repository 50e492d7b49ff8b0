"""The page "How good are the suggestions?": the latest evaluation report, for everyone."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from matchmaker.deps import SessionDep
from matchmaker.listings import views as listing_views
from matchmaker.quality import report, views
from matchmaker.web.render import PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/quality")
def show(ui: PageDep, session: SessionDep) -> Response:
    loaded = report.load(ui.request.app.state.settings.eval_report)
    themes = listing_views.theme_names(session, ui.t)
    return ui.render(
        "quality/index.html",
        "quality/_content.html",
        section="quality",
        title=ui.t("quality.title"),
        quality=views.quality_view(loaded, ui.t, themes),
    )
