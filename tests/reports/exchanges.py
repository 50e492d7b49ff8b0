"""Realised exchanges for the reports' tests: two organisations, an offer and a need, a match
walked to the step asked for through the pipeline's own service, and its amount recorded."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from matchmaker.tables import Match, Theme, User, saved_id
from matchmaker.vocab import MatchStatus, Role, Unit
from matchmaker.workspace import impact, pipeline
from tests.world import Factory, engine_of, person

STEPS = (
    MatchStatus.shortlisted,
    MatchStatus.introduced,
    MatchStatus.negotiating,
    MatchStatus.pilot,
    MatchStatus.realised,
)


def exchange(
    make: Factory,
    *,
    theme: str,
    offer_title: str,
    need_title: str,
    tonnes: float,
    ewc_code: str | None = None,
    municipality: str = "Porvoo",
    until: MatchStatus = MatchStatus.realised,
    seller: str = "Porvoon Purku Oy",
    buyer: str = "Kilpilahden Kierrätys Oy",
) -> int:
    """The match's id: `seller`'s offer × `buyer`'s need, walked to `until`, `tonnes` a year."""
    client = make.client
    sell = _org(make, seller, municipality)
    buy = _org(make, buyer, "Sipoo")
    extra: dict[str, Any] = {"ewc_code": ewc_code} if ewc_code else {}
    offer = make.listing(
        sell, theme=theme, title=offer_title, municipality=municipality, quantity=tonnes, **extra
    )
    need = make.listing(
        buy, theme=theme, kind="need", title=need_title, municipality="Sipoo", quantity=tonnes
    )
    db_engine = engine_of(client)
    facilitator = person(db_engine, Role.facilitator.value)
    with Session(db_engine) as s:
        theme_row = s.exec(select(Theme).where(Theme.slug == theme)).one()
        match = Match(
            offer_id=offer["id"], need_id=need["id"], theme_id=saved_id(theme_row), score=80.0
        )
        s.add(match)
        s.commit()
        by = s.get(User, facilitator.id)
        for step in STEPS[: STEPS.index(until) + 1]:
            pipeline.move(s, match, step, by=by, agreed=True)
        impact.record(s, match, tonnes, Unit.t, by=by)
        return saved_id(match)


def _org(make: Factory, name: str, municipality: str) -> int:
    found = [o for o in make.client.get("/api/organisations").json() if o["name"] == name]
    if found:
        return int(found[0]["id"])
    return int(make.org(name, municipality=municipality)["id"])


def figures(client: Any, match_id: int) -> tuple[float | None, float | None]:
    """The tonnes and CO2e a year stored on the match."""
    with Session(engine_of(client)) as s:
        match = s.get(Match, match_id)
        assert match is not None
        return match.tonnes_per_year, match.co2e_t_per_year
