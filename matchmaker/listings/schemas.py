"""The shapes the API reads and writes (non-table models), validated at the edge."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, model_validator

from matchmaker.engine import geo
from matchmaker.shapes import EMAIL_PATTERN, MAX_ID, DbId, StrictModel
from matchmaker.vocab import (
    Category,
    Frequency,
    Language,
    ListingKind,
    OrgKind,
    Status,
    Unit,
    Visibility,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value.strip()


def _non_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _known_place(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    place = geo.find(value)
    if place is None:
        examples = ", ".join(geo.municipality_names()[:6])
        raise ValueError(f"unknown municipality {value!r}; use a Finnish name such as {examples}")
    return place.name_fi


Title = Annotated[
    str, Field(max_length=200), AfterValidator(_clean_text), AfterValidator(_non_blank)
]
Description = Annotated[str, Field(max_length=5000), AfterValidator(_clean_text)]
Municipality = Annotated[
    str | None, Field(default=None, max_length=80), AfterValidator(_known_place)
]
EwcCode = Annotated[
    str | None,
    Field(default=None, pattern=r"^\d{6}$", description="six-digit European Waste Catalogue code"),
]
Quantity = Annotated[float | None, Field(default=None, gt=0, lt=1e12)]


class _DatesInOrder(StrictModel):
    available_from: date | None = None
    available_until: date | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            raise ValueError("available_until must not be before available_from")
        return self


class ListingCreate(_DatesInOrder):
    organisation_id: DbId
    theme: str = Field(description="theme slug, e.g. construction")
    kind: ListingKind
    category: Category
    title: Title
    description: Description = ""
    language: Language | None = Field(default=None, description="guessed from the text if left out")
    quantity: Quantity = None
    unit: Unit | None = None
    frequency: Frequency | None = None
    municipality: Municipality = None
    ewc_code: EwcCode = None
    status: Status = Status.active
    visibility: Visibility = Visibility.public

    @model_validator(mode="after")
    def _unit_with_quantity(self) -> Self:
        if self.quantity is not None and self.unit is None:
            raise ValueError("a quantity needs a unit")
        return self


class ListingUpdate(_DatesInOrder):
    version: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="the version the edit was made on; "
        "if the listing has moved on since, the edit is refused (409)",
    )
    theme: str | None = None
    kind: ListingKind | None = None
    category: Category | None = None
    title: Title | None = None
    description: Description | None = None
    language: Language | None = None
    quantity: Quantity = None
    unit: Unit | None = None
    frequency: Frequency | None = None
    municipality: Municipality = None
    ewc_code: EwcCode = None
    status: Status | None = None
    visibility: Visibility | None = None


class ListingPublic(BaseModel):
    id: int
    organisation_id: int | None = Field(description="absent for anonymous listings")
    organisation_name: str | None = None
    theme: str
    kind: ListingKind
    category: Category
    title: str
    description: str
    language: Language
    quantity: float | None
    unit: Unit | None
    frequency: Frequency | None
    municipality: str | None
    ewc_code: str | None
    available_from: date | None
    available_until: date | None
    status: Status
    visibility: Visibility
    version: int
    created_at: datetime
    updated_at: datetime


class ListingPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ListingPublic]


class ScorePart(BaseModel):
    name: str
    value: float | None = Field(description="0..1, null when the listings do not say enough")
    weight: float
    text: str
    facts: dict[str, Any]


class SuggestionPublic(BaseModel):
    rank: int
    score: float = Field(
        description="0..100: the calibrated probability, in per cent, that the pair is a real "
        "partner (a logistic model over the parts)"
    )
    band: Literal["strong", "possible", "weak"] = Field(
        description="what the score means: strong (>= 25), possible (>= 6), weak"
    )
    listing: ListingPublic
    parts: list[ScorePart]
    explanation: str


class SearchHit(BaseModel):
    similarity: float
    listing: ListingPublic


class ThemeIn(StrictModel):
    slug: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
    name_fi: Annotated[str, Field(min_length=1, max_length=120)]
    name_sv: Annotated[str, Field(min_length=1, max_length=120)]
    name_en: Annotated[str, Field(min_length=1, max_length=120)]


class ThemePublic(ThemeIn):
    id: int


class OrganisationIn(StrictModel):
    name: Title
    kind: OrgKind
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


class OrganisationPublic(OrganisationIn):
    id: int
