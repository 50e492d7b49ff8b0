"""Index speed: the product's rebuild and search at 10k/100k; exact vs HNSW at a million."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.corpus import Corpus, grow
from bench.measure import latencies, percentiles, rss_mb
from matchmaker.engine.embeddings import Embedder
from matchmaker.engine.index import BACKENDS, HnswIndex, Key
from matchmaker.engine.matching import Matcher
from matchmaker.engine.partitions import Partitions
from matchmaker.tables import Listing
from matchmaker.vocab import ListingKind

Vectors = npt.NDArray[np.float32]


@dataclass
class Query:
    """What Matcher.suggest hands the index for one listing."""

    listing_id: int
    keys: list[Key]
    vector: Vectors


def _no_embedder() -> Embedder:
    raise RuntimeError("the index benchmark never embeds")


def matcher_for(space: str, index_dir: Path, backend: str = "faiss") -> Matcher:
    return Matcher(space, _no_embedder, index_dir=index_dir, backend=backend)


def rebuild(db_engine: Engine, matcher: Matcher) -> dict[str, Any]:
    """Matcher.rebuild from stored vectors: read, centre, partition, add, save."""
    with Session(db_engine) as session:
        start = time.perf_counter()
        indexed = matcher.rebuild(session)
        seconds = time.perf_counter() - start
    assert matcher.index is not None
    return {"rebuild_s": seconds, "indexed": indexed, "partitions": len(matcher.index.keys())}


def queries(db_engine: Engine, matcher: Matcher, ids: Sequence[int]) -> list[Query]:
    """For each listing: its centred vector and the partitions its suggestions search."""
    assert matcher.index is not None
    keys = matcher.index.keys()
    with Session(db_engine) as session:
        rows = session.exec(
            select(Listing.id, Listing.theme_id, Listing.kind, Listing.language).where(
                col(Listing.id).in_(list(ids))
            )
        ).all()
        vecs = matcher.vectors_of(session, ids)
    out = []
    for listing_id, theme_id, kind, lang in rows:
        assert listing_id is not None
        other = ListingKind(kind).opposite.value
        q = matcher.centred(vecs[listing_id].reshape(1, -1), [str(lang)])[0]
        out.append(Query(listing_id, [k for k in keys if k == (theme_id, other)], q))
    return out


def bare_search(
    matcher: Matcher, qs: list[Query], clients: int = 1, rounds: int = 3
) -> dict[str, float]:
    """Partitions.search for the suggestion queries, from `clients` threads at once."""
    assert matcher.index is not None
    index, k = matcher.index, max(10, matcher.candidates)

    def one(q: Query) -> None:
        index.search(q.keys, q.vector, k)

    work = qs * rounds
    if clients == 1:
        return percentiles(latencies(one, work))
    shares = [work[i::clients] for i in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        times = [t for part in pool.map(lambda s: latencies(one, s), shares) for t in part]
    return percentiles(times)


def flat_search(vectors: Vectors, qs: Vectors, backend: str = "faiss") -> dict[str, Any]:
    """One unpartitioned exact index over every vector: the cost of an all-themes search."""
    index = BACKENDS[backend](vectors.shape[1])
    start = time.perf_counter()
    index.upsert(np.arange(len(vectors), dtype=np.int64), vectors)
    built = time.perf_counter() - start
    stats = percentiles(latencies(lambda q: index.search(q.reshape(1, -1), 10), list(qs)))
    return {"build_s": built, **stats}


def centred(corpus: Corpus, vectors: Vectors, src: npt.NDArray[np.int64]) -> Vectors:
    """The vectors as the product indexes them: minus their language's mean, unit length."""
    matcher = matcher_for(corpus.space, Path("."))
    langs = [r["language"] for r in corpus.listings]
    matcher.estimate_means(corpus.vectors, langs)
    out: Vectors = matcher.centred(vectors, np.asarray(langs)[src].tolist())
    return out


