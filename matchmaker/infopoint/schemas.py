"""The info point's shapes: an item as written (create, edit) and as read; the pages use them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from matchmaker.shapes import StrictModel
from matchmaker.vocab import InfoKind, Language

TITLE_MAX = 200
SUMMARY_MAX = 2000
URL_MAX = 500
PLACE_MAX = 200
THEMES_MAX = 20
# an address a reader's browser opens: http(s), a host, no white space or control character
URL_PATTERN = (
    r"^https?://[^\s/?#\x00-\x1f\x7f]+\.[^\s/?#\x00-\x1f\x7f]+(?:[/?#][^\s\x00-\x1f\x7f]*)?$"
)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=SUMMARY_MAX)]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=URL_MAX, pattern=URL_PATTERN),
    Field(description="an http(s) address with more on the item"),
]
Place = Annotated[str, StringConstraints(strip_whitespace=True, max_length=PLACE_MAX)]
ThemeSlugs = Annotated[
    list[Annotated[str, StringConstraints(max_length=40)]],
    Field(max_length=THEMES_MAX, description="theme slugs; none: the item is for every theme"),
]


class InfoCreate(StrictModel):
    """A new item. A funding call needs a deadline and an event a date, neither in the past."""

    kind: InfoKind
    title: Title
    summary: Summary = ""
    url: Url | None = None
    language: Language
    themes: ThemeSlugs = Field(default_factory=list)
    deadline: date | None = Field(default=None, description="a funding call's last day")
    event_date: date | None = Field(default=None, description="an event's day")
    place: Place | None = Field(default=None, description="where an event is held")
    published: bool = True


class InfoUpdate(StrictModel):
    """An edit: the fields sent change, the others stay."""

    kind: InfoKind | None = None
    title: Title | None = None
    summary: Summary | None = None
    url: Url | None = None
    language: Language | None = None
    themes: ThemeSlugs | None = None
    deadline: date | None = None
    event_date: date | None = None
    place: Place | None = None
    published: bool | None = None


class InfoPublic(StrictModel):
    id: int
    kind: InfoKind
    title: str
    summary: str
    url: str | None
    language: Language
    themes: list[str]
    deadline: date | None
    event_date: date | None
    place: str | None
    published: bool
    current: bool = Field(description="false once a funding call's deadline or an event is past")
    published_at: datetime | None
    updated_at: datetime


class InfoPage(StrictModel):
    total: int
    items: list[InfoPublic]
