"""A saved index is a cache: a partition file that is corrupt, swapped or of another width is
noticed at start, logged, and rebuilt from the stored vectors; suggestions never suffer."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, select

from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.index import FaissIndex
from matchmaker.engine.matching import Matcher
from matchmaker.settings import ROOT
from matchmaker.tables import Listing, Organisation, Theme
from matchmaker.transfer import seeding
from matchmaker.vocab import OrgKind
from tests.engine.test_matching import add, matcher


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    seeding.ensure_themes(session, ROOT / "seeds")
    org = Organisation(name="Lohjan Betoni Oy", kind=OrgKind.company)
    buyer = Organisation(name="Espoon Katurakennus Oy", kind=OrgKind.company)
    session.add_all([org, buyer])
    session.commit()
    assert org.id is not None and buyer.id is not None
    themes = {t.slug: t.id for t in session.exec(select(Theme)) if t.id}
    return {"org": org.id, "buyer": buyer.id, **themes}


TITLES = {
    ("construction", "offer"): [
        "Betonimurske purkutyömaalta",
        "Tiilimurske, 200 t",
        "Kipsilevyhylky",
    ],
    ("construction", "need"): ["Tarvitaan betonimursketta piharakenteisiin", "Etsimme tiiliä"],
    ("textiles", "offer"): ["Denim offcuts from a jeans factory", "Wool yarn ends"],
}


def listings(session: Session, world: dict[str, int]) -> list[int]:
    made = []
    for (theme, kind), titles in TITLES.items():
        for title in titles:
            listing = add(session, world, title, theme=theme, kind=kind)
            assert listing.id is not None
            made.append(listing.id)
    return made


def answers(m: Matcher, session: Session, ids: list[int]) -> list[object]:
    """What the matcher says: every listing's suggestions, and a free-text search."""
    from matchmaker.tables import Listing

    out: list[object] = []
    for i in ids:
        listing = session.get(Listing, i)
        assert listing is not None
        out.append([(s.listing.id, round(s.fit.score, 4)) for s in m.suggest(session, listing)])
    out.append([(lst.id, round(score, 4)) for lst, score in m.search(session, "betoni", k=5)])
    return out


def partition_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name not in ("manifest.json", ".lock"))


def corrupt(folder: Path) -> None:
    first = partition_files(folder)[0]
    data = bytearray(first.read_bytes())
    for i in range(len(data) // 2, len(data)):
        data[i] ^= 0x5A
    first.write_bytes(bytes(data))


def swap(folder: Path) -> None:
    a, b = partition_files(folder)[:2]
    tmp = a.with_suffix(".tmp")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)


def _manifest(folder: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((folder / "manifest.json").read_text("utf-8"))
    return loaded


def swap_with_their_checksums(folder: Path) -> None:
    """Swapped files whose manifest was edited to agree: only the ids tell."""
    swap(folder)
    manifest = _manifest(folder)
    files = manifest["files"]
    assert isinstance(files, dict)
    for name in files:
        files[name]["sha256"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def narrow(folder: Path, *, checksum: bool = False) -> None:
    """One partition written with 8-wide vectors, as another model would write it."""
    first = partition_files(folder)[0]
    index = FaissIndex(8)
    index.upsert(np.array([1, 2], dtype=np.int64), np.eye(2, 8, dtype=np.float32))
    index.save(first)
    if checksum:
        manifest = _manifest(folder)
        files = manifest["files"]
        assert isinstance(files, dict)
        files[first.name]["sha256"] = hashlib.sha256(first.read_bytes()).hexdigest()
        (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "corrupt bytes": corrupt,
    "two files swapped": swap,
    "two files swapped, manifest edited": swap_with_their_checksums,
    "a file of another width": narrow,
    "a file of another width, manifest edited": lambda f: narrow(f, checksum=True),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_saved_index_is_rebuilt_at_start_and_answers_as_a_fresh_one(
    session: Session,
    world: dict[str, int],
    hash_embedder: Embedder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    ids = listings(session, world)
    fresh = Matcher(hash_embedder.name, lambda: hash_embedder)  # in memory: built, never loaded
    fresh.sync(session)
    expected = answers(fresh, session, ids)
    matcher(hash_embedder, tmp_path).sync(session)
    assert len(partition_files(tmp_path)) == 3
    DAMAGE[damage](tmp_path)

    caplog.set_level(logging.INFO, logger="matchmaker.engine.index_sync")
    restarted = matcher(hash_embedder, tmp_path)  # a restart over the same instance folder
    assert restarted.sync(session).index_source == "rebuilt"
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert said and "rebuilding it from the stored vectors" in said[0], said
    assert answers(restarted, session, ids) == expected
    # the rebuilt index was saved whole again: the next start loads it
    assert matcher(hash_embedder, tmp_path).sync(session).index_source == "disk"


def test_an_undamaged_saved_index_is_loaded_without_a_warning(
    session: Session,
    world: dict[str, int],
    hash_embedder: Embedder,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = listings(session, world)
    first = matcher(hash_embedder, tmp_path)
    first.sync(session)
    caplog.set_level(logging.INFO, logger="matchmaker.engine.index_sync")
    again = matcher(hash_embedder, tmp_path)
    assert again.sync(session).index_source == "disk"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert answers(again, session, ids) == answers(first, session, ids)


def test_a_saved_index_of_large_ids_is_checked_and_loaded(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    """The check sums squares of ids: past id 46,341 they outgrow a 32-bit integer, which
    PostgreSQL's integer arithmetic refuses (a deployment of 100k listings failed to start)."""
    big = add(session, world, "Betonimurske", id=999_983)  # a prime: its square is ~10^12
    add(session, world, "Tiilimurske", id=1_000_002)
    add(session, world, "Tarvitaan betonimursketta", kind="need", id=1_000_010)
    matcher(hash_embedder, tmp_path).sync(session)
    again = matcher(hash_embedder, tmp_path)
    assert again.sync(session).index_source == "disk"
    need = session.get(Listing, 1_000_010)
    assert need is not None
    assert big.id in [s.listing.id for s in again.suggest(session, need)]
