"""The matcher keeps vectors and index in step with the database, and never re-embeds idly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session, select

from matchmaker.engine import matching, scoring
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import Matcher
from matchmaker.engine.ranker import HAND_SET
from matchmaker.engine.rankings import Ranking, Rankings
from matchmaker.engine.vectors import text_of
from matchmaker.listings import service
from matchmaker.listings.schemas import ListingUpdate
from matchmaker.settings import ROOT
from matchmaker.tables import Listing, ListingVector, Match, Organisation, Theme, saved_id
from matchmaker.transfer import seeding
from matchmaker.vocab import Category, MatchStatus, OrgKind, Status


class Counting:
    """Wraps an embedder and counts the texts it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed(self, texts: Any) -> Any:
        self.calls += len(texts)
        return self.inner.embed(texts)


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    seeding.ensure_themes(session, ROOT / "seeds")
    org = Organisation(name="Lohjan Betoni Oy", kind=OrgKind.company)
    buyer = Organisation(name="Espoon Katurakennus Oy", kind=OrgKind.company)
    session.add_all([org, buyer])
    session.commit()
    themes = {t.slug: t.id for t in session.exec(select(Theme))}
    return {"org": org.id, "buyer": buyer.id, **themes}  # type: ignore[dict-item]


def add(session: Session, world: dict[str, int], title: str, **kw: Any) -> Listing:
    kind = kw.pop("kind", "offer")
    listing = Listing(  # offers by one organisation, needs by another: never one's own
        organisation_id=world["org" if kind == "offer" else "buyer"],
        theme_id=world[kw.pop("theme", "construction")],
        kind=kind,
        category=Category.material,
        title=title,
        language=kw.pop("language", "fi"),
        **kw,
    )
    session.add(listing)
    session.commit()
    return listing


def stored_id(listing: Listing) -> int:
    """A committed listing's id (the column is optional only until the insert)."""
    assert listing.id is not None
    return listing.id


def matcher(embedder: Embedder, folder: Path) -> Matcher:
    return Matcher(embedder.name, lambda: embedder, index_dir=folder)


