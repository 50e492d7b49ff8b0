"""Municipality centres projected onto the map's drawing plane (no boundaries are shipped).

No openly licensed municipality outlines could be had offline (no PyPI package ships them;
those that name them, such as gadm, download them), so the map is a projected plot of the
coordinates in engine/data/municipalities.csv. The projection is equirectangular about
Uusimaa's middle latitude: x = (lon - lon0) * cos(lat0), y = lat. Across the region's 1.5
degrees of latitude its scale error is under 3 %, which a plot of points does not show.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.spatial import ConvexHull

from matchmaker.engine import geo

REGION = "Uusimaa"
LAT0 = 60.3  # the middle of Uusimaa, where the projection keeps distances true
LON0 = 24.9


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Frame:
    """The drawing box: width, height and the margin kept free for labels."""

    width: float = 760
    height: float = 420
    margin: float = 48


def plane(lat: float, lon: float) -> tuple[float, float]:
    """A place on the plane, in degrees of latitude (north up)."""
    return (lon - LON0) * math.cos(math.radians(LAT0)), lat


@cache
def region_places() -> tuple[geo.Place, ...]:
    """The region's municipalities, west to east."""
    unique = {p.name_fi: p for p in geo.places().values() if p.region == REGION}
    return tuple(sorted(unique.values(), key=lambda p: p.lon))


def on_map(name: str | None) -> geo.Place | None:
    """The region's municipality of that name (Finnish or Swedish); None outside it."""
    place = geo.find(name)
    return place if place is not None and place.region == REGION else None


def fit(frame: Frame = Frame()) -> dict[str, Point]:
    """Every municipality of the region in the frame's pixels, keyed by its Finnish name;
    the scale is the same on both axes, so the shape of the region is kept."""
    flat = {p.name_fi: plane(p.lat, p.lon) for p in region_places()}
    xs = [x for x, _ in flat.values()]
    ys = [y for _, y in flat.values()]
    span = max(
        (max(xs) - min(xs)) / (frame.width - 2 * frame.margin),
        (max(ys) - min(ys)) / (frame.height - 2 * frame.margin),
    )
    x_pad = (frame.width - (max(xs) - min(xs)) / span) / 2
    y_pad = (frame.height - (max(ys) - min(ys)) / span) / 2
    return {
        name: Point(x_pad + (x - min(xs)) / span, y_pad + (max(ys) - y) / span)
        for name, (x, y) in flat.items()
    }


def hull(points: Iterable[Point]) -> list[Point]:
    """The convex hull, in order round it: the region's rough extent behind the markers,
    drawn and labelled as that, not as a boundary."""
    unique = sorted({(p.x, p.y) for p in points})
    if len(unique) < 3:
        return [Point(x, y) for x, y in unique]
    found = ConvexHull(np.array(unique))
    return [Point(float(unique[i][0]), float(unique[i][1])) for i in found.vertices]
