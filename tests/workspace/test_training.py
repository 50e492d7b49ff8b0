"""Weights learned from the facilitators' decisions: kept only when they rank newer decisions
better than the hand-set weights, and then used by the running matcher and after a restart."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from matchmaker import changelog
from matchmaker.engine import ranker
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.matching import Matcher
from matchmaker.settings import ROOT, Settings
from matchmaker.shared_tables import EngineState
from matchmaker.tables import Listing, Match, Organisation, Theme, saved_id, utcnow
from matchmaker.transfer import seeding
from matchmaker.vocab import Category, Language, ListingKind, MatchStatus, OrgKind
from matchmaker.workspace import training

NEAR, FAR = ("Helsinki", "Espoo"), ("Hanko", "Rovaniemi")


def decided(session: Session, matcher: Matcher, n: int) -> None:
    """n decisions by facilitators who, whatever the texts say, introduce neighbours only."""
    seeding.ensure_themes(session, ROOT / "seeds")
    theme = session.exec(select(Theme)).first()
    assert theme is not None and theme.id is not None
    words = itertools.cycle(["pallets", "sawdust", "whey", "cables", "fabric", "glass"])
    start = utcnow() - timedelta(days=n)
    for i in range(n):
        near = i % 2 == 0
        here, there = NEAR if near else FAR
        org_a = Organisation(name=f"Offerer {i}", kind=OrgKind.company)
        org_b = Organisation(name=f"Seeker {i}", kind=OrgKind.company)
        session.add_all([org_a, org_b])
        session.flush()
        word = next(words)
        offer = Listing(
            organisation_id=saved_id(org_a),
            theme_id=theme.id,
            kind=ListingKind.offer,
            category=Category.material,
            title=f"{word} {i}",
            language=Language.en,
            municipality=here,
        )
        need = Listing(
            organisation_id=saved_id(org_b),
            theme_id=theme.id,
            kind=ListingKind.need,
            category=Category.material,
            title=f"need {word}",
            language=Language.en,
            municipality=there,
        )
        session.add_all([offer, need])
        session.flush()
        assert offer.id is not None and need.id is not None
        status = MatchStatus.introduced if near else MatchStatus.rejected
        when = start + timedelta(days=i)
        session.add(
            Match(
                offer_id=offer.id,
                need_id=need.id,
                theme_id=theme.id,
                score=10.0,
                status=status,
                created_at=when,
                updated_at=when,
            )
        )
    session.commit()
    matcher.sync(session)


def test_weights_learned_from_decisions_are_kept_when_they_rank_newer_decisions_better(
    session: Session, hash_embedder: Embedder, settings: Settings
) -> None:
    matcher = Matcher(hash_embedder.name, lambda: hash_embedder)
    decided(session, matcher, 80)
    report = training.train(session, matcher)
    assert report.decisions == 80 and report.positives == 40
    assert report.kept, str(report)
    assert report.learned_auc is not None and report.hand_set_auc is not None
    assert report.learned_auc > report.hand_set_auc
    # the running matcher ranks with them at once, and a restart reads them back
    assert matcher.ranker.source == "learned" and matcher.ranker.trained_on == 80
    assert matcher.ranker.weights["distance"] > ranker.HAND_SET.weights["distance"]
    assert ranker.load(session) == matcher.ranker
    # and so does every other worker, on its next request: the change log says so
    other = Matcher(hash_embedder.name, lambda: hash_embedder, learns=True)
    other.sync(session)
    assert other.ranker == matcher.ranker
    other.ranker = ranker.HAND_SET  # as it was before the weights were kept
    other.applied -= 1
    assert changelog.RANKER in other.follow(session) and other.ranker == matcher.ranker


def test_too_few_decisions_leave_the_hand_set_weights(
    session: Session, hash_embedder: Embedder, tmp_path: Path
) -> None:
    matcher = Matcher(hash_embedder.name, lambda: hash_embedder)
    decided(session, matcher, 12)
    ranker.save(session, ranker.HAND_SET)  # an older one
    report = training.train(session, matcher)
    assert not report.kept and "too few decisions" in report.reason
    assert matcher.ranker is ranker.HAND_SET
    assert ranker.load(session) is None


def test_unreadable_weights_mean_the_hand_set_ones(session: Session) -> None:
    assert ranker.load(session) is None
    session.add(EngineState(name=ranker.STATE, value="{not json"))
    session.commit()
    assert ranker.load(session) is None
