"""Export the whole database to one JSON document and import it back (ids kept)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from matchmaker.tables import Listing, ListingVector, Match, Organisation, Theme

FORMAT = 1
_TABLES: list[tuple[str, type[SQLModel]]] = [
    ("themes", Theme),
    ("organisations", Organisation),
    ("listings", Listing),
    ("matches", Match),
]


def export(session: Session, path: Path, *, vectors: bool = True) -> dict[str, int]:
    doc: dict[str, Any] = {"format": FORMAT}
    for name, table in _TABLES:
        rows = session.exec(select(table).order_by(col(table.id)))  # type: ignore[attr-defined]
        doc[name] = [row.model_dump(mode="json") for row in rows]
    if vectors:
        doc["vectors"] = [
            {"listing_id": v.listing_id, "model": v.model, "text_hash": v.text_hash,
             "vector": base64.b64encode(v.vector).decode("ascii")}
            for v in session.exec(select(ListingVector))
        ]
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(path)
    return {name: len(doc[name]) for name, _ in _TABLES}


def import_(session: Session, path: Path,
            progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Merge every row by its id in one transaction: all of it lands, or none."""
    doc = json.loads(path.read_text("utf-8"))
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not a matchmaker export of format {FORMAT}")
    counts = {}
    try:
        for name, table in _TABLES:
            for row in doc.get(name, []):
                session.merge(table.model_validate(row))
            session.flush()
            counts[name] = len(doc.get(name, []))
            if progress:
                progress(counts[name])
        for row in doc.get("vectors", []):
            session.merge(ListingVector(
                listing_id=row["listing_id"], model=row["model"], text_hash=row["text_hash"],
                vector=base64.b64decode(row["vector"])))
        counts["vectors"] = len(doc.get("vectors", []))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return counts
