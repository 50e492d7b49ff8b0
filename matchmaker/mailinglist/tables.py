"""The mailing list's tables: subscribers (no account), mailings, and who has which."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from matchmaker.tables import utcnow
from matchmaker.vocab import Language


class Subscriber(SQLModel, table=True):
    """An address on the valley's mailing list, no account needed: it counts once confirmed
    (double opt-in) and until unsubscribed."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)
    language: Language = Language.fi
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # theme slugs
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None


class Mailing(SQLModel, table=True):
    """A facilitator's message to the mailing list's subscribers of some themes."""

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=20000)
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None  # every subscriber of its themes has it


class MailingDelivery(SQLModel, table=True):
    """A mailing to one subscriber: unique, so nobody gets a mailing twice."""

    __table_args__ = (UniqueConstraint("mailing_id", "subscriber_id"),)

    id: int | None = Field(default=None, primary_key=True)
    mailing_id: int = Field(foreign_key="mailing.id", index=True)
    subscriber_id: int = Field(foreign_key="subscriber.id")
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id")
