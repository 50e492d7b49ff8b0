"""Every database table (SQLModel, table=True): the source of truth."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from matchmaker.vocab import (
    Category,
    Frequency,
    Language,
    ListingKind,
    MatchStatus,
    OrgKind,
    Status,
    Unit,
    Visibility,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Theme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=40)
    name_fi: str = Field(max_length=120)
    name_sv: str = Field(max_length=120)
    name_en: str = Field(max_length=120)


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, index=True, unique=True, max_length=80)
    name: str = Field(max_length=200)
    kind: OrgKind
    municipality: str | None = Field(default=None, max_length=80)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    language: Language = Language.fi
    created_at: datetime = Field(default_factory=utcnow)


class Listing(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, index=True, unique=True, max_length=80)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    kind: ListingKind = Field(index=True)
    category: Category
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=5000)
    language: Language
    quantity: float | None = None
    unit: Unit | None = None
    frequency: Frequency | None = None
    municipality: str | None = Field(default=None, max_length=80)
    ewc_code: str | None = Field(default=None, max_length=6)
    available_from: date | None = None
    available_until: date | None = None
    status: Status = Field(default=Status.active, index=True)
    visibility: Visibility = Visibility.public
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ListingVector(SQLModel, table=True):
    """A listing's embedding, kept with the model and the hash of the text it came from."""

    listing_id: int = Field(foreign_key="listing.id", primary_key=True)
    model: str = Field(primary_key=True, max_length=200)
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Match(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("offer_id", "need_id"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="listing.id", index=True)
    need_id: int = Field(foreign_key="listing.id", index=True)
    score: float
    parts: dict[str, float | None] = Field(default_factory=dict, sa_column=Column(JSON))
    status: MatchStatus = Field(default=MatchStatus.suggested, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
