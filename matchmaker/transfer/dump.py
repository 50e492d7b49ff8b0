"""Export every table to one JSON document and import it back: ids, hashes and vectors kept."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import LargeBinary
from sqlmodel import Session, SQLModel, select

from matchmaker import db  # noqa: F401  (every table registered, the packages' too, before we list them)
from matchmaker.accounts import mail
from matchmaker.listings import service as listing_service
from matchmaker.tables import Listing, ListingVector, OutboxMessage

FORMAT = 2
Row = TypeVar("Row", bound=SQLModel)
# The workers' working state, which a deployment makes for itself and never moves: the change
# log its indexes follow, rate-limit attempts, background jobs, the scheduler's claims.
WORKING = {"change", "ratehit", "backgroundjob", "scheduledrun"}


def _models() -> list[type[SQLModel]]:
    """Every table model, parents before children (foreign keys)."""
    by_table = {m.class_.__tablename__: m.class_ for m in SQLModel._sa_registry.mappers}
    return [
        by_table[t.name]
        for t in SQLModel.metadata.sorted_tables
        if t.name in by_table and t.name not in WORKING
    ]


def _name(model: type[SQLModel]) -> str:
    return str(model.__table__.name)  # type: ignore[attr-defined]


def _binary_columns(model: type[SQLModel]) -> list[str]:
    table = model.__table__  # type: ignore[attr-defined]
    return [c.name for c in table.columns if isinstance(c.type, LargeBinary)]


def export(session: Session, path: Path) -> dict[str, int]:
    doc: dict[str, Any] = {"format": FORMAT}
    for model in _models():
        binary = _binary_columns(model)
        rows = []
        for row in session.exec(select(model)):
            data = row.model_dump(mode="json", exclude=set(binary))
            if isinstance(row, OutboxMessage):  # a one-time link is its addressee's only
                data["body"] = mail.shown_body(row)
            for name in binary:
                data[name] = base64.b64encode(getattr(row, name)).decode("ascii")
            rows.append(data)
        doc[_name(model)] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(path)  # a reader never sees half a file
    return {name: len(rows) for name, rows in doc.items() if name != "format"}


def read(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text("utf-8"))
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a matchmaker export of format {FORMAT}")
    return doc


def _rows(doc: dict[str, Any], model: type[Row]) -> list[Row]:
    binary = _binary_columns(model)
    rows: list[Row] = []
    for row in doc.get(_name(model), []):
        for name in binary:
            row[name] = base64.b64decode(row[name])
        rows.append(model.model_validate(row))
    return rows


def import_(
    session: Session, doc: dict[str, Any], progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Merge every row by its primary key in one transaction: all of it lands, or none."""
    counts = {}
    try:
        for model in _models():
            if model is ListingVector:
                continue  # stored with the listings, as the listing service stores them
            if model is Listing:
                listings, vectors = _rows(doc, Listing), _rows(doc, ListingVector)
                listing_service.store_rows(
                    session, listings, vectors, merge=True, progress=progress
                )
                counts[_name(Listing)], counts[_name(ListingVector)] = len(listings), len(vectors)
                continue
            rows = _rows(doc, model)
            for n, row in enumerate(rows, start=1):
                session.merge(row)
                if n % 500 == 0:
                    session.flush()
                    if progress:
                        progress(500)
            session.flush()
            if progress:
                progress(len(rows) % 500)
            counts[_name(model)] = len(rows)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return counts
