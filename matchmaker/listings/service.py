"""Keyword-only functions that read and change listings, themes and organisations."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from matchmaker.accounts import service as accounts
from matchmaker.accounts.auth import Principal
from matchmaker.engine import language, matching
from matchmaker.engine.index import Vectors
from matchmaker.engine.matching import Matcher
from matchmaker.engine.vectors import text_of
from matchmaker.errors import Conflict, InputError, NotFound
from matchmaker.listings.schemas import (
    ListingCreate,
    ListingUpdate,
    OrganisationIn,
    ThemeIn,
    check_accepted_codes,
)
from matchmaker.tables import Listing, ListingVector, Organisation, Theme, User, saved_id, utcnow
from matchmaker.vocab import Language, Status

_FLUSH = 500  # rows written between flushes in a bulk write


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


def guess_language(title: str, description: str) -> Language:
    """A listing's language when its poster gave none: guessed from the text that is embedded."""
    return language.guess(f"{title}\n{description}")


def listing_values(data: ListingCreate, *, theme_id: int) -> dict[str, Any]:
    """The table's values for a validated listing: the theme by id, the language guessed when
    none is given."""
    values = data.model_dump(exclude={"theme"})
    values["theme_id"] = theme_id
    values["language"] = data.language or guess_language(data.title, data.description)
    return values


def new_listing(data: ListingCreate, *, theme_id: int, key: str | None = None) -> Listing:
    """The row of a new listing, not stored yet (add_listings or save_listings store it)."""
    return Listing(**listing_values(data, theme_id=theme_id), key=key)


def _audit_for_others(
    session: Session, by: Principal | None, action: str, listing: Listing, **detail: Any
) -> None:
    """A facilitator's change of another organisation's listing is audited, in its transaction
    (an owner's change of their own is theirs to make)."""
    if by is None or not by.curates or by.organisation_id == listing.organisation_id:
        return
    target = f"listing {listing.id}" if listing.id is not None else f"new {listing.kind}"
    accounts.audit(
        session, by.user, action, target, organisation_id=listing.organisation_id, **detail
    )


def create_listing(
    session: Session, *, data: ListingCreate, matcher: Matcher, by: Principal | None = None
) -> Listing:
    """Store the listing and its vector in one transaction, then index it; `by` is who asks
    (a facilitator posting for another organisation is audited)."""
    theme = theme_by_slug(session, data.theme)
    if session.get(Organisation, data.organisation_id) is None:
        raise InputError("organisation_id", f"organisation {data.organisation_id} does not exist")
    listing = new_listing(data, theme_id=saved_id(theme))
    _audit_for_others(session, by, "create listing", listing, title=listing.title[:120])
    save_listings(session, [listing], matcher)
    return listing


