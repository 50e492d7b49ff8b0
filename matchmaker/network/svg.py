"""The map and the network drawn as SVG on the server: shapes from ready coordinates and words.

Colours and shapes are SVG presentation attributes (the site's CSP allows no inline style).
Every marker, line and node carries a <title>, which screen readers and a hover read; the
table beside each drawing holds the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from matchmaker.network.projection import Frame, Point

# suggested -> realised, light to dark, then the two ends without an exchange
STAGE_COLOURS = {
    "suggested": "#9db4c0",
    "shortlisted": "#5b9bd5",
    "introduced": "#2f6fb0",
    "negotiating": "#7b4fa8",
    "pilot": "#e07b00",
    "realised": "#1e8c3a",
    "rejected": "#b8b8b8",
    "dropped": "#b8b8b8",
}
DASHED = {"rejected", "dropped"}
KIND_COLOURS = {
    "company": "#2f6fb0",
    "research": "#7b4fa8",
    "municipality": "#1e8c3a",
    "agency": "#e07b00",
    "facilitator": "#555555",
}
KIND_SHAPES = {  # so that kind is told by shape as well as colour
    "company": "circle",
    "research": "triangle",
    "municipality": "square",
    "agency": "diamond",
    "facilitator": "hexagon",
}


@dataclass(frozen=True)
class Marker:
    """A municipality on the map: a circle sized by what is there, a square for land use."""

    at: Point
    label: str
    title: str  # everything the row of the table says, in one sentence
    radius: float  # 0: nothing there (a small grey dot)
    land_use: int


@dataclass(frozen=True)
class Line:
    start: Point
    end: Point
    stage: str
    width: float
    title: str
    bend: float = 0.12  # share of the length the curve bows out: offer -> need, to its left


@dataclass(frozen=True)
class Node:
    at: Point
    kind: str
    label: str
    title: str
    size: float


def _open(frame: Frame, title: str, desc: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width:g} {frame.height:g}" '
        f'role="img" aria-labelledby="{css}-title {css}-desc" class="{css}">'
        f'<title id="{css}-title">{escape(title)}</title>'
        f'<desc id="{css}-desc">{escape(desc)}</desc>'
    ]


def _line(line: Line) -> str:
    dx, dy = line.end.x - line.start.x, line.end.y - line.start.y
    cx = (line.start.x + line.end.x) / 2 - dy * line.bend
    cy = (line.start.y + line.end.y) / 2 + dx * line.bend
    dash = ' stroke-dasharray="6 4"' if line.stage in DASHED else ""
    opacity = 0.45 if line.stage == "suggested" else 0.9  # the many suggestions stay behind
    return (
        f'<path d="M{line.start.x:.1f},{line.start.y:.1f} Q{cx:.1f},{cy:.1f} '
        f'{line.end.x:.1f},{line.end.y:.1f}" fill="none" stroke="{STAGE_COLOURS[line.stage]}" '
        f'stroke-width="{line.width:.1f}" stroke-linecap="round" opacity="{opacity}"{dash} '
        f'class="link stage-{line.stage}"><title>{escape(line.title)}</title></path>'
    )


def map_svg(
    frame: Frame,
    outline: Sequence[Point],
    markers: Sequence[Marker],
    lines: Sequence[Line],
    *,
    title: str,
    desc: str,
    outline_label: str,
) -> Markup:
    """Uusimaa: the rough extent, the match lines under the markers, the names beside them."""
    parts = _open(frame, title, desc, "network-map")
    if outline:
        points = " ".join(f"{p.x:.1f},{p.y:.1f}" for p in outline)
        parts.append(
            f'<polygon points="{points}" fill="#eef4f0" stroke="#c9d8cd" stroke-width="28" '
            f'stroke-linejoin="round" class="extent"><title>{escape(outline_label)}</title>'
            "</polygon>"
        )
    parts += [_line(line) for line in lines]
    for m in markers:
        x, y = m.at.x, m.at.y
        parts.append(f'<g class="place"><title>{escape(m.title)}</title>')
        if m.radius > 0:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{m.radius:.1f}" fill="#2f6fb0" '
                'fill-opacity="0.75" stroke="#ffffff" stroke-width="1.5"/>'
            )
        else:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#9a9a9a"/>')
        if m.land_use:
            side = 6 + 2 * math.sqrt(m.land_use)
            parts.append(
                f'<rect x="{x + m.radius - 2:.1f}" y="{y - m.radius - side + 2:.1f}" '
                f'width="{side:.1f}" height="{side:.1f}" fill="#8a5a2b" stroke="#ffffff" '
                'stroke-width="1" class="land-use"/>'
            )
        weight = "bold" if m.radius > 0 else "normal"
        parts.append(
            f'<text x="{x:.1f}" y="{y + max(m.radius, 3) + 11:.1f}" text-anchor="middle" '
            f'font-size="11" font-weight="{weight}" fill="#222222">{escape(m.label)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _shape(node: Node) -> str:
    x, y, s = node.at.x, node.at.y, node.size
    colour = KIND_COLOURS[node.kind]
    paint = f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    shape = KIND_SHAPES[node.kind]
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}" {paint}/>'
    if shape == "square":
        box = f'x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}"'
        return f"<rect {box} {paint}/>"
    corners = {"triangle": 3, "diamond": 4, "hexagon": 6}[shape]
    turn = -math.pi / 2
    points = " ".join(
        f"{x + 1.2 * s * math.cos(turn + 2 * math.pi * i / corners):.1f},"
        f"{y + 1.2 * s * math.sin(turn + 2 * math.pi * i / corners):.1f}"
        for i in range(corners)
    )
    return f'<polygon points="{points}" {paint}/>'


def network_svg(
    frame: Frame, nodes: Sequence[Node], lines: Sequence[Line], *, title: str, desc: str
) -> Markup:
    """Organisations as shapes by kind, linked by their matches coloured by stage."""
    parts = _open(frame, title, desc, "network-graph")
    parts += [_line(line) for line in lines]
    for n in nodes:
        parts.append(
            f'<g class="org kind-{n.kind}"><title>{escape(n.title)}</title>'
            f"{_shape(n)}"
            f'<text x="{n.at.x:.1f}" y="{n.at.y + n.size + 12:.1f}" text-anchor="middle" '
            f'font-size="9" fill="#222222">{escape(n.label)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


_SWATCH = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 14" width="24" height="14" '
    'aria-hidden="true">'
)


def stage_swatch(stage: str) -> Markup:
    """The legend's sample line of a stage."""
    dash = ' stroke-dasharray="4 3"' if stage in DASHED else ""
    colour = STAGE_COLOURS[stage]
    line = f'<line x1="1" y1="7" x2="23" y2="7" stroke="{colour}" stroke-width="4"{dash}/>'
    return Markup(f"{_SWATCH}{line}</svg>")


def kind_swatch(kind: str) -> Markup:
    """The legend's sample shape of an organisation kind."""
    return Markup(f"{_SWATCH}{_shape(Node(Point(12, 7), kind, '', '', 5))}</svg>")


def marker_swatch(land_use: bool) -> Markup:
    """The legend's sample of the map's markers: a municipality's circle, land use's square."""
    if land_use:
        body = '<rect x="7" y="2" width="10" height="10" fill="#8a5a2b"/>'
    else:
        body = '<circle cx="12" cy="7" r="6" fill="#2f6fb0" fill-opacity="0.75"/>'
    return Markup(f"{_SWATCH}{body}</svg>")
