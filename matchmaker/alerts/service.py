"""A member's alert settings: how often they hear, and their saved searches."""

from __future__ import annotations

from sqlmodel import Session, col, select

from matchmaker.engine import geo
from matchmaker.errors import InputError, NotFound
from matchmaker.tables import SavedSearch, Theme, User, saved_id
from matchmaker.vocab import AlertPeriod, Category, ListingKind

MAX_SEARCHES = 20  # per member: each is run at every `notify`


def set_period(session: Session, user: User, value: str) -> User:
    try:
        user.alerts = AlertPeriod(value)
    except ValueError:
        raise InputError("alerts", "choose how often") from None
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def searches(session: Session, user: User) -> list[SavedSearch]:
    return list(
        session.exec(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(col(SavedSearch.created_at).desc(), col(SavedSearch.id))
        )
    )


def save_search(
    session: Session,
    user: User,
    *,
    text: str,
    theme: str = "",
    kind: str = "",
    category: str = "",
    municipality: str = "",
) -> SavedSearch:
    """Keep a search (text and filters); its new results come with the member's alerts."""
    text = " ".join(text.split())
    if len(text) < 2:
        raise InputError("q", "too short")
    if len(text) > 300:
        raise InputError("q", "too long")
    theme_id = None
    if theme:
        found = session.exec(select(Theme).where(Theme.slug == theme)).first()
        if found is None:
            raise InputError("theme", "unknown theme")
        theme_id = saved_id(found)
    try:
        chosen_kind = ListingKind(kind) if kind else None
        chosen_category = Category(category) if category else None
    except ValueError:
        raise InputError("kind", "unknown kind or category") from None
    place = geo.find(municipality) if municipality else None
    if municipality and place is None:
        raise InputError("municipality", "unknown municipality")
    where = place.name_fi if place else None
    mine = searches(session, user)
    wanted = (text.casefold(), theme_id, chosen_kind, chosen_category, where)
    for s in mine:  # the same search twice is one search
        if (s.text.casefold(), s.theme_id, s.kind, s.category, s.municipality) == wanted:
            return s
    if len(mine) >= MAX_SEARCHES:
        raise InputError("q", "too many")
    search = SavedSearch(
        user_id=saved_id(user),
        text=text,
        theme_id=theme_id,
        kind=chosen_kind,
        category=chosen_category,
        municipality=where,
    )
    session.add(search)
    session.commit()
    session.refresh(search)
    return search


def delete_search(session: Session, user: User, search_id: int) -> None:
    search = session.get(SavedSearch, search_id)
    if search is None or search.user_id != user.id:
        raise NotFound("saved search")
    session.delete(search)
    session.commit()
