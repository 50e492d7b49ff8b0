"""A long list in pages: which page was asked for, its numbered links, previous and next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class PageLink:
    number: int
    url: str
    current: bool


@dataclass
class Pages:
    number: int  # the page shown, from 1
    offset: int  # the items before it
    links: list[PageLink]  # none when everything fits on one page
    previous: str | None
    next: str | None


def asked(raw: str, most: int) -> int:
    """The page number in a query: digits only (int() takes "²"), at least 1, at most `most`
    (so that no page is so far on that its offset overflows the database's integers)."""
    return min(max(1, int(raw)), most) if raw.isascii() and raw.isdigit() else 1


def count(total: int, per_page: int) -> int:
    """How many pages `total` items fill; an empty list still has its one (empty) page."""
    return max(1, -(-total // per_page))


def pages(total: int, number: int, per_page: int, url: Callable[[int], str]) -> Pages:
    """Page `number` of `total` items, with links made by `url(n)`."""
    last = count(total, per_page)
    links = [PageLink(n, url(n), n == number) for n in range(1, last + 1)]
    return Pages(
        number=number,
        offset=(number - 1) * per_page,
        links=links if last > 1 else [],
        previous=links[number - 2].url if 1 < number <= last else None,
        next=links[number].url if number < last else None,
    )
