"""Cold start: a fresh `python -m matchmaker serve` over a persisted index, to first answer."""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.http import Server

# Matcher.sync's log line, e.g. "vectors: 0 embedded, 100000 unchanged; index loaded from
# disk: 100000 listings"
_SYNC = re.compile(
    r"vectors: (\d+) embedded, (\d+) unchanged; index ([^:\n]*?):? (?:with )?"
    r"(\d+) listings"
)


def measure(env: dict[str, str], workdir: Path, path: str, runs: int = 3) -> dict[str, Any]:
    """Seconds from spawning the product's serve command (model warm-up included, as in
    production) to the first 200 answer of `path`; what the start re-embedded; memory."""
    seconds, embedded, sources, rss = [], [], [], []
    for run in range(runs):
        server = Server(
            env,
            workdir / f"coldstart-{run}.log",
            command=[sys.executable, "-m", "matchmaker", "serve"],
        )
        try:
            seconds.append(server.wait(path))
            rss.append(server.rss_mb())
        finally:
            server.stop()
        found = _SYNC.search(server.log())
        if found is None:
            raise RuntimeError(f"no sync report in {server.log_path}")
        embedded.append(int(found[1]))
        sources.append("disk" if "disk" in found[3] else "rebuilt")
    return {
        "runs": runs,
        "first_answer_s": statistics.median(seconds),
        "first_answer_all_s": seconds,
        "re_embedded": max(embedded),
        "index_source": sorted(set(sources)),
        "rss_at_first_answer_mb": max(rss),
    }
