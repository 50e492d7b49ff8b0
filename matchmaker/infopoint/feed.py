"""The info point's Atom feed: the only adapter to feedgen (a version bump touches this file)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

CONTENT_TYPE = "application/atom+xml; charset=utf-8"


@dataclass
class Entry:
    """One item as the feed carries it: its own address, and where its link leads."""

    id: str  # a stable URI: the item's page
    title: str
    summary: str
    language: str
    published: datetime
    updated: datetime
    page: str  # the item's page on this site
    link: str | None  # the item's own link, when it has one
    categories: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (slug, name)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def atom(
    *,
    feed_id: str,
    title: str,
    subtitle: str,
    author: str,
    self_url: str,
    site_url: str,
    language: str,
    entries: Sequence[Entry],
    updated: datetime,
) -> bytes:
    """The feed as Atom 1.0 (UTF-8 XML), entries in the order given."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author(name=author)
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=site_url, rel="alternate", type="text/html")
    fg.language(language)
    fg.updated(_aware(updated))
    for item in entries:
        fe = fg.add_entry(order="append")  # feedgen prepends by default
        fe.id(item.id)
        fe.title(item.title)
        fe.summary(item.summary or item.title)
        fe.published(_aware(item.published))
        fe.updated(_aware(item.updated))
        # One link: feedgen 1.0 writes an entry link's href only (no rel, type or hreflang),
        # so a second one would be a second "alternate", which Atom forbids. The item's page
        # is the entry's id; the link leads to the item's own address when it has one.
        fe.link(href=item.link or item.page)
        for slug, name in item.categories:
            fe.category(term=slug, label=name)
    xml: bytes = fg.atom_str(pretty=True)
    return xml
