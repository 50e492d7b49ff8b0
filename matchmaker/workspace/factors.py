"""Emission factors per material: seeded from the shipped CSV, chosen by waste code, edited by
admins with an audit trail (impact.edit_factor also recomputes the recorded matches)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import Annotated

from pydantic import Field
from sqlmodel import Session, col, select

from matchmaker.accounts import service as accounts
from matchmaker.errors import NotFound
from matchmaker.shapes import StrictModel, storable
from matchmaker.tables import AuditEntry, EmissionFactor, Listing, Match, User, utcnow

# Reference data the product reports with, shipped inside the package (not a demo seed).
CSV = "data/emission_factors.csv"
ENERGY = "energy"  # the factor for amounts in MWh, whatever the theme
AUDIT_ACTION = "edit emission factor"
NUMBERS = ("co2e", "density_t_per_m3", "t_per_piece")
TEXTS = ("basis_fi", "basis_sv", "basis_en", "source")


def _num(value: str) -> float | None:
    return float(value) if value.strip() else None


def shipped() -> list[EmissionFactor]:
    """The factors of the shipped CSV, as unsaved rows."""
    text = resources.files("matchmaker.workspace").joinpath(CSV).read_text("utf-8")
    return [
        EmissionFactor(
            key=row["key"],
            theme=row["theme"],
            ewc_prefix=row["ewc_prefix"],
            material_fi=row["material_fi"],
            material_sv=row["material_sv"],
            material_en=row["material_en"],
            co2e=float(row["co2e"]),
            per=row["per"],
            density_t_per_m3=_num(row["density_t_per_m3"]),
            t_per_piece=_num(row["t_per_piece"]),
            basis_fi=row["basis_fi"],
            basis_sv=row["basis_sv"],
            basis_en=row["basis_en"],
            source=row["source"],
        )
        for row in csv.DictReader(text.splitlines())
    ]


def ensure_seeded(session: Session) -> int:
    """Store the shipped factors when the table is empty (the first start); how many were."""
    if session.exec(select(EmissionFactor.id)).first() is not None:
        return 0
    rows = shipped()
    session.add_all(rows)
    session.commit()
    return len(rows)


def all_factors(session: Session) -> list[EmissionFactor]:
    """Every factor, theme fallbacks first in each theme, then by waste code."""
    ensure_seeded(session)
    rows = session.exec(select(EmissionFactor)).all()
    return sorted(rows, key=lambda f: (f.theme == ENERGY, f.theme, f.ewc_prefix))


@dataclass(frozen=True)
class Table:
    """The factors as the lookup needs them: by waste-code prefix and by theme."""

    by_prefix: dict[str, EmissionFactor]
    by_theme: dict[str, EmissionFactor]

    def choose(
        self, theme: str, code: str | None, *, energy: bool = False
    ) -> EmissionFactor | None:
        """The material's factor (the longest prefix of the waste code that has one), else
        the theme's; for an amount in MWh the energy factor."""
        if energy:
            return self.by_theme.get(ENERGY)
        for length in (6, 4, 2):
            if code and len(code) >= length and code[:length] in self.by_prefix:
                return self.by_prefix[code[:length]]
        return self.by_theme.get(theme)


def table(session: Session) -> Table:
    rows = all_factors(session)
    return Table(
        {f.ewc_prefix: f for f in rows if f.ewc_prefix},
        {f.theme: f for f in rows if not f.ewc_prefix},
    )


def code_of(session: Session, match: Match) -> str | None:
    """The waste code the match moves: the offer's own, else the one code the need accepts."""
    offer = session.get(Listing, match.offer_id)
    if offer is not None and offer.ewc_code:
        return offer.ewc_code
    need = session.get(Listing, match.need_id)
    if need is not None and need.accepted_codes and len(need.accepted_codes) == 1:
        return need.accepted_codes[0]
    return None


Number = Annotated[float, Field(ge=0, lt=1e6)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class FactorUpdate(StrictModel):
    co2e: Number
    density_t_per_m3: Number | None = None
    t_per_piece: Number | None = None
    basis_fi: Text
    basis_sv: Text
    basis_en: Text
    source: Text


def get(session: Session, factor_id: int) -> EmissionFactor:
    factor = session.get(EmissionFactor, factor_id) if storable(factor_id) else None
    if factor is None:
        raise NotFound(f"emission factor {factor_id} does not exist")
    return factor


def update(
    session: Session, *, by: User | None, factor_id: int, data: FactorUpdate
) -> tuple[EmissionFactor, bool]:
    """Change a factor; the audit entry keeps each changed field's old and new value. Returns
    the factor and whether anything changed."""
    factor = get(session, factor_id)
    changes: dict[str, str | int | float | None] = {}
    for name, new in data.model_dump().items():
        old = getattr(factor, name)
        if old != new:
            changes[f"{name}_old"], changes[f"{name}_new"] = old, new
            setattr(factor, name, new)
    if not changes:
        return factor, False
    factor.updated_at = utcnow()
    session.add(factor)
    accounts.audit(session, by, AUDIT_ACTION, factor.key, **changes)
    session.commit()
    return factor, True


def changed_fields(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """(field, old, new) of one audited edit, in the order of the form."""
    detail = entry.detail or {}
    return [
        (name, detail.get(f"{name}_old"), detail.get(f"{name}_new"))
        for name in (*NUMBERS, *TEXTS)
        if f"{name}_new" in detail or f"{name}_old" in detail
    ]


def history(session: Session, limit: int = 50) -> list[AuditEntry]:
    """The latest audited edits of the factors, newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.action == AUDIT_ACTION)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def material(factor: EmissionFactor, lang: str) -> str:
    """The material's name in the UI language (fi, sv or en)."""
    return str(getattr(factor, f"material_{lang}", factor.material_en))


def basis(factor: EmissionFactor, lang: str) -> str:
    """What the factor assumes is avoided, in the UI language."""
    return str(getattr(factor, f"basis_{lang}", factor.basis_en))
