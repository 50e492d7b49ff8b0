"""The admins' rules: themes renamed, users changed (not oneself), organisations edited, merged."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from sqlmodel import Session, col, func, select

from matchmaker.accounts import service as accounts
from matchmaker.accounts import sessions
from matchmaker.errors import InputError, NotFound
from matchmaker.listings import service as listings
from matchmaker.listings.schemas import OrganisationIn
from matchmaker.shapes import StrictModel, storable
from matchmaker.tables import (
    InterestRequest,
    JoinRequest,
    Listing,
    Match,
    OneTimeToken,
    Organisation,
    Theme,
    User,
    saved_id,
)

Name = Annotated[str, Field(min_length=1, max_length=120)]


class ThemeNames(StrictModel):
    name_fi: Name
    name_sv: Name
    name_en: Name


def get_theme(session: Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id) if storable(theme_id) else None
    if theme is None:
        raise NotFound(f"theme {theme_id} does not exist")
    return theme


def rename_theme(session: Session, *, by: User | None, theme_id: int, data: ThemeNames) -> Theme:
    """New names in fi/sv/en; the slug, which addresses and sheets use, stays."""
    theme = get_theme(session, theme_id)
    theme.sqlmodel_update(data.model_dump())
    session.add(theme)
    accounts.audit(session, by, "rename theme", theme.slug, **data.model_dump())
    session.commit()
    session.refresh(theme)
    return theme


def change_user(session: Session, *, by: User, user_id: int, data: accounts.UserUpdate) -> User:
    """accounts.update_user, except that an admin does not demote or deactivate themselves:
    the service would otherwise lose its last way in."""
    if user_id == by.id:
        changes = data.model_dump(exclude_unset=True)
        if changes.get("active") is False or changes.get("role", by.role) != by.role:
            raise InputError("role", "you cannot demote or deactivate yourself")
    return accounts.update_user(session, by=by, user_id=user_id, data=data)


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id) if storable(organisation_id) else None
    if org is None:
        raise NotFound(f"organisation {organisation_id} does not exist")
    return org


def update_organisation(
    session: Session, *, by: User | None, organisation_id: int, data: OrganisationIn
) -> Organisation:
    """Edit an organisation; its new name may not be another's (as organisation_key reads it)."""
    org = get_organisation(session, organisation_id)
    taken = listings.organisations_by_key(session).get(listings.organisation_key(data.name))
    if taken is not None and taken.id != org.id:
        raise InputError("name", f"an organisation named {taken.name!r} exists already")
    org.sqlmodel_update(data.model_dump())
    session.add(org)
    accounts.audit(session, by, "update organisation", org.name, organisation_id=org.id)
    session.commit()
    session.refresh(org)
    return org


def counts(session: Session) -> dict[int, tuple[int, int]]:
    """Each organisation's numbers of listings and of users."""
    found: dict[int, list[int]] = {}
    for model, index in ((Listing, 0), (User, 1)):
        rows = session.exec(
            select(model.organisation_id, func.count()).group_by(col(model.organisation_id))
        ).all()
        for org_id, n in rows:
            if org_id is not None:
                found.setdefault(int(org_id), [0, 0])[index] = int(n)
    return {k: (v[0], v[1]) for k, v in found.items()}


def merge_organisations(
    session: Session, *, by: User | None, keep_id: int, drop_id: int
) -> Organisation:
    """Move the duplicate's listings (and so their matches), users, invitations and join
    requests to the kept organisation, fill the kept one's empty details from it, and delete
    it: one transaction, audited. Moved users' sessions end, as any change of organisation's do.
    """
    if keep_id == drop_id:
        raise InputError("into", "choose another organisation to merge into")
    keep, drop = get_organisation(session, keep_id), get_organisation(session, drop_id)
    listing_ids = [
        saved_id(lst)
        for lst in session.exec(select(Listing).where(Listing.organisation_id == drop_id))
    ]
    moved_users = list(session.exec(select(User).where(User.organisation_id == drop_id)))
    matches = session.exec(
        select(func.count())
        .select_from(Match)
        .where(col(Match.offer_id).in_(listing_ids) | col(Match.need_id).in_(listing_ids))
    ).one()
    for model in (Listing, User, OneTimeToken, JoinRequest, InterestRequest):
        for row in session.exec(select(model).where(model.organisation_id == drop_id)):
            row.organisation_id = keep_id
            session.add(row)
    for name in ("municipality", "contact_name", "contact_email", "website", "description"):
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    session.add(keep)
    for user in moved_users:
        sessions.end_all(session, saved_id(user))
    accounts.audit(
        session,
        by,
        "merge organisations",
        keep.name,
        kept=keep_id,
        merged=drop_id,
        merged_name=drop.name,
        listings=len(listing_ids),
        users=len(moved_users),
        matches=int(matches),
    )
    session.flush()
    session.delete(drop)
    session.commit()
    session.refresh(keep)
    return keep
