"""Dashboard figures per theme and for the region: statuses, the funnel, impact over time."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from matchmaker.tables import Match, MatchEvent
from matchmaker.vocab import MatchStatus
from matchmaker.workspace.pipeline import PIPELINE


@dataclass
class Step:
    status: MatchStatus
    reached: int  # matches that got at least this far
    conversion: float | None  # reached / reached at the step before


@dataclass
class Month:
    month: str  # "2027-03"
    tonnes: float  # cumulative tonnes per year in pilots and realised exchanges
    co2e: float


@dataclass
class Figures:
    counts: dict[str, int]
    funnel: list[Step]
    months: list[Month]
    tonnes_per_year: float
    co2e_t_per_year: float
    realised: int
    extra: dict[str, int] = field(default_factory=dict)


def figures(session: Session, theme_id: int | None = None) -> Figures:
    query = select(Match)
    if theme_id is not None:
        query = query.where(Match.theme_id == theme_id)
    matches = list(session.exec(query))
    ids = [m.id for m in matches]
    events = (
        list(
            session.exec(
                select(MatchEvent)
                .where(col(MatchEvent.match_id).in_(ids))
                .order_by(col(MatchEvent.at))
            )
        )
        if ids
        else []
    )
    counts = Counter(str(m.status) for m in matches)
    reached: dict[MatchStatus, set[int]] = defaultdict(set)
    landed: dict[int, str] = {}  # match -> month it became a pilot or realised
    for e in events:
        reached[MatchStatus(e.to_status)].add(e.match_id)
        if e.to_status in (MatchStatus.pilot, MatchStatus.realised) and e.match_id not in landed:
            landed[e.match_id] = e.at.strftime("%Y-%m")
    funnel, before = [], None
    for status in PIPELINE:
        n = len(set().union(*(reached[s] for s in PIPELINE[PIPELINE.index(status) :])))
        funnel.append(Step(status, n, None if not before else round(n / before, 3)))
        before = n
    impact = [m for m in matches if m.status in (MatchStatus.pilot, MatchStatus.realised)]
    monthly: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
    for m in impact:
        month = landed.get(m.id or 0)
        if month:
            t, c = monthly[month]
            monthly[month] = (t + (m.tonnes_per_year or 0), c + (m.co2e_t_per_year or 0))
    months, t_sum, c_sum = [], 0.0, 0.0
    for month in sorted(monthly):
        t_sum += monthly[month][0]
        c_sum += monthly[month][1]
        months.append(Month(month, round(t_sum, 3), round(c_sum, 3)))
    return Figures(
        counts={str(s): counts.get(str(s), 0) for s in MatchStatus},
        funnel=funnel,
        months=months,
        tonnes_per_year=round(sum(m.tonnes_per_year or 0 for m in impact), 3),
        co2e_t_per_year=round(sum(m.co2e_t_per_year or 0 for m in impact), 3),
        realised=counts.get(MatchStatus.realised.value, 0),
    )
