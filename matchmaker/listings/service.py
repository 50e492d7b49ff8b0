"""Keyword-only functions that read and change listings, themes and organisations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from matchmaker.accounts.auth import VISITOR, Principal
from matchmaker.engine import language
from matchmaker.engine.matching import Matcher
from matchmaker.errors import Conflict, InputError, NotFound
from matchmaker.listings.schemas import (
    ListingCreate,
    ListingPublic,
    ListingUpdate,
    OrganisationIn,
    ThemeIn,
)
from matchmaker.tables import Listing, Organisation, Theme, saved_id, utcnow


def theme_by_slug(session: Session, slug: str) -> Theme:
    theme = session.exec(select(Theme).where(Theme.slug == slug)).first()
    if theme is None:
        known = ", ".join(t.slug for t in session.exec(select(Theme).order_by(col(Theme.slug))))
        raise InputError("theme", f"unknown theme {slug!r}; known themes: {known}")
    return theme


def get_listing(session: Session, listing_id: int) -> Listing:
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound(f"listing {listing_id} does not exist")
    return listing


def create_listing(session: Session, *, data: ListingCreate, matcher: Matcher) -> Listing:
    """Store the listing and its vector in one transaction, then index it."""
    theme = theme_by_slug(session, data.theme)
    if session.get(Organisation, data.organisation_id) is None:
        raise InputError("organisation_id", f"organisation {data.organisation_id} does not exist")
    fields = data.model_dump(exclude={"theme", "language"})
    lang = data.language or language.guess(f"{data.title} {data.description}")
    listing = Listing(**fields, theme_id=saved_id(theme), language=lang)
    return _save(session, listing, matcher)


def update_listing(
    session: Session, *, listing: Listing, data: ListingUpdate, matcher: Matcher
) -> Listing:
    """Apply the changes; with `data.version` set, an edit of a stale version is a Conflict."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    _claim_version(session, listing, changes.pop("version", None) or listing.version)
    if "theme" in changes:
        slug = changes.pop("theme")
        if slug is None:
            raise InputError("theme", "a listing needs a theme")
        changes["theme_id"] = theme_by_slug(session, slug).id
    for required in ("kind", "category", "title", "language", "status", "visibility"):
        if required in changes and changes[required] is None:
            raise InputError(required, "must not be empty")
    for name, value in changes.items():
        setattr(listing, name, value)
    if (
        listing.available_from
        and listing.available_until
        and listing.available_until < listing.available_from
    ):
        raise InputError("available_until", "must not be before available_from")
    if listing.quantity is not None and listing.unit is None:
        raise InputError("unit", "a quantity needs a unit")
    listing.updated_at = utcnow()
    return _save(session, listing, matcher)


def _claim_version(session: Session, listing: Listing, expected: int) -> None:
    """Bump the version only if it is still `expected`, in this transaction.

    The conditional UPDATE takes the write lock, so of two concurrent edits of one version
    exactly one succeeds; the other gets a Conflict and nothing of it is written.
    """
    claimed = session.execute(
        update(Listing)
        .where(col(Listing.id) == listing.id, col(Listing.version) == expected)
        .values(version=expected + 1)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(listing)
        raise Conflict(
            f"listing {listing.id} was changed by someone else since version "
            f"{expected} (it is at version {listing.version} now): reload it and "
            "make your edit again"
        )
    listing.version = expected + 1


def _save(session: Session, listing: Listing, matcher: Matcher) -> Listing:
    try:
        session.add(listing)
        session.flush()
        matcher.store_vectors(session, [listing])
        session.commit()
    except Exception:
        session.rollback()
        raise
    session.refresh(listing)
    matcher.reindex(session, listing)
    return listing


def list_listings(
    session: Session,
    *,
    filters: dict[str, Any],
    limit: int,
    offset: int,
    where: Sequence[Any] = (),
) -> tuple[int, list[Listing]]:
    query = select(Listing)
    for name, value in filters.items():
        if value is not None:
            query = query.where(getattr(Listing, name) == value)
    for clause in where:
        query = query.where(clause)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Listing.created_at).desc(), col(Listing.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return int(total), list(rows)


def present(
    session: Session, listings: Sequence[Listing], viewer: Principal | None = None
) -> list[ListingPublic]:
    """Public shapes; an anonymous listing names its organisation only to those who may know."""
    themes = {t.id: t.slug for t in session.exec(select(Theme))}
    org_ids = {lst.organisation_id for lst in listings}
    orgs = (
        {
            o.id: o.name
            for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
        }
        if org_ids
        else {}
    )
    out = []
    for lst in listings:
        hidden = not (viewer or VISITOR).can_see_owner(lst)
        data = lst.model_dump()
        data.update(
            theme=themes[lst.theme_id],
            organisation_id=None if hidden else lst.organisation_id,
            organisation_name=None if hidden else orgs.get(lst.organisation_id),
        )
        out.append(ListingPublic.model_validate(data))
    return out


def create_theme(session: Session, *, data: ThemeIn) -> Theme:
    if session.exec(select(Theme).where(Theme.slug == data.slug)).first() is not None:
        raise InputError("slug", f"theme {data.slug!r} exists already")
    theme = Theme(**data.model_dump())
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


def create_organisation(session: Session, *, data: OrganisationIn) -> Organisation:
    org = Organisation(**data.model_dump())
    session.add(org)
    session.commit()
    session.refresh(org)
    return org
