"""What the admin pages show: themes, users, organisations, listings waiting, and messages."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session, col, select

from matchmaker.admin import service
from matchmaker.listings import views as listing_views
from matchmaker.tables import Listing, Organisation, Theme, User
from matchmaker.vocab import Role, Status
from matchmaker.web.fields import Option
from matchmaker.web.i18n import Translator

Errors = dict[str, str]


def schema_errors(t: Translator, exc: ValidationError) -> Errors:
    """The first problem of each field, in the UI language, for the message beside it."""
    found: Errors = {}
    for e in exc.errors():
        name = str(e["loc"][0]) if e["loc"] else "form"
        if e["type"] in ("string_too_short", "missing"):
            message = t("error.required")
        elif e["type"] == "string_too_long":
            message = t("error.too_long", max=(e.get("ctx") or {}).get("max_length", ""))
        elif e["type"] == "string_pattern_mismatch":
            message = t("admin.pattern")
        else:
            message = t("error.choose")
        found.setdefault(name, message)
    return found


@dataclass
class ThemeName:
    lang: str
    field: str  # name_fi, name_sv, name_en
    label: str
    value: str


@dataclass
class ThemeRow:
    id: int
    slug: str
    names: list[ThemeName]
    error: str


def themes(session: Session, t: Translator, errors: dict[int, str]) -> list[ThemeRow]:
    out = []
    for th in session.exec(select(Theme).order_by(col(Theme.id))):
        assert th.id is not None
        names = [
            ThemeName(lang, f"name_{lang}", f"{th.slug}: {t(key)}", getattr(th, f"name_{lang}"))
            for lang, key in (
                ("fi", "admin.name_fi"),
                ("sv", "admin.name_sv"),
                ("en", "admin.name_en"),
            )
        ]
        out.append(ThemeRow(th.id, th.slug, names, errors.get(th.id, "")))
    return out


@dataclass
class UserRow:
    id: int
    email: str
    name: str
    roles: list[Option]
    organisations: list[Option]
    active: bool
    status: str
    error: str


def organisation_options(session: Session, t: Translator, chosen: int | None) -> list[Option]:
    rows = session.exec(select(Organisation).order_by(col(Organisation.name)))
    return [Option("", t("admin.no_organisation"), chosen is None)] + [
        Option(str(o.id), o.name, o.id == chosen) for o in rows
    ]


def users(session: Session, t: Translator, errors: dict[int, str]) -> list[UserRow]:
    out = []
    for u in session.exec(select(User).order_by(col(User.email))):
        assert u.id is not None
        out.append(
            UserRow(
                id=u.id,
                email=u.email,
                name=u.name,
                roles=[Option(r.value, t.label("role", r), r == u.role) for r in Role],
                organisations=organisation_options(session, t, u.organisation_id),
                active=u.active,
                status=t("admin.active") if u.active else t("admin.inactive"),
                error=errors.get(u.id, ""),
            )
        )
    return out


@dataclass
class OrganisationRow:
    id: int
    name: str
    kind: str
    municipality: str
    listings: int
    users: int
    url: str


def organisations(session: Session, t: Translator) -> list[OrganisationRow]:
    numbers = service.counts(session)
    out = []
    for o in session.exec(select(Organisation).order_by(col(Organisation.name))):
        assert o.id is not None
        n_listings, n_users = numbers.get(o.id, (0, 0))
        out.append(
            OrganisationRow(
                id=o.id,
                name=o.name,
                kind=t.label("orgkind", o.kind),
                municipality=o.municipality or "",
                listings=n_listings,
                users=n_users,
                url=f"/admin/organisations/{o.id}",
            )
        )
    return out


@dataclass
class PendingRow:
    id: int
    title: str
    url: str
    kind: str
    theme: str
    organisation: str
    updated: str


def pending_listings(session: Session, t: Translator) -> list[PendingRow]:
    """The listings waiting for a facilitator's approval, oldest change first."""
    query = select(Listing).where(Listing.status == Status.pending)
    rows = list(session.exec(query.order_by(col(Listing.updated_at))))
    names = {o.id: o.name for o in session.exec(select(Organisation))}
    themes_by_id = {th.id: th for th in session.exec(select(Theme))}
    out = []
    for lst in rows:
        assert lst.id is not None
        theme = themes_by_id.get(lst.theme_id)
        out.append(
            PendingRow(
                id=lst.id,
                title=lst.title,
                url=f"/listings/{lst.id}",
                kind=t.label("kind", lst.kind),
                theme=listing_views.theme_name(theme, t.lang) if theme else "",
                organisation=names.get(lst.organisation_id, ""),
                updated=t.date(lst.updated_at.date()),
            )
        )
    return out
