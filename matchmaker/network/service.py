"""The map's and the network's data: counts per municipality, match links, as a viewer may see.

What a viewer sees (decided here, asked of listings/visibility.py):
- everyone: organisations and active, unexpired listings counted by municipality. A listing is
  placed by its own municipality; by its organisation's only where the listing names its owner
  to the viewer, so an anonymous listing never says where its organisation is.
- facilitators and admins: the matches too, as lines between the offer's and the need's
  municipalities, and the network of organisations they link. Matches exist for the two
  parties and for curators (visibility.may_see_match); the map is the region's, so it shows
  them to curators only, and to no one else, not even a party.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from matchmaker.accounts.auth import Principal
from matchmaker.engine import geo
from matchmaker.engine.matching import expired
from matchmaker.listings import visibility
from matchmaker.network import projection
from matchmaker.network.landuse import is_land_use
from matchmaker.tables import Listing, Match, Organisation
from matchmaker.vocab import ListingKind, MatchStatus, OrgKind, Status

# The stages from a suggestion to a realised exchange, in order, then the two ends without one.
STAGES: tuple[MatchStatus, ...] = (
    MatchStatus.suggested,
    MatchStatus.shortlisted,
    MatchStatus.introduced,
    MatchStatus.negotiating,
    MatchStatus.pilot,
    MatchStatus.realised,
)
CLOSED: tuple[MatchStatus, ...] = (MatchStatus.rejected, MatchStatus.dropped)
KINDS = ("offer", "need", "land")  # the kind filter: offers, needs, or land use of either


@dataclass(frozen=True)
class Filters:
    """What the map and the network are narrowed to; None or "" means all."""

    theme_id: int | None = None
    kind: str = ""  # "" | "offer" | "need" | "land"
    stage: MatchStatus | None = None  # None: every stage but rejected and dropped

    def keeps_listing(self, listing: Listing) -> bool:
        if self.theme_id is not None and listing.theme_id != self.theme_id:
            return False
        if self.kind == "land":
            return is_land_use(listing)
        return not self.kind or listing.kind == ListingKind(self.kind)

    def keeps_stage(self, status: MatchStatus) -> bool:
        return status == self.stage if self.stage is not None else status not in CLOSED


@dataclass
class PlaceCount:
    """One municipality's row: what is there, and (for curators) the matches touching it."""

    name: str  # Finnish name, as stored
    on_map: bool  # in Uusimaa, so drawn; others are in the table only
    organisations: int = 0
    offers: int = 0
    needs: int = 0
    land_use: int = 0
    matches: Counter[MatchStatus] = field(default_factory=Counter)

    @property
    def listings(self) -> int:
        return self.offers + self.needs


@dataclass(frozen=True)
class Link:
    """Matches between two municipalities at one stage (from the offer's to the need's)."""

    source: str
    target: str
    stage: MatchStatus
    count: int


@dataclass
class MapData:
    places: list[PlaceCount]
    links: list[Link]
    unplaced: int  # visible listings with no known municipality
    shows_matches: bool


@dataclass(frozen=True)
class OrgNode:
    id: int
    name: str
    kind: OrgKind
    municipality: str | None
    matches: int


@dataclass(frozen=True)
class OrgEdge:
    """The matches between two organisations (offer side first), at their furthest stage."""

    source: int
    target: int
    stage: MatchStatus
    count: int


@dataclass
class Network:
    nodes: list[OrgNode]
    edges: list[OrgEdge]


def _visible_listings(session: Session, viewer: Principal, filters: Filters) -> list[Listing]:
    """The active, unexpired listings the viewer may see, narrowed by the filters."""
    found = session.exec(select(Listing).where(col(Listing.status) == Status.active))
    return [
        lst
        for lst in found
        if visibility.may_see(viewer, lst) and not expired(lst) and filters.keeps_listing(lst)
    ]


def _place_of(viewer: Principal, listing: Listing, orgs: dict[int, Organisation]) -> str | None:
    """A listing's municipality; its organisation's only where the listing names its owner."""
    if listing.municipality:
        return listing.municipality
    org = orgs.get(listing.organisation_id)
    if org is not None and visibility.owner_named(viewer, listing):
        return org.municipality
    return None


def _canonical(name: str | None) -> str | None:
    """The Finnish name of a known municipality (Borgå -> Porvoo), else the name as given."""
    if not name:
        return None
    place = geo.find(name)
    return place.name_fi if place is not None else name.strip()


