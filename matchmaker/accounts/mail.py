"""Outgoing e-mail: always recorded in the outbox, delivered over SMTP when one is set."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlmodel import Session

from matchmaker.settings import Settings
from matchmaker.tables import OutboxMessage, utcnow

log = logging.getLogger(__name__)


def send(
    session: Session, settings: Settings, *, to: str, subject: str, body: str
) -> OutboxMessage:
    """Record the message (committed) and try to deliver it; a failure is kept, not raised."""
    message = OutboxMessage(to=to, subject=subject, body=body)
    session.add(message)
    session.commit()
    if settings.smtp_host:
        try:
            deliver(settings, message)
            message.sent_at = utcnow()
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("could not send mail %s to %s: %s", message.id, to, exc)
            message.error = str(exc)[:500]
        session.add(message)
        session.commit()
    session.refresh(message)
    return message


def deliver(settings: Settings, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = settings.mail_from, message.to, message.subject
    email.set_content(message.body)
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(email)
