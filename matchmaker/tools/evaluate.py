"""Ranks the labelled development set in one mixed-language pool: the product, each of its
parts alone, and lexical baselines, per theme, per language and across languages."""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from matchmaker import db
from matchmaker.engine import ranker
from matchmaker.engine.matching import Matcher, build_matcher, expired, today
from matchmaker.engine.ranker import Ranker
from matchmaker.listings.schemas import ListingCreate
from matchmaker.settings import Settings
from matchmaker.tables import Listing, Organisation, Theme, saved_id
from matchmaker.tools import baselines
from matchmaker.transfer import seeding
from matchmaker.vocab import OrgKind

KS = (1, 5, 10)
# Keys of a dev-set row that describe it for the evaluation, not a field of a listing.
_NOTES = ("id", "same_org_as", "hard_negative_for", "why", "split")


@dataclass
class Query:
    listing: Listing
    partner_id: int
    theme: str
    languages: str  # "fi→en"
    split: str  # train or test
    # every candidate the product ranked: its part values and the product's score
    candidates: dict[int, dict[str, float]] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)

    @property
    def cross(self) -> bool:
        a, b = self.languages.split("→")
        return a != b

    def groups(self) -> list[str]:
        return [
            "all",
            f"theme:{self.theme}",
            "cross-language" if self.cross else "same-language",
            f"from:{self.languages.split('→')[0]}",
        ]


def load_pool(session: Session, devset: Mapping[str, Any], seeds_dir: Path) -> list[Query]:
    """Insert every pair side and distractor as an active listing; return both-way queries.

    Each listing gets an organisation of its own, except a distractor `same_org_as` a pair's
    side: that one shares its organisation, and the product must never suggest it to it."""
    seeding.ensure_themes(session, seeds_dir)
    themes = {t.slug: saved_id(t) for t in session.exec(select(Theme))}
    numbers = itertools.count(1)
    orgs: dict[str, int] = {}

    def organisation(name: str | None) -> int:
        if name and name in orgs:
            return orgs[name]
        org = Organisation(name=f"Evaluation {next(numbers)}", kind=OrgKind.agency)
        session.add(org)
        session.flush()
        if name:
            orgs[name] = saved_id(org)
        return saved_id(org)

    def add(row: Mapping[str, Any], org_name: str | None) -> Listing:
        fields = {k: v for k, v in row.items() if k not in _NOTES}
        data = ListingCreate.model_validate({**fields, "organisation_id": organisation(org_name)})
        listing = Listing(**data.model_dump(exclude={"theme"}), theme_id=themes[data.theme])
        session.add(listing)
        return listing

    pairs = [
        (p, add(p["offer"], f"{p['id']}.offer"), add(p["need"], f"{p['id']}.need"))
        for p in devset["pairs"]
    ]
    for row in devset["distractors"]:
        add(row, row.get("same_org_as"))
    session.flush()
    queries = []
    for p, offer, need in pairs:
        split = str(p.get("split", "test"))
        queries.append(
            Query(need, saved_id(offer), p["theme"], f"{need.language}→{offer.language}", split)
        )
        queries.append(
            Query(offer, saved_id(need), p["theme"], f"{offer.language}→{need.language}", split)
        )
    return queries


def rank_of(scores: Mapping[int, float], partner: int) -> float | None:
    """The partner's 1-based rank; a tie counts as the middle of its tied run."""
    if partner not in scores:
        return None
    mine = scores[partner]
    above = sum(1 for s in scores.values() if s > mine)
    tied = sum(1 for s in scores.values() if s == mine) - 1
    return 1 + above + tied / 2


