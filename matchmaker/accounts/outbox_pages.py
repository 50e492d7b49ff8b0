"""The outbox: every message the product sent, or holds when no SMTP server is set."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import col, select

from matchmaker.accounts import mail
from matchmaker.accounts import service as accounts
from matchmaker.deps import SessionDep
from matchmaker.tables import OutboxMessage
from matchmaker.web.render import PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)

SHOWN = 100


@dataclass
class MessageView:
    id: int
    to: str
    subject: str
    body: str
    created: str
    state: str  # sent, held or failed: a CSS class beside the words
    state_label: str
    note: str  # why a one-time link is not shown


@router.get("/outbox")
def outbox(ui: PageDep, session: SessionDep) -> Response:
    principal = ui.require_curator()
    t = ui.t
    accounts.audit(session, principal.user, "read outbox", "page", limit=SHOWN)
    session.commit()  # before the read: a commit would expire the rows read
    rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(SHOWN))
    messages = []
    for m in rows:
        assert m.id is not None
        if m.sent_at is not None:
            state, label = "sent", t("outbox.sent", when=t.time(m.sent_at))
        elif m.error:
            state, label = "failed", t("outbox.failed", error=m.error)
        else:
            state, label = "held", t("outbox.held")
        messages.append(
            MessageView(
                m.id,
                m.to,
                m.subject,
                mail.shown_body(m),
                t.time(m.created_at),
                state,
                label,
                t("outbox.withheld") if m.secret else "",
            )
        )
    smtp = ui.request.app.state.settings.smtp_host
    return ui.render(
        "outbox/index.html",
        "outbox/_list.html",
        section="outbox",
        title=t("outbox.title"),
        messages=messages,
        mode=t("outbox.smtp", host=smtp) if smtp else t("outbox.no_smtp"),
    )
