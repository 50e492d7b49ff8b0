"""Municipality coordinates (Uusimaa and Finland's main cities) and great-circle distance."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Place:
    name_fi: str
    name_sv: str
    lat: float
    lon: float
    region: str


@cache
def places() -> dict[str, Place]:
    """Every known place, reachable by its Finnish or Swedish name in lower case."""
    source = resources.files("matchmaker.engine").joinpath("data/municipalities.csv")
    text = source.read_text("utf-8")
    found: dict[str, Place] = {}
    for row in csv.DictReader(text.splitlines()):
        place = Place(
            row["name_fi"], row["name_sv"], float(row["lat"]), float(row["lon"]), row["region"]
        )
        found[place.name_fi.casefold()] = place
        found.setdefault(place.name_sv.casefold(), place)
    return found


def find(name: str | None) -> Place | None:
    if not name:
        return None
    return places().get(name.strip().casefold())


def municipality_names() -> list[str]:
    """Finnish names, Uusimaa first, for forms and validation messages."""
    unique = {p.name_fi: p for p in places().values()}.values()
    return [p.name_fi for p in sorted(unique, key=lambda p: (p.region != "Uusimaa", p.name_fi))]


def distance_km(a: Place, b: Place) -> float:
    """Haversine distance; road distance is longer, but the ranking only needs the order."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
