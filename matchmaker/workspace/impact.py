"""Impact of pilots and realised exchanges: tonnes per year and CO2e avoided, from data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlmodel import Session

from matchmaker.errors import InputError
from matchmaker.tables import Match, Theme, User
from matchmaker.vocab import MatchStatus, Unit, in_tonnes
from matchmaker.workspace import pipeline

# Reference data the product reports with, shipped inside the package (not a demo seed).
FACTORS = "data/emission_factors.csv"
# The steps whose amounts count: before a pilot nothing moves yet.
RECORDED = (MatchStatus.pilot, MatchStatus.realised)


@dataclass(frozen=True)
class Factor:
    theme: str
    material: str
    density_t_per_m3: float | None
    t_per_piece: float | None
    co2e_per_t: float | None
    co2e_per_mwh: float | None
    basis: str
    source: str


def _num(value: str) -> float | None:
    return float(value) if value.strip() else None


@cache
def factors() -> dict[str, Factor]:
    """The emission factors by theme (`energy` for amounts in MWh)."""
    text = resources.files("matchmaker.workspace").joinpath(FACTORS).read_text("utf-8")
    return {
        row["theme"]: Factor(
            row["theme"],
            row["material"],
            _num(row["density_t_per_m3"]),
            _num(row["t_per_piece"]),
            _num(row["co2e_avoided_t_per_t"]),
            _num(row["co2e_avoided_t_per_mwh"]),
            row["basis"],
            row["source"],
        )
        for row in csv.DictReader(text.splitlines())
    }


@dataclass(frozen=True)
class Impact:
    tonnes_per_year: float | None
    co2e_t_per_year: float | None
    factor: Factor | None
    note: str


def assess(amount: float, unit: Unit, theme: str, table: dict[str, Factor]) -> Impact:
    """Tonnes diverted and CO2e avoided per year, saying which factor and why when not."""
    if unit == Unit.MWh:
        energy = table.get("energy")
        co2e = amount * energy.co2e_per_mwh if energy and energy.co2e_per_mwh else None
        return Impact(None, co2e, energy, "energy: no tonnes; CO2e per MWh")
    factor = table.get(theme)
    tonnes = in_tonnes(amount, unit)
    if tonnes is None and factor:  # volumes and pieces weigh what the theme's material weighs
        per_unit = {Unit.m3: factor.density_t_per_m3, Unit.pcs: factor.t_per_piece}.get(unit)
        tonnes = amount * per_unit if per_unit else None
    if tonnes is None:
        return Impact(None, None, factor, f"no conversion from {unit} to tonnes for {theme}")
    co2e = tonnes * factor.co2e_per_t if factor and factor.co2e_per_t is not None else None
    note = f"{factor.material}: {factor.basis}" if factor else f"no factor for {theme}"
    return Impact(round(tonnes, 3), None if co2e is None else round(co2e, 3), factor, note)


def _theme_slug(session: Session, match: Match) -> str:
    theme = session.get(Theme, match.theme_id)
    return theme.slug if theme else ""


def recorded(session: Session, match: Match) -> Impact | None:
    """The impact of the amount recorded on the match, or None before one is."""
    if match.amount_per_year is None or match.amount_unit is None:
        return None
    slug = _theme_slug(session, match)
    return assess(match.amount_per_year, Unit(match.amount_unit), slug, factors())


def record(session: Session, match: Match, amount: float, unit: Unit, *, by: User | None) -> Impact:
    """Record the amount a pilot or a realised exchange moves a year; tonnes and CO2e follow."""
    if match.status not in RECORDED:
        raise InputError("status", "impact is recorded for pilots and realised exchanges")
    result = assess(amount, unit, _theme_slug(session, match), factors())
    match.amount_per_year, match.amount_unit = amount, unit
    match.tonnes_per_year, match.co2e_t_per_year = result.tonnes_per_year, result.co2e_t_per_year
    session.add(match)
    session.commit()
    pipeline.note(session, match, by=by, note=f"impact: {amount:g} {unit}/yr")
    return result
