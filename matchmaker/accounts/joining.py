"""Joining the valley: a request anyone sends; a facilitator approves (invites) or declines it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlmodel import Session, col, select

from matchmaker.accounts import mail
from matchmaker.accounts import service as accounts
from matchmaker.errors import InputError, NotFound
from matchmaker.listings import service as listings
from matchmaker.settings import Settings
from matchmaker.shapes import StrictModel, storable
from matchmaker.tables import JoinRequest, Organisation, User, utcnow
from matchmaker.vocab import Language, OrgKind
from matchmaker.web.i18n import Translator

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"


class JoinIn(StrictModel):
    organisation: Annotated[str, Field(min_length=1, max_length=200)]
    kind: OrgKind
    municipality: Annotated[str | None, Field(default=None, max_length=80)] = None
    contact_name: Annotated[str, Field(min_length=1, max_length=200)]
    email: accounts.Email
    about: Annotated[str, Field(min_length=1, max_length=2000)]
    language: Language = Language.fi


def submit(session: Session, data: JoinIn) -> JoinRequest:
    """Record a request to join; one pending request per address."""
    email = accounts.normalise_email(data.email)
    waiting = session.exec(
        select(JoinRequest).where(JoinRequest.email == email, JoinRequest.status == PENDING)
    ).first()
    if waiting is not None:
        raise InputError("email", "a request from this address is waiting for a facilitator")
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise InputError("email", f"{email} has an account already: log in")
    request = JoinRequest(**{**data.model_dump(), "email": email})
    request.organisation = request.organisation.strip()
    session.add(request)
    session.commit()
    session.refresh(request)
    return request


def pending(session: Session) -> list[JoinRequest]:
    """The requests waiting for a decision, oldest first."""
    query = select(JoinRequest).where(JoinRequest.status == PENDING)
    return list(session.exec(query.order_by(col(JoinRequest.id))))


def pending_ids(session: Session) -> set[int]:
    return {r.id for r in pending(session) if r.id is not None}


def decided(session: Session, limit: int = 20) -> list[JoinRequest]:
    """The latest decisions, newest first."""
    query = select(JoinRequest).where(JoinRequest.status != PENDING)
    return list(session.exec(query.order_by(col(JoinRequest.id).desc()).limit(limit)))


def namesake(session: Session, request: JoinRequest) -> Organisation | None:
    """The organisation that already has the request's name (as organisation_key reads it)."""
    key = listings.organisation_key(request.organisation)
    return listings.organisations_by_key(session).get(key)


def _waiting(session: Session, request_id: int) -> JoinRequest:
    request = session.get(JoinRequest, request_id) if storable(request_id) else None
    if request is None:
        raise NotFound(f"join request {request_id} does not exist")
    if request.status != PENDING:
        raise InputError("status", f"this request was {request.status} already")
    return request


def approve(
    session: Session,
    settings: Settings,
    *,
    by: User,
    request_id: int,
    organisation_id: int | None = None,
) -> JoinRequest:
    """Create the organisation (or link the one named) and invite the contact person to it.

    A new organisation may not take a name that exists: the facilitator links that one instead.
    The organisation, the decision, the invitation and the audit entry are committed together.
    """
    request = _waiting(session, request_id)
    if organisation_id is not None:
        org = session.get(Organisation, organisation_id) if storable(organisation_id) else None
        if org is None:
            raise InputError("organisation_id", f"organisation {organisation_id} does not exist")
    else:
        listings.require_free_name(session, request.organisation, field="organisation_id")
        org = Organisation(
            name=request.organisation,
            kind=request.kind,
            municipality=request.municipality,
            contact_name=request.contact_name,
            contact_email=request.email,
            description=request.about,
            language=request.language,
        )
        session.add(org)
        session.flush()
    request.status, request.organisation_id = APPROVED, org.id
    request.decided_by, request.decided_at = by.id, utcnow()
    session.add(request)
    accounts.audit(session, by, "approve join", request.email, organisation_id=org.id)
    invitation = accounts.InviteIn(
        email=request.email, organisation_id=org.id, name=request.contact_name
    )
    accounts.invite(session, settings, by=by, data=invitation)  # commits it all, then mails
    return request


def decline(
    session: Session, settings: Settings, *, by: User, request_id: int, reason: str
) -> JoinRequest:
    """Decline with a reason, which the applicant reads in a polite message in their language."""
    request = _waiting(session, request_id)
    reason = reason.strip()
    if not reason:
        raise InputError("reason", "say why: the applicant reads it")
    if len(reason) > 1000:
        raise InputError("reason", "at most 1000 characters")
    request.status, request.reason = DECLINED, reason
    request.decided_by, request.decided_at = by.id, utcnow()
    session.add(request)
    accounts.audit(session, by, "decline join", request.email, reason=reason[:200])
    session.commit()
    t = Translator(request.language)
    mail.send(
        session,
        settings,
        to=request.email,
        subject=t("join.mail_declined_subject"),
        body=t(
            "join.mail_declined_body",
            name=request.contact_name,
            organisation=request.organisation,
            reason=reason,
            sender=by.name or by.email,
        ),
    )
    session.refresh(request)
    return request
