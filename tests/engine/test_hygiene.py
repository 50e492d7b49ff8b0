"""Suggestions are never one's own, never expired, never a pair a facilitator rejected; the
language means follow the listings as they arrive."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import Matcher
from matchmaker.listings import service
from matchmaker.settings import ROOT
from matchmaker.tables import Listing, Match
from matchmaker.transfer import seeding
from matchmaker.vocab import ListingKind, MatchStatus, Status
from matchmaker.workspace import pipeline
from tests.pagekit import page
from tests.world import Factory, app_of, engine_of

SEEDS = ROOT / "seeds"


def today() -> date:
    return datetime.now(ZoneInfo("Europe/Helsinki")).date()


def expired(listing: Listing) -> bool:
    return listing.available_until is not None and listing.available_until < today()


def seeded(session: Session, embedder: Embedder) -> Matcher:
    """The demo seeds, every seventh listing past its available_until, in a synced matcher."""
    matcher = Matcher(embedder.name, lambda: embedder)
    seeding.load(session, SEEDS, matcher)
    for listing in session.exec(select(Listing).order_by(Listing.id)):  # type: ignore[arg-type]
        if (listing.id or 0) % 7 == 0:
            listing.available_from = None
            listing.available_until = today() - timedelta(days=1 + (listing.id or 0) % 30)
            session.add(listing)
    session.commit()
    matcher.sync(session)
    return matcher


def test_on_the_demo_seeds_no_suggestion_is_ones_own_or_expired(
    session: Session, hash_embedder: Embedder
) -> None:
    matcher = seeded(session, hash_embedder)
    active = list(session.exec(select(Listing).where(Listing.status == Status.active)))
    assert len(active) >= 150 and sum(expired(x) for x in active) >= 20
    own, gone, shown = 0, 0, 0
    for listing in active:
        for s in matcher.suggest(session, listing, k=10, all_themes=True):
            shown += 1
            own += s.listing.organisation_id == listing.organisation_id
            gone += expired(s.listing)
    assert shown > 1000
    assert (own, gone) == (0, 0)
    # free-text search leaves expired listings out too
    hits = [lst for x in active[:20] for lst, _ in matcher.search(session, x.title, k=20)]
    assert hits and not any(expired(lst) for lst in hits)


def test_the_viewers_organisation_is_left_out_too(
    session: Session, hash_embedder: Embedder
) -> None:
    matcher = seeded(session, hash_embedder)
    need = next(
        x
        for x in session.exec(select(Listing).where(Listing.kind == ListingKind.need))
        if not expired(x)
    )
    first = matcher.suggest(session, need, k=5)[0].listing
    again = matcher.suggest(session, need, k=5, exclude_orgs=[first.organisation_id])
    assert again and first.organisation_id not in {s.listing.organisation_id for s in again}


def test_a_rejected_pair_is_not_suggested_again(session: Session, hash_embedder: Embedder) -> None:
    matcher = seeded(session, hash_embedder)
    pipeline.fill_queue(session, matcher, threshold=0)
    queued = session.exec(select(Match)).first()
    assert queued is not None
    offer, need = session.get(Listing, queued.offer_id), session.get(Listing, queued.need_id)
    assert offer is not None and need is not None
    assert offer.id in [s.listing.id for s in matcher.suggest(session, need, k=10)]
    queued.status = MatchStatus.rejected
    session.add(queued)
    session.commit()
    assert offer.id not in [s.listing.id for s in matcher.suggest(session, need, k=10)]
    assert need.id not in [s.listing.id for s in matcher.suggest(session, offer, k=10)]


def test_the_queue_holds_no_expired_or_own_pair(session: Session, hash_embedder: Embedder) -> None:
    matcher = seeded(session, hash_embedder)
    pipeline.fill_queue(session, matcher, threshold=0)
    pairs = [
        (session.get(Listing, m.offer_id), session.get(Listing, m.need_id))
        for m in session.exec(select(Match))
    ]
    assert len(pairs) > 50
    for offer, need in pairs:
        assert offer is not None and need is not None
        assert offer.organisation_id != need.organisation_id
        assert not expired(offer) and not expired(need)


def test_the_daily_pass_closes_expired_listings(session: Session, hash_embedder: Embedder) -> None:
    matcher = seeded(session, hash_embedder)
    gone = service.close_expired(session, matcher=matcher)
    assert len(gone) >= 20
    left = list(session.exec(select(Listing).where(Listing.status == Status.active)))
    assert left and not any(expired(x) for x in left)
    assert matcher.index is not None and not set(matcher.index.placement()) & {x.id for x in gone}


def test_the_language_means_follow_listings_posted_one_by_one(
    client: TestClient, make: Factory, hash_embedder: Embedder
) -> None:
    """Posted one at a time into an empty deployment, the means end where a rebuild at a
    restart puts them, and the index is centred with them."""
    matcher: Matcher = app_of(client).state.matcher
    assert matcher.means == {}
    org = make.org("Keravan Kierto Oy")
    texts = [
        ("fi", "Purkubetonia työmaalta", "Murskattua betonia 500 t vuodessa."),
        ("en", "Crushed concrete", "Screened demolition concrete, 500 t a year."),
        ("fi", "Puujätettä", "Lajiteltua puujätettä energiakäyttöön."),
        ("en", "Timber offcuts", "Clean timber offcuts from a joinery."),
        ("sv", "Betongkross", "Krossad betong från rivning."),
        ("fi", "Kipsilevyn hukkapaloja", "Puhtaita kipsilevyn paloja 30 t."),
    ]
    for lang, title, text in texts:
        make.listing(org["id"], language=lang, title=title, description=text)
    with Session(engine_of(client)) as s:
        restarted = Matcher(hash_embedder.name, lambda: hash_embedder)
        restarted.rebuild(s)
    assert set(matcher.means) == set(restarted.means) == {"fi", "en", "sv"}
    for lang, mean in restarted.means.items():
        np.testing.assert_allclose(matcher.means[lang], mean, atol=1e-5)


def test_a_listing_page_shows_that_it_expired(client: TestClient, make: Factory) -> None:
    org = make.org("Lohjan Lava Oy")
    old = make.listing(org["id"], available_until=str(today() - timedelta(days=3)))
    new = make.listing(org["id"], available_until=str(today() + timedelta(days=3)))
    assert "expired" in page(client.get(f"/listings/{old['id']}?lang=en")).text
    assert "expired" not in page(client.get(f"/listings/{new['id']}?lang=en")).text
    assert "vanhentunut" in page(client.get(f"/listings/{old['id']}?lang=fi")).text
    assert "utgången" in page(client.get(f"/listings/{old['id']}?lang=sv")).text
    browse = page(client.get("/listings?lang=en")).text
    assert "expired" in browse
