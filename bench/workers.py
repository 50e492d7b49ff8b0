"""Suggestions over HTTP with 1 and 2 workers, on SQLite and on PostgreSQL, beside bare FAISS.

One set of n listings (the corpus grown as for the other sizes) is written to a SQLite file and
to a database on a throwaway PostgreSQL cluster. The bare search (Partitions.search from as many
threads as there are clients) is timed in the same run, so the bound 2 × bare p95 + 5 ms is read
against this run's machine. Each server is `serve` with MATCHMAKER_WORKERS set; the resident
memory is read per worker process once the load is over.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from sqlalchemy import text

from bench import http, index
from bench.corpus import Corpus, grow
from bench.measure import rss_mb
from bench.scale import SEARCH_TEXT, env_for


def run(
    corpus: Corpus,
    n: int,
    folder: Path,
    seeds_dir: Path,
    *,
    engine: str,
    model: str,
    seconds: float,
    clients: int = 8,
    workers: tuple[int, ...] = (1, 2),
    n_queries: int = 200,
    log: Any = print,
) -> dict[str, Any]:
    from bench.dbfill import fill
    from matchmaker.tools import pgcluster

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out: dict[str, Any] = {"n": n, "clients": clients, "runs": []}
    raw, src = grow(corpus, n)
    ids = np.random.default_rng(5).choice(np.arange(1, n + 1), min(n_queries, n), replace=False)
    paths = [f"/api/listings/{i}/suggestions" for i in ids.tolist()]

    serve = functools.partial(
        _serve,
        engine=engine,
        model=model,
        seeds_dir=seeds_dir,
        paths=paths,
        clients=clients,
        seconds=seconds,
        log=log,
    )
    log(f"  workers, {n:,}: SQLite, and the bare search")
    sqlite_url = f"sqlite:///{folder / 'sqlite' / 'matchmaker.db'}"
    (folder / "sqlite").mkdir()
    db_engine = fill(sqlite_url, seeds_dir, corpus, raw, src)
    matcher = index.matcher_for(corpus.space, folder / "bare-index")
    index.rebuild(db_engine, matcher)
    qs = index.queries(db_engine, matcher, ids.tolist())
    out["bare"] = index.bare_search(matcher, qs, clients)
    db_engine.dispose()
    del matcher
    for w in workers:
        out["runs"].append(serve(folder / "sqlite", sqlite_url, "SQLite", w))

    with pgcluster.running() as cluster:
        pgcluster.create_database(cluster, "bench")
        pg_url = cluster.url("bench")
        log(f"  workers, {n:,}: PostgreSQL")
        start = time.perf_counter()
        db_engine = fill(pg_url, seeds_dir, corpus, raw, src)
        with db_engine.begin() as conn:  # the rows came with their ids: the sequences follow
            for table in ("listing", "organisation"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(text("ANALYZE"))
        out["pg_fill_s"] = time.perf_counter() - start
        db_engine.dispose()
        out["postgresql"] = pgcluster.version(pgcluster.bindir())
        (folder / "pg").mkdir()
        for w in workers:
            out["runs"].append(serve(folder / "pg", pg_url, "PostgreSQL", w))
    return out


def _serve(
    folder: Path,
    url: str,
    database: str,
    workers: int,
    engine: str,
    model: str,
    seeds_dir: Path,
    paths: list[str],
    clients: int,
    seconds: float,
    log: Any,
) -> dict[str, Any]:
    env = {
        **env_for(folder, engine, model, seeds_dir),
        "MATCHMAKER_DATABASE_URL": url,
        "MATCHMAKER_WORKERS": str(workers),
        "MATCHMAKER_SCHEDULER": "false",
    }
    server = http.Server(env, folder / f"server-{workers}.log")
    try:
        server.wait(paths[0])
        pids = _workers_of(server.proc.pid, workers)
        # searches embed: each worker that takes one has its model loaded by the answer
        http.load(server.port, [f"/api/search?q={quote(SEARCH_TEXT)}"], clients, 3.0)
        _settled(pids)
        # warm: every worker's pools, and its rankings cache (each worker fills its own: a
        # 2-second warm left half the measured requests first views, rankings made afresh)
        http.load(server.port, paths, clients, 2 * seconds)
        result = http.load(server.port, paths, clients, seconds)
        worker_rss = [rss_mb(pid) for pid in pids]
    finally:
        server.stop()
    log(
        f"    {database}, {workers} worker(s): p95 {result['p95_ms']:.1f} ms, "
        f"{result['rps']:.0f} req/s; RSS per worker {', '.join(f'{r:.0f}' for r in worker_rss)} MB"
    )
    return {"database": database, "workers": workers, "http": result, "rss_mb": worker_rss}


def _workers_of(pid: int, workers: int) -> list[int]:
    """The processes that answer: the server itself with one worker, else uvicorn's children
    (spawned, so their command line names spawn_main; the resource tracker aside)."""
    if workers == 1:
        return [pid]
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    out = []
    for child in found.split():
        command = Path(f"/proc/{child}/cmdline").read_bytes()
        if b"spawn_main" in command and b"resource_tracker" not in command:
            out.append(int(child))
    return out


def _settled(pids: list[int], timeout: float = 180) -> None:
    """Each worker warms its model up in the background once it answers: wait until every
    worker's memory has stopped growing, so that the load is not measured against a model
    being read (and the RSS read after it is the loaded one)."""
    deadline = time.perf_counter() + timeout
    last = [rss_mb(p) for p in pids]
    steady = 0
    while steady < 4 and time.perf_counter() < deadline:
        time.sleep(0.5)
        now = [rss_mb(p) for p in pids]
        steady = steady + 1 if all(abs(a - b) < 5 for a, b in zip(now, last, strict=True)) else 0
        last = now


def target(w: dict[str, Any]) -> dict[str, Any]:
    """Issue 13's bound: p95 ≤ 2 × bare p95 + 5 ms with 2 workers, on each database."""
    bound = 2 * w["bare"]["p95_ms"] + 5
    runs = [r for r in w["runs"] if r["workers"] == 2]
    return {
        "n": w["n"],
        "bound_ms": bound,
        "figures_ms": {r["database"]: r["http"]["p95_ms"] for r in runs},
        "met": bool(runs) and all(http.within(r["http"], bound) for r in runs),
    }


def rows(w: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The table's rows: each database and number of workers, the bare search beside."""
    t, n = target(w), f"{w['n']:,}"
    out = []
    for r in w["runs"]:
        h = r["http"]
        two = r["workers"] == 2
        out.append(
            (
                f"HTTP suggestions {n}, {w['clients']} clients, {r['database']}, "
                f"{r['workers']} worker{'s' if r['workers'] > 1 else ''}",
                f"p50 {h['p50_ms']:.1f} / p95 **{h['p95_ms']:.1f}** / p99 {h['p99_ms']:.1f} ms, "
                f"{h['rps']:.0f} req/s; RSS per worker "
                + " + ".join(f"{m:.0f}" for m in r["rss_mb"])
                + " MB"
                + http.failed(h),
                f"p95 ≤ 2 × bare + 5 = {t['bound_ms']:.1f} ms" if two else "",
                ("met" if http.within(h, t["bound_ms"]) else "**missed**") if two else "",
            )
        )
    b = w["bare"]
    out.append(
        (
            f"bare FAISS search {n} in the same run ({w['clients']} threads, k=50, its partition)",
            f"p50 {b['p50_ms']:.2f} / p95 {b['p95_ms']:.2f} ms",
            "",
            "",
        )
    )
    return out
