"""The workshop brokerage's tables: a day of 1:1 meetings, its rounds, people and schedule."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from matchmaker.tables import utcnow
from matchmaker.vocab import Language


class Workshop(SQLModel, table=True):
    """A brokerage event of one theme: a day of time slots and a number of meeting tables."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    day: date
    tables: int
    venue: str = Field(default="", max_length=200)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    # how the last schedule was found: "optimal" | "feasible" | "" (not solved yet)
    solved: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class WorkshopSlot(SQLModel, table=True):
    """One meeting round of a workshop; stored in UTC, shown on Helsinki's clock."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    starts_at: datetime
    ends_at: datetime


class Participant(SQLModel, table=True):
    """A person an organisation brings to a workshop, with the listings they talk about."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    language: Language = Language.fi
    # the listings brought; empty: all the organisation's active ones in the workshop's theme
    listing_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)


class Availability(SQLModel, table=True):
    """A participant is free to meet in a slot."""

    participant_id: int = Field(foreign_key="participant.id", primary_key=True)
    slot_id: int = Field(foreign_key="workshopslot.id", primary_key=True)


class MeetingRequest(SQLModel, table=True):
    """A participant asked to meet another: the solver places it whenever it can."""

    __table_args__ = (UniqueConstraint("requester_id", "wanted_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    requester_id: int = Field(foreign_key="participant.id")
    wanted_id: int = Field(foreign_key="participant.id")
    created_at: datetime = Field(default_factory=utcnow)


class Meeting(SQLModel, table=True):
    """One 1:1 meeting of the schedule: a slot, a table, two participants and why."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    slot_id: int = Field(foreign_key="workshopslot.id")
    table_no: int
    first_id: int = Field(foreign_key="participant.id")
    second_id: int = Field(foreign_key="participant.id")
    score: float = 0.0
    requested: bool = False
    locked: bool = False  # a facilitator fixed it: solving again keeps it as it is
    # the best pair of listings behind the score (explained on the agenda); none when asked for
    offer_id: int | None = Field(default=None, foreign_key="listing.id")
    need_id: int | None = Field(default=None, foreign_key="listing.id")
