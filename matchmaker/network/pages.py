"""The map of Uusimaa (/map, everyone) and the organisations' network (/network, curators)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from matchmaker.deps import SessionDep
from matchmaker.network import service, views
from matchmaker.web.render import PageDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/map")
def show_map(
    ui: PageDep, session: SessionDep, theme: str = "", kind: str = "", stage: str = ""
) -> Response:
    t = ui.t
    asked = views.read_filters(session, t, theme, kind, stage)
    curates = ui.principal.curates
    data = service.map_data(session, ui.principal, asked.filters)
    return ui.render(
        "network/map.html",
        "network/_map.html",
        status=422 if asked.errors else 200,
        section="map",
        title=t("network.map_title"),
        filters=views.filter_fields(session, t, asked, stages=curates),
        errors=list(asked.errors.values()),
        view=views.map_view(data, asked.filters, t),
        curates=curates,
    )


@router.get("/network")
def show_network(
    ui: PageDep, session: SessionDep, theme: str = "", kind: str = "", stage: str = ""
) -> Response:
    ui.require_curator()
    t = ui.t
    asked = views.read_filters(session, t, theme, kind, stage, views.NETWORK_KINDS)
    net = service.network(session, ui.principal, asked.filters)
    return ui.render(
        "network/network.html",
        "network/_network.html",
        status=422 if asked.errors else 200,
        section="network",
        title=t("network.network_title"),
        filters=views.filter_fields(session, t, asked, stages=True, kinds=views.NETWORK_KINDS),
        errors=list(asked.errors.values()),
        view=views.network_view(net, asked.filters, t),
    )