def test_second_sync_embeds_nothing_and_loads_the_saved_index(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    for title in ("Betonimurske", "Tiilimurske", "Kipsilevyhylky"):
        add(session, world, title)
    first = Counting(hash_embedder)
    report = matcher(first, tmp_path).sync(session)
    assert (report.embedded, report.reused, report.index_source) == (3, 0, "rebuilt")
    second = Counting(hash_embedder)
    report = matcher(second, tmp_path).sync(session)
    assert (report.embedded, report.reused, report.index_source) == (0, 3, "disk")
    assert second.calls == 0


def test_a_changed_text_is_re_embedded_and_a_stale_index_rebuilt(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    a = add(session, world, "Betonimurske")
    add(session, world, "Tiilimurske")
    matcher(hash_embedder, tmp_path).sync(session)
    a.description = "Puhdasta betonia purkukohteesta"
    session.add(a)
    session.commit()  # changed behind the running matcher's back, as another process would
    counting = Counting(hash_embedder)
    m = matcher(counting, tmp_path)
    report = m.sync(session)
    assert (report.embedded, report.index_source) == (1, "rebuilt")
    stored = session.get(ListingVector, (a.id, hash_embedder.name))
    assert stored is not None
    assert np.allclose(
        np.frombuffer(stored.vector, dtype=np.float32), hash_embedder.embed([text_of(a)])[0]
    )


def test_a_listing_closed_behind_the_matchers_back_makes_the_saved_index_stale(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    a = add(session, world, "Betonimurske")
    add(session, world, "Tiilimurske")
    matcher(hash_embedder, tmp_path).sync(session)
    a.status = "closed"  # type: ignore[assignment]
    session.add(a)
    session.commit()  # no text changed: nothing to embed, but the index must not hold it
    m = matcher(hash_embedder, tmp_path)
    report = m.sync(session)
    assert (report.embedded, report.index_source, report.indexed) == (0, "rebuilt", 1)
    assert m.index is not None and stored_id(a) not in m.index
    assert m.sync(session).index_source == "disk"


def test_only_active_listings_are_indexed(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    live = add(session, world, "Betonimurske")
    draft = add(session, world, "Luonnos", status="draft")
    closed = add(session, world, "Suljettu", status="closed")
    m = matcher(hash_embedder, tmp_path)
    m.sync(session)
    assert m.index is not None
    assert stored_id(live) in m.index
    assert stored_id(draft) not in m.index and stored_id(closed) not in m.index
    live.status = Status.closed
    session.add(live)
    session.commit()
    m.reindex(session, live)
    assert len(m.index) == 0


def test_suggestions_for_a_draft_need_still_work(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    offer = add(session, world, "Betonimurske kierrätykseen")
    m = matcher(hash_embedder, tmp_path)
    m.sync(session)
    need = add(session, world, "Tarvitaan betonimursketta", kind="need", status="draft")
    found = m.suggest(session, need)
    assert [s.listing.id for s in found] == [offer.id]


def test_language_means_are_shrunk_when_few_listings_exist(hash_embedder: Embedder) -> None:
    m = Matcher("x", lambda: hash_embedder)
    one = hash_embedder.embed(["Betonimurske"])
    m.estimate_means(one, ["fi"])
    centred = m.centred(one, ["fi"])[0]
    assert float(centred @ one[0]) > 0.99  # one listing's own text is not centred away
    many = hash_embedder.embed([f"teksti numero {i}" for i in range(400)])
    m.estimate_means(many, ["fi"] * 400)
    assert np.linalg.norm(m.means["fi"]) > 5 * np.linalg.norm(one[0] / 21)


def test_a_ranking_is_cached_and_never_served_stale(
    session: Session, world: dict[str, int], hash_embedder: Embedder, tmp_path: Path
) -> None:
    """Suggestions come from the cache until the index changes (an edit or a close), a
    facilitator rejects a pair, or the viewer is another; each then shows at once."""
    need = add(session, world, "Tarvitaan betonimursketta", kind="need", quantity=30, unit="t")
    a = add(session, world, "Betonimurske", quantity=30, unit="t")
    b = add(session, world, "Betonimursketta purkutyömaalta")
    third = Organisation(name="Kolmas Oy", kind=OrgKind.company)
    session.add(third)
    session.commit()
    c = add(session, world, "Betonimurske, seulottu")
    c.organisation_id = saved_id(third)  # a third organisation: a viewer to exclude
    session.add(c)
    session.commit()
    m = matcher(hash_embedder, tmp_path)
    m.sync(session)

    def ids(**kw: Any) -> list[int]:
        return [stored_id(s.listing) for s in m.suggest(session, need, **kw)]

    first = ids()
    assert set(first) == {a.id, b.id, c.id}
    assert ids() == first and len(m.rankings) == 1  # the second from the cache
    # (c) the viewer differs: their organisation's offers leave, the cached ranking is shared
    assert ids(exclude_orgs=[third.id]) == [i for i in first if i != c.id]
    assert ids() == first and len(m.rankings) == 1
    # (a) a candidate edited: its new text and amount are scored, not the cached ones
    before = {stored_id(s.listing): s.fit.score for s in m.suggest(session, need)}
    service.update_listing(
        session,
        listing=b,
        data=ListingUpdate(title="Tiilimurske", quantity=30, unit="t"),
        matcher=m,
    )
    after = {stored_id(s.listing): s.fit.score for s in m.suggest(session, need)}
    fresh = matcher(hash_embedder, tmp_path / "fresh")
    fresh.sync(session)
    assert after == {stored_id(s.listing): s.fit.score for s in fresh.suggest(session, need)}
    assert after[stored_id(b)] != before[stored_id(b)]
    # (a) a candidate closed: gone at once
    service.update_listing(session, listing=a, data=ListingUpdate(status=Status.closed), matcher=m)
    assert stored_id(a) not in ids()
    # (b) a facilitator rejects a pair: no index change, still gone at once, and back with
    # the pair's rejection undone
    match = Match(offer_id=stored_id(c), need_id=stored_id(need), theme_id=c.theme_id, score=1)
    match.status = MatchStatus.rejected
    session.add(match)
    session.commit()
    assert stored_id(c) not in ids()
    match.status = MatchStatus.suggested
    session.add(match)
    session.commit()
    assert stored_id(c) in ids()


def test_an_expired_candidate_leaves_the_cached_ranking_the_next_day(
    session: Session,
    world: dict[str, int],
    hash_embedder: Embedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    need = add(session, world, "Tarvitaan betonimursketta", kind="need")
    ends = add(session, world, "Betonimurske", available_until=matching.today())
    m = matcher(hash_embedder, tmp_path)
    m.sync(session)
    assert [s.listing.id for s in m.suggest(session, need)] == [ends.id]
    tomorrow = matching.today() + timedelta(days=1)
    monkeypatch.setattr(matching, "today", lambda: tomorrow)
    assert m.suggest(session, need) == []


def test_the_cache_is_bounded_and_keeps_what_was_used_last() -> None:
    cache = Rankings(size=2)
    one, two, three = (
        Ranking([], scoring.pairs([], [], semantic=[], raw_cosine=[], wording=[]), HAND_SET)
        for _ in range(3)
    )
    cache.put("one", one)
    cache.put("two", two)
    assert cache.get("one") is one  # "two" is now the oldest
    cache.put("three", three)
    assert len(cache) == 2 and cache.get("two") is None and cache.get("one") is one
