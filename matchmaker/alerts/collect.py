"""Finding what members are to hear of: new strong suggestions, new saved-search results and
new info-point items.

A run looks at the listings changed since the last run (the mark in JobMark: the run's start
less a margin for transactions that committed late) and records a Notice per member and new
thing. A Notice is unique, so looking at a listing twice, in two runs or two workers, records
nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from matchmaker.engine.matching import Matcher, expired
from matchmaker.engine.ranker import STRONG
from matchmaker.infopoint import service as info
from matchmaker.tables import (
    JobMark,
    Listing,
    Notice,
    SavedSearch,
    Theme,
    User,
    saved_id,
    utcnow,
)
from matchmaker.vocab import AlertPeriod, Role, Status

MARK = "alerts.changed_until"
# A listing saved in a transaction that began before a run and committed after it is seen by
# the next run: each run leaves its mark this far before its start (a Notice is never made
# twice, so looking again costs nothing).
MARGIN = timedelta(minutes=10)
SUGGESTION, SEARCH, INFO = "suggestion", "search", "info"
DEPTH = 20  # strong suggestions looked at per changed listing


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def mark(session: Session) -> datetime | None:
    row = session.get(JobMark, MARK)
    return _aware(row.at) if row else None


def set_mark(session: Session, at: datetime) -> None:
    """Listings changed before `at` are looked at already (after the demo seeds: nobody is
    told of them)."""
    row = session.get(JobMark, MARK) or JobMark(name=MARK, at=at)
    row.at = at
    session.add(row)
    session.commit()


def changed(session: Session, since: datetime | None) -> list[Listing]:
    """Active listings created or edited since `since` (all of them when there is no mark)."""
    query = select(Listing).where(Listing.status == Status.active)
    if since is not None:
        query = query.where(col(Listing.updated_at) > since)
    return [lst for lst in session.exec(query.order_by(col(Listing.id))) if not expired(lst)]


def listeners(session: Session, organisation_ids: Iterable[int]) -> dict[int, list[int]]:
    """Organisation id -> its active members who want alerts."""
    ids = set(organisation_ids)
    if not ids:
        return {}
    users = session.exec(
        select(User).where(
            col(User.organisation_id).in_(ids),
            col(User.active),
            User.role == Role.member,
            User.alerts != AlertPeriod.off,
        )
    )
    out: dict[int, list[int]] = {}
    for user in users:
        assert user.organisation_id is not None
        out.setdefault(user.organisation_id, []).append(saved_id(user))
    return out


def _record(session: Session, notices: Sequence[Notice]) -> int:
    """Add the notices that are new; one found before (by this run or another) is skipped."""
    added = 0
    for notice in notices:
        exists = session.exec(
            select(Notice.id).where(
                Notice.user_id == notice.user_id,
                Notice.reason == notice.reason,
                Notice.about_id == notice.about_id,
                Notice.new_id == notice.new_id,
            )
        ).first()
        if exists is not None:
            continue
        session.add(notice)
        try:
            session.commit()
            added += 1
        except IntegrityError:  # another worker recorded the same one meanwhile
            session.rollback()
    return added


def strong_pairs(
    session: Session, matcher: Matcher, listings: Sequence[Listing]
) -> list[tuple[Listing, Listing, float]]:
    """(changed listing, its strong suggestion, score) for each changed listing."""
    pairs = []
    for listing in listings:
        for s in matcher.suggest(session, listing, k=DEPTH, min_score=STRONG):
            pairs.append((listing, s.listing, s.fit.score))
    return pairs


def suggestion_notices(
    session: Session, pairs: Sequence[tuple[Listing, Listing, float]], now: datetime
) -> list[Notice]:
    """Both sides of each new strong pair hear of the other: the changed listing's owners of
    their new suggestion, the other listing's owners of the newcomer."""
    orgs = {lst.organisation_id for pair in pairs for lst in pair[:2]}
    members = listeners(session, orgs)
    notices = []
    for changed_one, other, score in pairs:
        for mine, new in ((changed_one, other), (other, changed_one)):
            for user_id in members.get(mine.organisation_id, []):
                notices.append(
                    Notice(
                        user_id=user_id,
                        reason=SUGGESTION,
                        about_id=saved_id(mine),
                        new_id=saved_id(new),
                        score=score,
                        created_at=now,
                    )
                )
    return notices


def search_notices(
    session: Session, matcher: Matcher, listings: Sequence[Listing], now: datetime
) -> list[Notice]:
    """Each saved search's results among the changed listings (not the searcher's own)."""
    if not listings:
        return []
    fresh = {saved_id(lst): lst for lst in listings}
    wanted = session.exec(
        select(SavedSearch, User)
        .join(User, col(User.id) == SavedSearch.user_id)
        .where(col(User.active), User.alerts != AlertPeriod.off)
    ).all()
    notices = []
    for search, user in wanted:
        hits = matcher.search(
            session,
            search.text,
            k=100,
            theme_id=search.theme_id,
            kind=search.kind.value if search.kind else None,
        )
        for listing, similarity in hits:
            lid = saved_id(listing)
            if (
                lid in fresh
                and listing.organisation_id != user.organisation_id
                and search.category in (None, listing.category)
                and search.municipality in (None, listing.municipality)
            ):
                notices.append(
                    Notice(
                        user_id=saved_id(user),
                        reason=SEARCH,
                        about_id=saved_id(search),
                        new_id=lid,
                        score=round(similarity * 100, 1),
                        created_at=now,
                    )
                )
    return notices


def info_notices(session: Session, since: datetime | None, now: datetime) -> list[Notice]:
    """The info-point items published since `since`, for the members of the organisations with
    an active listing in one of their themes (an item of no theme: every member)."""
    items = info.published_since(session, since=since, now=now)
    if not items:
        return []
    themes: dict[int, set[str]] = {}
    rows = session.exec(
        select(Listing.organisation_id, Theme.slug)
        .join(Theme, col(Theme.id) == Listing.theme_id)
        .where(Listing.status == Status.active)
    )
    for org_id, slug in rows:
        themes.setdefault(org_id, set()).add(slug)
    members = listeners(session, themes)
    notices = []
    for item in items:
        for org_id, users in members.items():
            if item.themes and not set(item.themes) & themes[org_id]:
                continue
            notices += [
                Notice(user_id=u, reason=INFO, about_id=0, new_id=saved_id(item), created_at=now)
                for u in users
            ]
    return notices


def collect(session: Session, matcher: Matcher, *, now: datetime | None = None) -> int:
    """Record what is new since the last run; returns how many notices were added."""
    now = now or utcnow()
    since = mark(session)
    listings = changed(session, since)
    notices = suggestion_notices(session, strong_pairs(session, matcher, listings), now)
    notices += search_notices(session, matcher, listings, now)
    notices += info_notices(session, since, now)
    added = _record(session, notices)
    set_mark(session, now - MARGIN)  # the next run looks again at what was saved just before
    return added
