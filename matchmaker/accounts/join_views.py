"""What the join pages show: who runs the service, and the requests to decide."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from matchmaker.accounts import joining
from matchmaker.settings import Settings
from matchmaker.tables import JoinRequest
from matchmaker.web.i18n import Translator


@dataclass
class Contact:
    operator: str
    email: str | None  # the facilitators' address; None: the join form is the way


def contact(settings: Settings) -> Contact:
    return Contact(settings.operator, settings.facilitator_email)


@dataclass
class Request:
    id: int
    organisation: str
    kind: str
    municipality: str
    contact_name: str
    email: str
    about: str
    language: str
    sent: str
    namesake_id: int | None  # an organisation of this name exists: linked, not duplicated
    namesake: str
    error: str


@dataclass
class Decision:
    organisation: str
    email: str
    status: str
    reason: str
    at: str
    organisation_url: str


def waiting(session: Session, t: Translator, errors: dict[int, str]) -> list[Request]:
    out = []
    for r in joining.pending(session):
        same = joining.namesake(session, r)
        assert r.id is not None
        out.append(
            Request(
                id=r.id,
                organisation=r.organisation,
                kind=t.label("orgkind", r.kind),
                municipality=r.municipality or "",
                contact_name=r.contact_name,
                email=r.email,
                about=r.about,
                language=t.label("language", r.language),
                sent=t.date(r.created_at.date()),
                namesake_id=same.id if same else None,
                namesake=same.name if same else "",
                error=errors.get(r.id, ""),
            )
        )
    return out


def decided(session: Session, t: Translator) -> list[Decision]:
    return [_decision(r, t) for r in joining.decided(session)]


def _decision(r: JoinRequest, t: Translator) -> Decision:
    approved = r.status == joining.APPROVED
    return Decision(
        organisation=r.organisation,
        email=r.email,
        status=t("joins.status_approved") if approved else t("joins.status_declined"),
        reason=r.reason,
        at=t.date(r.decided_at.date()) if r.decided_at else "",
        organisation_url=f"/organisations/{r.organisation_id}" if r.organisation_id else "",
    )
