"""A listing as its reader may see it: the public shape, with the organisation named only to
those who may know (`visibility.owner_named` decides)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from matchmaker.accounts.auth import VISITOR, Principal
from matchmaker.listings import visibility
from matchmaker.listings.schemas import ListingPublic
from matchmaker.tables import Listing, Organisation, Theme, saved_id


def organisation_names(session: Session, listings: Sequence[Listing]) -> dict[int, str]:
    """Organisation id -> name for the listings' organisations (whether to show it is
    visibility's to say)."""
    org_ids = {lst.organisation_id for lst in listings}
    if not org_ids:
        return {}
    query = select(Organisation).where(col(Organisation.id).in_(org_ids))
    return {saved_id(o): o.name for o in session.exec(query)}


def present(
    session: Session, listings: Sequence[Listing], viewer: Principal | None = None
) -> list[ListingPublic]:
    """Public shapes; an anonymous listing names its organisation only to those who may know."""
    themes = {t.id: t.slug for t in session.exec(select(Theme))}
    orgs = organisation_names(session, listings)
    return [
        ListingPublic.model_validate(
            _public(lst.model_dump(), themes[lst.theme_id], orgs.get(lst.organisation_id), viewer)
        )
        for lst in listings
    ]


_PUBLIC = [
    getattr(Listing, name)
    for name in ListingPublic.model_fields
    if name not in ("theme", "organisation_name")
]

_FIELDS = tuple(ListingPublic.model_fields)


def public_data(
    session: Session, ids: Sequence[int], viewer: Principal | None = None
) -> dict[int, dict[str, Any]]:
    """`present`'s shapes as plain data, read as columns in one query (no ORM object, no
    model): for answers that validate a whole list at once."""
    if not ids:
        return {}
    rows = session.execute(
        sa.select(*_PUBLIC, col(Theme.slug), col(Organisation.name))
        .join(Theme, col(Theme.id) == col(Listing.theme_id))
        .outerjoin(Organisation, col(Organisation.id) == col(Listing.organisation_id))
        .where(col(Listing.id).in_(ids))
    )
    out = {}
    for row in rows:
        *values, theme, org_name = row
        data = dict(zip((c.key for c in _PUBLIC), values, strict=True))
        out[data["id"]] = _public(data, theme, org_name, viewer)
    return out


def _public(
    data: dict[str, Any], theme: str, org_name: str | None, viewer: Principal | None
) -> dict[str, Any]:
    """A listing's columns as ListingPublic's, in its order: an anonymous listing names its
    organisation only to those who may know."""
    shown = _Shown(data["visibility"], data["organisation_id"])
    hidden = not visibility.owner_named(viewer or VISITOR, shown)
    data.update(
        theme=theme,
        organisation_id=None if hidden else data["organisation_id"],
        organisation_name=None if hidden else org_name,
        accepted_codes=data["accepted_codes"] or [],
    )
    return {name: data[name] for name in _FIELDS}


@dataclass(frozen=True)
class _Shown:
    visibility: str
    organisation_id: int