def map_data(session: Session, viewer: Principal, filters: Filters) -> MapData:
    """Counts per municipality and, for curators, the match links between them."""
    orgs = {o.id: o for o in session.exec(select(Organisation)) if o.id is not None}
    listings = _visible_listings(session, viewer, filters)
    places: dict[str, PlaceCount] = {
        p.name_fi: PlaceCount(p.name_fi, True) for p in projection.region_places()
    }

    def row(name: str) -> PlaceCount:
        if name not in places:
            places[name] = PlaceCount(name, projection.on_map(name) is not None)
        return places[name]

    unplaced = 0
    with_listings: set[int] = set()
    for lst in listings:
        name = _canonical(_place_of(viewer, lst, orgs))
        if name is None:
            unplaced += 1
            continue
        counted = row(name)
        counted.offers += lst.kind == ListingKind.offer
        counted.needs += lst.kind == ListingKind.need
        counted.land_use += is_land_use(lst)
        if visibility.owner_named(viewer, lst):  # an anonymous listing counts no organisation
            with_listings.add(lst.organisation_id)
    narrowed = filters.theme_id is not None or bool(filters.kind)
    for org_id, org in orgs.items():
        name = _canonical(org.municipality)
        if name is not None and (not narrowed or org_id in with_listings):
            row(name).organisations += 1
    links: list[Link] = []
    if viewer.curates:
        links = _links(session, filters, orgs, row)
    ordered = sorted(places.values(), key=lambda p: (not p.on_map, p.name))
    return MapData(ordered, links, unplaced, viewer.curates)


def _matches(session: Session, filters: Filters) -> list[tuple[Match, Listing, Listing]]:
    """The matches the filters keep, each with its offer and need (curators only ask)."""
    query = select(Match)
    if filters.theme_id is not None:
        query = query.where(col(Match.theme_id) == filters.theme_id)
    matches = [m for m in session.exec(query) if filters.keeps_stage(m.status)]
    ids = {i for m in matches for i in (m.offer_id, m.need_id)}
    listings = (
        {lst.id: lst for lst in session.exec(select(Listing).where(col(Listing.id).in_(ids)))}
        if ids
        else {}
    )
    kept = []
    for m in matches:
        offer, need = listings[m.offer_id], listings[m.need_id]
        if filters.kind == "land" and not (is_land_use(offer) or is_land_use(need)):
            continue
        kept.append((m, offer, need))
    return kept


def _links(
    session: Session,
    filters: Filters,
    orgs: dict[int, Organisation],
    row: Callable[[str], PlaceCount],
) -> list[Link]:
    counts: Counter[tuple[str, str, MatchStatus]] = Counter()
    for m, offer, need in _matches(session, filters):
        ends = []
        for lst in (offer, need):
            org = orgs.get(lst.organisation_id)
            ends.append(_canonical(lst.municipality or (org.municipality if org else None)))
        for name in {n for n in ends if n is not None}:
            row(name).matches[m.status] += 1
        source, target = ends
        if source is not None and target is not None and source != target:
            counts[(source, target, m.status)] += 1
    return [
        Link(s, t, stage, n)
        for (s, t, stage), n in sorted(counts.items(), key=lambda kv: stage_rank(kv[0][2]))
    ]


def stage_rank(stage: MatchStatus) -> int:
    """Closed first, then suggested … realised: later stages are drawn on top."""
    return STAGES.index(stage) + 1 if stage in STAGES else 0


def network(session: Session, viewer: Principal, filters: Filters) -> Network:
    """The organisations the kept matches link, and one edge per pair at its furthest stage.

    For curators only (the page asks them to log in): they see every owner."""
    if not viewer.curates:
        return Network([], [])
    orgs = {o.id: o for o in session.exec(select(Organisation)) if o.id is not None}
    per_pair: dict[tuple[int, int], list[MatchStatus]] = defaultdict(list)
    for m, offer, need in _matches(session, filters):
        if offer.organisation_id != need.organisation_id:
            per_pair[(offer.organisation_id, need.organisation_id)].append(m.status)
    edges = [
        OrgEdge(a, b, max(stages, key=stage_rank), len(stages))
        for (a, b), stages in sorted(per_pair.items())
    ]
    degree: Counter[int] = Counter()
    for e in edges:
        degree[e.source] += e.count
        degree[e.target] += e.count
    nodes = [
        OrgNode(i, orgs[i].name, orgs[i].kind, orgs[i].municipality, degree[i])
        for i in sorted(degree, key=lambda i: orgs[i].name)
    ]
    return Network(nodes, edges)
