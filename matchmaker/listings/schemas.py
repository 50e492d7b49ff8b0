"""The shapes the API reads and writes (non-table models), validated at the edge."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from matchmaker.engine import ewc, geo
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


def _code_error(exc: ewc.CodeError) -> PydanticCustomError:
    # the type (ewc_format, ewc_unknown, ewc_not_hazardous) and the code let a form say it
    return PydanticCustomError(
        f"ewc_{exc.reason}", "{message}", {"code": exc.code, "message": str(exc)}
    )


def _known_code(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return ewc.normalise(value)
    except ewc.CodeError as exc:
        raise _code_error(exc) from None


def _typed_list(value: Any) -> Any:
    """A list of codes typed as one text (a form, a sheet's cell): split at commas or spaces."""
    return ewc.split(value) if isinstance(value, str) else value


def _known_codes(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    try:
        return ewc.normalise_all(values)
    except ewc.CodeError as exc:
        raise _code_error(exc) from None


EwcCode = Annotated[
    str | None,
    Field(
        default=None,
        max_length=20,
        description="European Waste Catalogue code, as 17 01 01 or 170101 (a hazardous one may "
        "keep its asterisk, 17 01 06*); checked against the list, stored as six digits",
        examples=["17 01 01"],
    ),
    AfterValidator(_known_code),
]
_Codes = Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=50)]
AcceptedCodes = Annotated[
    _Codes | None,
    BeforeValidator(_typed_list),
    Field(
        default=None,
        description="a need's: the European Waste Catalogue codes it accepts, checked against "
        "the list and stored as six digits (a form or a sheet types them as one text, "
        "comma- or space-separated)",
        examples=[["17 01 01", "17 01 07"]],
    ),
    AfterValidator(_known_codes),
]
ONLY_NEEDS_ACCEPT = (
    "only a need names the codes it accepts: an offer gives its own code in ewc_code"
)


def check_accepted_codes(kind: ListingKind | str, accepted_codes: list[str] | None) -> None:
    """The one rule for accepted codes: a need's only (ValueError for an offer's)."""
    if kind == ListingKind.offer and accepted_codes:
        raise ValueError(ONLY_NEEDS_ACCEPT)


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
    accepted_codes: AcceptedCodes = None
    status: Status = Status.active
    visibility: Visibility = Visibility.public

    @model_validator(mode="after")
    def _unit_with_quantity(self) -> Self:
        if self.quantity is not None and self.unit is None:
            raise ValueError("a quantity needs a unit")
        return self

    @model_validator(mode="after")
    def _codes_of_a_need(self) -> Self:
        check_accepted_codes(self.kind, self.accepted_codes)
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
    accepted_codes: AcceptedCodes = None
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
    ewc_code: str | None = Field(description="six digits, e.g. 170101")
    accepted_codes: list[str] = Field(description="a need's accepted codes, six digits each")
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
        description="what the score means: strong (>= 25), possible (>= 3), weak"
    )
    listing: ListingPublic
    parts: list[ScorePart]
    explanation: str


class WasteCode(BaseModel):
    code: str = Field(description="six digits, e.g. 170101")
    written: str = Field(description="as the list writes it, e.g. 17 01 01")
    description: str
    description_language: Language = Field(
        description="the description's: sv for Swedish, else en (there is no Finnish list)"
    )
    hazardous: bool = Field(description="marked hazardous (17 01 06*): its receiver needs a permit")
    sub_chapter: str = Field(description="the heading of its four-digit sub-chapter")
    chapter: str = Field(description="the heading of its two-digit chapter")


class WasteCodeSuggestion(WasteCode):
    score: float = Field(description="how well it fits the text: compares the codes of one answer")


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
