"""The report's figures for the region, a theme or a municipality: who takes part, what is on
offer and asked for, how far the matches got, and what the exchanges move a year."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from matchmaker.tables import Listing, Match, MatchEvent, Organisation, Theme
from matchmaker.vocab import ListingKind, MatchStatus, OrgKind, Status
from matchmaker.workspace import impact

# listings that were published: a draft or one waiting for approval is not yet taking part
PUBLISHED = (Status.active, Status.closed)


@dataclass(frozen=True)
class Scope:
    """What a report covers: the whole region, or one theme, or one municipality, or both."""

    theme_id: int | None = None
    municipality: str = ""


@dataclass
class Year:
    year: int
    realised: int = 0
    realised_tonnes: float = 0.0
    realised_co2e: float = 0.0
    pilots: int = 0
    pilot_tonnes: float = 0.0
    pilot_co2e: float = 0.0


@dataclass
class Part:
    """One row of a breakdown (a theme, a municipality)."""

    key: str
    organisations: int = 0
    listings: int = 0
    matches: int = 0
    realised: int = 0
    tonnes: float = 0.0
    co2e: float = 0.0


@dataclass
class Report:
    organisations: dict[OrgKind, int]
    listings: dict[ListingKind, int]
    matches: dict[MatchStatus, int]
    years: list[Year]
    by_theme: list[Part]
    by_municipality: list[Part]
    usages: list[impact.Usage] = field(default_factory=list)

    @property
    def tonnes(self) -> float:
        return round(sum(y.realised_tonnes + y.pilot_tonnes for y in self.years), 3)

    @property
    def co2e(self) -> float:
        return round(sum(y.realised_co2e + y.pilot_co2e for y in self.years), 3)


def place(listing: Listing, orgs: dict[int, Organisation]) -> str:
    """Where a listing is: its own municipality, else its organisation's ("" if neither)."""
    org = orgs.get(listing.organisation_id)
    return listing.municipality or (org.municipality if org else None) or ""


def municipalities(session: Session) -> list[str]:
    """Every municipality a published listing or an organisation names, alphabetically."""
    orgs = {o.id: o for o in session.exec(select(Organisation)) if o.id is not None}
    found = {o.municipality for o in orgs.values() if o.municipality}
    listings = session.exec(select(Listing).where(col(Listing.status).in_(PUBLISHED)))
    found |= {place(lst, orgs) for lst in listings}
    return sorted(p for p in found if p)


def _landed(session: Session, matches: list[Match]) -> dict[int, int]:
    """The year each recorded match first reached the step it is at (pilot or realised)."""
    ids = [m.id for m in matches if m.id is not None]
    status = {m.id: m.status for m in matches}
    years: dict[int, int] = {}
    if not ids:
        return years
    events = session.exec(
        select(MatchEvent).where(col(MatchEvent.match_id).in_(ids)).order_by(col(MatchEvent.at))
    )
    for e in events:
        if e.to_status == status.get(e.match_id) and e.match_id not in years:
            years[e.match_id] = e.at.year
    return years


def build(session: Session, scope: Scope) -> Report:
    """The report for `scope`. A match counts where its offer is (where the material is kept
    from disposal) and in its theme; an organisation in a theme when it has a listing there."""
    orgs = {o.id: o for o in session.exec(select(Organisation)) if o.id is not None}
    themes = {t.id: t.slug for t in session.exec(select(Theme)) if t.id is not None}
    listings = {
        lst.id: lst
        for lst in session.exec(select(Listing).where(col(Listing.status).in_(PUBLISHED)))
        if lst.id is not None
    }
    everything = {lst.id: lst for lst in session.exec(select(Listing)) if lst.id is not None}

    def listing_in(lst: Listing) -> bool:
        return (scope.theme_id is None or lst.theme_id == scope.theme_id) and (
            not scope.municipality or place(lst, orgs) == scope.municipality
        )

    def match_place(m: Match) -> str:
        offer = everything.get(m.offer_id)
        return place(offer, orgs) if offer else ""

    def match_in(m: Match) -> bool:
        return (scope.theme_id is None or m.theme_id == scope.theme_id) and (
            not scope.municipality or match_place(m) == scope.municipality
        )

    shown = [lst for lst in listings.values() if listing_in(lst)]
    if scope.theme_id is None:
        taking_part = [
            o
            for o in orgs.values()
            if not scope.municipality or o.municipality == scope.municipality
        ]
    else:
        taking_part = [orgs[i] for i in {lst.organisation_id for lst in shown} if i in orgs]
    matches = [m for m in session.exec(select(Match)) if match_in(m)]
    recorded = [m for m in matches if m.status in impact.RECORDED]
    landed = _landed(session, recorded)
    years: dict[int, Year] = {}
    by_theme: dict[str, Part] = defaultdict(lambda: Part(""))
    by_place: dict[str, Part] = defaultdict(lambda: Part(""))
    for m in recorded:
        year = years.setdefault(landed.get(m.id or 0, m.updated_at.year), Year(0))
        tonnes, co2e = m.tonnes_per_year or 0.0, m.co2e_t_per_year or 0.0
        if m.status == MatchStatus.realised:
            year.realised += 1
            year.realised_tonnes += tonnes
            year.realised_co2e += co2e
        else:
            year.pilots += 1
            year.pilot_tonnes += tonnes
            year.pilot_co2e += co2e
    for number, year in years.items():
        year.year = number
    for m in matches:
        for part in (by_theme[themes.get(m.theme_id, "")], by_place[match_place(m)]):
            part.matches += 1
            if m.status in impact.RECORDED:
                part.realised += m.status == MatchStatus.realised
                part.tonnes += m.tonnes_per_year or 0.0
                part.co2e += m.co2e_t_per_year or 0.0
    for lst in shown:
        by_theme[themes.get(lst.theme_id, "")].listings += 1
        by_place[place(lst, orgs)].listings += 1
    for key, members in (
        (by_theme, {(themes.get(lst.theme_id, ""), lst.organisation_id) for lst in shown}),
        (by_place, {(place(lst, orgs), lst.organisation_id) for lst in shown}),
    ):
        for name, n in Counter(name for name, _ in members).items():
            key[name].organisations = n
    for parts in (by_theme, by_place):
        for name, part in parts.items():
            part.key = name
    return Report(
        organisations={k: sum(o.kind == k for o in taking_part) for k in OrgKind},
        listings={k: sum(lst.kind == k for lst in shown) for k in ListingKind},
        matches={s: sum(m.status == s for m in matches) for s in MatchStatus},
        years=[years[y] for y in sorted(years)],
        by_theme=[by_theme[s] for s in themes.values() if s in by_theme],
        by_municipality=sorted(by_place.values(), key=lambda p: (p.key == "", p.key)),
        usages=impact.used(session, recorded),
    )
