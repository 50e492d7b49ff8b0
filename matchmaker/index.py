"""Vector indexes: the FAISS backend, a NumPy reference, and partitions per (theme, kind)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]
Hits = list[tuple[int, float]]


class VectorIndex(Protocol):
    """Exact inner-product search over L2-normalised vectors whose ids are database ids."""

    def __len__(self) -> int: ...
    def upsert(self, ids: Ids, vectors: Vectors) -> None: ...
    def remove(self, ids: Ids) -> None: ...
    def search(self, queries: Vectors, k: int) -> list[Hits]: ...
    def save(self, path: Path) -> None: ...


class NumpyIndex:
    """Brute force in NumPy: the reference every backend is tested against."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._ids: Ids = np.zeros(0, dtype=np.int64)
        self._vecs: Vectors = np.zeros((0, dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._ids)

    def upsert(self, ids: Ids, vectors: Vectors) -> None:
        self.remove(ids)
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._vecs = np.vstack([self._vecs, np.asarray(vectors, dtype=np.float32)])

    def remove(self, ids: Ids) -> None:
        keep = ~np.isin(self._ids, ids)
        self._ids, self._vecs = self._ids[keep], self._vecs[keep]

    def search(self, queries: Vectors, k: int) -> list[Hits]:
        if len(self._ids) == 0 or k <= 0:
            return [[] for _ in range(len(queries))]
        scores = np.asarray(queries, dtype=np.float32) @ self._vecs.T
        k = min(k, len(self._ids))
        out: list[Hits] = []
        for row in scores:
            top = np.argpartition(-row, k - 1)[:k]
            top = top[np.lexsort((self._ids[top], -row[top]))]
            out.append([(int(self._ids[i]), float(row[i])) for i in top])
        return out

    def save(self, path: Path) -> None:
        with path.open("wb") as f:
            np.savez(f, ids=self._ids, vecs=self._vecs)

    @classmethod
    def load(cls, path: Path, dim: int) -> NumpyIndex:
        index = cls(dim)
        with np.load(path) as data:
            index._ids, index._vecs = data["ids"], data["vecs"]
        return index


class FaissIndex:
    """FAISS exact inner product (IndexFlatIP) behind an id map; the only faiss import."""

    def __init__(self, dim: int, index: Any = None) -> None:
        import faiss

        self.dim = dim
        self._faiss = faiss
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def upsert(self, ids: Ids, vectors: Vectors) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.remove(ids)
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)

    def remove(self, ids: Ids) -> None:
        if len(ids) and self._index.ntotal:
            self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64))

    def search(self, queries: Vectors, k: int) -> list[Hits]:
        if self._index.ntotal == 0 or k <= 0:
            return [[] for _ in range(len(queries))]
        # The OpenMP setting is per thread and resets in server worker threads; more than one
        # thread makes a single query 2-4x slower (see the performance notes).
        self._faiss.omp_set_num_threads(1)
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32),
                                         min(k, self._index.ntotal))
        return [[(int(i), float(s)) for i, s in zip(id_row, score_row, strict=True) if i != -1]
                for id_row, score_row in zip(ids, scores, strict=True)]

    def save(self, path: Path) -> None:
        self._faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int) -> FaissIndex:
        import faiss

        return cls(dim, faiss.read_index(str(path)))


BACKENDS: dict[str, type[NumpyIndex] | type[FaissIndex]] = {
    "faiss": FaissIndex,
    "numpy": NumpyIndex,
}


class RWLock:
    """Many concurrent searches, one writer at a time (FAISS allows no concurrent writes)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._readers:
                self._cond.wait()
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


Key = tuple[int, str]  # (theme id, listing kind)


class Partitions:
    """One index per (theme, kind), so a query scans only the listings it can match."""

    def __init__(self, dim: int | None = None, backend: str = "faiss") -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown index backend {backend!r}; choose one of {sorted(BACKENDS)}")
        self.dim, self.backend = dim, backend
        self._parts: dict[Key, VectorIndex] = {}
        self._where: dict[int, Key] = {}
        self._lock = RWLock()

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, listing_id: int) -> bool:
        return listing_id in self._where

    def keys(self) -> list[Key]:
        return sorted(self._parts)

    def upsert(self, key: Key, ids: Ids, vectors: Vectors) -> None:
        with self._lock.writing():
            self._remove(ids)
            if self.dim is None:  # an empty index learns its width from the first vectors
                self.dim = int(vectors.shape[1])
            if key not in self._parts:
                self._parts[key] = BACKENDS[self.backend](self.dim)
            self._parts[key].upsert(ids, vectors)
            for i in ids:
                self._where[int(i)] = key

    def remove(self, ids: Ids) -> None:
        with self._lock.writing():
            self._remove(ids)

    def _remove(self, ids: Ids) -> None:
        by_key: dict[Key, list[int]] = {}
        for i in ids:
            if (key := self._where.pop(int(i), None)) is not None:
                by_key.setdefault(key, []).append(int(i))
        for key, gone in by_key.items():
            self._parts[key].remove(np.asarray(gone, dtype=np.int64))

    def search(self, keys: list[Key], query: Vectors, k: int) -> Hits:
        """The k best hits for one query over the given partitions, best first."""
        hits: Hits = []
        with self._lock.reading():
            for key in keys:
                if key in self._parts:
                    hits.extend(self._parts[key].search(query.reshape(1, -1), k)[0])
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def save(self, folder: Path, manifest: dict[str, Any]) -> None:
        """Write every partition, then the manifest last: a manifest means a complete index."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").unlink(missing_ok=True)
        files = {}
        with self._lock.reading():
            for (theme_id, kind), index in self._parts.items():
                name = f"{theme_id}-{kind}.{self.backend}"
                index.save(folder / name)
                files[name] = [theme_id, kind]
        body = {**manifest, "backend": self.backend, "dim": self.dim, "files": files}
        tmp = folder / "manifest.json.tmp"
        tmp.write_text(json.dumps(body), "utf-8")
        tmp.replace(folder / "manifest.json")

    @classmethod
    def load(cls, folder: Path) -> tuple[Partitions, dict[str, Any]] | None:
        """The saved partitions and their manifest, or None when nothing complete is saved."""
        try:
            manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
            dim = manifest["dim"]
            parts = cls(None if dim is None else int(dim), manifest["backend"])
            loader = BACKENDS[parts.backend]
            for name, (theme_id, kind) in manifest["files"].items():
                index = loader.load(folder / name, int(dim))
                parts._parts[(int(theme_id), str(kind))] = index
                for i in _ids_of(index):
                    parts._where[i] = (int(theme_id), str(kind))
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        return parts, manifest


def _ids_of(index: VectorIndex) -> list[int]:
    if isinstance(index, NumpyIndex):
        return [int(i) for i in index._ids]
    import faiss

    assert isinstance(index, FaissIndex)
    return [int(i) for i in faiss.vector_to_array(index._index.id_map)]
