"""One contract for every index backend, and the partitions built on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matchmaker.engine.index import BACKENDS, HnswIndex, NumpyIndex
from matchmaker.engine.partitions import Partitions


def unit(rows: np.ndarray) -> np.ndarray:
    return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float32)


@pytest.fixture
def vectors() -> np.ndarray:
    return unit(np.random.default_rng(7).normal(size=(200, 16)))


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_agrees_with_brute_force(backend: str, vectors: np.ndarray) -> None:
    index = BACKENDS[backend](16)
    ids = np.arange(1000, 1200, dtype=np.int64)
    index.upsert(ids, vectors)
    queries = vectors[:5] + 0.01
    expected = np.argsort(-(queries @ vectors.T), axis=1)[:, :10] + 1000
    got = index.search(unit(queries), 10)
    assert [[i for i, _ in hits] for hits in got] == expected.tolist()
    assert got[0][0][1] == pytest.approx(float(unit(queries)[0] @ vectors[0]), abs=1e-5)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_upsert_replaces_and_remove_forgets(backend: str, vectors: np.ndarray) -> None:
    index = BACKENDS[backend](16)
    index.upsert(np.array([1, 2, 3]), vectors[:3])
    index.upsert(np.array([2]), vectors[10:11])  # same id, new vector
    assert len(index) == 3
    assert index.search(vectors[10:11], 1)[0][0][0] == 2
    index.remove(np.array([2, 99]))  # an unknown id is ignored
    assert len(index) == 2
    assert 2 not in [i for i, _ in index.search(vectors[10:11], 5)[0]]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_never_returns_missing_ids(backend: str, vectors: np.ndarray) -> None:
    index = BACKENDS[backend](16)
    assert index.search(vectors[:1], 5) == [[]]
    index.upsert(np.array([7, 8]), vectors[:2])
    hits = index.search(vectors[:1], 50)[0]
    assert sorted(i for i, _ in hits) == [7, 8]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backend_save_and_load(backend: str, vectors: np.ndarray, tmp_path: Path) -> None:
    index = BACKENDS[backend](16)
    index.upsert(np.arange(50, dtype=np.int64), vectors[:50])
    index.save(tmp_path / "part")
    again = BACKENDS[backend].load(tmp_path / "part", 16)
    assert again.search(vectors[3:4], 3) == index.search(vectors[3:4], 3)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_partitions_scan_only_their_keys(backend: str, vectors: np.ndarray, tmp_path: Path) -> None:
    parts = Partitions(backend=backend)
    parts.upsert((1, "offer"), np.array([1, 2]), vectors[:2])
    parts.upsert((2, "offer"), np.array([3]), vectors[2:3])
    parts.upsert((1, "need"), np.array([4]), vectors[3:4])
    assert {i for i, _ in parts.search([(1, "offer")], vectors[2], 10)} == {1, 2}
    assert {i for i, _ in parts.search([(1, "offer"), (2, "offer")], vectors[2], 10)} == {1, 2, 3}
    # a listing that changes theme moves partition: it is never in two
    parts.upsert((2, "offer"), np.array([1]), vectors[0:1])
    assert {i for i, _ in parts.search([(1, "offer")], vectors[0], 10)} == {2}
    assert len(parts) == 4
    parts.save(tmp_path / "idx", {"fingerprint": "abc"})
    loaded = Partitions.load(tmp_path / "idx")
    assert loaded is not None
    again, manifest = loaded
    assert manifest["fingerprint"] == "abc" and len(again) == 4 and 1 in again
    assert again.search([(2, "offer")], vectors[0], 1) == parts.search(
        [(2, "offer")], vectors[0], 1
    )


def test_partitions_without_a_manifest_are_not_loaded(vectors: np.ndarray, tmp_path: Path) -> None:
    parts = Partitions()
    parts.upsert((1, "offer"), np.array([1]), vectors[:1])
    parts.save(tmp_path / "idx", {})
    (tmp_path / "idx" / "manifest.json").unlink()  # as if killed before the manifest was written
    assert Partitions.load(tmp_path / "idx") is None


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown index backend"):
        Partitions(backend="annoy")


def embedding_like(n: int, dim: int = 32, seed: int = 5) -> np.ndarray:
    """Mixes of two of 200 base vectors plus a little noise, as bench/corpus.py grows real
    embeddings: low intrinsic dimension, unlike uniform noise, on which recall means little."""
    rng = np.random.default_rng(seed)
    base = unit(np.random.default_rng(0).normal(size=(200, dim)))
    a, b, t = rng.integers(0, 200, n), rng.integers(0, 200, n), rng.random((n, 1))
    return unit(t * base[a] + (1 - t) * base[b] + 0.01 * rng.normal(size=(n, dim)))


def test_hnsw_recall_against_the_exact_reference() -> None:
    data, queries = embedding_like(4000), embedding_like(100, seed=6)
    exact, hnsw = NumpyIndex(32), HnswIndex(32)
    for index in (exact, hnsw):
        index.upsert(np.arange(4000, dtype=np.int64), data)
    truth, found = exact.search(queries, 10), hnsw.search(queries, 10)
    recall = np.mean(
        [len({i for i, _ in f} & {i for i, _ in t}) / 10 for f, t in zip(found, truth, strict=True)]
    )
    assert recall >= 0.95


def test_hnsw_never_returns_tombstones_and_compacts_them() -> None:
    data = embedding_like(400)
    index = HnswIndex(32)
    index.upsert(np.arange(400, dtype=np.int64), data)
    index.remove(np.arange(0, 120, 2, dtype=np.int64))  # 60 dead: kept as tombstones
    assert len(index) == 340 and len(index._labels) == 400
    hits = {i for row in index.search(data[:20], 50) for i, _ in row}
    assert hits and all(i % 2 or i >= 120 for i in hits)
    index.upsert(np.arange(120, 190, dtype=np.int64), data[120:190])  # replaced: 130 dead
    assert len(index) == 340 and len(index._labels) == 340  # past a quarter: compacted
    assert index.search(data[301:302], 1)[0][0][0] == 301


def test_numpy_reference_breaks_ties_by_id() -> None:
    index = NumpyIndex(2)
    index.upsert(np.array([5, 3]), unit(np.array([[1.0, 0.0], [1.0, 0.0]])))
    assert [i for i, _ in index.search(np.array([[1.0, 0.0]], dtype=np.float32), 2)[0]] == [3, 5]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_partition_file_changed_since_it_was_saved_is_refused_before_it_is_read(
    backend: str, vectors: np.ndarray, tmp_path: Path
) -> None:
    from matchmaker.engine.index import DamagedIndex

    parts = Partitions(backend=backend)
    parts.upsert((1, "offer"), np.array([1, 2]), vectors[:2])
    parts.save(tmp_path / "idx", {})
    saved = tmp_path / "idx" / f"1-offer.{backend}"
    data = bytearray(saved.read_bytes())
    data[-1] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(DamagedIndex, match="not the file its manifest describes"):
        Partitions.load(tmp_path / "idx")
