"""Vector indexes behind one interface: the FAISS backends (flat, HNSW) and a NumPy reference."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]
Hits = list[tuple[int, float]]
Key = tuple[int, str]  # (theme id, listing kind): one partition


class DamagedIndex(Exception):
    """Saved index files that do not hold what their manifest says (corrupt, swapped, of
    another width): the index is a cache, so the caller rebuilds it."""


def _width(path: Path, found: int, dim: int) -> None:
    if found != dim:
        raise DamagedIndex(f"{path.name} holds {found}-wide vectors, the index {dim}-wide ones")


class VectorIndex(Protocol):
    """Exact inner-product search over L2-normalised vectors whose ids are database ids."""

    def __len__(self) -> int: ...
    def ids(self) -> list[int]: ...
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

    def ids(self) -> list[int]:
        return [int(i) for i in self._ids]

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
        _width(path, int(index._vecs.shape[1]) if index._vecs.ndim == 2 else -1, dim)
        if len(index._ids) != len(index._vecs):
            raise DamagedIndex(
                f"{path.name} holds {len(index._ids)} ids for {len(index._vecs)} vectors"
            )
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

    def ids(self) -> list[int]:
        return [int(i) for i in self._faiss.vector_to_array(self._index.id_map)]

    def upsert(self, ids: Ids, vectors: Vectors) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.remove(ids)
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)

    def remove(self, ids: Ids) -> None:
        if len(ids) and self._index.ntotal:
            # the SWIG wrapper takes an id array as well as an IDSelector
            self._index.remove_ids(np.ascontiguousarray(ids, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, queries: Vectors, k: int) -> list[Hits]:
        if self._index.ntotal == 0 or k <= 0:
            return [[] for _ in range(len(queries))]
        # The OpenMP setting is per thread and resets in server worker threads; more than one
        # thread makes a single query 2-4x slower (see the performance notes).
        self._faiss.omp_set_num_threads(1)
        scores, ids = self._index.search(
            np.ascontiguousarray(queries, dtype=np.float32), min(k, self._index.ntotal)
        )
        return [
            [(int(i), float(s)) for i, s in zip(id_row, score_row, strict=True) if i != -1]
            for id_row, score_row in zip(ids, scores, strict=True)
        ]

    def save(self, path: Path) -> None:
        self._faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int) -> FaissIndex:
        import faiss

        index = faiss.read_index(str(path))
        _width(path, int(index.d), dim)
        return cls(dim, index)


class HnswIndex:
    """FAISS HNSW graph (M=32): approximate, ~1 ms where exact search at 1M takes ~80 ms.

    A graph cannot forget a node: a removed or replaced vector stays as a tombstone that
    searches skip, and the graph is rebuilt from its live vectors once a quarter is dead.
    """

    M = 32
    EF_CONSTRUCTION = 40
    EF_SEARCH = 64  # `make bench`: recall@10 >= 0.95 at 1M embedding-like vectors

    def __init__(
        self,
        dim: int,
        index: Any = None,
        labels: Ids | None = None,
        dead: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        import faiss

        self.dim = dim
        self._faiss: Any = faiss  # its stubs lack the HNSW search parameters and IO callbacks
        self.ef_search = self.EF_SEARCH
        self._index = index if index is not None else self._empty()
        self._labels: Ids = np.zeros(0, np.int64) if labels is None else labels  # node -> id
        self._dead = np.zeros(len(self._labels), np.bool_) if dead is None else dead
        self._node = {int(i): n for n, i in enumerate(self._labels) if not self._dead[n]}
        self._live_bits: npt.NDArray[np.uint8] | None = None
        self._selector: Any = None

    def _empty(self) -> Any:
        index = self._faiss.IndexHNSWFlat(self.dim, self.M, self._faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.EF_CONSTRUCTION
        return index

    def __len__(self) -> int:
        return len(self._node)

    def ids(self) -> list[int]:
        return list(self._node)

    def upsert(self, ids: Ids, vectors: Vectors) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        self._kill(ids)
        first = int(self._index.ntotal)
        self._add(np.ascontiguousarray(vectors, dtype=np.float32))
        self._labels = np.concatenate([self._labels, ids])
        self._dead = np.concatenate([self._dead, np.zeros(len(ids), np.bool_)])
        for node, i in enumerate(ids.tolist(), start=first):
            if (old := self._node.get(i)) is not None:  # the same id twice in one call
                self._dead[old] = True
            self._node[i] = node
        self._selector = None
        self._compact_if_worn()

    def _add(self, vectors: Vectors) -> None:
        # Inserting is the slow part of HNSW (~30 s per 100k): a rebuild uses every core,
        # and searches go back to one thread (see FaissIndex.search).
        threads = (os.cpu_count() or 1) if len(vectors) >= 1000 else 1
        self._faiss.omp_set_num_threads(threads)
        try:
            self._index.add(vectors)
        finally:
            self._faiss.omp_set_num_threads(1)

    def remove(self, ids: Ids) -> None:
        self._kill(np.asarray(ids, dtype=np.int64))
        self._compact_if_worn()

    def _kill(self, ids: Ids) -> None:
        for i in ids.tolist():
            if (node := self._node.pop(i, None)) is not None:
                self._dead[node] = True
                self._selector = None

    def _compact_if_worn(self) -> None:
        dead = int(self._dead.sum())
        if dead > 64 and dead * 4 > len(self._dead):
            self._compact()

    def _compact(self) -> None:
        live = np.flatnonzero(~self._dead)
        vectors = self._index.reconstruct_n(0, int(self._index.ntotal))[live]
        labels = self._labels[live]
        self._index, self._labels = self._empty(), np.zeros(0, np.int64)
        self._dead, self._node = np.zeros(0, np.bool_), {}
        self.upsert(labels, vectors)

    def search(self, queries: Vectors, k: int) -> list[Hits]:
        if not self._node or k <= 0:
            return [[] for _ in range(len(queries))]
        k = min(k, len(self._node))
        params = self._faiss.SearchParametersHNSW()
        params.efSearch = max(self.ef_search, k)
        if len(self._node) < len(self._labels):  # tombstones: searched through, never returned
            if self._selector is None:
                self._live_bits = np.packbits(~self._dead, bitorder="little")
                self._selector = self._faiss.IDSelectorBitmap(
                    len(self._dead), self._faiss.swig_ptr(self._live_bits)
                )
            params.sel = self._selector
        self._faiss.omp_set_num_threads(1)
        scores, nodes = self._index.search(
            np.ascontiguousarray(queries, dtype=np.float32), k, params=params
        )
        return [
            [(int(self._labels[n]), float(s)) for n, s in zip(row, srow, strict=True) if n != -1]
            for row, srow in zip(nodes, scores, strict=True)
        ]

    def save(self, path: Path) -> None:
        with path.open("wb") as f:  # the graph streams to the file: no copy of it in memory
            np.save(f, self._labels)
            np.save(f, self._dead)
            self._faiss.write_index(self._index, self._faiss.PyCallbackIOWriter(f.write))

    @classmethod
    def load(cls, path: Path, dim: int) -> HnswIndex:
        import faiss

        reader: Any = faiss.PyCallbackIOReader  # type: ignore[attr-defined]
        with path.open("rb") as f:
            labels, dead = np.load(f), np.load(f)
            index = faiss.read_index(reader(f.read))
        _width(path, int(index.d), dim)
        if not (len(labels) == len(dead) == index.ntotal):
            raise DamagedIndex(f"{path.name}: its labels do not fit its graph")
        return cls(dim, index, labels, dead)


BACKENDS: dict[str, type[NumpyIndex] | type[FaissIndex] | type[HnswIndex]] = {
    "faiss": FaissIndex,
    "hnsw": HnswIndex,
    "numpy": NumpyIndex,
}
