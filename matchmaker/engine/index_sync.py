"""Index sync: the FAISS index as a cache of the stored vectors, kept in step with the database.

The index holds language-centred vectors of active listings, one partition per (theme, kind); it
is saved beside a fingerprint of what it holds and rebuilt from stored vectors when that is stale.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, cast
from sqlmodel import Session, col, func, select

from matchmaker import changelog
from matchmaker.engine.embeddings import Embedder, unit_rows
from matchmaker.engine.index import DamagedIndex, Key, Vectors
from matchmaker.engine.partitions import Partitions
from matchmaker.engine.vectors import StoredVectors, chunks
from matchmaker.tables import Listing, ListingVector
from matchmaker.vocab import Status

log = logging.getLogger(__name__)

# What is taken out of a language's vectors is the mean of all N stored vectors, shrunk by
# N / (N + 1), plus that language's own deviation from it, shrunk by n / (n + _PRIOR). The first
# is the direction every vector of the model shares: it is plain after a few listings, and left
# in, any two texts of a small deployment look 0.8 alike. The second is the language's pull: with
# a handful of listings in a language it is mostly noise, and must not erase what they carry.
_PRIOR = 20
# The index is re-centred (rebuilt from stored vectors) once a language mean has moved this far
# (L2) from the one its entries were centred with: while a deployment is small that is nearly
# every new listing, at thousands of listings a rebuild every few dozen.
_DRIFT = 0.005
# More changes than this since a worker last looked (a bulk import through another worker): the
# index is rebuilt from the stored vectors rather than brought in step one listing at a time.
_FOLLOW_AT_MOST = 2000


PRIOR_FILE = "language_means.npz"  # in the model's folder, made by `make model`


def read_prior(model_dir: Path) -> dict[str, Vectors]:
    """The model's reference language means, or none (another model, or not built yet)."""
    path = model_dir / PRIOR_FILE
    if not path.is_file():
        return {}
    try:
        with np.load(path) as data:
            return {lang: np.asarray(data[lang], dtype=np.float32) for lang in data.files}
    except (OSError, ValueError, KeyError) as exc:
        log.warning("language means in %s unreadable (%s): centring without them", path, exc)
        return {}


_MOD = 1_000_003  # ids are summed modulo a prime, so that no sum overflows SQLite's INTEGER


def _tally(placement: dict[int, Key]) -> dict[Key, tuple[int, int, int]]:
    """Per partition: how many ids, their sum and their sum of squares (modulo _MOD each
    term). Two partitions that swapped listings, or one that holds another database's, differ."""
    by_key: dict[Key, list[int]] = {}
    for listing_id, key in placement.items():
        by_key.setdefault(key, []).append(listing_id % _MOD)
    out = {}
    for key, ids in by_key.items():
        held = np.asarray(ids, dtype=np.int64)
        out[key] = (len(held), int(held.sum()), int((held * held).sum()))
    return out


@dataclass
class SyncReport:
    embedded: int
    reused: int
    indexed: int
    index_source: str  # "disk" or "rebuilt"


