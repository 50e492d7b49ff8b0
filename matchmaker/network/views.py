"""The map and the network worded for the pages: filters, drawings, legends and table rows."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup
from sqlmodel import Session, select

from matchmaker.listings import views as listing_views
from matchmaker.network import layout, projection, svg
from matchmaker.network.service import (
    CLOSED,
    KINDS,
    STAGES,
    Filters,
    MapData,
    Network,
    stage_rank,
)
from matchmaker.tables import Theme
from matchmaker.vocab import MatchStatus, OrgKind
from matchmaker.web.fields import Field, Option, options
from matchmaker.web.i18n import N_, Translator

FRAME = projection.Frame()
NETWORK_KINDS = ("land",)  # every match pairs an offer and a need: only land use narrows it
KIND_LABELS = {
    "offer": N_("network.kind_offer"),
    "need": N_("network.kind_need"),
    "land": N_("network.kind_land"),
}
GRAPH_FRAME = projection.Frame(760, 560)  # the network needs more room than the region's map


@dataclass
class Asked:
    """The filters as asked in the query: what was chosen, and a message for each bad one."""

    filters: Filters
    theme: str
    kind: str
    stage: str
    errors: dict[str, str]


def read_filters(
    session: Session,
    t: Translator,
    theme: str,
    kind: str,
    stage: str,
    kinds: tuple[str, ...] = KINDS,
) -> Asked:
    """The query's filters; an unknown value is named back to the reader, not dropped.

    `kinds`: those this page offers (every match pairs an offer and a need, so the network
    narrows by land use only)."""
    errors: dict[str, str] = {}
    theme_id = None
    if theme:
        found = session.exec(select(Theme).where(Theme.slug == theme)).first()
        if found is None:
            errors["theme"] = t("network.bad_theme", value=theme)
        else:
            theme_id = found.id
    if kind and kind not in kinds:
        errors["kind"] = t("network.bad_kind", value=kind)
    chosen_stage = None
    if stage:
        try:
            chosen_stage = MatchStatus(stage)
        except ValueError:
            errors["stage"] = t("network.bad_stage", value=stage)
    filters = Filters(
        theme_id, kind if "kind" not in errors else "", chosen_stage if not errors else None
    )
    return Asked(filters, theme, kind, stage, errors)


def filter_fields(
    session: Session,
    t: Translator,
    asked: Asked,
    *,
    stages: bool,
    kinds: tuple[str, ...] = KINDS,
) -> list[Field]:
    """Theme and kind for everyone; the stage for those who see matches."""
    themes = [
        Option("", t("browse.all_themes"), not asked.theme),
        *(
            Option(slug, name, slug == asked.theme)
            for slug, name in listing_views.theme_names(session, t).items()
        ),
    ]
    kind_pairs = [(k, t(KIND_LABELS[k])) for k in kinds]
    fields = [
        Field(
            "theme", t("field.theme"), "select", options=themes, error=asked.errors.get("theme", "")
        ),
        Field(
            "kind",
            t("network.kind"),
            "select",
            options=options(kind_pairs, asked.kind, t("network.kind_all")),
            error=asked.errors.get("kind", ""),
        ),
    ]
    if stages:
        pairs = [(s.value, t.label("matchstatus", s)) for s in (*STAGES, *CLOSED)]
        fields.append(
            Field(
                "stage",
                t("network.stage"),
                "select",
                options=options(pairs, asked.stage, t("network.stage_open")),
                error=asked.errors.get("stage", ""),
            )
        )
    return fields


@dataclass
class Row:
    """One municipality in the table beside the map."""

    name: str
    on_map: bool
    organisations: int
    offers: int
    needs: int
    land_use: int
    matches: list[int]  # per shown stage, in the order of `stages`


@dataclass
class LegendItem:
    sample: Markup
    label: str


@dataclass
class MapView:
    drawing: Markup
    rows: list[Row]
    stages: list[str]  # the match columns' headings; empty: no matches shown
    legend: list[LegendItem]
    unplaced: str  # a sentence, or ""
    summary: str


def _stages_shown(filters: Filters) -> list[MatchStatus]:
    return [filters.stage] if filters.stage is not None else list(STAGES)


def map_view(data: MapData, filters: Filters, t: Translator) -> MapView:
    positions = projection.fit(FRAME)
    stages = _stages_shown(filters) if data.shows_matches else []
    markers = []
    rows = []
    for p in data.places:
        name = listing_views.place_name(p.name, t.lang)
        if p.on_map:
            total = p.listings + p.organisations
            title = t(
                "network.place_title",
                place=name,
                organisations=p.organisations,
                offers=p.offers,
                needs=p.needs,
                land=p.land_use,
            )
            if data.shows_matches:
                title += " · " + t("network.place_matches", matches=sum(p.matches.values()))
            radius = 4 + 2.2 * math.sqrt(total) if total else 0
            markers.append(svg.Marker(positions[p.name], name, title, radius, p.land_use))
        if p.on_map or p.listings or p.organisations or p.matches:
            rows.append(
                Row(
                    name,
                    p.on_map,
                    p.organisations,
                    p.offers,
                    p.needs,
                    p.land_use,
                    [p.matches.get(s, 0) for s in stages],
                )
            )
    lines = []
    for link in data.links:
        if link.source in positions and link.target in positions:
            source = listing_views.place_name(link.source, t.lang)
            target = listing_views.place_name(link.target, t.lang)
            title = t(
                "network.link_title",
                source=source,
                target=target,
                count=link.count,
                stage=t.label("matchstatus", link.stage),
            )
            width = 1.5 + 1.5 * math.sqrt(link.count)
            lines.append(
                svg.Line(positions[link.source], positions[link.target], link.stage, width, title)
            )
    legend = [
        LegendItem(svg.marker_swatch(False), t("network.legend_place")),
        LegendItem(svg.marker_swatch(True), t("network.legend_land")),
    ]
    legend += [LegendItem(svg.stage_swatch(s.value), t.label("matchstatus", s)) for s in stages]
    offers = sum(r.offers for r in rows)
    needs = sum(r.needs for r in rows)
    summary = t(
        "network.map_summary",
        offers=offers,
        needs=needs,
        places=sum(1 for r in rows if r.offers + r.needs),
    )
    drawing = svg.map_svg(
        FRAME,
        projection.hull(positions.values()),
        markers,
        lines,
        title=t("network.map_title"),
        desc=summary,
        outline_label=t("network.extent"),
    )
    unplaced = t("network.unplaced", count=data.unplaced) if data.unplaced else ""
    return MapView(
        drawing, rows, [t.label("matchstatus", s) for s in stages], legend, unplaced, summary
    )


@dataclass
class NodeRow:
    name: str
    kind: str
    municipality: str
    matches: int


@dataclass
class EdgeRow:
    source: str
    target: str
    stage: str
    count: int


@dataclass
class NetworkView:
    drawing: Markup
    nodes: list[NodeRow]
    edges: list[EdgeRow]
    legend: list[LegendItem]
    summary: str


def _short(name: str, most: int = 22) -> str:
    return name if len(name) <= most else name[: most - 1].rstrip() + "…"


def network_view(net: Network, filters: Filters, t: Translator) -> NetworkView:
    weights = [(e.source, e.target, float(e.count)) for e in net.edges]
    positions = layout.spring([n.id for n in net.nodes], weights, GRAPH_FRAME)
    by_id = {n.id: n for n in net.nodes}
    nodes = []
    rows = []
    for n in net.nodes:
        kind = t.label("orgkind", n.kind)
        place = listing_views.place_name(n.municipality, t.lang)
        title = t(
            "network.node_title", name=n.name, kind=kind, place=place or "–", matches=n.matches
        )
        size = 6 + 1.8 * math.sqrt(n.matches)
        nodes.append(svg.Node(positions[n.id], n.kind.value, _short(n.name), title, size))
        rows.append(NodeRow(n.name, kind, place, n.matches))
    lines = []
    edges = []
    for e in sorted(net.edges, key=lambda e: stage_rank(e.stage)):
        stage = t.label("matchstatus", e.stage)
        source, target = by_id[e.source].name, by_id[e.target].name
        title = t("network.link_title", source=source, target=target, count=e.count, stage=stage)
        width = 1.5 + 1.5 * math.sqrt(e.count)
        lines.append(
            svg.Line(positions[e.source], positions[e.target], e.stage.value, width, title, 0.08)
        )
        edges.append(EdgeRow(source, target, stage, e.count))
    edges.sort(key=lambda r: (r.source, r.target))
    legend = [
        LegendItem(svg.stage_swatch(s.value), t.label("matchstatus", s))
        for s in _stages_shown(filters)
    ]
    legend += [LegendItem(svg.kind_swatch(k.value), t.label("orgkind", k)) for k in OrgKind]
    summary = t("network.network_summary", organisations=len(nodes), links=len(edges))
    drawing = svg.network_svg(
        GRAPH_FRAME, nodes, lines, title=t("network.network_title"), desc=summary
    )
    return NetworkView(drawing, rows, edges, legend, summary)
