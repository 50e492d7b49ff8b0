"""The mailing list's pages: subscribe, confirm and leave without an account; facilitators send."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from matchmaker.deps import SessionDep
from matchmaker.errors import InputError
from matchmaker.infopoint import service as info
from matchmaker.infopoint import views as info_views
from matchmaker.listings.views import theme_names
from matchmaker.mailinglist import service
from matchmaker.mailinglist import views as list_views
from matchmaker.mailinglist.tables import Subscriber
from matchmaker.vocab import Language
from matchmaker.web.i18n import LANGUAGES, N_
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

SUBSCRIBE_ERRORS = {"email": N_("register.email_invalid"), "themes": N_("list.choose_theme")}
COMPOSE_ERRORS = {
    "subject": N_("error.required"),
    "body": N_("error.required"),
    "themes": N_("list.choose_theme"),
}


async def _posted(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("email", "language", "subject", "body")}
    return values, [str(v) for v in form.getlist("themes")]


def _subscribe_page(
    ui: Page,
    session: Session,
    *,
    values: dict[str, str],
    chosen: list[str],
    errors: dict[str, str],
    sent: bool = False,
    status: int = 200,
) -> Response:
    t = ui.t
    return ui.render(
        "mailinglist/subscribe.html",
        "mailinglist/_subscribe.html",
        status=status,
        here="/mailing-list",
        title=t("list.title"),
        fields=list_views.subscribe_form(t, theme_names(session, t), values, chosen, errors),
        sent=sent,
        error=t("form.has_errors") if errors else "",
    )


@router.get("/mailing-list")
def subscribe_page(ui: PageDep, session: SessionDep, sent: str = "", theme: str = "") -> Response:
    return _subscribe_page(
        ui, session, values={}, chosen=[theme] if theme else [], errors={}, sent=bool(sent)
    )


@router.post("/mailing-list")
async def subscribe(request: Request, ui: PageDep, session: SessionDep) -> Response:
    values, chosen = await _posted(request)
    lang = values["language"] if values["language"] in LANGUAGES else ui.lang
    try:
        service.subscribe(
            session,
            request.app.state.settings,
            email=values["email"],
            themes=chosen,
            language=Language(lang),
        )
    except InputError as exc:
        session.rollback()
        errors = {exc.field: ui.t(SUBSCRIBE_ERRORS.get(exc.field, "error.choose"))}
        return _subscribe_page(ui, session, values=values, chosen=chosen, errors=errors, status=422)
    return ui.redirect("/mailing-list?sent=1")


def _state_page(
    ui: Page, *, key: str, sub: Subscriber | None, token: str = "", ask: bool = False
) -> Response:
    return ui.render(
        "mailinglist/state.html",
        "mailinglist/_state.html",
        status=200 if sub is not None else 400,
        title=ui.t("list.title"),
        message=ui.t(key, email=sub.email) if sub else ui.t("list.link_invalid"),
        ask=ask and sub is not None,
        token=token,
    )


@router.get("/mailing-list/confirm")
def confirm(ui: PageDep, session: SessionDep, token: str = "") -> Response:
    sub = service.confirm(session, ui.request.app.state.settings, token)
    return _state_page(ui, key=N_("list.confirmed"), sub=sub)


@router.get("/mailing-list/leave")
def leave_page(ui: PageDep, session: SessionDep, token: str = "") -> Response:
    sub = service.by_leave_link(session, ui.request.app.state.settings, token)
    if sub is not None and sub.unsubscribed_at is not None:
        return _state_page(ui, key=N_("list.left"), sub=sub)
    return _state_page(ui, key=N_("list.leave_ask"), sub=sub, token=token, ask=True)


@router.post("/mailing-list/leave")
def leave(ui: PageDep, session: SessionDep, token: str = "") -> Response:
    sub = service.by_leave_link(session, ui.request.app.state.settings, token)
    if sub is not None:
        service.leave(session, sub)
    return _state_page(ui, key=N_("list.left"), sub=sub)


# -- the facilitators' side ------------------------------------------------------------------


def _compose_page(
    ui: Page,
    session: Session,
    *,
    values: dict[str, str],
    chosen: list[str],
    errors: dict[str, str],
    notice: str = "",
    status: int = 200,
) -> Response:
    t = ui.t
    names = theme_names(session, t)
    counts = service.counts(session)
    return ui.render(
        "mailinglist/compose.html",
        "mailinglist/_compose.html",
        status=status,
        section="mailings",
        here="/mailings",
        title=t("list.compose_title"),
        fields=list_views.compose_form(
            t, names, values, chosen, errors, {**dict.fromkeys(names, 0), **counts}
        ),
        mailings=list_views.mailing_rows(t, names, service.recent(session)),
        subscribers=len(service.on_list(session)),
        notice=notice,
        error=t("form.has_errors") if errors else "",
    )


def _draft(ui: Page, session: Session) -> str:
    """The info point's items published since the last mailing, as the body's first draft."""
    items = info.published_since(session, since=service.last_sent(session))
    base = ui.request.app.state.settings.base_url
    return "\n\n".join(
        info_views.as_text(v) for v in info_views.item_views(session, items, ui.t, base=base)
    )


@router.get("/mailings")
def mailings(ui: PageDep, session: SessionDep, done: str = "") -> Response:
    ui.require_curator()
    notice = ui.t("list.queued_notice") if done == "queued" else ""
    draft = _draft(ui, session)
    return _compose_page(
        ui,
        session,
        values={"body": draft},
        chosen=[],
        errors={},
        notice=notice or (ui.t("list.draft") if draft else ""),
    )


@router.post("/mailings")
async def send_mailing(request: Request, ui: PageDep, session: SessionDep) -> Response:
    principal = ui.require_curator()
    assert principal.user is not None
    values, chosen = await _posted(request)
    try:
        service.queue(
            session,
            subject=values["subject"],
            body=values["body"],
            themes=chosen,
            author=principal.user,
        )
    except InputError as exc:
        session.rollback()
        message = (
            ui.t("error.too_long", max=200 if exc.field == "subject" else 20000)
            if exc.message == "too long"
            else ui.t(COMPOSE_ERRORS.get(exc.field, "error.choose"))
        )
        return _compose_page(
            ui, session, values=values, chosen=chosen, errors={exc.field: message}, status=422
        )
    return ui.redirect("/mailings?done=queued")
