"""Bulk import through the product's own path, against the raw encoder, in a fresh process.

The path is `python -m matchmaker seed`'s: seeding.load (validate, upsert rows,
Matcher.store_vectors, commit) for each of a few sheets of listings, then Matcher.sync (index
rebuilt and saved). Before each sheet the raw encoder embeds a strided sample of the same
texts in the same batches of 32, so that the encoder's drift on a shared machine (often
±20 % within minutes) hits both sides alike.

`python -m bench.importer WORKDIR SEEDS_DIR ENGINE MODEL THREADS LISTINGS_JSON` prints JSON.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.measure import peak_rss_mb

ROOT = Path(__file__).resolve().parent.parent
SHEETS = 4  # the listings arrive as this many pasted sheets, raw and import interleaved


class _Timed:
    """Wraps an embedder to learn how much of the import the encoder itself took."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim, self.seconds = inner, inner.name, inner.dim, 0.0

    def embed(self, texts: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - start


def measure(
    workdir: Path,
    seeds_dir: Path,
    engine: str,
    model: str,
    threads: int,
    listings: list[dict[str, Any]],
    raw_sample: int,
) -> dict[str, Any]:
    from sqlmodel import Session

    from bench.corpus import texts as texts_of
    from matchmaker import db
    from matchmaker.engine import embeddings
    from matchmaker.engine.matching import build_matcher
    from matchmaker.settings import Settings
    from matchmaker.transfer.seeding import load

    folder = workdir / "import"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "seeds").mkdir(parents=True)
    for name in ("themes.json", "organisations.json"):
        shutil.copy(seeds_dir / name, folder / "seeds" / name)
    settings = Settings(
        database_url=f"sqlite:///{folder / 'import.db'}",
        instance_dir=folder / "instance",
        engine=engine,
        model=model,
        torch_threads=threads,
    )
    embedder = _Timed(embeddings.make_embedder(engine, model, threads=threads))
    matcher = build_matcher(settings, embedder)
    db_engine = db.make_engine(settings.database_url)
    db.create_schema(db_engine)
    texts = texts_of(listings)
    embedder.inner.embed(texts[:2])  # first call: lazy allocations, for both sides alike
    step = max(1, len(texts) // raw_sample)  # the raw run embeds every step-th text
    size = -(-len(listings) // SHEETS)
    raw_s = import_s = 0.0
    raw_n = embedded = 0
    with Session(db_engine) as session:
        for lo in range(0, len(listings), size):
            sample = texts[lo : lo + size : step]
            raw_s += _raw(embedder.inner, sample)
            raw_n += len(sample)
            (folder / "seeds" / "listings.json").write_text(
                json.dumps(listings[lo : lo + size]), "utf-8"
            )
            start = time.perf_counter()
            embedded += load(session, folder / "seeds", matcher).embedded
            import_s += time.perf_counter() - start
        start = time.perf_counter()
        sync = matcher.sync(session)
        import_s += time.perf_counter() - start
    raw_rate, rate = raw_n / raw_s, len(listings) / import_s
    return {
        "listings": len(listings),
        "sheets": SHEETS,
        "threads": threads,
        "embedded": embedded,
        "indexed": sync.indexed,
        "import_s": import_s,
        "listings_per_s": rate,
        "encoder_in_import_s": embedder.seconds,
        "raw_texts": raw_n,
        "raw_texts_per_s": raw_rate,
        "ratio": rate / raw_rate,
        "rss_peak_mb": peak_rss_mb(),
    }


def _raw(embedder: Any, texts: list[str]) -> float:
    start = time.perf_counter()
    for lo in range(0, len(texts), 32):  # the batch Matcher.store_vectors embeds in
        embedder.embed(texts[lo : lo + 32])
    return time.perf_counter() - start


def run(
    workdir: Path,
    seeds_dir: Path,
    engine: str,
    model: str,
    threads: int,
    listings: list[dict[str, Any]],
    raw_sample: int,
) -> dict[str, Any]:
    """measure() in a fresh interpreter."""
    path = workdir / "import-listings.json"
    path.write_text(json.dumps(listings), "utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.importer",
            str(workdir),
            str(seeds_dir),
            engine,
            model,
            str(threads),
            str(path),
            str(raw_sample),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the import benchmark failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    w, s, e, m, t, p, r = sys.argv[1:8]
    print(
        json.dumps(
            measure(Path(w), Path(s), e, m, int(t), json.loads(Path(p).read_text("utf-8")), int(r))
        )
    )
