"""Where a suggestion request spends its time: py-spy on the server under load.

`python -m bench.profile [--n 100000] [--clients 8]` reuses the database that `python -m bench`
left in instance/bench/work/n<N>/, samples only the thread holding the GIL (the Python work;
FAISS and SQLite run without it) and prints the share of samples per function. Needs py-spy
(`.venv/bin/pip install py-spy`); it is not part of `make bench`.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np

from bench import http, scale

ROOT = Path(__file__).resolve().parent.parent
# what a sampled stack is charged to: the first group that any of its frames belongs to
GROUPS = [
    ("scoring (scoring.fit, 50 candidates)", ("matchmaker/engine/scoring.py",)),
    ("FAISS search (Partitions.search)", ("matchmaker/engine/index.py",)),
    ("shared wording (wording.py)", ("matchmaker/engine/wording.py",)),
    (
        "candidate rows and vectors (columns)",
        ("Matcher._rows", "Matcher._columns", "Matcher.vectors_of", "StoredVectors.vectors_of"),
    ),
    ("response shapes (present, public_data, pydantic)", ("present", "public_data", "pydantic")),
    ("other database work (SQLAlchemy)", ("sqlalchemy/", "sqlmodel/")),
    ("rest of Matcher.suggest", ("matchmaker/engine/",)),
    (
        "FastAPI, Starlette, uvicorn, middleware",
        ("fastapi/", "starlette/", "uvicorn/", "anyio/", "matchmaker/errors.py", "h11"),
    ),
]


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--work", default=str(ROOT / "instance" / "bench" / "work"))
    p.add_argument("--engine", default="sentence-transformers")
    p.add_argument("--model", default=str(ROOT / "models" / "multilingual-e5-small"))
    args = p.parse_args(argv)
    if spy_path() is None:
        raise SystemExit("py-spy is missing: .venv/bin/pip install py-spy")
    folder = Path(args.work) / f"n{args.n}"
    if not (folder / "matchmaker.db").exists():
        raise SystemExit(f"{folder} has no database: run `python -m bench` first")
    env = scale.env_for(folder, args.engine, args.model, ROOT / "seeds")
    ids = np.random.default_rng(3).choice(np.arange(1, args.n + 1), 200, replace=False)
    paths = [f"/api/listings/{i}/suggestions" for i in ids]
    out = folder / "profile.txt"
    server = http.Server(env, folder / "profile-server.log", warm_up=False)
    try:
        server.wait(paths[0])
        server.get(f"/api/search?q={quote(scale.SEARCH_TEXT)}")  # the model, loaded up front
        http.load(server.port, paths, args.clients, 2)
        load, shares = under_load(server, paths, args.clients, args.seconds, out)
    finally:
        server.stop()
    print(
        f"{args.n:,} listings, {args.clients} clients: {load['rps']:.0f} req/s, "
        f"p50 {load['p50_ms']:.1f} ms, p95 {load['p95_ms']:.1f} ms"
    )
    for share, name in shares:
        print(f"{share:6.1%}  {name}")


def spy_path() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


def under_load(
    server: http.Server, paths: list[str], clients: int, seconds: int, out: Path
) -> tuple[dict[str, object], list[tuple[float, str]]]:
    """py-spy on the server (GIL-holding samples) while `clients` load it for `seconds`."""
    rec = subprocess.Popen(
        [
            spy_path() or "py-spy",
            "record",
            "-p",
            str(server.proc.pid),
            "-d",
            str(seconds),
            "-r",
            "250",
            "-f",
            "raw",
            "--gil",
            "--nonblocking",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.5)
    load = http.load(server.port, paths, clients, seconds - 1)
    _, err = rec.communicate()
    if rec.returncode != 0 or not out.exists():
        raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-500:]}")
    return load, summary(out)


def summary(path: Path) -> list[tuple[float, str]]:
    """Share of GIL-holding samples per group: the first of GROUPS any frame of a stack hits."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text("utf-8").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():  # a blank or cut-off last line
            continue
        frames, samples = stack.split(";"), int(n)
        total += samples
        counts[_group(frames)] += samples
    return [(c / max(total, 1), name) for name, c in counts.most_common()]


def _group(frames: list[str]) -> str:
    for name, needles in GROUPS:
        if any(needle in frame for frame in frames for needle in needles):
            return name
    return "other (interpreter, threads, logging)"


if __name__ == "__main__":
    main(sys.argv[1:])
