"""Encoder throughput per engine at batch 1 and 32, and its memory, in a fresh process.

`python -m bench.encoder ENGINE MODEL TEXTS_JSON` prints one JSON object.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.measure import peak_rss_mb, rss_mb

ROOT = Path(__file__).resolve().parent.parent


def measure(
    engine: str, model: str, texts: list[str], *, single: int = 16, batched: int = 64
) -> dict[str, Any]:
    """texts/s one text per call, and 32 per call (the product's import batch), on one thread
    (the server's setting) and on every core (a bulk import's best case)."""
    from matchmaker.engine import embeddings

    before = rss_mb()
    start = time.perf_counter()
    one = embeddings.make_embedder(engine, model, threads=1, batch_size=32)
    out: dict[str, Any] = {
        "engine": engine,
        "load_s": time.perf_counter() - start,
        "rss_before_mb": before,
        "rss_loaded_mb": rss_mb(),
    }
    one.embed(texts[:2])  # first call: lazy allocations
    out["batch1"] = _rate(one, texts[:single], 1)
    out["batch32"] = _rate(one, texts[:batched], 32)
    out["rss_after_mb"] = rss_mb()  # the model and its activations at batch 32
    out["cores"] = cores = os.cpu_count() or 1
    if cores > 1:
        del one
        gc.collect()
        many = embeddings.make_embedder(engine, model, threads=cores, batch_size=32)
        many.embed(texts[:2])
        out["batch32_all_cores"] = _rate(many, texts[:batched], 32)
    out["rss_peak_mb"] = peak_rss_mb()
    return out


def _rate(embedder: Any, texts: list[str], batch: int) -> float:
    start = time.perf_counter()
    for lo in range(0, len(texts), batch):
        embedder.embed(texts[lo : lo + batch])
    return len(texts) / (time.perf_counter() - start)


def run(engine: str, model: str, texts: list[str], workdir: Path) -> dict[str, Any]:
    """measure() in a fresh interpreter, so that memory and thread settings start clean."""
    path = workdir / "encoder-texts.json"
    path.write_text(json.dumps(texts), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bench.encoder", engine, model, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"engine": engine, "error": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    engine_, model_, texts_path = sys.argv[1:4]
    texts_ = json.loads(Path(texts_path).read_text("utf-8"))
    print(json.dumps(measure(engine_, model_, texts_)))
