"""The database tables of the core (SQLModel, table=True), the source of truth; the workshops'
and the mailing list's tables live in their packages (db.py registers them all)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from matchmaker.vocab import (
    AlertPeriod,
    Category,
    Frequency,
    InfoKind,
    Language,
    ListingKind,
    MatchStatus,
    OrgKind,
    Role,
    Status,
    Unit,
    Visibility,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def saved_id(row: SQLModel) -> int:
    """The id of a row that has been flushed; a missing one is a programming error."""
    value = getattr(row, "id", None)
    if value is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return int(value)


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
    ewc_code: str | None = Field(default=None, max_length=6)  # six digits, in the catalogue
    # a need's: the codes (six digits each) it can take; an offer gives its own in ewc_code
    accepted_codes: list[str] | None = Field(default=None, sa_column=Column(JSON))
    available_from: date | None = None
    available_until: date | None = None
    status: Status = Field(default=Status.active, index=True)
    visibility: Visibility = Visibility.public
    # the available_until an expiry reminder was sent for (listings/expiry): once per date
    reminded_for: date | None = None
    version: int = Field(
        default=1, description="bumped on every save; an edit of an older version is a conflict"
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ListingVector(SQLModel, table=True):
    """A listing's embedding, kept with the model and the hash of the text it came from."""

    listing_id: int = Field(foreign_key="listing.id", primary_key=True)
    model: str = Field(primary_key=True, max_length=200)
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Match(SQLModel, table=True):
    """A suggested pairing a facilitator follows from the queue to a realised exchange."""

    __table_args__ = (UniqueConstraint("offer_id", "need_id"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="listing.id", index=True)
    need_id: int = Field(foreign_key="listing.id", index=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    score: float
    parts: dict[str, float | None] = Field(default_factory=dict, sa_column=Column(JSON))
    explanation: str = ""
    status: MatchStatus = Field(default=MatchStatus.suggested, index=True)
    reason: str | None = Field(default=None, max_length=60)  # why rejected or dropped
    # An anonymous side is named to the other party only once its owner accepts.
    offer_revealed: bool = True
    need_revealed: bool = True
    amount_per_year: float | None = None  # impact, for pilot and realised matches
    amount_unit: Unit | None = None
    tonnes_per_year: float | None = None
    co2e_t_per_year: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class MatchEvent(SQLModel, table=True):
    """One step of a match's history: who moved it where, when, and why."""

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    from_status: MatchStatus | None = None
    to_status: MatchStatus
    reason: str | None = Field(default=None, max_length=60)
    note: str = Field(default="", max_length=2000)


class Introduction(SQLModel, table=True):
    """The message one party of a match received, in its own language."""

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    side: str = Field(max_length=5)  # "offer" | "need": whose organisation it went to
    outbox_id: int = Field(foreign_key="outboxmessage.id")
    language: Language
    at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: Role = Role.member
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    language: Language = Language.fi
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # how often they hear of new strong suggestions and saved-search results
    alerts: AlertPeriod = AlertPeriod.weekly


class ApiToken(SQLModel, table=True):
    """A personal API token; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None


class UserSession(SQLModel, table=True):
    """A browser's login: the cookie carries a random id, stored here only as its SHA-256."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class OneTimeToken(SQLModel, table=True):
    """An invitation or a password reset: used once, before it expires; stored hashed."""

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=20)  # "invite" | "reset"
    token_hash: str = Field(index=True, unique=True, max_length=64)
    email: str = Field(max_length=254)
    role: Role = Role.member
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    expires_at: datetime
    used_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """Every e-mail the product sends; with no SMTP configured, this is where they stay."""

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str
    # Carries a one-time link (invitation, reset): the body kept here has it withheld.
    secret: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    error: str | None = None


class AuditEntry(SQLModel, table=True):
    """Who did what as a facilitator or admin, and when."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=60)
    target: str = Field(default="", max_length=120)
    detail: dict[str, str | int | float | None] = Field(
        default_factory=dict, sa_column=Column(JSON)
    )


class InterestRequest(SQLModel, table=True):
    """A member's "ask for an introduction" on a match: it puts the match first in the queue."""

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)  # who asked
    user_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=1000)
    at: datetime = Field(default_factory=utcnow)


