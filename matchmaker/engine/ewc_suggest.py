"""Waste codes suggested from a listing's text: the catalogue embedded once, and its words.

Each code is embedded twice, in English and in Swedish ("sub-chapter: description"), once per
vector space; the matrix is kept under the instance folder, so a restart embeds nothing. A text's
codes are ranked by the model's similarity, less each code's mean similarity to the whole list
(a few terse entries sit close to every text otherwise), fused with a character n-gram match
of the descriptions, which finds Swedish and English words and some Finnish cognates (betoni,
betong). Measured on listing texts with the real model: see README, Waste codes.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matchmaker.engine import ewc
from matchmaker.engine.embeddings import Embedder

log = logging.getLogger(__name__)

LEXICAL_WEIGHT = 0.3  # of the n-gram match's z-score beside the model's: measured best of 0..1
MAX_TEXT = 2000  # characters of a listing's text that are read: the title and a description
_CHUNK, _PAUSE = 64, 0.01  # texts per embedding call while the list is embedded (~2 s each)
_NGRAMS = (3, 4, 5)
# The list's cross-references ("other than those mentioned in 17 05 03", "(except 15 01)") say
# nothing of the waste, and their digits draw texts full of amounts: they are left out.
_CODES = r"\d\d(?: \d\d){0,2}(?:(?:,? (?:and|or|to|och|eller) |, |-)\d\d(?: \d\d){0,2})*"
_REFERENCES = {
    "en": re.compile(
        rf"\s*\([^)]*\d\d[^)]*\)|\s*(?:other than|except|excluding)(?: th(?:ose|at|e wastes?))?"
        rf"(?: (?:mentioned|included))? in {_CODES}|\s*(?:included|mentioned) in {_CODES}"
        rf"|\s*{_CODES}",
        re.I,
    ),
    "sv": re.compile(
        rf"\s*\([^)]*\d\d[^)]*\)|\s*(?:än|utom) (?:det|den|de)(?: avfall)? som anges i {_CODES}"
        rf"|\s*som anges i {_CODES}|\s*{_CODES}",
        re.I,
    ),
}
_ABBREVIATIONS = {"mfsu": "manufacture, formulation, supply and use"}
_NON_WORD = re.compile(r"[\W\d_]+")

Matrix = npt.NDArray[np.float32]


class NotReady(RuntimeError):
    """The list is still being embedded (once per vector space): ask again in a while."""


class _Stopped(Exception):
    """The app is shutting down: a build under way is abandoned."""


@dataclass(frozen=True)
class Suggestion:
    code: str  # six digits
    score: float  # relative: compares the codes of one text, not texts


def plain(text: str, lang: str) -> str:
    """A heading or description of the list without its cross-references and abbreviations."""
    text = _REFERENCES[lang].sub("", text)
    for short, long in _ABBREVIATIONS.items():
        text = text.replace(short, long)
    return " ".join(text.split())


def code_texts() -> list[str]:
    """What is embedded: per code, its English then its Swedish "sub-chapter: description"."""
    codes = list(ewc.catalogue().entries)
    return [
        f"{plain(ewc.heading(c[:4], lang), lang)}: {plain(ewc.describe(c, lang), lang)}"
        for lang in ("en", "sv")
        for c in codes
    ]


class Suggester:
    """Ranks the list's codes for a text; the code vectors are made (or read) on first need."""

    def __init__(
        self, space: str, embedder: Callable[[], Embedder], cache_dir: Path | None = None
    ) -> None:
        self.space = space
        self.embedder = embedder
        self.cache_dir = cache_dir
        self._lock = threading.Lock()  # the state below
        self._building = threading.Lock()  # one build at a time, which may take a minute
        self._done = threading.Event()
        self._stopping = threading.Event()
        self._started = False
        self._thread: threading.Thread | None = None
        self._failure: Exception | None = None
        self._vectors: Matrix | None = None
        self._hubs: Matrix | None = None

    def warm_up(self) -> None:
        """Make the code vectors in the background, unless they are made or being made."""
        with self._lock:
            if self._started:
                return
            self._started = True
            self._thread = threading.Thread(target=self._prepare, name="ewc-warm-up", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 30.0) -> None:
        """Abandon a build under way, between two calls of the embedder (the app stops), and
        wait for it to let go: a process that exits during an embedder call is aborted by the
        model's native threads ("terminate called without an active exception")."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(wait)

    def suggest(self, text: str, k: int = 3, *, wait: float | None = None) -> list[Suggestion]:
        """The k codes that fit the text best. Blocks until the code vectors exist, or, with
        `wait`, at most that many seconds (NotReady after it)."""
        text = text.strip()[:MAX_TEXT]
        if not text:
            return []
        vectors, hubs = self._ready(wait)
        query = self.embedder().embed([text])[0]
        n = len(ewc.catalogue().entries)
        similarity = vectors @ query - hubs
        semantic = (similarity[:n] + similarity[n:]) / 2  # English and Swedish, per code
        fused = _z(semantic) + LEXICAL_WEIGHT * _z(lexical(text))
        codes = list(ewc.catalogue().entries)
        best = np.argsort(-fused, kind="stable")[:k]
        return [Suggestion(codes[i], round(float(fused[i]), 3)) for i in best]

    def _ready(self, wait: float | None) -> tuple[Matrix, Matrix]:
        if wait is None:
            self._prepare()
        else:
            self.warm_up()
            self._done.wait(wait)
        with self._lock:
            if self._vectors is not None and self._hubs is not None:
                return self._vectors, self._hubs
            failure = self._failure
            if failure is not None:  # a broken model or a bug: said once, tried again next time
                self._failure, self._started = None, False
                self._done.clear()
                raise failure
        raise NotReady(
            "the waste codes are being prepared for suggestions (once after an install or a "
            "change of model): try again in a minute"
        )

    def _prepare(self) -> None:
        with self._building:
            if self._vectors is not None:
                return
            try:
                vectors = self._load_or_embed()
                # each code's mean similarity to the whole list: what it shares with any text
                hubs = (vectors @ vectors.mean(axis=0)).astype(np.float32)
                with self._lock:
                    self._vectors, self._hubs = vectors, hubs
            except _Stopped:
                with self._lock:
                    self._started = False
            except Exception as exc:
                log.exception("the waste-code vectors could not be made")
                with self._lock:
                    self._failure = exc
            finally:
                self._done.set()

    def _load_or_embed(self) -> Matrix:
        texts = code_texts()
        path = self._path(texts)
        if path is not None and path.is_file():
            try:
                stored: Matrix = np.load(path, allow_pickle=False)
                if stored.dtype == np.float32 and stored.ndim == 2 and len(stored) == len(texts):
                    return stored
            except (OSError, ValueError) as exc:
                log.warning("waste-code vectors in %s unreadable (%s): embedding anew", path, exc)
        embedder = self.embedder()
        parts = []
        for start in range(0, len(texts), _CHUNK):
            if self._stopping.is_set():
                raise _Stopped
            parts.append(embedder.embed(texts[start : start + _CHUNK]))
            time.sleep(_PAUSE)  # the embedder is locked per call: a listing's save goes between
        vectors = np.vstack(parts).astype(np.float32)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.partial.npy")  # a worker its own
            np.save(partial, vectors)
            os.replace(partial, path)  # a reader sees the old file or the whole new one
        log.info("waste codes: %d texts embedded in space %s", len(texts), self.space)
        return vectors

    def _path(self, texts: list[str]) -> Path | None:
        """The cache file of this space and these texts: a changed list is embedded anew."""
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256("\n".join([self.space, *texts]).encode("utf-8")).hexdigest()
        name = re.sub(r"[^\w.-]+", "_", self.space)[-60:]
        return self.cache_dir / f"{name}-{digest[:16]}.npy"


def _z(scores: npt.NDArray[np.float64] | Matrix) -> npt.NDArray[np.float64]:
    """Scores as z-scores across the list, so that the two signals can be added."""
    values = scores.astype(np.float64)
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


# -- the lexical signal: TF-IDF over character 3- to 5-grams of the descriptions -------------


def _grams(text: str) -> Counter[str]:
    padded = f" {_NON_WORD.sub(' ', text.lower()).strip()} "
    return Counter(padded[i : i + n] for n in _NGRAMS for i in range(len(padded) - n + 1))


@dataclass(frozen=True)
class _Lexicon:
    idf: dict[str, float]
    postings: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]
    size: int


@cache
def _lexicon() -> _Lexicon:
    entries = list(ewc.catalogue().entries.values())
    docs = [_grams(f"{plain(e.en, 'en')} {plain(e.sv, 'sv')}") for e in entries]
    frequency = Counter(g for d in docs for g in d)
    idf = {g: math.log((1 + len(docs)) / (1 + n)) + 1 for g, n in frequency.items()}
    lists: dict[str, tuple[list[int], list[float]]] = {}
    for i, doc in enumerate(docs):
        weights = {g: (1 + math.log(n)) * idf[g] for g, n in doc.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for g, w in weights.items():
            ids, ws = lists.setdefault(g, ([], []))
            ids.append(i)
            ws.append(w / norm)
    postings = {g: (np.array(i, dtype=np.int64), np.array(w)) for g, (i, w) in lists.items()}
    return _Lexicon(idf, postings, len(docs))


def lexical(text: str) -> npt.NDArray[np.float64]:
    """Each code's cosine with the text over character n-grams (TF-IDF), in the list's order."""
    lex = _lexicon()
    weights = {g: (1 + math.log(n)) * lex.idf[g] for g, n in _grams(text).items() if g in lex.idf}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    scores = np.zeros(lex.size)
    for g, w in weights.items():
        ids, ws = lex.postings[g]
        scores[ids] += (w / norm) * ws
    return scores
