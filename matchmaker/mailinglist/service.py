"""Subscribing (double opt-in), leaving, and the facilitators' mailings to the subscribers.

Subscribing needs no account: the address gets a signed link that confirms the themes it
names, so nobody is put on the list, or has their themes changed, by someone else. A mailing is
queued by the facilitator and sent by `notify`; a MailingDelivery per subscriber is unique and
is committed with the outbox message, so nobody gets a mailing twice, across runs and workers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matchmaker.accounts import links, mail
from matchmaker.accounts.service import normalise_email
from matchmaker.errors import InputError
from matchmaker.listings.views import theme_names
from matchmaker.mailinglist.tables import Mailing, MailingDelivery, Subscriber
from matchmaker.settings import Settings
from matchmaker.tables import Theme, User, saved_id, utcnow
from matchmaker.vocab import Language
from matchmaker.web.i18n import Translator

log = logging.getLogger(__name__)

CONFIRM, LEAVE = "list-confirm", "list-off"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _themes(session: Session, chosen: Sequence[str]) -> list[str]:
    known = {th.slug for th in session.exec(select(Theme))}
    picked = sorted({slug for slug in chosen if slug})
    if not picked:
        raise InputError("themes", "choose at least one theme")
    if any(slug not in known for slug in picked):
        raise InputError("themes", "unknown theme")
    return picked


def _address(email: str) -> str:
    address = normalise_email(email)
    if len(address) > 254 or not _EMAIL.match(address):
        raise InputError("email", "not an e-mail address")
    return address


def confirm_url(settings: Settings, sub: Subscriber, themes: list[str], lang: str) -> str:
    token = links.make(settings, CONFIRM, s=saved_id(sub), t=themes, l=lang)
    return f"{settings.base_url}/mailing-list/confirm?token={token}"


def leave_url(settings: Settings, sub: Subscriber) -> str:
    token = links.make(settings, LEAVE, s=saved_id(sub))
    return f"{settings.base_url}/mailing-list/leave?token={token}"


def subscribe(
    session: Session,
    settings: Settings,
    *,
    email: str,
    themes: Sequence[str],
    language: Language,
) -> None:
    """Send the confirmation link; the list changes only when it is followed. The answer is the
    same whether or not the address is on the list already (it tells nobody who is)."""
    address, picked = _address(email), _themes(session, themes)
    sub = session.exec(select(Subscriber).where(Subscriber.email == address)).first()
    if sub is None:
        sub = Subscriber(email=address, language=language)
        session.add(sub)
        session.commit()
        session.refresh(sub)
    url = confirm_url(settings, sub, picked, language.value)
    t = Translator(language)
    names = theme_names(session, t)
    mail.send(
        session,
        settings,
        to=address,
        subject=t("list.confirm_subject"),
        body=t(
            "list.confirm_body",
            themes=", ".join(names.get(slug, slug) for slug in picked),
            url=url,
        ),
        secret=url,
    )


def confirm(session: Session, settings: Settings, token: str) -> Subscriber | None:
    """Follow a confirmation link: the subscriber is on the list for the themes it names."""
    payload = links.read(settings, CONFIRM, token)
    if payload is None or not isinstance(payload.get("s"), int):
        return None
    sub = session.get(Subscriber, payload["s"])
    if sub is None:
        return None
    sub.themes = [str(slug) for slug in payload.get("t") or []]
    if payload.get("l") in {lang.value for lang in Language}:
        sub.language = Language(payload["l"])
    sub.confirmed_at = utcnow()
    sub.unsubscribed_at = None
    session.add(sub)
    session.commit()
    session.refresh(sub)
    return sub


def by_leave_link(session: Session, settings: Settings, token: str) -> Subscriber | None:
    payload = links.read(settings, LEAVE, token, days=links.LASTING)
    if payload is None or not isinstance(payload.get("s"), int):
        return None
    return session.get(Subscriber, payload["s"])


def leave(session: Session, sub: Subscriber) -> Subscriber:
    if sub.unsubscribed_at is None:
        sub.unsubscribed_at = utcnow()
        session.add(sub)
        session.commit()
        session.refresh(sub)
    return sub


def on_list(session: Session) -> list[Subscriber]:
    """Confirmed subscribers who have not left."""
    return list(
        session.exec(
            select(Subscriber)
            .where(
                col(Subscriber.confirmed_at).is_not(None), col(Subscriber.unsubscribed_at).is_(None)
            )
            .order_by(col(Subscriber.id))
        )
    )


def counts(session: Session) -> dict[str, int]:
    """Theme slug -> how many subscribers follow it."""
    out: dict[str, int] = {}
    for sub in on_list(session):
        for slug in sub.themes:
            out[slug] = out.get(slug, 0) + 1
    return out


def queue(
    session: Session, *, subject: str, body: str, themes: Sequence[str], author: User
) -> Mailing:
    """A facilitator's mailing, sent by the next run of `notify`."""
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise InputError("subject", "required")
    if len(subject) > 200:
        raise InputError("subject", "too long")
    if not body:
        raise InputError("body", "required")
    if len(body) > 20000:
        raise InputError("body", "too long")
    mailing = Mailing(
        subject=subject, body=body, themes=_themes(session, themes), author_id=saved_id(author)
    )
    session.add(mailing)
    session.commit()
    session.refresh(mailing)
    return mailing


def last_sent(session: Session) -> datetime | None:
    """When the newest mailing was written: the info point's news since then make a draft."""
    newest = session.exec(select(Mailing).order_by(col(Mailing.id).desc())).first()
    return newest.created_at if newest else None


def recent(session: Session, limit: int = 20) -> list[tuple[Mailing, int]]:
    """The newest mailings, each with how many subscribers it has reached."""
    mailings = session.exec(select(Mailing).order_by(col(Mailing.id).desc()).limit(limit)).all()
    out = []
    for m in mailings:
        reached = session.exec(
            select(MailingDelivery.id).where(MailingDelivery.mailing_id == m.id)
        ).all()
        out.append((m, len(reached)))
    return out


def _deliver(session: Session, settings: Settings, mailing: Mailing, sub: Subscriber) -> bool:
    delivery = MailingDelivery(mailing_id=saved_id(mailing), subscriber_id=saved_id(sub))
    session.add(delivery)
    try:
        session.flush()
    except IntegrityError:  # another run has it
        session.rollback()
        return False
    t = Translator(sub.language)
    url = leave_url(settings, sub)
    body = mailing.body + "\n\n-- \n" + t("list.footer", url=url)
    # one commit records the delivery and the outbox message together
    out = mail.send(
        session,
        settings,
        to=sub.email,
        subject=mailing.subject,
        body=body,
        secret=url,
        unsubscribe=url,
    )
    delivery.outbox_id = out.id
    session.add(delivery)
    session.commit()
    return True


def send_due(session: Session, settings: Settings, *, now: datetime | None = None) -> int:
    """Send the queued mailings to each subscriber of their themes who lacks them."""
    sent = 0
    mailings = session.exec(select(Mailing).where(col(Mailing.done_at).is_(None))).all()
    for mailing in mailings:
        have = set(
            session.exec(
                select(MailingDelivery.subscriber_id).where(
                    MailingDelivery.mailing_id == mailing.id
                )
            ).all()
        )
        for sub in on_list(session):
            if saved_id(sub) in have or not set(sub.themes) & set(mailing.themes):
                continue
            sent += _deliver(session, settings, mailing, sub)
        mailing.done_at = now or utcnow()
        session.add(mailing)
        session.commit()
    log.info("mailings: %d messages sent", sent)
    return sent
