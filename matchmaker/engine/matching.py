"""Ranking: the matcher's suggestions for a listing and its free-text search, over the index."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from matchmaker import changelog
from matchmaker.engine import embeddings, language, ranker, scoring, wording
from matchmaker.engine.embeddings import Embedder, LazyEmbedder
from matchmaker.engine.index import Key, Vectors
from matchmaker.engine.index_sync import IndexSync, SyncReport, read_prior
from matchmaker.engine.ranker import Ranker
from matchmaker.engine.rankings import ROW_COLUMNS, Candidate, Ranking, Rankings, Row
from matchmaker.engine.vectors import joined, text_of
from matchmaker.settings import Settings
from matchmaker.tables import Listing, ListingVector, Match, saved_id
from matchmaker.vocab import ListingKind, MatchStatus, Status

# A free-text search shows listings at least this close (language-centred cosine). Measured on
# the demo seeds: a query names its listing at 0.28–0.33, its next relevant ones at 0.20–0.24;
# the best answer to an unrelated query ("quantum chromodynamics lecture") is 0.17.
SEARCH_FLOOR = 0.20
HELSINKI = ZoneInfo("Europe/Helsinki")  # the valley's calendar decides when a listing expires
CACHED_POOL = 500  # rankings of at most this many candidates are kept (Matcher.rankings)


def today() -> date:
    """Today's date in Helsinki, whatever the server's clock zone."""
    return datetime.now(HELSINKI).date()


def expired(listing: scoring.Scored, on: date | None = None) -> bool:
    """Past its `available_until`: it leaves matching, whether or not it was closed yet."""
    return listing.available_until is not None and listing.available_until < (on or today())


@dataclass
class Suggestion:
    listing: Listing
    fit: scoring.Fit
    similarity: float  # language-centred cosine: what the index ranked by
    cosine: float  # the model's raw cosine


class Matcher(IndexSync):
    """Ranks the listings of the synced index against a listing or a text."""

    def __init__(
        self,
        space: str,
        embedder: Callable[[], Embedder],
        *,
        index_dir: Path | None = None,
        backend: str = "faiss",
        candidates: int = 50,
        ranker: Ranker = ranker.HAND_SET,
        prior: Mapping[str, Vectors] | None = None,
        learns: bool = False,
    ) -> None:
        super().__init__(space, embedder, index_dir=index_dir, backend=backend, prior=prior)
        self.learns = learns  # ranks with the weights `train` keeps in the database
        self.candidates = candidates  # nearest neighbours fetched before re-ranking
        self.ranker = ranker  # the parts' weights: hand-set, or learned by `train`
        self.search_floor = SEARCH_FLOOR  # measured with the product's model; another needs its own
        self.rankings = Rankings()

    def sync(self, session: Session, progress: Callable[[int], None] | None = None) -> SyncReport:
        report = super().sync(session, progress)
        if self.learns:
            self.ranker = ranker.load(session) or ranker.HAND_SET
        return report

    def follow(self, session: Session) -> set[str]:
        """In step with what other workers committed: listings, and the learned weights."""
        topics = super().follow(session)
        if self.learns and changelog.RANKER in topics:
            self.ranker = ranker.load(session) or ranker.HAND_SET
        return topics

    def suggest(
        self,
        session: Session,
        listing: Listing,
        *,
        k: int = 10,
        all_themes: bool = False,
        exclude_orgs: Collection[int | None] = (),
        min_score: float = 0.0,
    ) -> list[Suggestion]:
        """The k best active listings of the opposite kind scoring at least `min_score`.

        Never a listing of the query listing's organisation nor of `exclude_orgs` (the viewer's),
        never an expired one, never a pair a facilitator rejected."""
        ranking, best = self.best(
            session,
            listing,
            k=k,
            all_themes=all_themes,
            exclude_orgs=exclude_orgs,
            min_score=min_score,
        )
        ids = [c.row.id for c in best]
        rows = {
            saved_id(lst): lst
            for lst in session.exec(select(Listing).where(col(Listing.id).in_(ids)))
        }
        return [
            Suggestion(rows[c.row.id], ranking.fit(c), c.similarity, c.cosine)
            for c in best
            if c.row.id in rows
        ]

    def best(
        self,
        session: Session,
        listing: Listing,
        *,
        k: int = 10,
        all_themes: bool = False,
        exclude_orgs: Collection[int | None] = (),
        min_score: float = 0.0,
    ) -> tuple[Ranking, list[Candidate]]:
        """What `suggest` returns, as the candidates of the listing's ranking: its rows
        rather than ORM objects, for answers built from columns (the API)."""
        ranking = self.ranking(session, listing, k=k, all_themes=all_themes)
        banned = set(exclude_orgs) - {None}
        kept = [
            c
            for c in ranking.candidates
            if c.score >= min_score and c.row.organisation_id not in banned
        ]
        return ranking, kept[:k]

    def ranking(
        self, session: Session, listing: Listing, *, k: int = 10, all_themes: bool = False
    ) -> Ranking:
        """The listing's candidates, scored and sorted, from the cache when neither the index
        (`version`: every rebuild, reindex or load), the day (expiry), the listing (its
        `version`), the rejected pairs nor the ranker changed since it was made."""
        assert listing.id is not None
        rejected = self._rejected(session, listing)
        pool = max(k, self.candidates) + len(rejected)
        key = (
            listing.id,
            listing.version,
            self.version,
            today(),
            all_themes,
            pool,
            frozenset(rejected),
        )
        found = self.rankings.get(key)
        if found is not None and found.ranker is self.ranker:
            return found
        found = self._rank(session, listing, pool, all_themes, rejected)
        if pool <= CACHED_POOL:  # an evaluation's every-candidate rankings would fill memory
            self.rankings.put(key, found)
        return found

    def _rank(
        self, session: Session, listing: Listing, pool: int, all_themes: bool, rejected: set[int]
    ) -> Ranking:
        assert listing.id is not None
        vec = self.vectors_of(session, [listing.id]).get(listing.id)
        if vec is None:
            self.store_vectors(session, [listing])
            session.commit()
            vec = self.vectors_of(session, [listing.id])[listing.id]
        other = ListingKind(listing.kind).opposite.value
        keys = self._keys(other, None if all_themes else listing.theme_id)
        query = self.centred(vec.reshape(1, -1), [str(listing.language)])[0]
        hits = self._search(keys, query, pool)
        rows, texts, raw = self._columns(session, [i for i, _ in hits])
        kept = [
            (rows[cand_id], sim)
            for cand_id, sim in hits
            if cand_id in rows
            and cand_id != listing.id
            and rows[cand_id].organisation_id != listing.organisation_id
            and cand_id not in rejected
        ]
        cands = [row for row, _ in kept]
        overlaps = self._wording(
            text_of(listing), str(listing.language), [(texts[c.id], c.language) for c in cands]
        )
        sims = [sim for _, sim in kept]
        cosines = [float(raw[c.id] @ vec) if c.id in raw else sim for c, sim in kept]
        mine = [listing] * len(cands)
        offers, needs = (cands, mine) if listing.kind == ListingKind.need else (mine, cands)
        pairs = scoring.pairs(
            offers, needs, semantic=sims, raw_cosine=cosines, wording=overlaps, ranker=self.ranker
        )
        ranked = [
            Candidate(row, score, sim, cos, i)
            for i, (row, score, sim, cos) in enumerate(
                zip(cands, pairs.scores, sims, cosines, strict=True)
            )
        ]
        ranked.sort(key=lambda c: (-c.score, -c.similarity, c.row.id))
        return Ranking(ranked, pairs, self.ranker)

    def pair_fit(self, session: Session, a: Listing, b: Listing) -> scoring.Fit:
        """The fit of one given pair, scored as a suggestion between them would be."""
        ids = [saved_id(a), saved_id(b)]
        vecs = self.vectors_of(session, ids)
        missing = [lst for lst in (a, b) if saved_id(lst) not in vecs]
        if missing:
            self.store_vectors(session, missing)
            vecs = self.vectors_of(session, ids)
        va, vb = (vecs[i].reshape(1, -1) for i in ids)
        ca = self.centred(va, [str(a.language)])[0]
        cb = self.centred(vb, [str(b.language)])[0]
        return self._fit(a, b, float(ca @ cb), float(va[0] @ vb[0]), self.wording(a, [b])[0])

    def wording(self, listing: Listing, others: list[Listing]) -> list[float | None]:
        """Shared wording with each of `others` in the listing's language; None across languages."""
        return self._wording(
            text_of(listing), str(listing.language), [(text_of(o), str(o.language)) for o in others]
        )

    @staticmethod
    def _wording(text: str, lang: str, others: Sequence[tuple[str, str]]) -> list[float | None]:
        same = [i for i, (_, o_lang) in enumerate(others) if o_lang == lang]
        found = dict(
            zip(same, wording.similarities(text, [others[i][0] for i in same]), strict=True)
        )
        return [float(found[i]) if i in found else None for i in range(len(others))]

    def _fit(
        self, listing: Listing, cand: Listing, sim: float, cosine: float, overlap: float | None
    ) -> scoring.Fit:
        offer, need = (cand, listing) if listing.kind == ListingKind.need else (listing, cand)
        return scoring.fit(
            offer, need, semantic=sim, raw_cosine=cosine, wording=overlap, ranker=self.ranker
        )

    def search(
        self,
        session: Session,
        text: str,
        *,
        k: int = 20,
        theme_id: int | None = None,
        kind: str | None = None,
        min_similarity: float | None = None,
    ) -> list[tuple[Listing, float]]:
        """Free text in any of the three languages, ranked by meaning, down to a relevance cut
        (`min_similarity`; 0 for the whole ranking)."""
        vec = self.embed_texts([text])
        query = self.centred(vec, [language.guess(text).value])[0]
        kinds = [kind] if kind else [k.value for k in ListingKind]
        keys = [key for kd in kinds for key in self._keys(kd, theme_id)]
        hits = self._search(keys, query, k)
        found = self._rows(session, [i for i, _ in hits])
        floor = self.search_floor if min_similarity is None else min_similarity
        cut = floor if floor > 0 else -1.0  # 0: no cut, the nearest k
        return [(found[i], sim) for i, sim in hits if i in found and sim >= cut]

    @staticmethod
    def _rejected(session: Session, listing: Listing) -> set[int]:
        """The listings a facilitator rejected as this one's partner."""
        mine, theirs = (
            (Match.need_id, Match.offer_id)
            if listing.kind == ListingKind.need
            else (Match.offer_id, Match.need_id)
        )
        rows = session.exec(
            select(theirs).where(mine == listing.id, Match.status == MatchStatus.rejected)
        )
        return {int(i) for i in rows}

    def _keys(self, kind: str, theme_id: int | None) -> list[Key]:
        if self.index is None:
            return []
        partitions = self.index.keys()  # Partitions.keys(): a sorted list, not a dict view
        return [
            key for key in partitions if key[1] == kind and (theme_id is None or key[0] == theme_id)
        ]

    def _search(self, keys: list[Key], query: Vectors, k: int) -> list[tuple[int, float]]:
        if self.index is None:
            raise RuntimeError("the index is not loaded: call sync() first")
        return self.index.search(keys, query, k)

    @staticmethod
    def _rows(session: Session, ids: list[int]) -> dict[int, Listing]:
        if not ids:
            return {}
        rows = session.exec(
            select(Listing).where(col(Listing.id).in_(ids), Listing.status == Status.active)
        )
        now = today()
        return {lst.id: lst for lst in rows if lst.id is not None and not expired(lst, now)}

    def _columns(
        self, session: Session, ids: list[int]
    ) -> tuple[dict[int, Row], dict[int, str], dict[int, Vectors]]:
        """The active, unexpired ones of `ids` as Rows, their texts (what wording compares) and
        their stored vectors: one query of columns."""
        if not ids:
            return {}, {}, {}
        stored = (col(ListingVector.listing_id) == col(Listing.id)) & (
            col(ListingVector.model) == self.space
        )
        found = session.execute(
            sa.select(
                *ROW_COLUMNS,
                col(Listing.title),
                col(Listing.description),
                col(ListingVector.vector),
            )
            .outerjoin(ListingVector, stored)
            .where(col(Listing.id).in_(ids), col(Listing.status) == Status.active)
        )
        now, rows, texts, raw = today(), {}, {}, {}
        for *values, title, description, blob in found:
            row = Row(*values)
            if not expired(row, now):
                rows[row.id], texts[row.id] = row, joined(title, description)
                if blob is not None:
                    raw[row.id] = np.frombuffer(blob, dtype=np.float32)
        return rows, texts, raw


def build_matcher(
    settings: Settings, embedder: Embedder | None = None, *, persist: bool = True
) -> Matcher:
    """The matcher over the given embedder, or over the configured model, loaded lazily.

    With `persist=False` its index lives in memory only (evaluation pools, throwaway runs).
    """
    space = embedder.name if embedder else embeddings.space_name(settings.engine, settings.model)
    provider: Callable[[], Embedder] = (
        (lambda: embedder)
        if embedder
        else LazyEmbedder(
            lambda: embeddings.make_embedder(
                settings.engine, settings.model, threads=settings.torch_threads
            )
        )
    )
    # the reference language means come with the model's folder (`make model`)
    folder = getattr(embedder, "folder", None) if embedder else settings.model or None
    prior = read_prior(Path(folder)) if folder else {}
    return Matcher(
        space,
        provider,
        index_dir=settings.instance_dir / "index" if persist else None,
        backend=settings.index_backend,
        candidates=settings.candidates,
        prior=prior,
        learns=persist,
    )