class MemberVisit(SQLModel, table=True):
    """When a member last opened their organisation's page: what is new is newer than this."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    seen_at: datetime = Field(default_factory=utcnow)


class SavedSearch(SQLModel, table=True):
    """A member's search (text and filters) whose new results reach them with their alerts."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    text: str = Field(max_length=300)
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    kind: ListingKind | None = None
    category: Category | None = None
    municipality: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class Notice(SQLModel, table=True):
    """One thing a member is to hear of: a new strong suggestion for one of their organisation's
    listings, a new result of a saved search, or a new info-point item of their themes. Unique,
    so finding it again adds nothing; the digest that claims it is the only one that tells of
    it."""

    __table_args__ = (UniqueConstraint("user_id", "reason", "about_id", "new_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # suggestion (about a listing) | search (a saved search) | info (an info-point item)
    reason: str = Field(max_length=12)
    about_id: int  # the member's listing, their saved search, or 0 for an info item
    new_id: int  # what is new: the other listing, or the info item
    score: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)
    digest_id: int | None = Field(default=None, foreign_key="digest.id", index=True)


class Digest(SQLModel, table=True):
    """One message to one member for one period ("daily:2026-12-02", "weekly:2026-W49"):
    unique, so a second run or a second worker finds the period taken."""

    __table_args__ = (UniqueConstraint("user_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    period: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow)
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id")


class JobMark(SQLModel, table=True):
    """How far a background job has got (the alerts: listings changed up to this time)."""

    name: str = Field(primary_key=True, max_length=60)
    at: datetime


class JoinRequest(SQLModel, table=True):
    """An organisation's request to join, sent without an account; a facilitator decides it."""

    id: int | None = Field(default=None, primary_key=True)
    organisation: str = Field(max_length=200)
    kind: OrgKind
    municipality: str | None = Field(default=None, max_length=80)
    contact_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    about: str = Field(default="", max_length=2000)  # what they bring or look for
    language: Language = Language.fi
    status: str = Field(default="pending", index=True, max_length=10)  # approved | declined
    reason: str = Field(default="", max_length=1000)  # why declined, as the applicant reads it
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class EmissionFactor(SQLModel, table=True):
    """CO2e avoided per tonne (or MWh) of one material: by waste-code prefix, else the theme's.

    Seeded from workspace/data/emission_factors.csv on first start; admins edit it (audited).
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=40)
    theme: str = Field(max_length=40)  # a theme's slug, or "energy" (amounts in MWh)
    # "" for the theme's fallback; else 2, 4 or 6 digits of the EWC code (longest wins)
    ewc_prefix: str = Field(default="", max_length=6)
    material_fi: str = Field(max_length=200)
    material_sv: str = Field(max_length=200)
    material_en: str = Field(max_length=200)
    co2e: float  # t CO2e avoided per `per`
    per: str = Field(default="t", max_length=4)  # "t" or "MWh"
    density_t_per_m3: float | None = None
    t_per_piece: float | None = None
    basis_fi: str = Field(max_length=500)
    basis_sv: str = Field(max_length=500)
    basis_en: str = Field(max_length=500)
    source: str = Field(max_length=500)  # as published: not translated
    updated_at: datetime = Field(default_factory=utcnow)


class InfoItem(SQLModel, table=True):
    """An info-point item a facilitator publishes: a research result, a funding call, an event
    or a pilot opportunity, written in one language, tagged by themes (none: every theme)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, index=True, unique=True, max_length=80)  # a seed's
    kind: InfoKind = Field(index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=2000)
    url: str | None = Field(default=None, max_length=500)
    language: Language
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # theme slugs
    deadline: date | None = None  # a funding call's (or a pilot's): gone after it
    event_date: date | None = None  # an event's: gone after it
    place: str | None = Field(default=None, max_length=200)
    published: bool = Field(default=True, index=True)
    published_at: datetime | None = Field(default_factory=utcnow, index=True)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
