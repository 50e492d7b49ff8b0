"""Impact of pilots and realised exchanges: tonnes per year and CO2e avoided, by material."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from matchmaker.errors import InputError
from matchmaker.tables import EmissionFactor, Match, Theme, User
from matchmaker.vocab import MatchStatus, Unit, in_tonnes
from matchmaker.workspace import factors, pipeline

# The steps whose amounts count: before a pilot nothing moves yet.
RECORDED = (MatchStatus.pilot, MatchStatus.realised)


@dataclass(frozen=True)
class Impact:
    tonnes_per_year: float | None
    co2e_t_per_year: float | None
    factor: EmissionFactor | None
    note: str


def assess(amount: float, unit: Unit, factor: EmissionFactor | None, theme: str = "") -> Impact:
    """Tonnes diverted and CO2e avoided per year with `factor`, saying why when not."""
    if unit == Unit.MWh:
        co2e = amount * factor.co2e if factor and factor.per == Unit.MWh else None
        return Impact(None, None if co2e is None else round(co2e, 3), factor, "energy: CO2e only")
    tonnes = in_tonnes(amount, unit)
    if tonnes is None and factor:  # volumes and pieces weigh what the material weighs
        per_unit = {Unit.m3: factor.density_t_per_m3, Unit.pcs: factor.t_per_piece}.get(unit)
        tonnes = amount * per_unit if per_unit else None
    if tonnes is None:
        return Impact(None, None, factor, f"no conversion from {unit} to tonnes for {theme}")
    co2e = tonnes * factor.co2e if factor and factor.per == Unit.t else None
    note = f"{factor.material_en}: {factor.basis_en}" if factor else f"no factor for {theme}"
    return Impact(round(tonnes, 3), None if co2e is None else round(co2e, 3), factor, note)


def _theme_slug(session: Session, match: Match) -> str:
    theme = session.get(Theme, match.theme_id)
    return theme.slug if theme else ""


def factor_for(
    session: Session, match: Match, unit: Unit, table: factors.Table | None = None
) -> EmissionFactor | None:
    """The factor a match's amount is counted with: its material's, else its theme's."""
    table = table or factors.table(session)
    return table.choose(
        _theme_slug(session, match), factors.code_of(session, match), energy=unit == Unit.MWh
    )


def recorded(session: Session, match: Match) -> Impact | None:
    """The impact of the amount recorded on the match, or None before one is."""
    if match.amount_per_year is None or match.amount_unit is None:
        return None
    unit = Unit(match.amount_unit)
    factor = factor_for(session, match, unit)
    return assess(match.amount_per_year, unit, factor, _theme_slug(session, match))


def record(session: Session, match: Match, amount: float, unit: Unit, *, by: User | None) -> Impact:
    """Record the amount a pilot or a realised exchange moves a year; tonnes and CO2e follow."""
    if match.status not in RECORDED:
        raise InputError("status", "impact is recorded for pilots and realised exchanges")
    result = assess(amount, unit, factor_for(session, match, unit), _theme_slug(session, match))
    match.amount_per_year, match.amount_unit = amount, unit
    match.tonnes_per_year, match.co2e_t_per_year = result.tonnes_per_year, result.co2e_t_per_year
    session.add(match)
    session.commit()
    pipeline.note(session, match, by=by, note=f"impact: {amount:g} {unit}/yr")
    return result


def recompute(session: Session) -> int:
    """Count every recorded amount again with today's factors; how many figures changed."""
    table = factors.table(session)
    changed = 0
    for match in session.exec(select(Match).where(col(Match.amount_per_year).is_not(None))):
        if match.amount_per_year is None or match.amount_unit is None:
            continue
        unit = Unit(match.amount_unit)
        result = assess(match.amount_per_year, unit, factor_for(session, match, unit, table))
        now = (result.tonnes_per_year, result.co2e_t_per_year)
        if now != (match.tonnes_per_year, match.co2e_t_per_year):
            match.tonnes_per_year, match.co2e_t_per_year = now
            session.add(match)
            changed += 1
    session.commit()
    return changed


@dataclass
class Usage:
    """One factor and what the recorded matches counted with it come to."""

    factor: EmissionFactor
    matches: int = 0
    tonnes_per_year: float = 0.0
    co2e_t_per_year: float = 0.0


def used(session: Session, matches: list[Match]) -> list[Usage]:
    """The factors the recorded amounts of `matches` are counted with, largest CO2e first."""
    table = factors.table(session)
    found: dict[int, Usage] = {}
    for match in matches:
        if match.status not in RECORDED or match.amount_unit is None:
            continue
        factor = factor_for(session, match, Unit(match.amount_unit), table)
        if factor is None or factor.id is None:
            continue
        usage = found.setdefault(factor.id, Usage(factor))
        usage.matches += 1
        usage.tonnes_per_year += match.tonnes_per_year or 0
        usage.co2e_t_per_year += match.co2e_t_per_year or 0
    return sorted(found.values(), key=lambda u: (-u.co2e_t_per_year, u.factor.key))


def used_in(session: Session, theme_id: int | None = None) -> list[Usage]:
    """The factors of the region's (or one theme's) recorded pilots and exchanges."""
    query = select(Match).where(col(Match.status).in_(RECORDED))
    if theme_id is not None:
        query = query.where(Match.theme_id == theme_id)
    return used(session, list(session.exec(query)))


def edit_factor(
    session: Session, *, by: User | None, factor_id: int, data: factors.FactorUpdate
) -> tuple[EmissionFactor, int]:
    """An admin's edit of a factor (audited), then every recorded figure counted again with
    it: the dashboard and the reports never mix old and new factors."""
    factor, changed = factors.update(session, by=by, factor_id=factor_id, data=data)
    return factor, recompute(session) if changed else 0


def seed(session: Session) -> int:
    """The shipped factors on first start; figures recorded before them are counted again."""
    stored = factors.ensure_seeded(session)
    if stored:
        recompute(session)
    return stored
