"""The schema: a database made by an earlier version gets the columns added since."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlmodel import Session, select

from matchmaker import db
from matchmaker.tables import Listing, Organisation, Theme
from matchmaker.vocab import Category, Language, ListingKind, OrgKind


def test_an_existing_database_gets_the_accepted_codes_column_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.create_schema(engine)
    with Session(engine) as s:
        org, theme = (
            Organisation(name="Vanha Oy", kind=OrgKind.company),
            Theme(
                slug="construction", name_fi="Rakentaminen", name_sv="Bygg", name_en="Construction"
            ),
        )
        s.add_all([org, theme])
        s.commit()
        assert org.id and theme.id
        s.add(
            Listing(
                organisation_id=org.id,
                theme_id=theme.id,
                kind=ListingKind.need,
                category=Category.material,
                title="Betonimursketta",
                language=Language.fi,
            )
        )
        s.commit()
    with engine.begin() as conn:  # as the table was before accepted_codes
        conn.execute(text('ALTER TABLE "listing" DROP COLUMN "accepted_codes"'))
        conn.execute(text('ALTER TABLE "outboxmessage" DROP COLUMN "secret"'))
    assert "accepted_codes" not in {c["name"] for c in inspect(engine).get_columns("listing")}

    with engine.begin() as conn:
        assert db.add_missing_columns(conn) == ["outboxmessage.secret", "listing.accepted_codes"]
        assert db.add_missing_columns(conn) == []  # once
    with Session(engine) as s:
        old = s.exec(select(Listing)).one()
        assert old.accepted_codes is None and old.title == "Betonimursketta"
        old.accepted_codes = ["170101", "170107"]
        s.add(old)
        s.commit()
    with Session(engine) as s:
        assert s.exec(select(Listing)).one().accepted_codes == ["170101", "170107"]
