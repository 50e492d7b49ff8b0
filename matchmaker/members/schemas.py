"""The members' request shapes, which the pages validate with too."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from matchmaker.listings.schemas import Municipality
from matchmaker.shapes import EMAIL_PATTERN, DbId, StrictModel
from matchmaker.vocab import Language

NOTE_MAX = 1000


class InterestIn(StrictModel):
    """ "Ask for an introduction": which of the member's own listings the other one is for."""

    mine: DbId = Field(description="the id of the member's own listing of the opposite kind")
    note: Annotated[str, Field(max_length=NOTE_MAX)] = ""


class InterestOut(StrictModel):
    match_id: int
    status: str = Field(description="the match's stage in the facilitators' pipeline")
    new: bool = Field(description="false when this organisation had asked already")


class ProfileIn(StrictModel):
    """What a member may change of their organisation (its name and kind stay a facilitator's)."""

    municipality: Municipality = None
    contact_name: Annotated[str | None, Field(default=None, max_length=200)] = None
    contact_email: Annotated[
        str | None, Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
    ] = None
    website: Annotated[
        str | None, Field(default=None, max_length=300, pattern=r"^https?://\S+$")
    ] = None
    description: Annotated[str | None, Field(default=None, max_length=2000)] = None
    language: Language = Language.fi
