"""Ranking: the matcher's suggestions for a listing and its free-text search, over the index."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from matchmaker.engine import embeddings, language, scoring
from matchmaker.engine.embeddings import Embedder, LazyEmbedder
from matchmaker.engine.index import Key, Vectors
from matchmaker.engine.index_sync import IndexSync
from matchmaker.settings import Settings
from matchmaker.tables import Listing, Match
from matchmaker.vocab import ListingKind, MatchStatus, Status

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
    ) -> None:
        super().__init__(space, embedder, index_dir=index_dir, backend=backend)
        self.candidates = candidates  # nearest neighbours fetched before re-ranking

    def suggest(
        self,
        session: Session,
        listing: Listing,
        *,
        k: int = 10,
        all_themes: bool = False,
        exclude_orgs: Collection[int | None] = (),
    ) -> list[Suggestion]:
        """The k best active listings of the opposite kind, scored and explained.

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
        out: list[Suggestion] = []
        for cand_id, sim in hits:
            cand = found.get(cand_id)
            if (
                cand is None
                or cand.id == listing.id
                or cand.organisation_id in banned
                or cand_id in rejected
            ):
                continue
            cosine = float(raw[cand_id] @ vec) if cand_id in raw else sim
            offer, need = (cand, listing) if listing.kind == ListingKind.need else (listing, cand)
            out.append(
                Suggestion(
                    cand, scoring.fit(offer, need, semantic=sim, raw_cosine=cosine), sim, cosine
                )
            )
        out.sort(key=lambda s: (-s.fit.score, -s.similarity, s.listing.id or 0))
        return out[:k]

    def search(
        self,
        session: Session,
        text: str,
        *,
        k: int = 20,
        theme_id: int | None = None,
        kind: str | None = None,
    ) -> list[tuple[Listing, float]]:
        """Free text in any of the three languages, ranked by meaning."""
        vec = self.embed_texts([text])
        query = self.centred(vec, [language.guess(text).value])[0]
        kinds = [kind] if kind else [k.value for k in ListingKind]
        keys = [key for kd in kinds for key in self._keys(kd, theme_id)]
        hits = self._search(keys, query, k)
        found = self._rows(session, [i for i, _ in hits])
        return [(found[i], sim) for i, sim in hits if i in found]

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
    return Matcher(
        space,
        provider,
        index_dir=settings.instance_dir / "index" if persist else None,
        backend=settings.index_backend,
        candidates=settings.candidates,
    )
