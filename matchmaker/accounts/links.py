"""Signed links in e-mails that act without a login: an introduction's answer, a listing's renewal.

Each link is signed for one purpose with the server's secret and names exactly what it acts on
(and the state it was made for), so it does its one thing once: the service that reads it
refuses it when that state has moved on (the introduction answered, the listing renewed).
"""

from __future__ import annotations

from typing import Any

from matchmaker.accounts import security
from matchmaker.settings import Settings

DAYS = 60  # a link in an e-mail lasts two months
# An unsubscribe link works as long as the message it came in may be read.
LASTING = 3650


def _signer(settings: Settings, purpose: str, days: int) -> security.Signer:
    secret = settings.secret_key or security.load_or_create_secret(settings.instance_dir)
    return security.Signer(secret, days * 86400, purpose=f"link:{purpose}")


def make(settings: Settings, purpose: str, **payload: Any) -> str:
    """A token for `purpose` carrying `payload` (small JSON values)."""
    return _signer(settings, purpose, DAYS).dumps(payload)


def read(
    settings: Settings, purpose: str, token: str, *, days: int = DAYS
) -> dict[str, Any] | None:
    """The payload, or None when the token is tampered with, older than `days`, or for another
    purpose."""
    return _signer(settings, purpose, days).loads(token) if token else None
