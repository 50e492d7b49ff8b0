"""What the admins' emission-factor page shows: each factor's form, and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from matchmaker.tables import EmissionFactor, User
from matchmaker.web.i18n import N_, Translator
from matchmaker.workspace import detail_views, factors

# the form's fields and their labels, in the order the page and the audit trail show them
LABELS = {
    "co2e": N_("factors.co2e"),
    "density_t_per_m3": N_("factors.density"),
    "t_per_piece": N_("factors.piece"),
    "basis_fi": N_("factors.basis_fi"),
    "basis_sv": N_("factors.basis_sv"),
    "basis_en": N_("factors.basis_en"),
    "source": N_("impact.source"),
}
LONG = ("basis_fi", "basis_sv", "basis_en", "source")


@dataclass
class Input:
    name: str
    label: str
    value: str
    long: bool  # a textarea
    lang: str  # the language the text is in ("" for numbers)


@dataclass
class FactorRow:
    id: int
    material: str
    scope: str  # the waste-code prefix it applies to, or the theme it is the fallback of
    value: str
    inputs: list[Input]
    error: str


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditRow:
    at: str
    who: str
    material: str
    changes: list[Change]


def _plain(value: object) -> str:
    """A stored number as the form shows it back (a dot, no thousands separator): it parses."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _shown(t: Translator, value: object) -> str:
    """An old or new value in the audit trail, in the UI language's notation."""
    if value is None or value == "":
        return "–"
    if isinstance(value, int | float):
        return t.number(float(value), 4)
    return str(value)


def scope(t: Translator, factor: EmissionFactor, themes: dict[str, str]) -> str:
    if factor.ewc_prefix:
        code = " ".join(factor.ewc_prefix[i : i + 2] for i in range(0, len(factor.ewc_prefix), 2))
        return t("factors.scope_code", code=code)
    if factor.theme == factors.ENERGY:
        return t("factors.scope_energy")
    return t("factors.scope_theme", theme=themes.get(factor.theme, factor.theme))


def rows(
    session: Session,
    t: Translator,
    themes: dict[str, str],
    values: dict[int, dict[str, str]],
    errors: dict[int, str],
) -> list[FactorRow]:
    out = []
    for f in factors.all_factors(session):
        assert f.id is not None
        given = values.get(f.id, {})
        inputs = [
            Input(
                name,
                t(label),
                given[name] if name in given else _plain(getattr(f, name)),
                name in LONG,
                name.removeprefix("basis_") if name.startswith("basis_") else "",
            )
            for name, label in LABELS.items()
        ]
        out.append(
            FactorRow(
                f.id,
                factors.material(f, t.lang),
                scope(t, f, themes),
                detail_views.factor_value(t, f),
                inputs,
                errors.get(f.id, ""),
            )
        )
    return out


def trail(session: Session, t: Translator) -> list[AuditRow]:
    """Who changed which factor, when, each field's old → new value; newest first."""
    by_key = {f.key: f for f in factors.all_factors(session)}
    out = []
    for entry in factors.history(session):
        user = session.get(User, entry.user_id) if entry.user_id else None
        factor = by_key.get(entry.target)
        out.append(
            AuditRow(
                t.time(entry.at),
                (user.name or user.email) if user else "–",
                factors.material(factor, t.lang) if factor else entry.target,
                [
                    Change(t(LABELS[name]), _shown(t, old), _shown(t, new))
                    for name, old, new in factors.changed_fields(entry)
                ],
            )
        )
    return out
