"""Digests: one message per member per period, in the member's language, with a signed
unsubscribe link that needs no login.

A member's period is their setting: instant (each run of `notify`), daily or weekly (at
MATCHMAKER_DIGEST_AT, Helsinki time, each day or each Monday, with what was found before it).
A Digest row is unique per member and period, and claims its notices with one conditional
UPDATE in the same transaction that records the message in the outbox: a second run, a
restart or a second worker finds the period taken or the notices claimed, so nothing is sent
twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matchmaker.accounts import links, mail
from matchmaker.accounts.auth import Principal
from matchmaker.alerts.collect import INFO, SEARCH, SUGGESTION
from matchmaker.engine.matching import HELSINKI, expired
from matchmaker.infopoint import views as info_views
from matchmaker.listings import visibility
from matchmaker.settings import Settings
from matchmaker.tables import (
    Digest,
    InfoItem,
    Listing,
    Notice,
    Organisation,
    SavedSearch,
    User,
    saved_id,
    utcnow,
)
from matchmaker.vocab import AlertPeriod, Status
from matchmaker.web.i18n import Translator

log = logging.getLogger(__name__)

UNSUBSCRIBE = "alerts-off"


def cutoff(alerts: AlertPeriod, now: datetime, at: time) -> datetime | None:
    """The latest digest moment at or before `now` for this period: a digest tells of what was
    found before its moment, and what is found after waits for the next one."""
    if alerts == AlertPeriod.instant:
        return now
    if alerts == AlertPeriod.off:
        return None
    local = now.astimezone(HELSINKI)
    moment = datetime.combine(local.date(), at, tzinfo=HELSINKI)
    if alerts == AlertPeriod.weekly:
        moment -= timedelta(days=local.weekday())  # that week's Monday
    step = timedelta(days=7 if alerts == AlertPeriod.weekly else 1)
    return moment if moment <= local else moment - step


def period(
    alerts: AlertPeriod, now: datetime, at: time, *, force: bool = False
) -> tuple[str, datetime] | None:
    """The period a message sent now belongs to, and its moment; None for a member who wants
    no alerts. A missed moment (the server was down) is caught up by the next run."""
    if force:
        return f"now:{now.isoformat()}", now
    moment = cutoff(alerts, now, at)
    if moment is None:
        return None
    if alerts == AlertPeriod.instant:
        return f"instant:{now.isoformat(timespec='seconds')}", now
    return f"{alerts.value}:{moment.date().isoformat()}", moment


def unsubscribe_url(settings: Settings, user: User) -> str:
    token = links.make(settings, UNSUBSCRIBE, u=saved_id(user))
    return f"{settings.base_url}/alerts/off?token={token}"


def user_by_link(session: Session, settings: Settings, token: str) -> User | None:
    payload = links.read(settings, UNSUBSCRIBE, token, days=links.LASTING)
    if payload is None or not isinstance(payload.get("u"), int):
        return None
    return session.get(User, payload["u"])


@dataclass
class Line:
    """One new thing in a digest, as its reader may see it."""

    title: str
    organisation: str | None  # None: anonymous to this reader
    score: float
    url: str


def _lines(
    session: Session, settings: Settings, user: User, notices: list[Notice]
) -> dict[tuple[str, int], list[Line]]:
    """(reason, about id) -> the lines under it; a listing closed or expired since is left out."""
    viewer = Principal(user=user)
    listings = {
        saved_id(lst): lst
        for lst in session.exec(
            select(Listing).where(col(Listing.id).in_({n.new_id for n in notices}))
        )
    }
    names = {
        saved_id(o): o.name
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.id).in_({lst.organisation_id for lst in listings.values()})
            )
        )
    }
    out: dict[tuple[str, int], list[Line]] = {}
    for notice in sorted(notices, key=lambda n: -n.score):
        lst = listings.get(notice.new_id)
        if lst is None or lst.status != Status.active or expired(lst):
            continue
        named = visibility.owner_named(viewer, lst)
        out.setdefault((notice.reason, notice.about_id), []).append(
            Line(
                title=lst.title,
                organisation=names.get(lst.organisation_id) if named else None,
                score=notice.score,
                url=f"{settings.base_url}/listings/{lst.id}",
            )
        )
    return out


def _listing_parts(
    session: Session, settings: Settings, user: User, notices: list[Notice], t: Translator
) -> list[tuple[str, int]]:
    """The digest's paragraphs of listings (text, how many lines), one per listing or search."""
    groups = _lines(session, settings, user, [n for n in notices if n.reason != INFO])
    mine = {
        saved_id(lst): lst
        for lst in session.exec(
            select(Listing).where(col(Listing.id).in_({a for r, a in groups if r == SUGGESTION}))
        )
    }
    searches = {
        saved_id(s): s
        for s in session.exec(
            select(SavedSearch).where(
                col(SavedSearch.id).in_({a for r, a in groups if r == SEARCH})
            )
        )
    }
    parts = []
    for (reason, about), lines in groups.items():
        if reason == SUGGESTION and about in mine:
            head = t("digest.for_listing", title=mine[about].title)
        elif reason == SEARCH and about in searches:
            head = t("digest.for_search", text=searches[about].text)
        else:
            continue
        items = [
            t(
                "digest.line",
                title=line.title,
                organisation=line.organisation or t("digest.anonymous"),
                score=t.number(line.score, 0),
                url=line.url,
            )
            for line in lines
        ]
        parts.append((head + "\n" + "\n".join(items), len(items)))
    return parts


