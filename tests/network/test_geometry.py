"""The map's projection, the land-use rule and the network's layout, on readable places."""

from __future__ import annotations

import math

from matchmaker.engine import geo
from matchmaker.network import layout, projection
from matchmaker.network.landuse import is_land_use
from matchmaker.network.projection import Frame, Point
from matchmaker.tables import Listing
from matchmaker.vocab import Category, Language, ListingKind


def test_the_region_is_drawn_north_up_west_to_east_inside_the_frame() -> None:
    frame = Frame()
    at = projection.fit(frame)
    assert len(at) == 26  # Uusimaa's municipalities; Tampere and Turku are not drawn
    assert "Tampere" not in at and "Turku" not in at
    assert at["Hanko"].x == min(p.x for p in at.values())  # the westmost
    assert at["Loviisa"].x > at["Porvoo"].x > at["Helsinki"].x > at["Espoo"].x
    assert at["Hyvinkää"].y < at["Helsinki"].y  # north is up
    assert all(
        frame.margin - 0.01 <= p.x <= frame.width - frame.margin + 0.01
        and frame.margin - 0.01 <= p.y <= frame.height - frame.margin + 0.01
        for p in at.values()
    )


def test_the_projection_keeps_distances_in_proportion() -> None:
    """Equirectangular about Uusimaa's middle: pixel distances follow the great-circle ones
    within a few per cent, east-west and north-south alike."""
    at = projection.fit()

    def pixels(a: str, b: str) -> float:
        return math.dist((at[a].x, at[a].y), (at[b].x, at[b].y))

    def km(a: str, b: str) -> float:
        place_a, place_b = geo.find(a), geo.find(b)
        assert place_a and place_b
        return geo.distance_km(place_a, place_b)

    east_west = pixels("Hanko", "Loviisa") / km("Hanko", "Loviisa")
    north_south = pixels("Helsinki", "Hyvinkää") / km("Helsinki", "Hyvinkää")
    assert abs(east_west / north_south - 1) < 0.03


def test_the_extent_goes_round_every_municipality() -> None:
    at = projection.fit()
    outline = projection.hull(at.values())
    assert {"Hanko", "Loviisa"} <= {n for n, p in at.items() if p in outline}
    assert at["Kerava"] not in outline and at["Nurmijärvi"] not in outline  # inland


def listing(
    title: str, category: Category = Category.material, ewc_code: str | None = None
) -> Listing:
    return Listing(
        organisation_id=1,
        theme_id=1,
        kind=ListingKind.offer,
        category=category,
        title=title,
        language=Language.en,
        ewc_code=ewc_code,
    )


def test_space_sites_and_soil_masses_are_land_use_and_materials_from_sites_are_not() -> None:
    assert is_land_use(listing("Kaupungin varikon kylmä halli välivarastoksi", Category.equipment))
    assert is_land_use(listing("Hangö stad upplåter lokal för verkstad", Category.equipment))
    assert is_land_use(listing("Ylijäämämaita 5 000 m3 Vantaan työmaalta"))
    assert is_land_use(listing("Clean fill", ewc_code="170504"))  # soil and stones, by code
    assert not is_land_use(listing("Calcium sulphate from building sites"))
    assert not is_land_use(listing("Shared battery test bench for hire", Category.equipment))


def test_the_layout_is_the_same_every_time_and_keeps_small_groups_in_view() -> None:
    frame = Frame(760, 560)
    nodes = [1, 2, 3, 4, 5, 6]
    edges = [(1, 2, 1.0), (2, 3, 2.0), (3, 1, 1.0), (4, 5, 1.0)]  # 6 alone
    first = layout.spring(nodes, edges, frame)
    assert first == layout.spring(list(reversed(nodes)), edges, frame)
    assert set(first) == set(nodes)
    assert all(0 <= p.x <= frame.width and 0 <= p.y <= frame.height for p in first.values())
    xs = sorted(p.x for p in first.values())
    assert xs[-1] - xs[0] > frame.width / 2  # spread over the frame, not squeezed together
    assert layout.spring([], [], frame) == {}
    assert layout.spring([7], [], frame) == {7: Point(380, 280)}
