"""`notify`: what is new becomes notices, the digests that are due go out, then the mailings.

The server's scheduler runs it every MATCHMAKER_NOTIFY_MINUTES; `python -m matchmaker notify`
runs it once, and `notify --now` sends every pending digest whatever its period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from matchmaker.alerts import collect, digests
from matchmaker.engine.matching import Matcher
from matchmaker.mailinglist import service as mailinglist
from matchmaker.settings import Settings
from matchmaker.tables import utcnow


@dataclass(frozen=True)
class Ran:
    notices: int  # new things found
    digests: int  # messages to members
    mailings: int  # messages to the mailing list's subscribers

    def __str__(self) -> str:
        return (
            f"{self.notices} new alerts found, {self.digests} digests sent, "
            f"{self.mailings} mailing-list messages sent"
        )


def run(
    session: Session,
    settings: Settings,
    matcher: Matcher,
    *,
    now: datetime | None = None,
    force: bool = False,
) -> Ran:
    now = now or utcnow()
    found = collect.collect(session, matcher, now=now)
    sent = digests.send_due(session, settings, now=now, force=force)
    mailed = mailinglist.send_due(session, settings, now=now)
    return Ran(found, sent, mailed)
