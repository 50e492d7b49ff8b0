"""The matcher: keeps vectors and the index in step with the database, and ranks matches."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import String, type_coerce
from sqlmodel import Session, col, select

from matchmaker.engine import language, scoring
from matchmaker.engine.index import Key, Partitions, Vectors
from matchmaker.tables import Listing, ListingVector
from matchmaker.vocab import ListingKind, Status

log = logging.getLogger(__name__)

# A language mean estimated from n vectors is shrunk by n / (n + _PRIOR): with a handful of
# listings in a language, centering must not erase what little signal they carry.
_PRIOR = 20
_BATCH = 32


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def text_of(listing: Listing) -> str:
    """What is embedded: the title and the description, as the owner wrote them."""
    return _joined(listing.title, listing.description)


def _joined(title: str, description: str) -> str:
    return f"{title.strip()}\n{description.strip()}".strip()


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    """Keeps IN (...) lists well under SQLite's limit on bound parameters."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _plain(column: Any) -> Any:
    """An enum column read as its stored string: converting 100k values to enum members
    costs a start about half a second."""
    return type_coerce(column, String)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unit(v: Vectors) -> Vectors:
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    unit: Vectors = (v / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


@dataclass
class Suggestion:
    listing: Listing
    fit: scoring.Fit
    similarity: float  # language-centred cosine: what the index ranked by
    cosine: float  # the model's raw cosine


@dataclass
class SyncReport:
    embedded: int
    reused: int
    indexed: int
    index_source: str  # "disk" or "rebuilt"


class Matcher:
    """Owns the index and the language means; the database owns everything else."""

    def __init__(
        self,
        space: str,
        embedder: Callable[[], Embedder],
        *,
        index_dir: Path | None = None,
        backend: str = "faiss",
        candidates: int = 50,
    ) -> None:
        self.space = space  # the vector space stored vectors must belong to
        self.embedder = embedder
        self._index_dir = index_dir
        self._backend = backend
        self.candidates = candidates
        self.index: Partitions | None = None
        self.means: dict[str, Vectors] = {}
        self._sync_lock = threading.Lock()

    # -- vectors ---------------------------------------------------------------------------

    def embed_texts(self, texts: Sequence[str]) -> Vectors:
        return self.embedder().embed(list(texts))

    def store_vectors(
        self,
        session: Session,
        listings: Sequence[Listing],
        progress: Callable[[int], None] | None = None,
    ) -> tuple[int, int]:
        """Embed the listings whose text changed since their vector was stored.

        Adds rows to the session without committing; returns (embedded, reused).
        """
        ids = [lst.id for lst in listings if lst.id is not None]
        stored = {
            v.listing_id: v
            for chunk in _chunks(ids)
            for v in session.exec(
                select(ListingVector).where(
                    ListingVector.model == self.space, col(ListingVector.listing_id).in_(chunk)
                )
            )
        }
        stale: list[tuple[Listing, str]] = []
        for lst in listings:
            text = text_of(lst)
            row = stored.get(lst.id) if lst.id is not None else None
            if row is None or row.text_hash != text_hash(text):
                stale.append((lst, text))
        for start in range(0, len(stale), _BATCH):
            batch = stale[start : start + _BATCH]
            vectors = self.embed_texts([text for _, text in batch])
            for (lst, text), vec in zip(batch, vectors, strict=True):
                assert lst.id is not None
                session.add(self.vector_row(lst.id, text, vec, stored.get(lst.id)))
            if progress:
                progress(len(batch))
        return len(stale), len(listings) - len(stale)

    def vector_row(
        self, listing_id: int, text: str, vector: Vectors, row: ListingVector | None = None
    ) -> ListingVector:
        """The stored form of a vector: with this space's name and the hash of its text."""
        row = row or ListingVector(
            listing_id=listing_id, model=self.space, text_hash="", vector=b""
        )
        row.text_hash = text_hash(text)
        row.vector = np.asarray(vector, dtype=np.float32).tobytes()
        return row

    def embed_batches(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Vectors:
        """Embed many texts in batches, reporting progress after each."""
        out = []
        for start in range(0, len(texts), _BATCH):
            out.append(self.embed_texts(texts[start : start + _BATCH]))
            if progress:
                progress(len(out[-1]))
        return np.vstack(out) if out else np.zeros((0, 0), dtype=np.float32)

    def vectors_of(self, session: Session, ids: Iterable[int]) -> dict[int, Vectors]:
        return {
            listing_id: np.frombuffer(blob, dtype=np.float32)
            for chunk in _chunks(list(ids))
            for listing_id, blob in session.exec(
                select(ListingVector.listing_id, ListingVector.vector).where(
                    ListingVector.model == self.space, col(ListingVector.listing_id).in_(chunk)
                )
            )
        }

    def stale_ids(self, session: Session) -> tuple[list[int], int]:
        """Ids of listings with no vector of this space or one of another text; and the total."""
        stale, total, _ = self._scan(session)
        return stale, total

    def _scan(self, session: Session) -> tuple[list[int], int, str]:
        """One pass over every listing: the stale ids, the total, and the fingerprint of what
        the index should hold (valid while nothing is stale).

        Reads columns, not objects, and only once: at 100k listings each pass costs about a
        second (the vector table's pages are read with it), and a start must stay within 5 s.
        """
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
                Listing.id,
                Listing.theme_id,
                _plain(Listing.kind),
                _plain(Listing.language),
                _plain(Listing.status),
                Listing.title,
                Listing.description,
                ListingVector.text_hash,
            )
            .join(
                ListingVector,
                (col(ListingVector.listing_id) == col(Listing.id))
                & (col(ListingVector.model) == self.space),
                isouter=True,
            )
            .order_by(col(Listing.id))
        ).all()
        stale = [
            int(row[0])
            for row in rows
            if row[7] is None or row[7] != text_hash(_joined(row[5], row[6]))
        ]
        indexed = [
            (row[0], row[1], row[2], row[3], row[7])
            for row in rows
            if row[7] is not None and row[4] == Status.active
        ]
        return stale, len(rows), self._digest(indexed)

    # -- language centring -----------------------------------------------------------------

    def centred(self, vectors: Vectors, languages: Sequence[str]) -> Vectors:
        """Remove each language's mean direction, so language no longer pulls texts together."""
        shifted = np.array(vectors, dtype=np.float32)
        langs = np.asarray(languages)
        for lang, mean in self.means.items():
            shifted[langs == lang] -= mean
        return _unit(shifted)

    def estimate_means(self, vectors: Vectors, languages: Sequence[str]) -> None:
        self.means = {}
        langs = np.asarray(languages)
        for lang in sorted(set(languages)):
            chosen = vectors[langs == lang]
            n = len(chosen)
            self.means[lang] = (chosen.mean(axis=0) * n / (n + _PRIOR)).astype(np.float32)

    # -- the index -------------------------------------------------------------------------

    def _indexed_rows(self, session: Session) -> list[tuple[int, Key, str, bytes]]:
        """(id, partition, language, vector) of every active listing; columns, not objects."""
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
                Listing.id, Listing.theme_id, Listing.kind, Listing.language, ListingVector.vector
            )
            .join(ListingVector, col(ListingVector.listing_id) == col(Listing.id))
            .where(ListingVector.model == self.space, Listing.status == Status.active)
            .order_by(col(Listing.id))
        ).all()
        return [
            (int(i), (int(theme), str(kind)), str(lang), blob)
            for i, theme, kind, lang, blob in rows
        ]

    def fingerprint(self, session: Session) -> str:
        """A digest of what the index should hold; a saved index with another one is stale."""
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
                Listing.id,
                Listing.theme_id,
                _plain(Listing.kind),
                _plain(Listing.language),
                ListingVector.text_hash,
            )
            .join(ListingVector, col(ListingVector.listing_id) == col(Listing.id))
            .where(ListingVector.model == self.space, Listing.status == Status.active)
            .order_by(col(Listing.id))
        ).all()
        return self._digest(rows)

    def _digest(self, rows: Sequence[Sequence[object]]) -> str:
        """(id, theme, kind, language, text hash) rows in id order, hashed in one call."""
        digest = hashlib.sha256(self.space.encode())
        digest.update(
            "\n".join(f"{i} {theme} {kind} {lang} {h}" for i, theme, kind, lang, h in rows).encode()
        )
        return digest.hexdigest()

    def rebuild(self, session: Session) -> int:
        """Build the index from stored vectors alone; nothing is re-embedded."""
        rows = self._indexed_rows(session)
        self.estimate_means(*self._all_vectors(session))
        parts = Partitions(None, self._backend)
        groups: dict[Key, list[tuple[int, str, bytes]]] = {}
        for listing_id, key, lang, blob in rows:
            groups.setdefault(key, []).append((listing_id, lang, blob))
        for key, members in groups.items():
            ids = np.array([m[0] for m in members], dtype=np.int64)
            raw = np.frombuffer(b"".join(m[2] for m in members), dtype=np.float32)
            parts.upsert(
                key, ids, self.centred(raw.reshape(len(members), -1), [m[1] for m in members])
            )
        self.index = parts
        self.save(session)
        return len(rows)

    def _all_vectors(self, session: Session) -> tuple[Vectors, list[str]]:
        """Every stored vector with its language (drafts and closed ones too) for the means."""
        rows = session.exec(
            select(Listing.language, ListingVector.vector)
            .join(ListingVector, col(ListingVector.listing_id) == col(Listing.id))
            .where(ListingVector.model == self.space)
        ).all()
        if not rows:
            return np.zeros((0, 0), dtype=np.float32), []
        return (
            np.stack([np.frombuffer(v, dtype=np.float32) for _, v in rows]),
            [str(lang) for lang, _ in rows],
        )

    def save(self, session: Session) -> None:
        if self._index_dir is None or self.index is None:
            return
        self.index.save(
            self._index_dir,
            {
                "space": self.space,
                "fingerprint": self.fingerprint(session),
                "means": {lang: m.tolist() for lang, m in self.means.items()},
            },
        )

    def load_or_rebuild(self, session: Session, fingerprint: str | None = None) -> str:
        """The saved index if it holds what the database says (`fingerprint`, when the caller
        has just computed it), else one rebuilt from the stored vectors."""
        if self._index_dir is not None:
            loaded = Partitions.load(self._index_dir)
            if loaded is not None:
                parts, manifest = loaded
                if (
                    manifest.get("space") == self.space
                    and parts.backend == self._backend
                    and manifest.get("fingerprint") == (fingerprint or self.fingerprint(session))
                ):
                    self.index = parts
                    self.means = {
                        lang: np.asarray(m, dtype=np.float32)
                        for lang, m in manifest["means"].items()
                    }
                    return "disk"
        self.rebuild(session)
        return "rebuilt"

    def sync(self, session: Session, progress: Callable[[int], None] | None = None) -> SyncReport:
        """Embed what is missing or changed, then load the saved index or rebuild it."""
        with self._sync_lock:
            stale, total, fingerprint = self._scan(session)
            listings = [
                lst
                for chunk in _chunks(stale)
                for lst in session.exec(select(Listing).where(col(Listing.id).in_(chunk)))
            ]
            embedded, _ = self.store_vectors(session, listings, progress)
            reused = total - embedded
            session.commit()
            # the scan's fingerprint holds while nothing was embedded: spare a second pass
            source = self.load_or_rebuild(session, None if embedded else fingerprint)
            assert self.index is not None
            report = SyncReport(embedded, reused, len(self.index), source)
        how = "loaded from disk" if report.index_source == "disk" else "rebuilt from stored vectors"
        log.info(
            "vectors: %d embedded, %d unchanged; index %s: %d listings",
            report.embedded,
            report.reused,
            how,
            report.indexed,
        )
        return report

    def refresh(self, session: Session, listing: Listing) -> None:
        """Bring one committed listing's index entry in step with its row."""
        if self.index is None or listing.id is None:
            return
        ids = np.array([listing.id], dtype=np.int64)
        vec = self.vectors_of(session, [listing.id]).get(listing.id)
        if listing.status != Status.active or vec is None:
            self.index.remove(ids)
            return
        centred = self.centred(vec.reshape(1, -1), [str(listing.language)])
        self.index.upsert((listing.theme_id, str(listing.kind)), ids, centred)

    # -- ranking ---------------------------------------------------------------------------

    def suggest(
        self, session: Session, listing: Listing, *, k: int = 10, all_themes: bool = False
    ) -> list[Suggestion]:
        """The k best active listings of the opposite kind, scored and explained."""
        assert listing.id is not None
        vec = self.vectors_of(session, [listing.id]).get(listing.id)
        if vec is None:
            self.store_vectors(session, [listing])
            session.commit()
            vec = self.vectors_of(session, [listing.id])[listing.id]
        other = ListingKind(listing.kind).opposite.value
        keys = self._keys(other, None if all_themes else listing.theme_id)
        query = self.centred(vec.reshape(1, -1), [str(listing.language)])[0]
        hits = self._search(keys, query, max(k, self.candidates))
        found = self._rows(session, [i for i, _ in hits])
        raw = self.vectors_of(session, list(found))
        out: list[Suggestion] = []
        for cand_id, sim in hits:
            cand = found.get(cand_id)
            if cand is None or cand.id == listing.id:
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
        return {lst.id: lst for lst in rows if lst.id is not None}
