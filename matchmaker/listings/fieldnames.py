"""The listing's fields, named once (by the table): the form's and the sheet's follow from it."""

from __future__ import annotations

from annotated_types import MaxLen
from pydantic import BaseModel

from matchmaker.tables import Listing

# kept by the product, never typed in by whoever posts the listing
BOOKKEEPING = ("id", "key", "version", "created_at", "updated_at", "reminded_for")
# the table refers to the theme by id; the API, the form and the sheet name it by its slug
_GIVEN_AS = {"theme_id": "theme"}

# What a poster fills in, in the table's order (which is the sheet's column order too).
EDITABLE: tuple[str, ...] = tuple(
    _GIVEN_AS.get(name, name) for name in Listing.model_fields if name not in BOOKKEEPING
)


def max_length(shape: type[BaseModel], name: str) -> int | None:
    """The longest text a shape accepts for the field, so that a form can say so too."""
    for rule in shape.model_fields[name].metadata:
        if isinstance(rule, MaxLen):
            return rule.max_length
    return None
