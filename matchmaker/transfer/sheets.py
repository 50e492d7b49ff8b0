"""Listings and matches to CSV and XLSX; listings from a workshop sheet, dry run first."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from matchmaker.accounts import service as accounts
from matchmaker.engine.matching import Matcher
from matchmaker.engine.vectors import text_of
from matchmaker.listings import fieldnames, public, visibility
from matchmaker.listings import service as listing_service
from matchmaker.listings.schemas import ListingCreate
from matchmaker.tables import Listing, Match, Organisation, Theme, User, saved_id
from matchmaker.transfer.sheetfile import FORMULA_STARTS
from matchmaker.transfer.sheetfile import SheetError as SheetError
from matchmaker.transfer.sheetfile import read_rows as read_rows
from matchmaker.vocab import OrgKind

# A sheet names the organisation; an imported listing is active, so status is no column.
COLUMNS = [
    "organisation" if name == "organisation_id" else name
    for name in fieldnames.EDITABLE
    if name != "status"
]
MATCH_COLUMNS = [
    "id",
    "theme",
    "status",
    "score",
    "offer_id",
    "offer_title",
    "offer_organisation",
    "need_id",
    "need_title",
    "need_organisation",
    "tonnes_per_year",
    "co2e_t_per_year",
    "updated_at",
]
HIDDEN = "(anonymous)"
WITHDRAWN = "(no longer available)"  # a draft, pending or closed listing's side of a match


# -- export ---------------------------------------------------------------------------------


def listing_rows(session: Session) -> list[dict[str, Any]]:
    """Every listing as a sheet row; an anonymous listing's organisation is never written."""
    listings = list(session.exec(select(Listing).order_by(col(Listing.id))))
    rows = []
    for pub in public.present(session, listings):  # as a visitor sees them: exports travel
        data = pub.model_dump(mode="json")
        data["organisation"] = pub.organisation_name or HIDDEN
        data["accepted_codes"] = ", ".join(pub.accepted_codes)  # one cell, read back by import
        rows.append({"id": pub.id, "status": pub.status.value, **{c: data.get(c) for c in COLUMNS}})
    return rows


def match_rows(session: Session) -> list[dict[str, Any]]:
    """Every match as its parties may see it (visibility's one rule): exports travel, so an
    anonymous side's organisation is written only once its owner has accepted, and of a
    withdrawn (draft, pending, closed) side only that it is no longer available."""
    themes = {t.id: t.slug for t in session.exec(select(Theme))}
    accepted = visibility.acceptances(session)

    def side(m: Match, name: str, listing: Listing) -> tuple[str, str]:
        seen = visibility.seen_by_other_party(m, name, listing, accepted)
        if not seen.shown:
            return WITHDRAWN, WITHDRAWN
        return listing.title, _org_name(session, listing) if seen.named else HIDDEN

    rows = []
    for m in session.exec(select(Match).order_by(col(Match.id))):
        offer, need = session.get(Listing, m.offer_id), session.get(Listing, m.need_id)
        assert offer is not None and need is not None
        offer_title, offer_org = side(m, "offer", offer)
        need_title, need_org = side(m, "need", need)
        rows.append(
            {
                "id": m.id,
                "theme": themes[m.theme_id],
                "status": m.status,
                "score": m.score,
                "offer_id": offer.id,
                "offer_title": offer_title,
                "offer_organisation": offer_org,
                "need_id": need.id,
                "need_title": need_title,
                "need_organisation": need_org,
                "tonnes_per_year": m.tonnes_per_year,
                "co2e_t_per_year": m.co2e_t_per_year,
                "updated_at": m.updated_at.isoformat(timespec="seconds"),
            }
        )
    return rows


def _org_name(session: Session, listing: Listing) -> str:
    org = session.get(Organisation, listing.organisation_id)
    return org.name if org else ""


