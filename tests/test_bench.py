"""The benchmark harness end to end on a few hundred listings and the deterministic embedder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench import corpus, workers
from bench.__main__ import main
from matchmaker.settings import ROOT


def test_grown_vectors_keep_their_group_and_unit_length() -> None:
    rows = corpus.templated(corpus.read_seeds(ROOT / "seeds"), 300)
    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 8)).astype(np.float32)
    c = corpus.Corpus(rows, base / np.linalg.norm(base, axis=1, keepdims=True), "test")
    vectors, src = corpus.grow(c, 2000)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert (src[:300] == np.arange(300)).all()
    # a grown vector lies nearer its first parent than a random corpus row does
    near = np.einsum("ij,ij->i", vectors[300:], c.vectors[src[300:]])
    assert near.mean() > (vectors[300:] @ c.vectors.T).mean() + 0.2


@pytest.mark.slow
def test_smoke_run_measures_every_part(tmp_path: Path) -> None:
    results = main(["--smoke", "--out", str(tmp_path), "--sizes", "300"])
    saved = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert set(saved["targets"]) == {
        "http_p95",
        "workers_http_p95",
        "rss",
        "import",
        "coldstart",
        "million",
        "queue",
    }
    assert results["import"]["embedded"] == 100
    assert results["coldstart"]["re_embedded"] == 0
    assert results["coldstart"]["index_source"] == ["disk"]
    http = results["sizes"][0]["http"]
    assert all(h["requests"] > 0 and h["errors"] == 0 for h in http.values())
    assert 0 < results["million"]["hnsw_choice"]["recall_at_10"] <= 1
    runs = {(r["database"], r["workers"]): r for r in results["workers"]["runs"]}
    assert set(runs) == {(db, w) for db in ("SQLite", "PostgreSQL") for w in (1, 2)}
    assert all(r["http"]["requests"] > 0 and r["http"]["errors"] == 0 for r in runs.values())
    assert [len(runs[("PostgreSQL", w)]["rss_mb"]) for w in (1, 2)] == [1, 2]  # per worker
    queue = results["queue"]
    assert (queue["queued"], queue["cards"]) == (40, 25)
    assert queue["page"]["p50_ms"] > 0 and queue["decision"]["p50_ms"] > 0


def test_a_load_whose_requests_failed_meets_no_target() -> None:
    """An error answer is fast: a run of 2 workers within the bound but with failed requests
    is reported as failing and missed, not met."""

    def run(database: str, errors: int) -> dict[str, Any]:
        load = {"p50_ms": 5.0, "p95_ms": 8.0, "p99_ms": 9.0, "rps": 900.0}
        http = {**load, "requests": 4000, "errors": errors}
        return {"database": database, "workers": 2, "http": http, "rss_mb": [1100.0, 1100.0]}

    def result(errors: int) -> dict[str, Any]:
        runs = [run("SQLite", 0), run("PostgreSQL", errors)]
        bare = {"p50_ms": 1.0, "p95_ms": 10.0}
        return {"n": 100_000, "clients": 8, "bare": bare, "runs": runs}

    assert workers.target(result(0))["met"]
    assert not workers.target(result(12))["met"]
    rows = {measure: (figure, verdict) for measure, figure, _, verdict in workers.rows(result(12))}
    figure, verdict = rows["HTTP suggestions 100,000, 8 clients, PostgreSQL, 2 workers"]
    assert "12 of 4,000 failed" in figure and verdict == "**missed**"
    assert rows["HTTP suggestions 100,000, 8 clients, SQLite, 2 workers"][1] == "met"


def test_a_part_given_zero_is_skipped_and_the_rest_still_reports(tmp_path: Path) -> None:
    """`--import-n 0` skips the import as `--million 0` and `--workers-n 0` skip theirs: a run of
    the parts one is checking, not a traceback after the corpus is embedded."""
    argv = ["--out", str(tmp_path), "--engine", "hash", "--model", "", "--corpus", "200"]
    argv += ["--sizes", "--encoders", "--million", "0", "--workers-n", "0", "--queue", "0"]
    results = main([*argv, "--import-n", "0", "--results-md", ""])
    assert "import" not in results and "bulk import" not in results["steps_s"]
    saved = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert saved["corpus"]["listings"] == 200 and saved["targets"] == {}
