"""`make model` a second time: over a complete build it only checks the folder (no rebuild)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def rebuild(folder: Path) -> dict[str, Any]:
    """Seconds `build_model` takes over the complete build at `folder`, and whether it left
    every file as it was (it should: the build is skipped when the source is unchanged)."""
    from matchmaker.tools.modelbuild import build

    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    start = time.perf_counter()
    build.build_model(folder)
    seconds = time.perf_counter() - start
    untouched = {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == stamps
    return {"folder": str(folder), "seconds": seconds, "untouched": untouched}
