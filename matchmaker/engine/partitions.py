"""Partitions: one vector index per (theme, kind), saved with a manifest that is checked on load."""

from __future__ import annotations

import fcntl
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from matchmaker.engine.index import BACKENDS, DamagedIndex, Hits, Ids, Key, VectorIndex, Vectors


@contextmanager
def _folder_lock(folder: Path, *, shared: bool) -> Iterator[None]:
    """Several workers save into one folder: one writes at a time, and no one reads a
    half-written index (an advisory lock on a file beside it, released on exit or crash)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


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

    def ids(self) -> set[int]:
        return set(self._where)

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

    def placement(self) -> dict[int, Key]:
        """Each listing id held, and the partition that holds it."""
        with self._lock.reading():
            return dict(self._where)

    def save(self, folder: Path, manifest: dict[str, Any]) -> None:
        """Write every partition, then the manifest last: a manifest means a complete index.

        The manifest names each file's partition and SHA-256, so that a file changed, cut
        short or swapped with another since is noticed when it is loaded.
        """
        with _folder_lock(folder, shared=False):
            self._save(folder, manifest)

    def _save(self, folder: Path, manifest: dict[str, Any]) -> None:
        (folder / "manifest.json").unlink(missing_ok=True)
        files = {}
        with self._lock.reading():
            for (theme_id, kind), index in self._parts.items():
                name = f"{theme_id}-{kind}.{self.backend}"
                index.save(folder / name)
                files[name] = {
                    "key": [theme_id, kind],
                    "count": len(index),
                    "sha256": _sha256(folder / name),
                }
        body = {**manifest, "backend": self.backend, "dim": self.dim, "files": files}
        tmp = folder / "manifest.json.tmp"
        tmp.write_text(json.dumps(body), "utf-8")
        tmp.replace(folder / "manifest.json")

    @classmethod
    def load(cls, folder: Path) -> tuple[Partitions, dict[str, Any]] | None:
        """The saved partitions and their manifest; None when nothing complete is saved.

        Raises DamagedIndex when the files are not what the manifest says: a checksum that
        differs (checked before FAISS reads a byte), a width or a count that does not fit,
        an id held twice, or a file that does not parse.
        """
        if not folder.is_dir():
            return None
        with _folder_lock(folder, shared=True):
            return cls._load(folder)

    @classmethod
    def _load(cls, folder: Path) -> tuple[Partitions, dict[str, Any]] | None:
        try:
            text = (folder / "manifest.json").read_text("utf-8")
        except OSError:
            return None
        try:
            manifest = json.loads(text)
            dim = manifest["dim"]
            parts = cls(None if dim is None else int(dim), manifest["backend"])
            loader = BACKENDS[parts.backend]
            for name, entry in manifest["files"].items():
                path = folder / name
                if _sha256(path) != entry["sha256"]:
                    raise DamagedIndex(f"{name} is not the file its manifest describes")
                key = (int(entry["key"][0]), str(entry["key"][1]))
                index = loader.load(path, int(dim))
                held = index.ids()
                if len(held) != int(entry["count"]):
                    raise DamagedIndex(f"{name} holds {len(held)} listings, not {entry['count']}")
                parts._parts[key] = index
                for i in held:
                    if i in parts._where:
                        raise DamagedIndex(f"listing {i} is held by two partitions")
                    parts._where[i] = key
        except DamagedIndex:
            raise
        except (OSError, ValueError, KeyError, TypeError, IndexError, RuntimeError) as exc:
            raise DamagedIndex(f"{type(exc).__name__}: {exc}") from exc
        return parts, manifest
