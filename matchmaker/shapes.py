"""Shapes every domain's schemas share: ids in the database's range, a base that refuses extras."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

# PostgreSQL's integer (SQLite's holds more): one range on both databases, so a larger id is a
# client error and never an overflow
MAX_ID = 2**31 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# No white space and no control character anywhere: an address ends up in a mail header, where
# a line separator (even \x1c-\x1e) would be refused or, worse, start a header of its own.
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"


def storable(n: int) -> bool:
    """Whether `n` can be a row's id: the pages' `{id:int}` paths take any digits, the API
    bounds them with PathId; an id no row can have is simply not found."""
    return 1 <= n <= MAX_ID


class StrictModel(BaseModel):
    """Input that names a field the schema does not know is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")
