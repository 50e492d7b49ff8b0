"""A member's alert settings, saving a search, and the unsubscribe link that needs no login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from matchmaker.alerts import digests, service
from matchmaker.alerts import views as alert_views
from matchmaker.deps import SessionDep
from matchmaker.errors import InputError, NotFound
from matchmaker.tables import User
from matchmaker.vocab import AlertPeriod, Role
from matchmaker.web.i18n import N_
from matchmaker.web.render import NotAllowed, Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

NAMES = ("alerts", "q", "theme", "kind", "category", "municipality")
DONE = {
    "saved": N_("alerts.saved"),
    "search": N_("alerts.search_saved"),
    "removed": N_("alerts.search_removed"),
}
SEARCH_ERRORS = {
    "q": N_("alerts.search_invalid"),
    "theme": N_("alerts.search_invalid"),
    "kind": N_("alerts.search_invalid"),
    "municipality": N_("alerts.search_invalid"),
}


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "").strip() for name in NAMES}


FormDep = Annotated[dict[str, str], Depends(posted)]


def _member(ui: Page) -> User:
    principal = ui.require_login()
    if principal.role != Role.member or principal.user is None:
        raise NotAllowed(N_("alerts.members_only"))
    return principal.user


def _page(
    ui: Page,
    session: SessionDep,
    user: User,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    t = ui.t
    return ui.render(
        "alerts/settings.html",
        "alerts/_settings.html",
        status=status,
        section="my",
        here="/my/alerts",
        title=t("alerts.title"),
        period=alert_views.period_field(t, AlertPeriod(user.alerts), error),
        searches=alert_views.search_rows(session, t, service.searches(session, user)),
        notice=notice,
        error=error,
    )


@router.get("/my/alerts")
def alert_settings(ui: PageDep, session: SessionDep, done: str = "") -> Response:
    user = _member(ui)
    return _page(ui, session, user, notice=ui.t(DONE[done]) if done in DONE else "")


@router.post("/my/alerts")
def save_alert_settings(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    user = _member(ui)
    try:
        service.set_period(session, user, form["alerts"])
    except InputError:
        return _page(ui, session, user, error=ui.t("alerts.choose"), status=422)
    return ui.redirect("/my/alerts?done=saved")


@router.post("/my/searches")
def save_search(ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    user = _member(ui)
    try:
        service.save_search(
            session,
            user,
            text=form["q"],
            theme=form["theme"],
            kind=form["kind"],
            category=form["category"],
            municipality=form["municipality"],
        )
    except InputError as exc:
        key = (
            N_("alerts.too_many")
            if exc.message == "too many"
            else SEARCH_ERRORS.get(exc.field, N_("alerts.search_invalid"))
        )
        return _page(ui, session, user, error=ui.t(key), status=422)
    return ui.redirect("/my/alerts?done=search")


@router.post("/my/searches/{search_id:int}/delete")
def delete_search(search_id: int, ui: PageDep, session: SessionDep) -> Response:
    user = _member(ui)
    try:
        service.delete_search(session, user, search_id)
    except NotFound:
        return ui.not_found()
    return ui.redirect("/my/alerts?done=removed")


# -- the link in every digest: no login ---------------------------------------------------------


def _off_page(ui: Page, token: str, user: User | None, *, done: bool) -> Response:
    return ui.render(
        "alerts/off.html",
        "alerts/_off.html",
        status=200 if user is not None else 400,
        title=ui.t("alerts.off_title"),
        token=token,
        valid=user is not None,
        done=done,
        email=user.email if user else "",
    )


@router.get("/alerts/off")
def unsubscribe_page(ui: PageDep, session: SessionDep, token: str = "") -> Response:
    """The page the message's link opens: one button, so a mail scanner's visit changes nothing
    (mail programs use the List-Unsubscribe-Post header to do it in one click)."""
    user = digests.user_by_link(session, ui.request.app.state.settings, token)
    return _off_page(ui, token, user, done=user is not None and user.alerts == AlertPeriod.off)


@router.post("/alerts/off")
def unsubscribe(ui: PageDep, session: SessionDep, token: str = "") -> Response:
    user = digests.user_by_link(session, ui.request.app.state.settings, token)
    if user is not None:
        service.set_period(session, user, AlertPeriod.off.value)
    return _off_page(ui, token, user, done=user is not None)
