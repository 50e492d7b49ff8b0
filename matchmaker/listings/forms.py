"""The listing form's data: posted fields -> the API's schemas, their errors -> message keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from matchmaker.engine import ewc, geo
from matchmaker.errors import InputError
from matchmaker.listings import fieldnames
from matchmaker.listings.schemas import ONLY_NEEDS_ACCEPT, ListingCreate, ListingUpdate
from matchmaker.tables import Listing
from matchmaker.web.i18n import N_

# the version: of the listing the edit form was filled in on
FIELDS = (*fieldnames.EDITABLE, "version")
EDITABLE = tuple(f for f in FIELDS if f != "organisation_id")
CHOICES = {
    "organisation_id",
    "kind",
    "theme",
    "category",
    "unit",
    "frequency",
    "status",
    "visibility",
}
AUTO = "auto"  # the language option "detect from the text"

# pydantic error type -> message key; value errors are told apart by field below.
_BY_TYPE = {
    "missing": N_("error.required"),
    "string_too_long": N_("error.too_long"),
    "greater_than": N_("error.positive"),
    "less_than": N_("error.too_big"),
    "float_parsing": N_("error.number"),
    "float_type": N_("error.number"),
    "finite_number": N_("error.number"),
    "int_parsing": N_("error.choose"),
    "int_type": N_("error.choose"),
    "enum": N_("error.choose"),
    "date_parsing": N_("error.date"),
    "date_from_datetime_parsing": N_("error.date"),
    "date_from_datetime_inexact": N_("error.date"),
    "date_type": N_("error.date"),
}
# a waste code's errors (schemas._code_error) name the code
_CODE_ERRORS = {
    "ewc_format": N_("error.ewc"),
    "ewc_unknown": N_("error.ewc_unknown"),
    "ewc_not_hazardous": N_("error.ewc_not_hazardous"),
}


@dataclass
class Message:
    key: str
    params: dict[str, Any] = field(default_factory=dict)


Errors = dict[str, Message]


def read(form: Mapping[str, Any], names: tuple[str, ...] = FIELDS) -> dict[str, str]:
    """The posted text of each field, trimmed; a field left out reads as blank."""
    values = {name: str(form.get(name) or "").strip() for name in names}
    if "quantity" in values:  # Finnish and Swedish write 2,5 for 2.5
        values["quantity"] = values["quantity"].replace(",", ".").replace(" ", "")
    return values


def values_of(listing: Listing, theme_slug: str) -> dict[str, str]:
    """A stored listing as the form's text values, for the edit form."""
    raw = listing.model_dump()
    out = {
        name: "" if raw.get(name) is None else str(getattr(raw[name], "value", raw[name]))
        for name in FIELDS
        if name != "theme"
    }
    out["theme"] = theme_slug
    if listing.quantity is not None:
        out["quantity"] = f"{listing.quantity:g}"
    if listing.ewc_code:  # as the list writes it; the form reads it back
        out["ewc_code"] = ewc.spaced(listing.ewc_code)
    out["accepted_codes"] = ", ".join(ewc.spaced(c) for c in listing.accepted_codes or [])
    return out


def _given(values: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v and not (k == "language" and v == AUTO)}


def parse_create(values: Mapping[str, str]) -> tuple[ListingCreate | None, Errors]:
    try:
        return ListingCreate.model_validate(_given(values)), {}
    except ValidationError as exc:
        return None, errors_of(exc)


def parse_update(values: Mapping[str, str]) -> tuple[ListingUpdate | None, Errors]:
    """Every editable field is sent: a field emptied on the form is cleared on the listing."""
    given = _given(values)
    data = {name: given.get(name) for name in EDITABLE}
    if data["language"] is None:
        data.pop("language")  # "detect" keeps the language the listing has
    try:
        return ListingUpdate.model_validate(data), {}
    except ValidationError as exc:
        return None, errors_of(exc)


def errors_of(exc: ValidationError) -> Errors:
    """The first problem of each field, as a message key and its parameters."""
    found: Errors = {}
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
        name, message = _message(loc[0] if loc else "", error)
        found.setdefault(name, message)
    return found


def _message(name: str, error: Mapping[str, Any]) -> tuple[str, Message]:
    kind = str(error.get("type", ""))
    text = str(error.get("msg", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        if "available_until" in text:
            return "available_until", Message(N_("error.dates_order"))
        if "needs a unit" in text:
            return "unit", Message(N_("error.unit_needed"))
        if ONLY_NEEDS_ACCEPT in text:
            return "accepted_codes", Message(N_("error.accepted_offer"))
        if name == "municipality":
            return name, Message(
                N_("error.municipality"), {"examples": ", ".join(geo.municipality_names()[:4])}
            )
        if "control characters" in text:
            return name, Message(N_("error.control"))
        if "empty" in text:
            return name, Message(N_("error.required"))
        return name or "form", Message(N_("error.invalid"))
    if kind in _CODE_ERRORS:
        return name, Message(_CODE_ERRORS[kind], {"code": ctx.get("code", "")})
    if kind == "string_too_long":
        return name, Message(N_("error.too_long"), {"max": ctx.get("max_length", "")})
    if name in CHOICES and kind == "missing":
        return name, Message(N_("error.choose"))
    return name or "form", Message(_BY_TYPE.get(kind, N_("error.invalid")))


def input_error(exc: InputError) -> Errors:
    """A rule the database checks (an unknown theme or organisation...) as a form error."""
    if exc.field in ("theme", "organisation_id", "kind", "category", "status", "visibility"):
        return {exc.field: Message(N_("error.choose"))}
    if "needs a unit" in exc.message:
        return {"unit": Message(N_("error.unit_needed"))}
    if exc.field == "available_until":
        return {exc.field: Message(N_("error.dates_order"))}
    if exc.field == "accepted_codes":
        return {exc.field: Message(N_("error.accepted_offer"))}
    if "empty" in exc.message:
        return {exc.field: Message(N_("error.required"))}
    return {exc.field: Message(N_("error.invalid"))}
