"""HTTP suggestions alone, at the given sizes: a quick before/after check of one request's cost.

`python -m bench.suggestions [--n 10000 100000] [--clients 8] [--engine hash]` fills a database
per size (bench/dbfill.py), serves it (bench/http.py `Server`) and loads
`GET /api/listings/{id}/suggestions` from `clients` connections; it prints one JSON line per
size. The hash embedder by default: a request embeds nothing, so its cost does not depend on
the model, and the corpus is made in seconds instead of minutes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench import http, scale
from bench import profile as profiler
from bench.corpus import grow, load

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> list[dict[str, Any]]:
    p = argparse.ArgumentParser(prog="python -m bench.suggestions", description=__doc__)
    p.add_argument("--n", type=int, nargs="*", default=[10_000])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument(
        "--queries", type=int, default=200, help="distinct listings asked for (0: every one)"
    )
    p.add_argument("--engine", default="hash")
    p.add_argument("--model", default="")
    p.add_argument("--out", default=str(ROOT / "instance" / "bench-suggestions"))
    p.add_argument(
        "--base",
        default="",
        help="a checkout of the code to compare with (e.g. a `git worktree`), served and loaded "
        "in the same run, over the same database",
    )
    p.add_argument("--profile", action="store_true", help="py-spy the last size's load")
    args = p.parse_args(argv)
    out, seeds = Path(args.out), ROOT / "seeds"
    corpus = load(seeds, 2400, out, engine=args.engine, model=args.model)
    results = []
    for n in args.n:
        folder = out / f"n{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        from bench.dbfill import fill

        raw, src = grow(corpus, n)
        fill(f"sqlite:///{folder / 'matchmaker.db'}", seeds, corpus, raw, src).dispose()
        picked = min(args.queries or n, n)
        ids = np.random.default_rng(3).choice(np.arange(1, n + 1), picked, replace=False)
        paths = [f"/api/listings/{i}/suggestions" for i in ids.tolist()]
        env = scale.env_for(folder, args.engine, args.model, seeds)
        # what both checkouts must answer alike: the default, the whole ranking, all themes
        checked = paths[:100] + [f"{p}?min_score=0&k=50" for p in paths[:100]]
        checked += [f"{p}?all_themes=true&min_score=0" for p in paths[:30]]
        answers = {}
        for code in [Path(args.base), ROOT] if args.base else [ROOT]:
            profile = args.profile and code == ROOT and n == args.n[-1]
            row = _serve(code, env, folder, paths, args, profile=profile, checked=checked)
            answers[code] = row.pop("answers")
            row = {"n": n, "code": str(code), **row}
            if args.base and code == ROOT:
                same = sum(a == b for a, b in zip(*answers.values(), strict=True))
                row["same_answers"] = f"{same} of {len(checked)}"
            print(json.dumps(row), flush=True)
            results.append(row)
    return results


def _serve(
    code: Path,
    env: dict[str, str],
    folder: Path,
    paths: list[str],
    args: argparse.Namespace,
    *,
    profile: bool,
    checked: list[str],
) -> dict[str, Any]:
    """The server of the checkout `code` over `folder`'s database, at 1 and `clients` clients."""
    command = ["sh", "-c", f'cd "{code}" && exec "{sys.executable}" -m bench.serve "$@"', "sh"]
    server = http.Server(env, folder / "server.log", warm_up=False, command=command)
    try:
        server.wait(paths[0])
        row: dict[str, Any] = {"queries": len(paths)}
        row["answers"] = [json.loads(server.get(p)[1]) for p in checked]
        http.load(server.port, paths, args.clients, 2.0)  # warm: caches, pools
        row["one"] = http.load(server.port, paths, 1, args.seconds)
        row["loaded"] = http.load(server.port, paths, args.clients, args.seconds)
        if profile and profiler.spy_path():
            _, shares = profiler.under_load(server, paths, args.clients, 8, folder / "profile.txt")
            row["profile"] = [(round(s, 3), name) for s, name in shares]
    finally:
        server.stop()
    return row


if __name__ == "__main__":
    main(sys.argv[1:])
