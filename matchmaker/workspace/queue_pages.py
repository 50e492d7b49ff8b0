"""The facilitators' match queue and board: decide on suggestions, follow the pipeline."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.errors import InputError
from matchmaker.listings import views
from matchmaker.shapes import storable
from matchmaker.tables import Listing, Match
from matchmaker.vocab import MatchStatus, Status
from matchmaker.web.fields import Field
from matchmaker.web.render import Page, PageDep, safe_next
from matchmaker.workspace import pipeline
from matchmaker.workspace import views as match_views
from matchmaker.workspace.schemas import MoveIn

router = APIRouter(tags=["pages"], include_in_schema=False)

SHOWN = 100  # queue entries on one page, best first
BOARD = (
    MatchStatus.shortlisted,
    MatchStatus.introduced,
    MatchStatus.negotiating,
    MatchStatus.pilot,
    MatchStatus.realised,
)
CLOSED = (MatchStatus.rejected, MatchStatus.dropped)


async def posted(request: Request) -> dict[str, str]:
    form = await request.form()
    names = ("status", "reason", "note", "next")
    return {name: str(form.get(name) or "").strip() for name in names}


FormDep = Annotated[dict[str, str], Depends(posted)]


def _min_score(value: str) -> float | None:
    try:
        score = float(value.replace(",", ".").strip())
    except ValueError:
        return None
    return score if 0 <= score <= 100 else None


def _queue(ui: Page, session: Session, theme: str, min_score: str, back: str) -> match_views.Queue:
    t = ui.t
    _, theme_id = match_views.theme_choice(session, theme)
    lowest = _min_score(min_score)
    query = select(Match).where(Match.status == MatchStatus.suggested)
    if theme_id is not None:
        query = query.where(Match.theme_id == theme_id)
    query = pipeline.requested_first(query, min_score=lowest)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(session.exec(query.limit(SHOWN)))
    shown = match_views.match_views(session, rows, t, ui.principal)
    asked = match_views.requests(session, rows, t)
    summary = t("queue.found", total=total)
    if total > SHOWN:
        summary += " " + t("queue.showing", shown=SHOWN)
    pending = session.exec(
        select(Listing).where(Listing.status == Status.pending).order_by(col(Listing.created_at))
    )
    return match_views.Queue(
        items=[match_views.queue_item(m, t, asked=asked.get(m.id, [])) for m in shown],
        summary=summary,
        empty=t("queue.empty"),
        back=back,
        pending=views.listing_views(session, list(pending), t, ui.principal),
    )


def _filters(ui: Page, session: Session, theme: str, min_score: str) -> list[Field]:
    slug, _ = match_views.theme_choice(session, theme)
    lowest = _min_score(min_score)
    return [
        match_views.theme_field(session, ui.t, slug),
        Field(
            "min_score",
            ui.t("queue.min_score"),
            "number",
            value="" if lowest is None else f"{lowest:g}",
            attrs={
                "min": "0",
                "max": "100",
                "step": "1",
                "inputmode": "numeric",
                "placeholder": "0–100",
            },
        ),
    ]


def _queue_page(
    ui: Page,
    session: Session,
    theme: str,
    min_score: str,
    *,
    status: int = 200,
    notice: str = "",
    item: match_views.QueueItem | None = None,
    back: str = "",
) -> Response:
    """The queue; `back` is where a decision returns, by default the URL of this request."""
    if not back:
        back = str(ui.request.url.path)
        if ui.request.url.query:
            back += "?" + ui.request.url.query
    queue = _queue(ui, session, theme, min_score, back)
    if item is not None:  # a decision that failed: show it, with its message, in its place
        queue.items = [item if q.match.id == item.match.id else q for q in queue.items]
    return ui.render(
        "matches/queue.html",
        "matches/_queue.html" if item is None else "matches/_queue_item.html",
        status=status,
        section="queue",
        here="/matches",
        title=ui.t("queue.title"),
        filters=_filters(ui, session, theme, min_score),
        queue=queue,
        item=item,
        threshold=ui.t(
            "queue.threshold", score=ui.t.number(ui.request.app.state.settings.queue_threshold, 1)
        ),
        notice=notice,
    )


@router.get("/matches")
def queue(
    ui: PageDep, session: SessionDep, theme: str = "", min_score: str = "", refreshed: str = ""
) -> Response:
    ui.require_curator()
    notice = ui.t("queue.refreshed", added=int(refreshed)) if refreshed.isdigit() else ""
    return _queue_page(ui, session, theme, min_score, notice=notice)


@router.post("/matches/refresh")
def fill_queue(ui: PageDep, session: SessionDep, matcher: MatcherDep) -> Response:
    """New suggestions above the queue_threshold setting join the queue."""
    ui.require_curator()
    threshold = ui.request.app.state.settings.queue_threshold
    report = pipeline.fill_queue(session, matcher, threshold=threshold)
    return ui.redirect(f"/matches?refreshed={report.added}")


@router.post("/matches/{match_id:int}/decide")
def decide(match_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Shortlist a suggestion, or reject it with a reason: inline with htmx, else back to the
    queue it was decided on."""
    principal = ui.require_curator()
    match = session.get(Match, match_id) if storable(match_id) else None
    if match is None:
        return ui.not_found()
    t = ui.t
    wanted = form["status"] if form["status"] in ("shortlisted", "rejected") else ""
    error = ""
    try:
        data = MoveIn(status=wanted or "?", reason=form["reason"] or None, note=form["note"])
        pipeline.decide(
            session, match, data.status, by=principal.user, note=data.note, reason=data.reason
        )
    except ValidationError:
        error = t("match.error.invalid")
    except InputError as exc:
        error = t("match.error.reason") if exc.field == "reason" else t("match.error.status")
    session.refresh(match)
    view = match_views.match_views(session, [match], t, ui.principal)[0]
    asked = match_views.requests(session, [match], t).get(match_id, [])
    item = match_views.queue_item(view, t, form["reason"], form["note"], error, asked=asked)
    if not error:
        if not ui.htmx:
            return ui.redirect(safe_next(form["next"] or "/matches"))
        return ui.render("matches/queue.html", "matches/_decided.html", item=item)
    theme, min_score = _back_filters(form["next"])
    back = safe_next(form["next"] or "/matches")
    return _queue_page(ui, session, theme, min_score, status=422, item=item, back=back)


