"""Impact of pilots and realised exchanges: tonnes per year and CO2e avoided, from data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matchmaker.vocab import Unit

_MASS = {Unit.t: 1.0, Unit.kg: 0.001}


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
def factors(path: Path) -> dict[str, Factor]:
    with path.open(encoding="utf-8") as f:
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
            for row in csv.DictReader(f)
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
    if unit in _MASS:
        tonnes = amount * _MASS[unit]
    elif unit == Unit.m3 and factor and factor.density_t_per_m3:
        tonnes = amount * factor.density_t_per_m3
    elif unit == Unit.pcs and factor and factor.t_per_piece:
        tonnes = amount * factor.t_per_piece
    else:
        return Impact(None, None, factor, f"no conversion from {unit} to tonnes for {theme}")
    co2e = tonnes * factor.co2e_per_t if factor and factor.co2e_per_t is not None else None
    note = f"{factor.material}: {factor.basis}" if factor else f"no factor for {theme}"
    return Impact(round(tonnes, 3), None if co2e is None else round(co2e, 3), factor, note)
