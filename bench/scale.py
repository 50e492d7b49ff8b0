"""One database size: bulk fill, index rebuild and search, then the server under load."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from bench import http, index
from bench import profile as profiler
from bench.corpus import Corpus, grow

SEARCH_TEXT = "kierrätetty betonimurske täyttöön"  # any text: the request that loads the model


def env_for(folder: Path, engine: str, model: str, seeds_dir: Path) -> dict[str, str]:
    """The MATCHMAKER_* settings of a server over the database and index in `folder`."""
    return {
        "MATCHMAKER_DATABASE_URL": f"sqlite:///{folder / 'matchmaker.db'}",
        "MATCHMAKER_INSTANCE_DIR": str(folder / "instance"),
        "MATCHMAKER_ENGINE": engine,
        "MATCHMAKER_MODEL": model,
        "MATCHMAKER_SEEDS_DIR": str(seeds_dir),
        "MATCHMAKER_SEED_ON_START": "false",
    }


def run(
    corpus: Corpus,
    n: int,
    folder: Path,
    seeds_dir: Path,
    *,
    engine: str,
    model: str,
    seconds: float,
    clients: tuple[int, ...] = (1, 8),
    n_queries: int = 200,
    profile: bool = False,
    log: Any = print,
) -> dict[str, Any]:
    """n listings written by bulk SQL; Matcher.rebuild timed; the bare search of 200 listings'
    suggestion queries; then the server: memory with and without the model, and the same
    suggestions over HTTP at each number of clients (and, if asked, a py-spy profile)."""
    from bench.dbfill import fill

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out: dict[str, Any] = {"n": n}
    raw, src = grow(corpus, n)
    start = time.perf_counter()
    db_engine = fill(f"sqlite:///{folder / 'matchmaker.db'}", seeds_dir, corpus, raw, src)
    out["db_fill_s"] = time.perf_counter() - start

    log(f"  {n:,}: index rebuild and bare search")
    matcher = index.matcher_for(corpus.space, folder / "instance" / "index")
    out["rebuild"] = index.rebuild(db_engine, matcher)
    ids = np.random.default_rng(3).choice(np.arange(1, n + 1), min(n_queries, n), replace=False)
    qs = index.queries(db_engine, matcher, ids.tolist())
    out["bare"] = {c: index.bare_search(matcher, qs, c) for c in clients}
    flat = index.flat_search(index.centred(corpus, raw, src), np.stack([q.vector for q in qs]))
    out["flat_all_themes"] = flat
    db_engine.dispose()
    del raw, matcher

    log(f"  {n:,}: server")
    env = env_for(folder, engine, model, seeds_dir)
    paths = [f"/api/listings/{q.listing_id}/suggestions" for q in qs]
    server = http.Server(env, folder / "server.log", warm_up=False)
    try:
        out["start_s"] = server.wait(paths[0])
        out["rss_started_mb"] = server.rss_mb()
        start = time.perf_counter()
        status, _ = server.get(f"/api/search?q={quote(SEARCH_TEXT)}")
        assert status == 200, status
        out["model_load_s"] = time.perf_counter() - start
        out["rss_model_mb"] = server.rss_mb()
        out["http"] = {}
        for c in clients:
            http.load(server.port, paths, c, min(2.0, seconds))  # warm: caches, pools
            out["http"][c] = http.load(server.port, paths, c, seconds)
            log(
                f"    {c} client(s): p95 {out['http'][c]['p95_ms']:.1f} ms, "
                f"{out['http'][c]['rps']:.0f} req/s; bare p95 {out['bare'][c]['p95_ms']:.2f} ms"
            )
        out["rss_after_load_mb"] = server.rss_mb()
        out["rss_peak_mb"] = server.peak_rss_mb()
        if profile and profiler.spy_path():
            log(f"    profiling {max(clients)} clients with py-spy")
            try:
                _, shares = profiler.under_load(
                    server, paths, max(clients), 8, folder / "profile.txt"
                )
                out["profile"] = {"clients": max(clients), "shares": shares}
            except RuntimeError as exc:  # e.g. ptrace not permitted in a container
                out["profile"] = {"error": str(exc)}
    finally:
        server.stop()
    out["one_request"] = _one_request(out)
    return out


def _one_request(out: dict[str, Any]) -> dict[str, float]:
    """The HTTP request at one client against the bare search it contains."""
    h, b = out["http"].get(1), out["bare"].get(1)
    if not h or not b:
        return {}
    return {
        "http_p50_ms": h["p50_ms"],
        "bare_p50_ms": b["p50_ms"],
        "overhead_p50_ms": h["p50_ms"] - b["p50_ms"],
    }