def million(
    corpus: Corpus,
    n: int,
    *,
    n_queries: int = 300,
    exact_queries: int = 100,
    efs: Sequence[int] = (16, 32, 64, 128, 256),
    log: Any = print,
) -> dict[str, Any]:
    """Exact flat vs partitioned exact vs HNSW (M=32) over n grown vectors, the index alone."""
    nb = len(corpus.vectors)
    log(f"  growing {n:,} vectors")
    raw, src = grow(corpus, n)
    vectors = centred(corpus, raw, src)
    del raw
    q_raw, q_src = grow(corpus, nb + n_queries, seed=2)  # new listings, not in the index
    qs, q_src = centred(corpus, q_raw[nb:], q_src[nb:]), q_src[nb:]
    out: dict[str, Any] = {"n": n, "queries": n_queries}
    log("  exact, one flat index")
    out["flat"], truth = _flat(vectors, qs, exact_queries)
    log("  exact, one index per (theme, kind) as the product keeps them")
    out["partitioned"] = _partitioned(corpus, vectors, src, qs, q_src, exact_queries * 2)
    log("  HNSW M=32 (built on every core)")
    out["hnsw_build_s"], out["hnsw"] = _hnsw(vectors, qs, truth, efs, log)
    good = [s for s in out["hnsw"] if s["recall_at_10"] >= 0.95]
    out["hnsw_choice"] = min(good, key=lambda s: s["ef_search"]) if good else out["hnsw"][-1]
    return out


def _flat(vectors: Vectors, qs: Vectors, n_timed: int) -> tuple[dict[str, Any], list[list[int]]]:
    flat = BACKENDS["faiss"](vectors.shape[1])
    start = time.perf_counter()
    flat.upsert(np.arange(len(vectors), dtype=np.int64), vectors)
    built = time.perf_counter() - start
    stats = percentiles(
        latencies(lambda q: flat.search(q.reshape(1, -1), 10), list(qs[:n_timed]), warm=2)
    )
    return {"build_s": built, **stats}, _truth(vectors, qs, 10)


def _truth(vectors: Vectors, qs: Vectors, k: int) -> list[list[int]]:
    """The exact top k of every query, by matrix products on every core (BLAS)."""
    best = np.zeros((len(qs), 0), dtype=np.int64)
    scores = np.zeros((len(qs), 0), dtype=np.float32)
    for lo in range(0, len(vectors), 100_000):
        s = qs @ vectors[lo : lo + 100_000].T
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        best = np.hstack([best, top + lo])
        scores = np.hstack([scores, np.take_along_axis(s, top, axis=1)])
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    truth: list[list[int]] = np.take_along_axis(best, order, axis=1).tolist()
    return truth


def _partitioned(
    corpus: Corpus,
    vectors: Vectors,
    src: npt.NDArray[np.int64],
    qs: Vectors,
    q_src: npt.NDArray[np.int64],
    n_timed: int,
) -> dict[str, Any]:
    pkeys = sorted({(r["theme"], r["kind"]) for r in corpus.listings})
    key_of = np.array([pkeys.index((r["theme"], r["kind"])) for r in corpus.listings])
    # a suggestion searches the opposite kind's partition of its own theme
    opposite = np.array(
        [pkeys.index((r["theme"], ListingKind(r["kind"]).opposite.value)) for r in corpus.listings]
    )
    parts = Partitions(vectors.shape[1], "faiss")
    start = time.perf_counter()
    for key in range(len(pkeys)):
        members = np.flatnonzero(key_of[src] == key)
        parts.upsert((key, "p"), members.astype(np.int64), vectors[members])
    built = time.perf_counter() - start
    pairs = list(zip(opposite[q_src].tolist(), list(qs), strict=True))[:n_timed]
    stats = percentiles(latencies(lambda p: parts.search([(p[0], "p")], p[1], 50), pairs))
    return {
        "build_s": built,
        "partitions": len(pkeys),
        "largest": int(np.bincount(key_of[src]).max()),
        **stats,
    }


def _hnsw(
    vectors: Vectors, qs: Vectors, truth: list[list[int]], efs: Sequence[int], log: Any
) -> tuple[float, list[dict[str, Any]]]:
    hnsw = HnswIndex(vectors.shape[1])
    before, start = rss_mb(), time.perf_counter()
    hnsw.upsert(np.arange(len(vectors), dtype=np.int64), vectors)
    built = time.perf_counter() - start
    log(f"    built in {built:.0f} s, {(rss_mb() - before) * 2**20 / len(vectors):.0f} B/vector")
    sweep = []
    for ef in efs:
        hnsw.ef_search = ef
        found: list[list[int]] = []

        def one(q: Vectors, found: list[list[int]] = found) -> None:
            found.append([i for i, _ in hnsw.search(q.reshape(1, -1), 10)[0]])

        stats = percentiles(latencies(one, list(qs), warm=0))
        per_query = [len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)]
        recall = float(np.mean(per_query))
        sweep.append(
            {
                "ef_search": ef,
                "recall_at_10": recall,
                **stats,
                "queries_below_half": int(sum(r < 0.5 for r in per_query)),
            }
        )
        log(f"    efSearch {ef}: recall@10 {recall:.3f}, p95 {stats['p95_ms']:.2f} ms")
    return built, sweep


def progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
