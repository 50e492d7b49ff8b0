"""The shapes of what a workshop's forms send, checked before the service sees them."""

from __future__ import annotations

from datetime import date, time

from pydantic import BaseModel, Field

from matchmaker.vocab import Language


class WorkshopIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    theme: str = Field(min_length=1, max_length=40)  # a theme's slug
    day: date
    tables: int = Field(ge=1)  # the upper bound is a setting (workshop_max_tables)
    venue: str = Field(default="", max_length=200)


class SlotsIn(BaseModel):
    """`count` consecutive rounds of `minutes` from `start`, Helsinki time, on the workshop day."""

    start: time
    minutes: int = Field(ge=5, le=240)
    count: int = Field(ge=1, le=24)


class ParticipantIn(BaseModel):
    organisation_id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=200)
    language: Language = Language.fi
    slot_ids: list[int] = Field(min_length=1)
    listing_ids: list[int] = Field(default_factory=list)


class RequestIn(BaseModel):
    requester_id: int = Field(ge=1)
    wanted_id: int = Field(ge=1)


class MeetingEdit(BaseModel):
    """A facilitator's change to one meeting; `slot_id` and `table` for a move only."""

    action: str = Field(pattern="^(lock|unlock|remove|move)$")
    slot_id: int | None = None
    table: int | None = None
