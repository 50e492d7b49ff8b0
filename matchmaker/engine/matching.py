"""Ranking: the matcher's suggestions for a listing and its free-text search, over the index."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker import changelog
from matchmaker.engine import embeddings, language, ranker, scoring, wording
from matchmaker.engine.embeddings import Embedder, LazyEmbedder
from matchmaker.engine.index import Key, Vectors
from matchmaker.engine.index_sync import IndexSync, SyncReport, read_prior
from matchmaker.engine.ranker import Ranker
from matchmaker.engine.vectors import text_of
from matchmaker.settings import Settings
from matchmaker.tables import Listing, Match, saved_id
from matchmaker.vocab import ListingKind, MatchStatus, Status

# A free-text search shows listings at least this close (language-centred cosine). Measured on
# the demo seeds: a query names its listing at 0.28–0.33, its next relevant ones at 0.20–0.24;
# the best answer to an unrelated query ("quantum chromodynamics lecture") is 0.17.
SEARCH_FLOOR = 0.20
HELSINKI = ZoneInfo("Europe/Helsinki")  # the valley's calendar decides when a listing expires


def today() -> date:
    """Today's date in Helsinki, whatever the server's clock zone."""
    return datetime.now(HELSINKI).date()


def expired(listing: Listing, on: date | None = None) -> bool:
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
        assert listing.id is not None
        banned = {listing.organisation_id, *exclude_orgs} - {None}
        rejected = self._rejected(session, listing)
        vec = self.vectors_of(session, [listing.id]).get(listing.id)
        if vec is None:
            self.store_vectors(session, [listing])
            session.commit()
            vec = self.vectors_of(session, [listing.id])[listing.id]
        other = ListingKind(listing.kind).opposite.value
        keys = self._keys(other, None if all_themes else listing.theme_id)
        query = self.centred(vec.reshape(1, -1), [str(listing.language)])[0]
        hits = self._search(keys, query, max(k, self.candidates) + len(rejected))
        found = self._rows(session, [i for i, _ in hits])
        raw = self.vectors_of(session, list(found))
        kept = [
            (found[cand_id], sim)
            for cand_id, sim in hits
            if cand_id in found
            and cand_id != listing.id
            and found[cand_id].organisation_id not in banned
            and cand_id not in rejected
        ]
        overlaps = self.wording(listing, [cand for cand, _ in kept])
        out: list[Suggestion] = []
        for (cand, sim), overlap in zip(kept, overlaps, strict=True):
            cand_id = saved_id(cand)
            cosine = float(raw[cand_id] @ vec) if cand_id in raw else sim
            out.append(
                Suggestion(cand, self._fit(listing, cand, sim, cosine, overlap), sim, cosine)
            )
        out.sort(key=lambda s: (-s.fit.score, -s.similarity, s.listing.id or 0))
        return [s for s in out if s.fit.score >= min_score][:k]

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
        same = [o for o in others if o.language == listing.language]
        found = dict(
            zip(
                (id(o) for o in same),
                wording.similarities(text_of(listing), [text_of(o) for o in same]),
                strict=True,
            )
        )
        return [float(found[id(o)]) if id(o) in found else None for o in others]

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
