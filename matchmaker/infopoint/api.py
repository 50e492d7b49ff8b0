"""JSON: /api/info — read the current items (everyone); create, edit, unpublish (facilitators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from matchmaker.accounts import auth
from matchmaker.deps import SessionDep
from matchmaker.errors import InputError, NotFound
from matchmaker.infopoint import service
from matchmaker.infopoint.schemas import InfoCreate, InfoPage, InfoPublic, InfoUpdate
from matchmaker.shapes import PathId
from matchmaker.tables import InfoItem
from matchmaker.vocab import Language

router = APIRouter(prefix="/api/info", tags=["info point"])


def _readable(session: SessionDep, item_id: int, viewer: auth.Principal) -> InfoItem:
    """An unpublished item does not exist for anyone but facilitators and admins."""
    item = service.get(session, item_id)
    if not item.published and not viewer.curates:
        raise NotFound(f"info item {item_id} does not exist")
    return item


@router.get("", response_model=InfoPage)
def list_items(
    session: SessionDep,
    viewer: auth.ViewerDep,
    theme: Annotated[
        str | None, Query(max_length=40, description="a theme's slug; items for every theme too")
    ] = None,
    lang: Annotated[
        Language | None, Query(description="this language's items first, then the others")
    ] = None,
) -> InfoPage:
    """The published items still current (no past deadline, no past event), newest first."""
    if theme is not None and theme not in service.theme_slugs(session):
        raise InputError("theme", f"unknown theme {theme!r}")
    items = service.published_since(session, since=None, themes=[theme] if theme else None)
    if lang is not None:
        items = service.language_first(items, lang.value)
    return InfoPage(total=len(items), items=[service.present(i) for i in items])


@router.get("/{item_id}", response_model=InfoPublic)
def read_item(item_id: PathId, session: SessionDep, viewer: auth.ViewerDep) -> InfoPublic:
    return service.present(_readable(session, item_id, viewer))


@router.post("", response_model=InfoPublic, status_code=status.HTTP_201_CREATED)
def create_item(data: InfoCreate, session: SessionDep, principal: auth.CuratorDep) -> InfoPublic:
    """A funding call needs a `deadline` and an event an `event_date`, neither in the past
    (Helsinki's calendar); `themes` are slugs of existing themes (none: every theme)."""
    return service.present(service.create(session, data=data, by=principal))


@router.patch("/{item_id}", response_model=InfoPublic)
def update_item(
    item_id: PathId, data: InfoUpdate, session: SessionDep, principal: auth.CuratorDep
) -> InfoPublic:
    """The fields sent change; `null` removes an optional one (url, deadline, date, place)."""
    item = service.get(session, item_id)
    return service.present(service.update(session, item, data=data, by=principal))


@router.post("/{item_id}/unpublish", response_model=InfoPublic)
def unpublish_item(item_id: PathId, session: SessionDep, principal: auth.CuratorDep) -> InfoPublic:
    """Readers, the feed and the digests no longer see it; `publish` brings it back."""
    item = service.get(session, item_id)
    return service.present(service.set_published(session, item, False, by=principal))


@router.post("/{item_id}/publish", response_model=InfoPublic)
def publish_item(item_id: PathId, session: SessionDep, principal: auth.CuratorDep) -> InfoPublic:
    item = service.get(session, item_id)
    return service.present(service.set_published(session, item, True, by=principal))
