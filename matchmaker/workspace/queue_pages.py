"""The facilitators' match queue and board: decide on suggestions, follow the pipeline."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from matchmaker.deps import MatcherDep, SessionDep
from matchmaker.errors import InputError
from matchmaker.listings import views
from matchmaker.shapes import MAX_ID, storable
from matchmaker.tables import Listing, Match
from matchmaker.vocab import MatchStatus, Status
from matchmaker.web import paging
from matchmaker.web.fields import Field
from matchmaker.web.render import Page, PageDep, safe_next
from matchmaker.workspace import pipeline
from matchmaker.workspace import views as match_views
from matchmaker.workspace.schemas import MoveIn

router = APIRouter(tags=["pages"], include_in_schema=False)

PER_PAGE = 25  # queue cards on one page: each is two forms and its reasons
MAX_PAGE = MAX_ID // PER_PAGE
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


def _url(theme: str, lowest: float | None, number: int) -> str:
    """The queue with these filters, on page `number`: its page links, where decisions return."""
    shown = "" if lowest is None else f"{lowest:g}"
    params = [("theme", theme), ("min_score", shown), ("page", "" if number == 1 else number)]
    query = urlencode([(k, v) for k, v in params if v != ""])
    return f"/matches?{query}" if query else "/matches"


def _waiting(
    session: Session, theme: str, min_score: str
) -> tuple[str, float | None, SelectOfScalar[Match], int]:
    """The queue's filters read, its matches in pipeline's order, and how many there are."""
    slug, theme_id = match_views.theme_choice(session, theme)
    lowest = _min_score(min_score)
    query = select(Match).where(Match.status == MatchStatus.suggested)
    if theme_id is not None:
        query = query.where(Match.theme_id == theme_id)
    query = pipeline.requested_first(query, min_score=lowest)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return slug, lowest, query, total


def _queue(
    ui: Page, session: Session, theme: str, min_score: str, page: str, back: str
) -> match_views.Queue:
    """One page of the queue, in pipeline's order; past the last page, the last page. `back`
    is where its decisions return, by default this page."""
    t = ui.t
    slug, lowest, query, total = _waiting(session, theme, min_score)
    number = min(paging.asked(page, MAX_PAGE), paging.count(total, PER_PAGE))
    pages = paging.pages(total, number, PER_PAGE, lambda n: _url(slug, lowest, n))
    rows = list(session.exec(query.offset(pages.offset).limit(PER_PAGE)))
    shown = ""
    if total > PER_PAGE:
        last = pages.offset + len(rows)
        shown = t("queue.range", first=pages.offset + 1, last=last, total=total)
    pending = session.exec(
        select(Listing).where(Listing.status == Status.pending).order_by(col(Listing.created_at))
    )
    return match_views.Queue(
        items=match_views.queue_items(session, rows, t, ui.principal),
        waiting=t("queue.found", total=total),
        shown=shown,
        empty=t("queue.empty"),
        back=back or _url(slug, lowest, number),
        pages=pages,
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
    page: str,
    *,
    status: int = 200,
    notice: str = "",
    item: match_views.QueueItem | None = None,
    back: str = "",
) -> Response:
    """The queue page, or for htmx the queue itself (the filters and page links ask for it)."""
    queue = _queue(ui, session, theme, min_score, page, back)
    if item is not None:  # a decision that failed: show it, with its message, in its place
        queue.items = [item if q.match.id == item.match.id else q for q in queue.items]
    return ui.render(
        "matches/queue.html",
        "matches/_queue.html",
        status=status,
        section="queue",
        here="/matches",
        title=ui.t("queue.title"),
        filters=_filters(ui, session, theme, min_score),
        queue=queue,
        back=queue.back,
        threshold=ui.t(
            "queue.threshold", score=ui.t.number(ui.request.app.state.settings.queue_threshold, 1)
        ),
        notice=notice,
    )


@router.get("/matches")
def queue(
    ui: PageDep,
    session: SessionDep,
    theme: str = "",
    min_score: str = "",
    page: str = "1",
    refreshed: str = "",
) -> Response:
    ui.require_curator()
    notice = ui.t("queue.refreshed", added=int(refreshed)) if refreshed.isdigit() else ""
    return _queue_page(ui, session, theme, min_score, page, notice=notice)


@router.post("/matches/refresh")
def fill_queue(ui: PageDep, session: SessionDep, matcher: MatcherDep) -> Response:
    """New suggestions above the queue_threshold setting join the queue."""
    ui.require_curator()
    threshold = ui.request.app.state.settings.queue_threshold
    report = pipeline.fill_queue(session, matcher, threshold=threshold)
    return ui.redirect(f"/matches?refreshed={report.added}")


@router.post("/matches/{match_id:int}/decide")
def decide(match_id: int, ui: PageDep, session: SessionDep, form: FormDep) -> Response:
    """Shortlist a suggestion, or reject it with a reason. With htmx the answer is its card
    alone, decided or with its message (the rest of the page stays as it is); without, back
    to the queue page it was decided on, or that page again with the card's message."""
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
    back = safe_next(form["next"] or "/matches")
    if not error and not ui.htmx:
        return ui.redirect(back)
    session.refresh(match)
    (item,) = match_views.queue_items(
        session, [match], t, ui.principal, reason=form["reason"], note=form["note"], error=error
    )
    query = parse_qs(urlsplit(back).query)
    theme, min_score, page = (query.get(k, [""])[0] for k in ("theme", "min_score", "page"))
    if not error:  # the card, and the queue's count (its filters are the page's) out of band
        total = _waiting(session, theme, min_score)[3]
        waiting = t("queue.found", total=total)
        return ui.render("matches/queue.html", "matches/_decided.html", item=item, waiting=waiting)
    if ui.htmx:
        return ui.render(
            "matches/queue.html", "matches/_queue_item.html", status=422, item=item, back=back
        )
    return _queue_page(ui, session, theme, min_score, page or "1", status=422, item=item, back=back)


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
