"""Renew or close a listing from its expiry reminder: the signed link, no login needed."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.listings import expiry
from matchmaker.web.render import Page, PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _render(ui: Page, *, status: int = 200, title: str, **context: Any) -> Response:
    """The one page, in whichever state: asking, done (until or closed) or gone."""
    values: dict[str, Any] = {
        "until": "",
        "closed": "",
        "gone": False,
        "listing": None,
        "ends": "",
        "months": expiry.RENEW_MONTHS,
        "token": "",
        "error": "",
    }
    values.update(context)
    return ui.render(
        "listings/renew.html", "listings/_renew.html", status=status, title=title, **values
    )


@router.get("/listings/renew")
def renew_page(
    ui: PageDep, session: SessionDep, token: str = "", until: str = "", closed: str = ""
) -> Response:
    """The reminder's link: a page with one button per choice, since a GET changes nothing
    (a mail scanner that follows links renews nothing)."""
    if until or closed:
        try:
            shown = ui.t.date(date.fromisoformat(until)) if until else ""
        except ValueError:
            shown = ""
        return _render(ui, title=ui.t("renew.done.title"), until=shown, closed=closed)
    listing = expiry.by_link(session, ui.request.app.state.settings, token)
    if listing is None:
        return _render(ui, status=410, title=ui.t("renew.gone.title"), gone=True)
    return _render(
        ui,
        title=ui.t("renew.title"),
        listing=listing,
        ends=ui.t.date(listing.available_until),
        months=expiry.RENEW_MONTHS,
        token=token,
    )


@router.post("/listings/renew")
def renew(
    ui: PageDep,
    session: SessionDep,
    matcher: MatcherDep,
    token: str = Form(""),
    choice: str = Form(""),
) -> Response:
    listing = expiry.by_link(session, ui.request.app.state.settings, token)
    if listing is None:
        return _render(ui, status=410, title=ui.t("renew.gone.title"), gone=True)
    if choice == "close":
        expiry.close(session, listing, matcher=matcher)
        return ui.redirect("/listings/renew?closed=1")
    if choice in {str(m) for m in expiry.RENEW_MONTHS}:
        done = expiry.renew(session, listing, int(choice), matcher=matcher)
        assert done.until is not None
        return ui.redirect(f"/listings/renew?until={done.until.isoformat()}")
    return _render(
        ui,
        status=422,
        title=ui.t("renew.title"),
        listing=listing,
        ends=ui.t.date(listing.available_until),
        months=expiry.RENEW_MONTHS,
        token=token,
        error=ui.t("renew.choose"),
    )
