"""Every worker's index follows the change log: a listing another worker wrote, edited, closed
or deleted is in step on the next look, the log's rows are written with the change or not at
all, and a log that went backwards (a restored database) or far ahead is met with a rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from matchmaker import changelog
from matchmaker.engine import index_sync
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import Matcher
from matchmaker.listings import service
from matchmaker.shared_tables import Change
from matchmaker.tables import Listing
from matchmaker.vocab import Category, Language, ListingKind, Status
from tests.engine.test_index_sync import world
from tests.engine.test_matching import add, stored_id

__all__ = ["world"]


def worker(embedder: Embedder, session: Session, folder: Path) -> Matcher:
    """A worker's matcher: its own index, synced at its start."""
    m = Matcher(embedder.name, lambda: embedder, index_dir=folder)
    m.sync(session)
    return m


def offer(world: dict[str, int], title: str) -> Listing:
    return Listing(
        organisation_id=world["org"],
        theme_id=world["construction"],
        kind=ListingKind.offer,
        category=Category.material,
        title=title,
        language=Language.fi,
    )


def suggested(m: Matcher, session: Session, need: Listing) -> list[int]:
    m.follow(session)
    return [stored_id(s.listing) for s in m.suggest(session, need, k=10)]


def test_what_one_worker_writes_the_other_suggests_on_its_next_look(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    need = add(session, world, "Tarvitaan betonimursketta", kind="need")
    one = worker(hash_embedder, session, tmp_path / "one")
    other = worker(hash_embedder, session, tmp_path / "two")
    assert suggested(other, session, need) == []

    fresh = offer(world, "Betonimurske purkutyömaalta")
    service.save_listings(session, [fresh], one)  # through the first worker
    assert suggested(other, session, need) == [stored_id(fresh)]

    fresh.status = Status.closed  # closed through the first: gone from the other's index
    service.save_listings(session, [fresh], one)
    assert suggested(other, session, need) == []

    fresh.status = Status.active
    fresh.title = "Tiilimurske"  # reopened with another text: re-embedded, and back
    service.save_listings(session, [fresh], one)
    assert suggested(other, session, need) == [stored_id(fresh)]
    assert other.applied == changelog.latest(session)


def test_the_log_row_is_written_with_the_listing_or_not_at_all(
    session: Session, world: dict[str, int]
) -> None:
    before = changelog.latest(session)
    session.add(offer(world, "Kipsilevyhylky"))
    session.rollback()
    assert changelog.latest(session) == before  # nothing written, nothing logged
    kept = add(session, world, "Kipsilevyhylky")
    kept.title = "Kipsilevyhylky, 3 t"
    session.add(kept)
    session.commit()
    rows = session.exec(select(Change).where(Change.seq > before)).all()  # type: ignore[operator]
    assert [(r.topic, r.listing_id) for r in rows] == [("listing", kept.id)] * 2
    session.add(kept)  # added again unchanged: nothing to follow
    session.commit()
    assert changelog.latest(session) == rows[-1].seq


def test_a_log_behind_the_worker_means_another_database_and_a_rebuild(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    need = add(session, world, "Tarvitaan betonimursketta", kind="need")
    there = add(session, world, "Betonimurske")
    m = worker(hash_embedder, session, tmp_path)
    assert suggested(m, session, need) == [stored_id(there)]
    m.applied += 1000  # as if it had followed a database that a restore replaced
    there.status = Status.closed
    session.add(there)
    session.commit()
    for row in session.exec(select(Change)):
        session.delete(row)  # the restored database's log: shorter than what was applied
    session.commit()
    assert suggested(m, session, need) == []
    assert m.applied == changelog.latest(session)


def test_far_behind_a_worker_rebuilds_rather_than_following_one_by_one(
    session: Session,
    world: dict[str, int],
    hash_embedder: Embedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    need = add(session, world, "Tarvitaan betonimursketta", kind="need")
    one = worker(hash_embedder, session, tmp_path / "one")
    other = worker(hash_embedder, session, tmp_path / "two")
    monkeypatch.setattr(index_sync, "_FOLLOW_AT_MOST", 2)
    rebuilt: list[int] = []
    original = other.rebuild

    def rebuild(s: Session) -> int:
        rebuilt.append(1)
        return original(s)

    monkeypatch.setattr(other, "rebuild", rebuild)
    bulk = [offer(world, f"Betonimurske, erä {i}") for i in range(5)]
    service.save_listings(session, bulk, one)
    assert sorted(suggested(other, session, need)) == sorted(stored_id(b) for b in bulk)
    assert rebuilt == [1]
