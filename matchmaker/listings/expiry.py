"""Expiry reminders: a listing's owners hear 14 days before its `available_until`, and renew it
(3, 6 or 12 months) or close it by the signed link in the message, without logging in.

A listing is reminded once per expiry date: `Listing.reminded_for` keeps the date the reminder
went out for, claimed by a conditional UPDATE before anything is sent, so neither a second run,
a restart nor a second worker sends it twice; a renewal moves the date, and with it the next
reminder. The link names the listing and that date, so it stops working once used.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from matchmaker.accounts import links, mail
from matchmaker.engine.matching import Matcher, today
from matchmaker.listings import service
from matchmaker.listings.schemas import ListingUpdate
from matchmaker.settings import Settings
from matchmaker.tables import Listing, Organisation, User, saved_id
from matchmaker.vocab import Language, Status
from matchmaker.web.i18n import Translator

log = logging.getLogger(__name__)

REMIND_DAYS = 14
RENEW_MONTHS = (3, 6, 12)
LINK = "renew"


def due(session: Session, now: date) -> list[Listing]:
    """Active listings ending within REMIND_DAYS whose owners have not heard of this date."""
    return list(
        session.exec(
            select(Listing)
            .where(
                Listing.status == Status.active,
                col(Listing.available_until) >= now,
                col(Listing.available_until) <= now + timedelta(days=REMIND_DAYS),
                or_(
                    col(Listing.reminded_for).is_(None),
                    col(Listing.reminded_for) != col(Listing.available_until),
                ),
            )
            .order_by(col(Listing.id))
        )
    )


def _claim(session: Session, listing: Listing) -> bool:
    """Mark the reminder sent for this expiry date, unless another run did already."""
    claimed = session.execute(
        update(Listing)
        .where(
            col(Listing.id) == listing.id,
            col(Listing.available_until) == listing.available_until,
            or_(
                col(Listing.reminded_for).is_(None),
                col(Listing.reminded_for) != listing.available_until,
            ),
        )
        .values(reminded_for=listing.available_until)
    )
    session.commit()
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def owners(session: Session, listing: Listing) -> list[tuple[str, Language]]:
    """Whom a reminder goes to: the organisation's active members, each in their language;
    an organisation without accounts, its contact address in its own language."""
    members = session.exec(
        select(User).where(User.organisation_id == listing.organisation_id, col(User.active))
    ).all()
    if members:
        return [(u.email, Language(u.language)) for u in members]
    org = session.get(Organisation, listing.organisation_id)
    if org is not None and org.contact_email:
        return [(org.contact_email, Language(org.language))]
    return []


def renew_url(settings: Settings, listing: Listing) -> str:
    assert listing.available_until is not None
    token = links.make(settings, LINK, l=saved_id(listing), u=listing.available_until.isoformat())
    return f"{settings.base_url}/listings/renew?token={token}"


def remind(session: Session, settings: Settings, *, now: date | None = None) -> int:
    """Send the reminders that are due; returns how many messages went out (or to the outbox)."""
    sent = 0
    for listing in due(session, now or today()):
        if not _claim(session, listing):
            continue
        url = renew_url(settings, listing)
        for to, lang in owners(session, listing):
            t = Translator(lang)
            mail.send(
                session,
                settings,
                to=to,
                subject=t("remind.subject", title=listing.title),
                body=t(
                    "remind.body",
                    title=listing.title,
                    date=t.date(listing.available_until),
                    url=url,
                    link=f"{settings.base_url}/listings/{listing.id}",
                ),
                secret=url,
            )
            sent += 1
    log.info("expiry reminders: %d sent", sent)
    return sent


def by_link(session: Session, settings: Settings, token: str) -> Listing | None:
    """The listing a renewal link is for, while it is active and still ends on that date."""
    payload = links.read(settings, LINK, token)
    if payload is None or not isinstance(payload.get("l"), int):
        return None
    listing = session.get(Listing, payload["l"])
    if (
        listing is None
        or listing.status != Status.active
        or listing.available_until is None
        or listing.available_until.isoformat() != payload.get("u")
    ):
        return None
    return listing


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Renewed:
    until: date | None  # None: closed


def renew(session: Session, listing: Listing, months: int, *, matcher: Matcher) -> Renewed:
    """Extend by `months` from its end (or from today, if that is later)."""
    if months not in RENEW_MONTHS:
        raise ValueError(f"renew by {RENEW_MONTHS}, not {months}")
    start = max(listing.available_until or today(), today())
    until = add_months(start, months)
    service.update_listing(
        session, listing=listing, data=ListingUpdate(available_until=until), matcher=matcher
    )
    return Renewed(until)


def close(session: Session, listing: Listing, *, matcher: Matcher) -> Renewed:
    service.update_listing(
        session, listing=listing, data=ListingUpdate(status=Status.closed), matcher=matcher
    )
    return Renewed(None)
