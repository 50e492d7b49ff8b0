"""Loads the demo seeds (themes, organisations, listings, info items) idempotently, by key."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from matchmaker.alerts import collect as alerts
from matchmaker.engine.matching import Matcher
from matchmaker.infopoint import service as info_service
from matchmaker.listings import service as listing_service
from matchmaker.listings.schemas import ListingCreate, OrganisationIn, ThemeIn
from matchmaker.tables import Listing, Organisation, Theme, User, saved_id, utcnow
from matchmaker.vocab import Role

log = logging.getLogger(__name__)


@dataclass
class SeedReport:
    themes: int = 0
    organisations: int = 0
    listings_added: int = 0
    listings_changed: int = 0
    embedded: int = 0
    users: int = 0
    info: int = 0  # info-point items added


def _read(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list")
    return data


def ensure_themes(session: Session, seeds_dir: Path) -> int:
    """Add the seeded themes that are missing; themes added later through the API stay."""
    known = {t.slug for t in session.exec(select(Theme))}
    added = 0
    for row in _read(seeds_dir / "themes.json"):
        theme = ThemeIn.model_validate(row)
        if theme.slug not in known:
            session.add(Theme(**theme.model_dump()))
            added += 1
    session.commit()
    return added


def load(
    session: Session,
    seeds_dir: Path,
    matcher: Matcher,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Upsert every seed by key and embed what changed, all in one transaction."""
    report = SeedReport(themes=ensure_themes(session, seeds_dir))
    themes = {t.slug: saved_id(t) for t in session.exec(select(Theme))}
    orgs: dict[str, int] = {}
    for row in _read(seeds_dir / "organisations.json"):
        key = row["key"]
        org_in = OrganisationIn.model_validate({k: v for k, v in row.items() if k != "key"})
        org = session.exec(select(Organisation).where(Organisation.key == key)).first()
        if org is None:
            org = Organisation(key=key, **org_in.model_dump())
            report.organisations += 1
        else:
            org.sqlmodel_update(org_in.model_dump())
        session.add(org)
        session.flush()
        assert org.id is not None
        orgs[key] = org.id
    listings = []
    for row in _read(seeds_dir / "listings.json"):
        key = row["key"]
        fields = {k: v for k, v in row.items() if k not in ("key", "org")}
        try:
            data = ListingCreate.model_validate({**fields, "organisation_id": orgs[row["org"]]})
        except (ValidationError, KeyError) as exc:
            raise ValueError(f"seed listing {key!r} is invalid: {exc}") from exc
        values = listing_service.listing_values(data, theme_id=themes[data.theme])
        listing = session.exec(select(Listing).where(Listing.key == key)).first()
        if listing is None:
            listing = Listing(key=key, **values)
            report.listings_added += 1
        elif any(getattr(listing, k) != v for k, v in values.items()):
            listing.sqlmodel_update(values)
            listing.updated_at = utcnow()
            report.listings_changed += 1
        listings.append(listing)
    # only the listings whose text changed are embedded; the caller's matcher.sync indexes them
    report.embedded = listing_service.save_listings(
        session, listings, matcher, progress=progress, reindex=False
    )
    if (seeds_dir / "info.json").exists():
        report.info = info_service.seed(session, _read(seeds_dir / "info.json"))
        session.commit()
    if (seeds_dir / "users.json").exists():
        report.users = load_demo_users(session, seeds_dir / "users.json", orgs)
    # the demo's own pairs are no news: alerts start from the listings posted after it
    alerts.set_mark(session, utcnow())
    log.info("seeds: %s", report)
    return report


def load_demo_users(session: Session, path: Path, orgs: dict[str, int]) -> int:
    """One user per role with documented demo passwords; never changes an existing account."""
    from matchmaker.accounts import service as accounts

    added = 0
    for row in _read(path):
        if session.exec(select(User).where(User.email == row["email"])).first() is None:
            accounts.create_user(
                session,
                email=row["email"],
                password=row["password"],
                role=Role(row["role"]),
                name=row["name"],
                organisation_id=orgs.get(row["organisation"] or ""),
                language=row["language"],
            )
            added += 1
    return added
