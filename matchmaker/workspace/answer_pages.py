"""An anonymous party's answer to an introduction, by the signed link in its e-mail: no login."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from matchmaker.deps import SessionDep
from matchmaker.web.i18n import N_
from matchmaker.web.render import Page, PageDep
from matchmaker.workspace import detail_views, introductions

router = APIRouter(tags=["pages"], include_in_schema=False)

DONE = {"accepted": N_("answer.accepted.title"), "declined": N_("answer.declined.title")}


def _render(ui: Page, *, status: int = 200, title: str, **context: Any) -> Response:
    """The one page, in whichever state: asking, answered (done) or gone."""
    values: dict[str, Any] = {"done": "", "answer": None, "token": "", "error": ""}
    values.update(context)
    return ui.render(
        "introductions/answer.html",
        "introductions/_answer.html",
        status=status,
        title=title,
        **values,
    )


def _gone(ui: Page) -> Response:
    """A used, expired or altered link: it says so, and does nothing (410)."""
    return _render(ui, status=410, title=ui.t("answer.gone.title"), done="gone")


@router.get("/introductions/answer")
def answer_page(ui: PageDep, session: SessionDep, token: str = "", done: str = "") -> Response:
    """Asks, since a GET changes nothing (a mail scanner following the link answers nothing);
    after the answer, says what happens and links to joining the valley."""
    if done in DONE:
        return _render(ui, title=ui.t(DONE[done]), done=done)
    found = introductions.by_link(session, ui.request.app.state.settings, token)
    if found is None:
        return _gone(ui)
    match, side = found
    return _render(
        ui,
        title=ui.t("answer.title"),
        answer=detail_views.answer_view(session, match, side),
        token=token,
    )


@router.post("/introductions/answer")
def answer(
    ui: PageDep, session: SessionDep, token: str = Form(""), choice: str = Form("")
) -> Response:
    settings = ui.request.app.state.settings
    found = introductions.by_link(session, settings, token)
    if found is None:
        return _gone(ui)
    match, side = found
    if choice == "accept":
        introductions.accept(session, settings, match, side, None)
        return ui.redirect("/introductions/answer?done=accepted")
    if choice == "decline":
        introductions.decline(session, match, side)
        return ui.redirect("/introductions/answer?done=declined")
    return _render(
        ui,
        status=422,
        title=ui.t("answer.title"),
        answer=detail_views.answer_view(session, match, side),
        token=token,
        error=ui.t("answer.choose"),
    )
