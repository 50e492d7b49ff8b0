"""Ranks a labelled development set in one mixed-language pool and reports recall and MRR."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlmodel import Session, select

from matchmaker import db
from matchmaker.engine.matching import Matcher, build_matcher
from matchmaker.listings.schemas import ListingCreate
from matchmaker.settings import Settings
from matchmaker.tables import Listing, Organisation, Theme, saved_id
from matchmaker.transfer import seeding
from matchmaker.vocab import OrgKind

KS = (1, 5, 10)


@dataclass
class Query:
    listing: Listing
    partner_id: int
    theme: str
    languages: str  # "fi→en"

    @property
    def cross(self) -> bool:
        a, b = self.languages.split("→")
        return a != b


def load_pool(session: Session, devset: dict[str, Any], seeds_dir: Path) -> list[Query]:
    """Insert every pair side and distractor as an active listing; return both-way queries."""
    seeding.ensure_themes(session, seeds_dir)
    themes = {t.slug: saved_id(t) for t in session.exec(select(Theme))}
    numbers = itertools.count(1)

    def add(row: dict[str, Any]) -> Listing:
        # one organisation per listing: the matcher never suggests one's own organisation's
        org = Organisation(name=f"Evaluation {next(numbers)}", kind=OrgKind.agency)
        session.add(org)
        session.flush()
        data = ListingCreate.model_validate({**row, "organisation_id": org.id})
        listing = Listing(**data.model_dump(exclude={"theme"}), theme_id=themes[data.theme])
        session.add(listing)
        return listing

    pairs = [(p, add(p["offer"]), add(p["need"])) for p in devset["pairs"]]
    for row in devset["distractors"]:
        add(row)
    session.flush()
    queries = []
    for p, offer, need in pairs:
        assert offer.id is not None and need.id is not None
        queries.append(Query(need, offer.id, p["theme"], f"{need.language}→{offer.language}"))
        queries.append(Query(offer, need.id, p["theme"], f"{offer.language}→{need.language}"))
    return queries


def _candidates(session: Session, q: Query) -> list[Listing]:
    return list(
        session.exec(
            select(Listing).where(
                Listing.theme_id == q.listing.theme_id, Listing.kind != q.listing.kind
            )
        )
    )


def rank_product(matcher: Matcher, session: Session, q: Query) -> list[int]:
    return [
        s.listing.id
        for s in matcher.suggest(session, q.listing, k=10_000)
        if s.listing.id is not None
    ]


def rank_by(score: Callable[[Listing, Listing], float]) -> Callable[..., list[int]]:
    def ranker(_: Matcher, session: Session, q: Query) -> list[int]:
        cands = _candidates(session, q)
        cands.sort(key=lambda c: (-score(q.listing, c), c.id))
        return [c.id for c in cands if c.id is not None]

    return ranker


def metrics(ranks: list[int | None]) -> dict[str, float]:
    """Recall@k and MRR from the 1-based rank of the true partner (None: not ranked)."""
    n = len(ranks)
    out = {f"R@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in KS}
    out["MRR"] = sum(1 / r for r in ranks if r is not None) / n
    out["n"] = n
    return out


def evaluate(settings: Settings, devset_path: Path) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    devset = json.loads(devset_path.read_text("utf-8"))
    db_engine = db.make_engine("sqlite://")
    db.create_schema(db_engine)
    matcher = build_matcher(settings, persist=False)  # the evaluation pool is never saved
    matcher.candidates = 10_000  # rank every candidate, so ranks beyond 10 are real
    with Session(db_engine) as session:
        queries = load_pool(session, devset, settings.seeds_dir)
        listings = list(session.exec(select(Listing)))
        matcher.store_vectors(session, listings)
        session.commit()
        matcher.rebuild(session)
        ids = [saved_id(lst) for lst in listings]
        raw = matcher.vectors_of(session, ids)
        centred = dict(
            zip(
                ids,
                matcher.centred(
                    np.stack([raw[i] for i in ids]), [str(lst.language) for lst in listings]
                ),
                strict=True,
            )
        )
        texts = [f"{lst.title}\n{lst.description}" for lst in listings]
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        lexical = dict(zip(ids, tfidf.fit_transform(texts), strict=True))
        systems: dict[str, Callable[..., list[int]]] = {
            "product": rank_product,
            "centred cosine": rank_by(
                lambda a, b: float(centred[saved_id(a)] @ centred[saved_id(b)])
            ),
            "raw cosine": rank_by(lambda a, b: float(raw[saved_id(a)] @ raw[saved_id(b)])),
            "tf-idf": rank_by(
                lambda a, b: float((lexical[saved_id(a)] @ lexical[saved_id(b)].T).toarray()[0, 0])
            ),
        }
        results: dict[str, Any] = {}
        for name, ranker in systems.items():
            groups: dict[str, list[int | None]] = defaultdict(list)
            for q in queries:
                order = ranker(matcher, session, q)
                rank = order.index(q.partner_id) + 1 if q.partner_id in order else None
                for group in (
                    "all",
                    f"theme:{q.theme}",
                    "cross-language" if q.cross else "same-language",
                    f"from:{q.languages.split('→')[0]}",
                ):
                    groups[group].append(rank)
            results[name] = {g: metrics(r) for g, r in sorted(groups.items())}
    return {
        "devset": str(devset_path),
        "pairs": len(devset["pairs"]),
        "distractors": len(devset["distractors"]),
        "space": matcher.space,
        "results": results,
    }


def table(report: dict[str, Any]) -> str:
    """A Markdown table: one row per group, MRR and R@1/5/10 of each system side by side."""
    systems = list(report["results"])
    head = "| group | n | " + " | ".join(f"{s} MRR / R@1 / R@5 / R@10" for s in systems) + " |"
    lines = [head, "|" + "---|" * (2 + len(systems))]
    groups = report["results"][systems[0]]
    first = ["all", "cross-language", "same-language"]
    order = [*first, *sorted(g for g in groups if g not in first)]
    for g in order:
        cells = []
        for s in systems:
            m = report["results"][s][g]
            cells.append(f"{m['MRR']:.3f} / {m['R@1']:.2f} / {m['R@5']:.2f} / {m['R@10']:.2f}")
        lines.append(f"| {g} | {groups[g]['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(settings: Settings, devset: Path, out: Path | None) -> None:
    report = evaluate(settings, devset)
    print(
        f"{report['pairs']} pairs, {report['distractors']} distractors, one mixed pool, "
        f"queries both ways; vector space {report['space']}"
    )
    print(table(report))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1), "utf-8")
