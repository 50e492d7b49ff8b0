"""Stored vectors: each listing's embedding, kept with its space's name and its text's hash.

The database is the source of truth: a vector is embedded again only when its listing's text
changed, and everything the index holds can be read back from here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import String, type_coerce
from sqlmodel import Session, col, select

from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.index import Key, Vectors
from matchmaker.tables import Listing, ListingVector
from matchmaker.vocab import Status

_BATCH = 32


def text_of(listing: Listing) -> str:
    """What is embedded: the title and the description, as the owner wrote them."""
    return joined(listing.title, listing.description)


def joined(title: str, description: str) -> str:
    """text_of a listing read as columns."""
    return f"{title.strip()}\n{description.strip()}".strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    """Keeps IN (...) lists well under SQLite's limit on bound parameters."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _plain(column: Any) -> Any:
    """An enum column read as its stored string: converting 100k values to enum members
    costs a start about half a second."""
    return type_coerce(column, String)


class StoredVectors:
    """The stored vectors of one vector space: embedded when missing or stale, read by id."""

    def __init__(self, space: str, embedder: Callable[[], Embedder]) -> None:
        self.space = space  # the vector space stored vectors must belong to
        self.embedder = embedder  # called on first need: loading a model takes seconds

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
            for chunk in chunks(ids)
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
            for chunk in chunks(list(ids))
            for listing_id, blob in session.exec(
                select(ListingVector.listing_id, ListingVector.vector).where(
                    ListingVector.model == self.space, col(ListingVector.listing_id).in_(chunk)
                )
            )
        }

    def stale_ids(self, session: Session) -> tuple[list[int], int]:
        """Ids of listings with no vector of this space or one of another text; and the total."""
        stale, total, _ = self.scan(session)
        return stale, total

    def scan(self, session: Session) -> tuple[list[int], int, str]:
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
            if row[7] is None or row[7] != text_hash(joined(row[5], row[6]))
        ]
        indexed = [
            (row[0], row[1], row[2], row[3], row[7])
            for row in rows
            if row[7] is not None and row[4] == Status.active
        ]
        return stale, len(rows), self._digest(indexed)

    def indexed_rows(self, session: Session) -> list[tuple[int, Key, str, bytes]]:
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

    def vector_ids(self, session: Session) -> list[int]:
        """The ids of the listings whose vectors all_vectors returns."""
        rows = session.exec(
            select(ListingVector.listing_id).where(ListingVector.model == self.space)
        ).all()
        return [int(i) for i in rows]

    def all_vectors(self, session: Session) -> tuple[Vectors, list[str]]:
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
