"""A benchmark database of n listings and their stored vectors, written by bulk SQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.corpus import Corpus
from matchmaker import db
from matchmaker.engine.vectors import text_hash, text_of
from matchmaker.listings.schemas import ListingCreate, OrganisationIn
from matchmaker.tables import Listing, ListingVector, Organisation, Theme, utcnow
from matchmaker.transfer import seeding

_CHUNK = 20_000


def fill(
    url: str,
    seeds_dir: Path,
    corpus: Corpus,
    vectors: npt.NDArray[np.float32],
    src: npt.NDArray[np.int64],
) -> Engine:
    """Listing i + 1 carries corpus row src[i]'s text and labels and vector i, stored as the
    product stores it (model name, SHA-256 of matching.text_of), so a start embeds nothing."""
    db_engine = db.make_engine(url)
    db.create_schema(db_engine)
    with Session(db_engine) as session:
        seeding.ensure_themes(session, seeds_dir)
        themes = {t.slug: int(t.id or 0) for t in session.exec(select(Theme))}
        orgs = _organisations(session, seeds_dir)
    rows, hashes = _base_rows(corpus, themes, orgs)
    now = utcnow()
    with db_engine.begin() as conn:
        for lo in range(0, len(src), _CHUNK):
            chunk = range(lo, min(lo + _CHUNK, len(src)))
            conn.execute(
                Listing.__table__.insert(),  # type: ignore[attr-defined]
                [
                    {**rows[src[i]], "id": i + 1, "created_at": now, "updated_at": now}
                    for i in chunk
                ],
            )
            conn.execute(
                ListingVector.__table__.insert(),  # type: ignore[attr-defined]
                [
                    {
                        "listing_id": i + 1,
                        "model": corpus.space,
                        "text_hash": hashes[src[i]],
                        "vector": vectors[i].tobytes(),
                    }
                    for i in chunk
                ],
            )
    return db_engine


def _organisations(session: Session, seeds_dir: Path) -> dict[str, int]:
    out = {}
    for row in json.loads((seeds_dir / "organisations.json").read_text("utf-8")):
        data = OrganisationIn.model_validate({k: v for k, v in row.items() if k != "key"})
        org = Organisation(key=row["key"], **data.model_dump())
        session.add(org)
        session.flush()
        assert org.id is not None
        out[row["key"]] = org.id
    session.commit()
    return out


def _base_rows(
    corpus: Corpus, themes: dict[str, int], orgs: dict[str, int]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Each corpus row validated as the API would, as column values, and its text hash."""
    rows, hashes = [], []
    for row in corpus.listings:
        fields = {k: v for k, v in row.items() if k not in ("key", "org")}
        data = ListingCreate.model_validate({**fields, "organisation_id": orgs[row["org"]]})
        values = data.model_dump(exclude={"theme"})
        listing = Listing(**values, theme_id=themes[data.theme])
        # every column with the table's own defaults, whatever columns it gains later
        rows.append(listing.model_dump(exclude={"id", "key", "created_at", "updated_at"}))
        hashes.append(text_hash(text_of(listing)))
    return rows, hashes