def _info_part(
    session: Session, settings: Settings, notices: list[Notice], t: Translator
) -> tuple[str, int] | None:
    """The info point's new items, still published and current, as one paragraph."""
    ids = {n.new_id for n in notices if n.reason == INFO}
    if not ids:
        return None
    items = session.exec(select(InfoItem).where(col(InfoItem.id).in_(ids))).all()
    shown = [
        v
        for v in info_views.item_views(session, items, t, base=settings.base_url)
        if v.shown and v.current
    ]
    if not shown:
        return None
    return t("digest.info") + "\n" + "\n".join(info_views.as_text(v) for v in shown), len(shown)


def compose(
    session: Session, settings: Settings, user: User, notices: list[Notice]
) -> tuple[str, str, str] | None:
    """(subject, body, unsubscribe url) in the member's language; None if nothing is left."""
    t = Translator(user.language)
    parts = _listing_parts(session, settings, user, notices, t)
    news = _info_part(session, settings, notices, t)
    if news is not None:
        parts.append(news)
    if not parts:
        return None
    url = unsubscribe_url(settings, user)
    body = t(
        "digest.body",
        name=user.name or user.email,
        items="\n\n".join(text for text, _ in parts),
        period=t.label("alerts", user.alerts),
        settings_url=f"{settings.base_url}/my/alerts",
        unsubscribe=url,
    )
    return t("digest.subject", count=sum(n for _, n in parts)), body, url


def waiting(session: Session) -> list[User]:
    """Members with notices no digest has claimed yet."""
    ids = select(Notice.user_id).where(col(Notice.digest_id).is_(None)).distinct()
    return list(
        session.exec(
            select(User)
            .where(col(User.id).in_(ids), col(User.active), User.alerts != AlertPeriod.off)
            .order_by(col(User.id))
        )
    )


def _claim(session: Session, user: User, key: str, moment: datetime) -> Digest | None:
    """The digest for this member and period with the notices found before its moment, or None
    when the period is taken or another run claimed them (nothing is committed then)."""
    digest = Digest(user_id=saved_id(user), period=key)
    session.add(digest)
    try:
        session.flush()  # the period is unique per member: another run may have it
    except IntegrityError:
        session.rollback()
        return None
    claimed = session.execute(
        update(Notice)
        .where(
            col(Notice.user_id) == user.id,
            col(Notice.digest_id).is_(None),
            col(Notice.created_at) <= moment,
        )
        .values(digest_id=digest.id)
    )
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        session.rollback()
        return None
    return digest


def send_due(
    session: Session, settings: Settings, *, now: datetime | None = None, force: bool = False
) -> int:
    """Send each member's digest that is due (all pending ones with `force`); returns how many."""
    now = now or utcnow()
    sent = 0
    for user in waiting(session):
        due = period(AlertPeriod(user.alerts), now, settings.digest_at, force=force)
        if due is None:
            continue
        digest = _claim(session, user, *due)
        if digest is None:
            continue
        notices = list(session.exec(select(Notice).where(Notice.digest_id == digest.id)))
        message = compose(session, settings, user, notices)
        if message is None:  # all of it closed since: claimed, and nothing to say
            session.commit()
            continue
        subject, body, url = message
        # one commit records the digest, its claim and the outbox message together
        out = mail.send(
            session,
            settings,
            to=user.email,
            subject=subject,
            body=body,
            secret=url,
            unsubscribe=url,
        )
        digest.outbox_id = out.id
        session.add(digest)
        session.commit()
        sent += 1
    log.info("digests: %d sent", sent)
    return sent
