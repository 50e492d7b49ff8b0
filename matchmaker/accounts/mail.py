"""Outgoing e-mail: always recorded in the outbox, delivered over SMTP when one is set.

A message that carries a one-time link (an invitation, a password reset) is for its addressee
only: the outbox keeps it with the link withheld, SMTP gets the whole message, and without SMTP
(or when delivery fails) the whole message goes to a file only the operator reads,
instance_dir/outbox/<id>.eml (mode 0600), never to the web UI or an export.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
from email import policy
from email.message import EmailMessage
from pathlib import Path

from sqlmodel import Session

from matchmaker.settings import Settings
from matchmaker.tables import OutboxMessage, utcnow

log = logging.getLogger(__name__)

WITHHELD = "[one-time link withheld: it goes to the addressee only]"
# A one-time link in any stored body, also in messages from before links were withheld.
_ONE_TIME_LINK = re.compile(r"\S*[?&]token=[A-Za-z0-9_\-]+")


def send(
    session: Session,
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    secret: str | None = None,
    unsubscribe: str | None = None,
) -> OutboxMessage:
    """Record the message (committed) and try to deliver it; a failure is kept, not raised.

    `secret` is the one-time link in `body`: the outbox keeps the body without it.
    `unsubscribe` is a link that ends such messages: it goes in the List-Unsubscribe headers
    (RFC 8058), so a mail program offers it and posts to it in one click.
    """
    extra = list_headers(unsubscribe)
    kept = body.replace(secret, WITHHELD) if secret else body
    message = OutboxMessage(to=to, subject=subject, body=kept, secret=bool(secret))
    session.add(message)
    session.commit()
    delivered = False
    if settings.smtp_host:
        try:
            deliver(settings, message, body, extra)
            message.sent_at = utcnow()
            delivered = True
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("could not send mail %s to %s: %s", message.id, to, exc)
            message.error = str(exc)[:500]
        session.add(message)
        session.commit()
    if secret and not delivered:
        path = write_operator_copy(settings, message, body, extra)
        log.info(
            "mail %s to %s holds a one-time link: the operator finds it in %s", message.id, to, path
        )
    session.refresh(message)
    return message


def shown_body(message: OutboxMessage) -> str:
    """The body as anyone but its addressee may see it (outbox, exports): no one-time link."""
    return _ONE_TIME_LINK.sub(WITHHELD, message.body)


def list_headers(unsubscribe: str | None) -> dict[str, str]:
    if not unsubscribe:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def compose(
    settings: Settings, message: OutboxMessage, body: str, headers: dict[str, str] | None = None
) -> EmailMessage:
    """The whole e-mail: 8-bit text without folded lines, so a link stays one line in a file."""
    email = EmailMessage(policy=policy.default.clone(max_line_length=None))
    email["From"], email["To"], email["Subject"] = settings.mail_from, message.to, message.subject
    for name, value in (headers or {}).items():
        email[name] = value
    email.set_content(body, cte="8bit")
    return email


def operator_copy_path(settings: Settings, message: OutboxMessage) -> Path:
    return Path(settings.instance_dir) / "outbox" / f"{message.id}.eml"


def write_operator_copy(
    settings: Settings, message: OutboxMessage, body: str, headers: dict[str, str] | None = None
) -> Path:
    """The whole message in a file only the server's user reads (folder 0700, file 0600)."""
    path = operator_copy_path(settings, message)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(compose(settings, message, body, headers).as_bytes())
    os.chmod(path, 0o600)  # also when the file was there before, with other bits
    return path


def deliver(
    settings: Settings,
    message: OutboxMessage,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = settings.mail_from, message.to, message.subject
    for name, value in (headers or {}).items():
        email[name] = value
    email.set_content(message.body if body is None else body)
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(email)
