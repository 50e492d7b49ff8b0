"""The info point's rules: what an item must say, when it is current, who sees what, newest first.

Every surface — the pages, the API, the feed, the seeds and (later) the e-mail digests — goes
through these functions, so that an item is checked, dated and dropped off in one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker.accounts import service as accounts
from matchmaker.accounts.auth import Principal
from matchmaker.errors import InputError, NotFound
from matchmaker.infopoint.schemas import InfoCreate, InfoPublic, InfoUpdate
from matchmaker.shapes import storable
from matchmaker.tables import InfoItem, Theme, utcnow
from matchmaker.vocab import InfoKind
from matchmaker.web.i18n import N_

HELSINKI = ZoneInfo("Europe/Helsinki")  # a deadline is a day on the valley's calendar


@dataclass(frozen=True)
class Problem:
    """Why an item cannot be saved: the field, the UI's message key and the API's sentence."""

    field: str
    key: str
    message: str


def today(now: datetime | None = None) -> date:
    """The day in Helsinki at `now` (default: the present)."""
    moment = now or datetime.now(UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(HELSINKI).date()


def is_current(item: InfoItem, on: date) -> bool:
    """Still worth reading on day `on`: not past its deadline, and not an event already held."""
    if item.deadline is not None and item.deadline < on:
        return False
    return item.event_date is None or item.event_date >= on


def _utc(moment: datetime) -> datetime:
    """A stored time (naive, UTC) or a caller's (aware or naive UTC) as an aware UTC time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def theme_slugs(session: Session) -> list[str]:
    """Every theme's slug, in the order themes were added."""
    return list(session.exec(select(Theme.slug).order_by(col(Theme.id))).all())


# The dates that end an item: the field, the kind that must give it, and the messages' keys
# for a missing one and for one already past.
DATES = (
    ("deadline", InfoKind.funding, N_("info.error.deadline"), N_("info.error.deadline_past")),
    ("event_date", InfoKind.event, N_("info.error.event"), N_("info.error.event_past")),
)


def problems(
    session: Session,
    values: dict[str, Any],
    *,
    on: date,
    before: InfoItem | None = None,
) -> list[Problem]:
    """What is wrong with an item of these `values` (the schema has checked each field alone).

    A new funding call's deadline and a new event's date must not be past; an edit may keep
    an old one (an item is corrected after the fact), but not move it into the past.
    """
    found = []
    known = theme_slugs(session)
    unknown = [slug for slug in values.get("themes") or [] if slug not in known]
    if unknown:
        found.append(
            Problem(
                "themes",
                N_("info.error.theme"),
                f"unknown theme {unknown[0]!r}: the themes are {', '.join(known)}",
            )
        )
    kind = values.get("kind")
    for name, needed, missing, gone in DATES:
        day = values.get(name)
        if day is None:
            if kind == needed:
                found.append(Problem(name, missing, f"required for kind {needed.value!r}"))
            continue
        unchanged = before is not None and getattr(before, name) == day
        if day < on and not unchanged:
            found.append(
                Problem(name, gone, f"{day.isoformat()} is past: give today's date or a later one")
            )
    return found


def _check(session: Session, values: dict[str, Any], on: date, before: InfoItem | None) -> None:
    found = problems(session, values, on=on, before=before)
    if found:
        raise InputError(found[0].field, found[0].message)


def _dedupe(slugs: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(slugs))


def get(session: Session, item_id: int) -> InfoItem:
    item = session.get(InfoItem, item_id) if storable(item_id) else None
    if item is None:
        raise NotFound(f"info item {item_id} does not exist")
    return item


def create(
    session: Session, *, data: InfoCreate, by: Principal, now: datetime | None = None
) -> InfoItem:
    """A new item, checked; published at once unless `data.published` is false."""
    moment = now or utcnow()
    values = data.model_dump()
    values["themes"] = _dedupe(values["themes"])
    _check(session, values, today(moment), None)
    item = InfoItem(
        **values,
        published_at=moment if data.published else None,
        created_by=by.user.id if by.user else None,
        created_at=moment,
        updated_at=moment,
    )
    session.add(item)
    session.flush()
    accounts.audit(session, by.user, "info.create", f"info:{item.id}", title=item.title)
    session.commit()
    session.refresh(item)
    return item