class IndexSync(StoredVectors):
    """Owns the index and the language means of one vector space; the database owns the rest."""

    def __init__(
        self,
        space: str,
        embedder: Callable[[], Embedder],
        *,
        index_dir: Path | None = None,
        backend: str = "faiss",
        prior: Mapping[str, Vectors] | None = None,
    ) -> None:
        super().__init__(space, embedder)
        self._index_dir = index_dir
        self._backend = backend
        # each language's mean vector over a reference corpus (the demo seeds), made with the
        # model (`make model`): what the means start from before a deployment has listings
        self.prior: dict[str, Vectors] = dict(prior or {})
        self.index: Partitions | None = None
        self.means: dict[str, Vectors] = {}  # what the index's entries were centred with
        # per language: the sum and count of the stored vectors the means are estimated from,
        # kept up to date as listings arrive, and the ids counted in them
        self._sums: dict[str, Vectors] = {}
        self._counts: dict[str, int] = {}
        self._counted: set[int] = set()
        self._sync_lock = threading.Lock()
        self.applied = 0  # the change log's seq this index is in step with
        self.version = 0  # bumped after every change of the index or the means: caches' key

    # -- language centring -----------------------------------------------------------------

    def centred(self, vectors: Vectors, languages: Sequence[str]) -> Vectors:
        """Remove each language's mean direction, so language no longer pulls texts together."""
        shifted = np.array(vectors, dtype=np.float32)
        langs = np.asarray(languages)
        for lang, mean in self.means.items():
            shifted[langs == lang] -= mean
        return unit_rows(shifted)

    def estimate_means(
        self, vectors: Vectors, languages: Sequence[str], ids: Sequence[int] = ()
    ) -> None:
        langs = np.asarray(languages)
        self._sums = {
            lang: vectors[langs == lang].sum(axis=0, dtype=np.float64).astype(np.float32)
            for lang in sorted(set(languages))
        }
        self._counts = {lang: int((langs == lang).sum()) for lang in self._sums}
        self._counted = set(ids)
        self.means = self._estimated()

    def _resume_sums(self, session: Session) -> None:
        """The running sums behind loaded means, from the count of vectors per language (a
        query, not a pass over the vectors): the inverse of `_estimated`."""
        rows = session.exec(
            select(Listing.language, func.count())
            .join(ListingVector, col(ListingVector.listing_id) == col(Listing.id))
            .where(ListingVector.model == self.space)
            .group_by(col(Listing.language))
        ).all()
        self._counts = {str(lang): int(n) for lang, n in rows if str(lang) in self.means}
        self._sums = {}
        total = sum(self._counts.values())
        if self.prior:  # mean_L (n_L + P) = sum_L + P prior_L
            for lang, n in self._counts.items():
                pulled = _PRIOR * self._prior_of(lang)
                self._sums[lang] = (self.means[lang] * (n + _PRIOR) - pulled).astype(np.float32)
        elif total:
            # invert the shared-mean formula: mean_L = a o + b_L (m_L - o), a = N/(N+1),
            # b_L = n_L/(n_L+P), o = sum_L n_L m_L / N; so o = sum (n_L+P) mean_L / (a sum (n_L+P))
            a = total / (total + 1)
            weights = {lang: n + _PRIOR for lang, n in self._counts.items()}
            overall = sum(
                weights[lang] * self.means[lang].astype(np.float64) for lang in weights
            ) / (a * sum(weights.values()))
            for lang, n in self._counts.items():
                own = overall + (self.means[lang] - a * overall) * (n + _PRIOR) / n
                self._sums[lang] = (own * n).astype(np.float32)
        self._counted = set(self.vector_ids(session))

    def _prior_of(self, lang: str) -> Vectors:
        if lang in self.prior:
            return self.prior[lang]
        everything: Vectors = np.stack(list(self.prior.values())).mean(axis=0)
        return everything.astype(np.float32)  # a language the reference corpus lacks

    def _estimated(self) -> dict[str, Vectors]:
        """Each language's mean, from its listings and what is known before them.

        With a prior (the model's reference means): (sum + P prior) / (n + P), and the prior
        alone for a language with no listings yet. Without one: the mean of all vectors, shrunk
        by N / (N + 1), plus the language's own deviation from it, shrunk by n / (n + P)."""
        if self.prior:
            langs = set(self.prior) | set(self._sums)
            return {
                lang: (
                    (self._sums.get(lang, 0.0) + _PRIOR * self._prior_of(lang))
                    / (self._counts.get(lang, 0) + _PRIOR)
                ).astype(np.float32)
                for lang in sorted(langs)
            }
        total = sum(self._counts.values())
        if not total:
            return {}
        overall = sum(self._sums.values()) / total
        shared = overall * total / (total + 1)
        out = {}
        for lang, s in self._sums.items():
            n = self._counts[lang]
            out[lang] = (shared + (s / n - overall) * n / (n + _PRIOR)).astype(np.float32)
        return out

    def _count(self, listing_id: int, lang: str, vec: Vectors) -> bool:
        """Count a listing's vector in its language's sum the first time it is seen; True when
        the means have drifted from those the index was centred with, so that it must be
        re-centred. (An edit's new vector is counted at the next rebuild.)"""
        if listing_id in self._counted:
            return False
        self._counted.add(listing_id)
        if lang in self._sums:
            self._sums[lang] = self._sums[lang] + vec
        else:
            self._sums[lang] = np.array(vec, dtype=np.float32)
        self._counts[lang] = self._counts.get(lang, 0) + 1
        fresh = self._estimated()
        return any(
            lang not in self.means or float(np.linalg.norm(m - self.means[lang])) > _DRIFT
            for lang, m in fresh.items()
        )

    # -- the index -------------------------------------------------------------------------

    def rebuild(self, session: Session) -> int:
        """Build the index from stored vectors alone; nothing is re-embedded."""
        rows = self.indexed_rows(session)
        self.estimate_means(*self.all_vectors(session), self.vector_ids(session))
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
        self.version += 1
        self.save(session)
        return len(rows)

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
        has just computed it), else one rebuilt from the stored vectors.

        A saved index that is stale (another model, backend or set of rows) is rebuilt
        quietly; one whose files are damaged - a checksum, a width, or the ids of a partition
        that differ from the database's - is rebuilt with a warning that says why.
        """
        if self._index_dir is not None:
            try:
                loaded = Partitions.load(self._index_dir)
                if loaded is not None:
                    parts, manifest = loaded
                    if (
                        manifest.get("space") == self.space
                        and parts.backend == self._backend
                        and manifest.get("fingerprint")
                        == (fingerprint or self.fingerprint(session))
                    ):
                        means = self._check(session, parts, manifest)
                        self.index, self.means = parts, means
                        self._resume_sums(session)
                        self.version += 1
                        return "disk"
            except DamagedIndex as exc:
                log.warning(
                    "the saved index in %s does not hold (%s): rebuilding it from the stored "
                    "vectors",
                    self._index_dir,
                    exc,
                )
        self.rebuild(session)
        return "rebuilt"

    def _check(
        self, session: Session, parts: Partitions, manifest: dict[str, Any]
    ) -> dict[str, Vectors]:
        """The language means of a loaded index whose files hold what the database says:
        vectors as wide as the stored ones, each active listing in its own partition."""
        stored = session.exec(
            select(ListingVector.vector).where(ListingVector.model == self.space).limit(1)
        ).first()
        width = len(stored) // 4 if stored is not None else parts.dim
        if parts.dim != width:
            raise DamagedIndex(f"it holds {parts.dim}-wide vectors, the stored ones are {width}")
        means = {lang: np.asarray(m, dtype=np.float32) for lang, m in manifest["means"].items()}
        if any(m.shape != (width,) for m in means.values()):
            raise DamagedIndex("its language means are not as wide as the stored vectors")
        if _tally(parts.placement()) != self._tally_stored(session):
            raise DamagedIndex("its partitions do not hold the database's active listings")
        return means

    def _tally_stored(self, session: Session) -> dict[Key, tuple[int, int, int]]:
        """_tally of the listings the index should hold, summed by the database itself: at
        100k listings a Python pass over the rows would add half a second to every start."""
        # 64-bit: a square of a residue passes PostgreSQL's 32-bit integer past id 46,341
        ids = cast(col(Listing.id) % _MOD, BigInteger)
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
                Listing.theme_id, Listing.kind, func.count(), func.sum(ids), func.sum(ids * ids)
            )
            .join(ListingVector, col(ListingVector.listing_id) == col(Listing.id))
            .where(ListingVector.model == self.space, Listing.status == Status.active)
            .group_by(col(Listing.theme_id), col(Listing.kind))
        ).all()
        return {(int(t), str(k)): (int(n), int(s1), int(s2)) for t, k, n, s1, s2 in rows}

    def sync(self, session: Session, progress: Callable[[int], None] | None = None) -> SyncReport:
        """Embed what is missing or changed, then load the saved index or rebuild it."""
        with self._sync_lock:
            self.applied = changelog.latest(session)  # what comes after is followed
            stale, total, fingerprint = self.scan(session)
            listings = [
                lst
                for chunk in chunks(stale)
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

    def reindex(self, session: Session, listing: Listing) -> None:
        """Re-index one listing after a save: its entry brought in step with its committed row."""
        if self.index is None or listing.id is None:
            return
        ids = np.array([listing.id], dtype=np.int64)
        vec = self.vectors_of(session, [listing.id]).get(listing.id)
        if vec is not None and self._count(listing.id, str(listing.language), vec):
            self.rebuild(session)  # the means moved: every entry is centred anew
            return
        if listing.status != Status.active or vec is None:
            self.index.remove(ids)
            self.version += 1
            return
        centred = self.centred(vec.reshape(1, -1), [str(listing.language)])
        self.index.upsert((listing.theme_id, str(listing.kind)), ids, centred)
        self.version += 1

    def in_step(self, session: Session) -> bool:
        """Whether every change committed is applied (one primary-key lookup): then `follow`
        has nothing to do, and takes no lock."""
        return changelog.latest(session) == self.applied

    def follow(self, session: Session) -> set[str]:
        """Bring the index in step with the change log: what any worker (this one or another)
        committed since this one last looked. Returns the other topics seen ("ranker").

        A seq lower than the one applied means another database (a restore): rebuilt."""
        seen = changelog.latest(session)
        if seen == self.applied:
            return set()
        with self._sync_lock:
            if seen == self.applied:  # another thread followed meanwhile
                return set()
            if seen < self.applied or seen - self.applied > _FOLLOW_AT_MOST:
                self.rebuild(session)
                self.applied = seen
                return {changelog.RANKER}
            changes = changelog.since(session, self.applied)
            listings = {c.listing_id for c in changes if c.topic == changelog.LISTING}
            for listing_id in sorted(i for i in listings if i is not None):
                listing = session.get(Listing, listing_id)
                if listing is None:  # deleted
                    if self.index is not None:
                        self.index.remove(np.array([listing_id], dtype=np.int64))
                        self.version += 1
                else:
                    self.reindex(session, listing)
            self.applied = max([seen, *(int(c.seq or 0) for c in changes)])
            log.debug("followed %d changes up to %d", len(changes), self.applied)
            return {c.topic for c in changes} - {changelog.LISTING}
