"""A listing's candidates as ranked: their columns, scores and parts, and the cache of rankings
that do not depend on who asks (`Matcher.ranking`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field, fields
from datetime import date

from matchmaker.engine import scoring
from matchmaker.engine.ranker import Ranker
from matchmaker.tables import Listing


@dataclass(frozen=True)
class Row:
    """What ranking reads of a candidate, read as columns (no ORM object): what scoring needs,
    and whose it is."""

    id: int
    organisation_id: int
    language: str
    category: str
    municipality: str | None
    quantity: float | None
    unit: str | None
    frequency: str | None
    ewc_code: str | None
    accepted_codes: list[str] | None
    available_from: date | None
    available_until: date | None


ROW_COLUMNS = [getattr(Listing, f.name) for f in fields(Row)]


@dataclass(frozen=True)
class Candidate:
    row: Row
    score: float
    similarity: float
    cosine: float
    index: int  # the pair's in Ranking.pairs


@dataclass
class Ranking:
    """A listing's scored candidates, best first: what does not depend on who asks, cached
    while the index and the day are unchanged (`Matcher.ranking`)."""

    candidates: list[Candidate]
    pairs: scoring.Pairs
    ranker: Ranker
    _fits: dict[int, scoring.Fit] = field(default_factory=dict)

    def fit(self, candidate: Candidate) -> scoring.Fit:
        """The candidate's parts, worded once (only those shown are)."""
        found = self._fits.get(candidate.index)
        if found is None:
            found = self._fits[candidate.index] = self.pairs.fit(candidate.index)
        return found


class Rankings:
    """A bounded LRU of Rankings. A key names all a ranking depends on, so nothing needs
    invalidating: an entry of an older index version or day is never asked for again and ages
    out."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Ranking] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Ranking | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, ranking: Ranking) -> None:
        with self._lock:
            self._entries[key] = ranking
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