def metrics(ranks: Sequence[float | None]) -> dict[str, float]:
    """Recall@k and MRR from the 1-based rank of the true partner (None: not ranked)."""
    n = len(ranks)
    out = {f"R@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in KS}
    out["MRR"] = sum(1 / r for r in ranks if r is not None) / n
    out["n"] = n
    return out


def collect(matcher: Matcher, session: Session, queries: Sequence[Query]) -> None:
    """Every candidate the product ranks for each query, with its part values."""
    for q in queries:
        for s in matcher.suggest(session, q.listing, k=100_000):
            cid = saved_id(s.listing)
            q.candidates[cid] = ranker.values_of(s.fit.parts)
            q.scores[cid] = s.fit.score


def rescored(q: Query, model: Ranker) -> dict[int, float]:
    return {cid: model.score(values) for cid, values in q.candidates.items()}


def systems(
    queries: Sequence[Query], lexical: baselines.Baselines
) -> dict[str, Callable[[Query], Mapping[int, float]]]:
    """The product, each of its parts alone, and the baselines, as query → scores."""
    out: dict[str, Callable[[Query], Mapping[int, float]]] = {"product": lambda q: q.scores}
    for name in ranker.FEATURES:
        if any(name in v for q in queries for v in q.candidates.values()):
            out[f"{name} alone"] = _part_alone(name)
    out.update(lexical.systems())
    return out


def _part_alone(name: str) -> Callable[[Query], Mapping[int, float]]:
    def scores(q: Query) -> Mapping[int, float]:
        return {c: v[name] for c, v in q.candidates.items()}

    return scores


def results(
    queries: Sequence[Query], ranked: Mapping[str, Callable[[Query], Mapping[int, float]]]
) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, scores_of in ranked.items():
        groups: dict[str, list[float | None]] = defaultdict(list)
        for q in queries:
            rank = rank_of(scores_of(q), q.partner_id)
            for g in q.groups():
                groups[g].append(rank)
        out[name] = {g: metrics(r) for g, r in sorted(groups.items())}
    return out


# Parts that real listings often leave out, though the dev set's pairs nearly always give them:
# each training row is seen a second time with these unknown, so that a pair that says less is
# scored as a pair that says less, not as one whose amounts disagree.
OFTEN_MISSING = ("quantity", "distance")


def fit_hand_set(train: Sequence[Query]) -> Ranker:
    """Weights for the parts, fitted on the training half: every candidate, its partner 1."""
    rows, labels = [], []
    for q in train:
        for cid, values in q.candidates.items():
            label = int(cid == q.partner_id)
            rows.append(values)
            labels.append(label)
            rows.append({**values, **{n: ranker.UNKNOWN[n] for n in OFTEN_MISSING}})
            labels.append(label)
    return ranker.fit(rows, labels, source="hand-set")


def learning_curve(
    train: Sequence[Query], test: Sequence[Query], sizes: Sequence[int] = (25, 50, 100, 200, 400)
) -> list[dict[str, float]]:
    """Test MRR of weights learned from n simulated facilitator decisions.

    A facilitator looks at the hand-set product's top 5 for the training queries, in a shuffled
    order: the true partner is shortlisted (a positive), the others are rejected (negatives)."""
    decisions: list[tuple[dict[str, float], int]] = []
    order = list(train)
    random.Random(20261202).shuffle(order)
    for q in order:
        top = sorted(q.scores, key=lambda c: -q.scores[c])[:5]
        decisions += [(q.candidates[c], int(c == q.partner_id)) for c in top]
    curve = []
    hand = metrics([rank_of(q.scores, q.partner_id) for q in test])["MRR"]
    for n in [*(s for s in sizes if s < len(decisions)), len(decisions)]:
        rows, labels = zip(*decisions[:n], strict=True)
        if len(set(labels)) < 2:
            continue
        alone = ranker.fit(rows, labels, source="learned")
        nudged = ranker.fit(rows, labels, source="learned", prior=ranker.HAND_SET)
        curve.append(
            {
                "decisions": n,
                "learned alone": round(_mrr(test, alone), 4),
                "learned from hand-set": round(_mrr(test, nudged), 4),
                "hand-set": round(hand, 4),
            }
        )
    return curve


def _mrr(queries: Sequence[Query], model: Ranker) -> float:
    return metrics([rank_of(rescored(q, model), q.partner_id) for q in queries])["MRR"]


def seed_hygiene(settings: Settings, matcher: Matcher) -> dict[str, int]:
    """On the demo seeds, every seventh listing put past its `available_until`: how many of
    each listing's ten suggestions are its own organisation's, and how many are expired."""
    db_engine = db.make_engine("sqlite://")
    db.create_schema(db_engine)
    own = gone = total = 0
    with Session(db_engine) as session:
        seeding.load(session, settings.seeds_dir, matcher)
        listings = list(session.exec(select(Listing).order_by(col(Listing.id))))
        for lst in listings[::7]:
            lst.available_from, lst.available_until = None, today() - timedelta(days=1)
            session.add(lst)
        session.commit()
        matcher.rebuild(session)
        for lst in listings:
            for s in matcher.suggest(session, lst, k=10):
                total += 1
                own += s.listing.organisation_id == lst.organisation_id
                gone += expired(s.listing)
    return {
        "listings": len(listings),
        "expired_listings": len(listings[::7]),
        "suggestions": total,
        "own": own,
        "expired": gone,
    }


def evaluate(settings: Settings, devset_path: Path, *, hygiene: bool = True) -> dict[str, Any]:
    devset = json.loads(devset_path.read_text("utf-8"))
    db_engine = db.make_engine("sqlite://")
    db.create_schema(db_engine)
    matcher = build_matcher(settings, persist=False)  # the evaluation pool is never saved
    matcher.candidates = 100_000  # rank every candidate, so ranks beyond 10 are real
    with Session(db_engine) as session:
        queries = load_pool(session, devset, settings.seeds_dir)
        listings = list(session.exec(select(Listing)))
        matcher.store_vectors(session, listings)
        session.commit()
        matcher.rebuild(session)
        collect(matcher, session, queries)
        lexical = baselines.Baselines.build(matcher, session, listings)
        ranked = systems(queries, lexical)
        splits = {s: [q for q in queries if q.split == s] for s in ("train", "test")}
        report: dict[str, Any] = {
            "devset": str(devset_path),
            "pairs": len(devset["pairs"]),
            "distractors": len(devset["distractors"]),
            "cross_language_pairs": sum(1 for q in queries if q.cross) // 2,
            "space": matcher.space,
            "ranker": matcher.ranker.source,
            "splits": {s: results(qs, ranked) for s, qs in splits.items() if qs},
        }
        if splits["train"]:
            report["fitted"] = json.loads(fit_hand_set(splits["train"]).to_json())
            if splits["test"]:
                report["learning_curve"] = learning_curve(splits["train"], splits["test"])
        report["bands"] = bands(splits["test"] or queries)
        report["floors_on_train"] = floors(splits["train"])
    if hygiene:
        report["seeds"] = seed_hygiene(settings, matcher)
    return report


def bands(queries: Sequence[Query]) -> dict[str, dict[str, float]]:
    """How often a suggestion in each band is the true partner, and how many partners reach it."""
    out = {}
    for name, floor in (("strong", ranker.STRONG), ("possible", ranker.POSSIBLE)):
        above = [(c == q.partner_id) for q in queries for c, s in q.scores.items() if s >= floor]
        reached = sum(1 for q in queries if q.scores.get(q.partner_id, 0.0) >= floor)
        out[name] = {
            "floor": floor,
            "suggestions": len(above),
            "precision": round(sum(above) / len(above), 3) if above else 0.0,
            "partners_reached": round(reached / len(queries), 3) if queries else 0.0,
        }
    return out


def floors(queries: Sequence[Query]) -> list[dict[str, float]]:
    """Where the band floors come from: for each candidate floor, on the training split, how
    often a suggestion above it was the true partner, how many partners reach it, and how many
    listings would have nothing above it ("no good match yet")."""
    out = []
    for floor in (2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 40, 50):
        above = [(c == q.partner_id) for q in queries for c, s in q.scores.items() if s >= floor]
        out.append(
            {
                "floor": floor,
                "precision": round(sum(above) / len(above), 3) if above else 0.0,
                "partners_reached": round(
                    sum(1 for q in queries if q.scores.get(q.partner_id, 0) >= floor)
                    / max(1, len(queries)),
                    3,
                ),
                "nothing_above": round(
                    sum(1 for q in queries if max(q.scores.values(), default=0) < floor)
                    / max(1, len(queries)),
                    3,
                ),
            }
        )
    return out


def main(settings: Settings, devset: Path, out: Path | None, *, show_fit: bool = False) -> None:
    from matchmaker.tools import evalreport

    report = evaluate(settings, devset)
    print(evalreport.markdown(report, show_fit=show_fit))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf-8")