def update_listing(
    session: Session,
    *,
    listing: Listing,
    data: ListingUpdate,
    matcher: Matcher,
    by: Principal | None = None,
) -> Listing:
    """Apply the changes; with `data.version` set, an edit of a stale version is a Conflict.
    `by` is who asks: a facilitator's edit or close of another organisation's listing is
    audited in the same transaction."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    _claim_version(session, listing, changes.pop("version", None) or listing.version)
    closing = changes.get("status") == Status.closed and listing.status != Status.closed
    _audit_for_others(
        session,
        by,
        "close listing" if closing else "edit listing",
        listing,
        fields=", ".join(sorted(changes))[:200],
    )
    if "theme" in changes:
        slug = changes.pop("theme")
        if slug is None:
            raise InputError("theme", "a listing needs a theme")
        changes["theme_id"] = theme_by_slug(session, slug).id
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""  # a cleared description (form or API) is an empty one
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
    try:  # an edit may turn a need with accepted codes into an offer
        check_accepted_codes(listing.kind, listing.accepted_codes)
    except ValueError as exc:
        raise InputError("accepted_codes", str(exc)) from None
    listing.updated_at = utcnow()
    save_listings(session, [listing], matcher)
    return listing


def approve_listing(
    session: Session, *, listing: Listing, by: User | None, matcher: Matcher
) -> Listing:
    """A facilitator approves a pending listing; the audit entry is written with the change."""
    if listing.status != Status.pending:
        raise InputError("status", f"listing {listing.id} is {listing.status}, not pending")
    accounts.audit(session, by, "approve listing", f"listing {listing.id}")
    return update_listing(
        session, listing=listing, data=ListingUpdate(status=Status.active), matcher=matcher
    )


def status_on_save(
    principal: Principal, old: Status | None, new: Status | None, *, approval_required: bool
) -> Status:
    """The status a save by `principal` gives: the API's, the form's and every path's one rule.

    Only an active listing is one a facilitator has let through (or one that needed no
    approval), so a member's save that would make any other listing active - new, draft,
    pending, or closed after any of these - makes it wait as pending while approval is
    required; an active listing stays active. A pending one is lifted by a facilitator only.
    """
    wanted = new or old or Status.active
    if principal.curates or wanted != Status.active or old == Status.active:
        return wanted
    if old == Status.pending:
        raise InputError("status", "a facilitator approves a pending listing")
    return Status.pending if approval_required else wanted


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


def close_expired(session: Session, *, matcher: Matcher) -> list[Listing]:
    """Close every active listing past its `available_until` (the daily pass an operator's
    cron runs; matching already leaves them out at query time). Returns those closed."""
    now = matching.today()
    gone = list(
        session.exec(
            select(Listing).where(
                Listing.status == Status.active, col(Listing.available_until) < now
            )
        )
    )
    for listing in gone:
        listing.status = Status.closed
        listing.version += 1
        listing.updated_at = utcnow()
    save_listings(session, gone, matcher)
    return gone


# -- storing rows and vectors: every way a listing enters the database goes through these ---


def store_rows(
    session: Session,
    listings: Sequence[Listing],
    vectors: Sequence[ListingVector] = (),
    *,
    merge: bool = False,
    progress: Callable[[int], None] | None = None,
) -> None:
    """The lowest level: write listing rows, then ready vector rows, in the open transaction
    (flushed, not committed). With `merge`, rows are matched by their ids: an import keeps
    ids, text hashes and vectors as exported."""
    for rows in (listings, vectors):
        for n, row in enumerate(rows, start=1):
            if merge:
                session.merge(row)
            else:
                session.add(row)
            if n % _FLUSH == 0:
                session.flush()
                if progress:
                    progress(_FLUSH)
        session.flush()
        if progress:
            progress(len(rows) % _FLUSH)


def add_listings(
    session: Session,
    listings: Sequence[Listing],
    matcher: Matcher,
    *,
    vectors: Vectors | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write new or changed listings and their vectors in the open transaction (no commit).

    `vectors`, in the listings' order, were embedded beforehand, so that the write lock is held
    only while writing; without them the listings whose text changed are embedded now.
    Returns how many vectors were embedded.
    """
    store_rows(session, listings)
    if vectors is None:
        embedded, _ = matcher.store_vectors(session, listings, progress)
        return embedded
    for listing, vector in zip(listings, vectors, strict=True):
        session.add(matcher.vector_row(saved_id(listing), text_of(listing), vector))
    session.flush()
    return len(listings)


def save_listings(
    session: Session,
    listings: Sequence[Listing],
    matcher: Matcher,
    *,
    vectors: Vectors | None = None,
    progress: Callable[[int], None] | None = None,
    reindex: bool = True,
) -> int:
    """add_listings, committed with whatever else the transaction holds: all of it or none.
    Then the index entries are brought in step, unless a `matcher.sync` follows anyway."""
    try:
        embedded = add_listings(session, listings, matcher, vectors=vectors, progress=progress)
        session.commit()
    except Exception:
        session.rollback()
        raise
    if reindex:
        for listing in listings:
            session.refresh(listing)
            matcher.reindex(session, listing)
    return embedded


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


def create_theme(session: Session, *, data: ThemeIn) -> Theme:
    if session.exec(select(Theme).where(Theme.slug == data.slug)).first() is not None:
        raise InputError("slug", f"theme {data.slug!r} exists already")
    theme = Theme(**data.model_dump())
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


# Legal forms at either end of a name do not tell organisations apart ("Oy Nya Bygg Ab").
LEGAL_FORMS = frozenset("oy oyj ab abp ky kb ry rf tmi ltd plc inc llc gmbh co corp".split())


def organisation_key(name: str) -> str:
    """The form of a name no two organisations may share: NFKC, casefolded, punctuation and
    spacing collapsed, a legal form at either end dropped ("Porvoon Puutuote Oy", "PORVOON
    PUUTUOTE" and "porvoon  puutuote oy." are one name)."""
    words = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", name).casefold()).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    while len(words) > 1 and words[0] in LEGAL_FORMS:
        words.pop(0)
    return " ".join(words)


def organisations_by_key(session: Session) -> dict[str, Organisation]:
    """Every organisation under its name's key; of two sharing one, the older."""
    found: dict[str, Organisation] = {}
    for org in session.exec(select(Organisation).order_by(col(Organisation.id))):
        found.setdefault(organisation_key(org.name), org)
    return found


def require_free_name(session: Session, name: str, *, field: str = "name") -> None:
    """An InputError if an organisation has this name already (after organisation_key): every
    way an organisation is made (the API, open sign-up, a sheet) calls this first."""
    taken = organisations_by_key(session).get(organisation_key(name))
    if taken is not None:
        raise InputError(
            field,
            f"an organisation named {taken.name!r} exists already: ask its people to invite "
            "you, or choose a name of your own",
        )


def create_organisation(session: Session, *, data: OrganisationIn) -> Organisation:
    require_free_name(session, data.name)
    org = Organisation(**data.model_dump())
    session.add(org)
    session.commit()
    session.refresh(org)
    return org