def _back_filters(url: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(safe_next(url)).query)
    return query.get("theme", [""])[0], query.get("min_score", [""])[0]


@router.get("/matches/board")
def board(ui: PageDep, session: SessionDep, theme: str = "") -> Response:
    ui.require_curator()
    t = ui.t
    slug, theme_id = match_views.theme_choice(session, theme)
    query = select(Match).where(col(Match.status).in_(BOARD))
    counted = select(Match.status, func.count()).where(col(Match.status).in_(CLOSED))
    if theme_id is not None:
        query = query.where(Match.theme_id == theme_id)
        counted = counted.where(Match.theme_id == theme_id)
    rows = list(session.exec(query.order_by(col(Match.updated_at), col(Match.id))))
    days = ui.request.app.state.settings.stale_days
    stale = {m.id for m in pipeline.stale(session, days) if m.id is not None}
    cards = match_views.match_views(session, rows, t, ui.principal, stale_ids=stale)
    closed = dict(session.exec(counted.group_by(col(Match.status))).all())
    return ui.render(
        "matches/board.html",
        "matches/_board.html",
        section="board",
        title=t("board.title"),
        filters=[match_views.theme_field(session, t, slug)],
        columns=match_views.columns(cards, BOARD, t),
        closed=[
            match_views.Closed(t.label("matchstatus", s), int(closed.get(s, 0))) for s in CLOSED
        ],
        stale_note=t("board.stale_note", days=days),
    )
