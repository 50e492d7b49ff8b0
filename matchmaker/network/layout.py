"""The only adapter to networkx: the organisations' network laid out, the same every time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from matchmaker.network.projection import Frame, Point

SEED = 14  # a fixed seed: the same network is drawn the same way on every request
GRAVITY = 0.05  # the pull of the hidden hub, against an edge weight of 1 a match


if TYPE_CHECKING:
    import networkx as nx


def spring(
    nodes: Iterable[int], edges: Iterable[tuple[int, int, float]], frame: Frame = Frame()
) -> dict[int, Point]:
    """Fruchterman-Reingold positions of the nodes in the frame's pixels; an edge's weight
    (its number of matches) pulls its two ends closer."""
    import networkx as nx  # loaded on the first drawing, not when the app starts

    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    for a, b, weight in edges:
        graph.add_edge(a, b, weight=weight)
    if graph.number_of_nodes() == 0:
        return {}
    if graph.number_of_nodes() == 1:
        (only,) = graph.nodes
        return {only: Point(frame.width / 2, frame.height / 2)}
    # A hidden hub tied weakly to every node keeps the small components near the large one
    # (alone, spring_layout pushes them to the corners and squeezes the rest in the middle).
    hub = min(graph.nodes) - 1
    graph.add_edges_from(((hub, node) for node in list(graph.nodes)), weight=GRAVITY)
    k = 1.0 / graph.number_of_nodes() ** 0.5
    placed = nx.spring_layout(graph, k=k, seed=SEED, weight="weight", iterations=300)
    del placed[hub]
    xs = [float(xy[0]) for xy in placed.values()]
    ys = [float(xy[1]) for xy in placed.values()]
    width = frame.width - 3 * frame.margin  # a label is centred on its node: room each side
    height = frame.height - 1.5 * frame.margin

    def spread(value: float, low: float, high: float, room: float) -> float:
        return room / 2 if high == low else (value - low) / (high - low) * room

    return {
        int(node): Point(
            1.5 * frame.margin + spread(float(xy[0]), min(xs), max(xs), width),
            frame.margin / 2 + spread(max(ys) - float(xy[1]), 0, max(ys) - min(ys), height),
        )
        for node, xy in placed.items()
    }