def to_csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows({c: _cell(row.get(c)) for c in columns} for row in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(rows: list[dict[str, Any]], columns: Sequence[str], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Every cell of every export passes here. A text beginning with = + - @ (or a tab or
    carriage return before one) would run as a formula in a spreadsheet: it gets a leading '.
    Numbers stay numbers: a negative one is data, not a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


# -- import ---------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int  # the row number as the spreadsheet shows it (the header is row 1)
    field: str
    message: str


@dataclass
class Report:
    rows: int
    good: int
    problems: list[Problem]
    duplicates: int  # rows already imported before (or twice in this sheet)
    new_organisations: list[str]  # names the sheet has and no organisation has: made anew
    added: int = 0
    committed: bool = False
    bad_rows: list[int] = field(default_factory=list)
    # organisations that exist and that the sheet names: their rows go to them only once a
    # facilitator has confirmed it (anyone could have registered a name before the sheet came)
    matched_organisations: list[str] = field(default_factory=list)


class NeedsConfirmation(ValueError):
    """A commit that would add rows to existing organisations found by name alone."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            "the sheet's rows would go to organisations that exist already: "
            f"{', '.join(names)}; check that they are the sheet's organisations, then "
            "commit again with confirm_organisations=true"
        )
        self.names = names


@dataclass
class _Row:
    number: int
    organisation: str  # the organisation_key of the sheet's name
    data: ListingCreate
    key: str


def _key(row: dict[str, str]) -> str:
    basis = "|".join(
        row.get(c, "").casefold() for c in ("organisation", "kind", "theme", "title", "description")
    )
    return "sheet:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def check(session: Session, rows: list[dict[str, str]]) -> tuple[Report, list[_Row]]:
    """Validate every row as the API would; nothing is written."""
    themes = {t.slug for t in session.exec(select(Theme))}
    orgs = listing_service.organisations_by_key(session)
    existing = set(session.exec(select(Listing.key).where(col(Listing.key).startswith("sheet:"))))
    problems, good, seen, dupes = [], [], set(), 0
    new_orgs: dict[str, str] = {}  # key -> the sheet's first spelling
    matched: dict[str, str] = {}  # key -> the existing organisation's name
    for n, raw in enumerate(rows, start=2):
        if not any(raw.values()):  # a blank row
            continue
        org = raw.get("organisation", "")
        if not org:
            problems.append(Problem(n, "organisation", "an organisation is needed"))
            continue
        if raw.get("theme") and raw["theme"] not in themes:
            problems.append(
                Problem(
                    n,
                    "theme",
                    f"unknown theme {raw['theme']!r}; known themes: {', '.join(sorted(themes))}",
                )
            )
            continue
        fields = {c: raw[c] for c in COLUMNS if c != "organisation" and raw.get(c, "") != ""}
        try:
            data = ListingCreate.model_validate({**fields, "organisation_id": 1})
        except ValidationError as exc:
            for e in exc.errors():
                where = ".".join(str(p) for p in e["loc"]) or "row"
                message = (
                    "must not be empty"
                    if e["type"] == "missing"
                    else str(e["msg"]).removeprefix("Value error, ")
                )
                problems.append(Problem(n, where, message))
            continue
        key = _key(raw)
        if key in existing or key in seen:
            dupes += 1
            continue
        seen.add(key)
        org_key = listing_service.organisation_key(org)
        if org_key in orgs:
            matched.setdefault(org_key, orgs[org_key].name)
        else:
            new_orgs.setdefault(org_key, org)
        good.append(_Row(n, org_key, data, key))
    report = Report(
        sum(1 for r in rows if any(r.values())),
        len(good),
        problems,
        dupes,
        list(new_orgs.values()),
        bad_rows=sorted({p.row for p in problems}),
        matched_organisations=list(matched.values()),
    )
    return report, good


def commit(
    session: Session,
    matcher: Matcher,
    rows: list[dict[str, str]],
    progress: Callable[[int], None] | None = None,
    *,
    confirmed: bool = False,
    by: User | None = None,
    source: str = "",
) -> Report:
    """Add the good rows: embed first, then write every listing, vector, new organisation and
    the audit entry in one transaction. Rows go to an existing organisation found by name only
    if `confirmed` (else NeedsConfirmation, and nothing is written)."""
    report, good = check(session, rows)
    if report.matched_organisations and not confirmed:
        raise NeedsConfirmation(report.matched_organisations)
    themes = {t.slug: saved_id(t) for t in session.exec(select(Theme))}
    listings = [
        listing_service.new_listing(r.data, theme_id=themes[r.data.theme], key=r.key) for r in good
    ]
    vectors = matcher.embed_batches([text_of(lst) for lst in listings], progress)
    try:
        orgs = listing_service.organisations_by_key(session)
        for name in report.new_organisations:
            key = listing_service.organisation_key(name)
            orgs[key] = Organisation(name=name, kind=OrgKind.company)
            session.add(orgs[key])
        session.flush()
        for lst, r in zip(listings, good, strict=True):
            lst.organisation_id = saved_id(orgs[r.organisation])
        accounts.audit(
            session,
            by,
            "import listings",
            source[:120],
            added=len(listings),
            bad=len(report.bad_rows),
            new_organisations=len(report.new_organisations),
            matched_organisations=", ".join(report.matched_organisations)[:500] or None,
        )
    except Exception:
        session.rollback()
        raise
    listing_service.save_listings(session, listings, matcher, vectors=vectors)
    report.added, report.committed = len(listings), True
    return report