def update(
    session: Session,
    item: InfoItem,
    *,
    data: InfoUpdate,
    by: Principal,
    now: datetime | None = None,
) -> InfoItem:
    """The fields sent change; the result is checked as a whole, as a new item is."""
    moment = now or utcnow()
    changes = data.model_dump(exclude_unset=True)
    for required in ("kind", "title", "language"):  # these may be changed, never emptied
        if required in changes and changes[required] is None:
            del changes[required]
    if "summary" in changes and changes["summary"] is None:
        changes["summary"] = ""
    if "themes" in changes:
        changes["themes"] = _dedupe(changes["themes"] or [])
    values = {**item.model_dump(), **changes}
    _check(session, values, today(moment), item)
    published = changes.pop("published", None)
    item.sqlmodel_update(changes)
    if published is not None:
        _publish(item, published, moment)
    item.updated_at = moment
    session.add(item)
    accounts.audit(session, by.user, "info.update", f"info:{item.id}", title=item.title)
    session.commit()
    session.refresh(item)
    return item


def _publish(item: InfoItem, published: bool, moment: datetime) -> None:
    item.published = published
    if published and item.published_at is None:  # first published now: "new" for digests
        item.published_at = moment


def set_published(session: Session, item: InfoItem, published: bool, *, by: Principal) -> InfoItem:
    """Unpublish (readers no longer see it) or publish again; nothing else changes."""
    moment = utcnow()
    _publish(item, published, moment)
    item.updated_at = moment
    session.add(item)
    action = "info.publish" if published else "info.unpublish"
    accounts.audit(session, by.user, action, f"info:{item.id}", title=item.title)
    session.commit()
    session.refresh(item)
    return item


def _for_themes(item: InfoItem, themes: Sequence[str] | None) -> bool:
    """An item with no theme is for every theme."""
    return not themes or not item.themes or any(slug in item.themes for slug in themes)


def _newest_first(items: list[InfoItem]) -> list[InfoItem]:
    def key(item: InfoItem) -> tuple[datetime, int]:
        return _utc(item.published_at or item.created_at), item.id or 0

    return sorted(items, key=key, reverse=True)


def published_since(
    session: Session,
    *,
    since: datetime | None,
    themes: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[InfoItem]:
    """Published, still-current items published after `since` (all current ones when None),
    for any of `themes` when given (an item with no theme counts for every theme), newest first.

    The e-mail digests call this; the pages and the feed read through it too.
    """
    query = select(InfoItem).where(col(InfoItem.published).is_(True))
    if since is not None:
        query = query.where(col(InfoItem.published_at) > _utc(since))
    on = today(now)
    items = [
        item
        for item in session.exec(query).all()
        if is_current(item, on) and _for_themes(item, themes)
    ]
    return _newest_first(items)


def language_first(items: Sequence[InfoItem], lang: str) -> list[InfoItem]:
    """The reader's language first, then the others, each newest first as they came."""
    return [i for i in items if i.language == lang] + [i for i in items if i.language != lang]


def every_item(session: Session) -> list[InfoItem]:
    """Every item, unpublished and past ones too, newest first: the facilitators' list."""
    return _newest_first(list(session.exec(select(InfoItem)).all()))


def present(item: InfoItem, now: datetime | None = None) -> InfoPublic:
    fields = item.model_dump(include=set(InfoPublic.model_fields) - {"current"})
    return InfoPublic.model_validate({**fields, "current": is_current(item, today(now))})


def seed(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """The demo items, upserted by key (no audit: nobody published them); returns how many
    were added. The caller commits."""
    added = 0
    for row in rows:
        key = str(row["key"])
        data = InfoCreate.model_validate({k: v for k, v in row.items() if k != "key"})
        values = data.model_dump()
        item = session.exec(select(InfoItem).where(InfoItem.key == key)).first()
        if item is None:
            session.add(InfoItem(key=key, **values))
            added += 1
        elif any(getattr(item, k) != v for k, v in values.items()):
            item.sqlmodel_update(values)
            item.updated_at = utcnow()
            session.add(item)
    return added
