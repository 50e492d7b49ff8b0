"""Shared wording between two listings: scikit-learn's character n-gram vectors, one adapter.

Character 3–5-grams inside word boundaries see through Finnish and Swedish inflection
("kipsilevyn", "kipsilevyä") without a stemmer, and hashing them needs no vocabulary fitted on
the corpus: a listing's vector depends on its own text only, so the part is the same on every
worker, after every restart, whatever else has been posted. Within one language this lexical
evidence is strong; across languages it is blind, and the scorer does not use it there."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np


@cache
def _vectoriser() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        n_features=2**20,
        alternate_sign=False,
        norm=None,
        lowercase=True,
    )


def warm_up() -> None:
    """Import scikit-learn in a thread (~3 s here), so that a start's first suggestion need not
    wait for it: started before the index loads, the two overlap."""
    threading.Thread(target=lambda: vectors(["warm"]), name="wording-warm-up", daemon=True).start()


def vectors(texts: Sequence[str]) -> Any:
    """One unit-length sparse row per text (sublinear term frequency)."""
    from sklearn.preprocessing import normalize

    counts = _vectoriser().transform(list(texts)).astype(np.float64)
    counts.data = 1.0 + np.log(counts.data)
    return normalize(counts)


def similarities(query: str, texts: Sequence[str]) -> np.ndarray:
    """The cosine of the query's n-gram vector with each text's, 0..1."""
    if not texts:
        return np.zeros(0)
    rows = _ROWS.of([query, *texts])
    return np.asarray((rows[1:] @ rows[0].T).toarray()).ravel()


class _Rows:
    """Texts' rows, the last few thousand kept: a listing's n-grams are counted in pure Python,
    the most of a suggestion's cost, and its neighbours are asked for again and again. A row
    depends on its text alone, so a kept one is never stale."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._rows: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import vstack

        with self._lock:
            found = {t: self._rows[t] for t in texts if t in self._rows}
            for t in found:
                self._rows.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            made = vectors(missing)
            fresh = {t: made[i] for i, t in enumerate(missing)}
            found.update(fresh)
            with self._lock:
                self._rows.update(fresh)
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        return vstack([found[t] for t in texts], format="csr")


_ROWS = _Rows(4096)  # ~10 kB a row: some 40 MB at most
