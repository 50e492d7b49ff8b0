"""The evaluation report `make eval` writes, read when a page asks and kept while unchanged.

The server never imports tools/ (a test checks), so this reads the file, not the code that
wrote it: its systems, groups, metrics and bands are whatever the file names, and a figure of
a shape this module does not know is left out rather than failing the page.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

log = logging.getLogger(__name__)


def numbers(value: object) -> dict[str, float]:
    """A group's metrics ("MRR", "R@5", "n", …): the finite numbers; anything else is dropped."""
    if not isinstance(value, dict):
        raise ValueError("expected an object of metric -> number")
    return {
        str(name): float(v)
        for name, v in value.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }


Metrics = Annotated[dict[str, float], BeforeValidator(numbers)]


class Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Band(Shape):
    floor: float
    suggestions: int
    precision: float
    partners_reached: float


class CurvePoint(Shape):
    decisions: int
    learned: float = Field(alias="MRR")
    hand_set: float = Field(alias="hand-set MRR")


class Seeds(Shape):
    listings: int
    expired_listings: int
    suggestions: int
    own: int
    expired: int


class Report(Shape):
    """What the page shows of the report; `fitted` and the dev set's path are internal."""

    pairs: int | None = None
    distractors: int | None = None
    cross_language_pairs: int | None = None
    space: str = ""
    ranker: str = ""
    # split -> system -> group -> metric -> value
    splits: dict[str, dict[str, dict[str, Metrics]]] = {}
    bands: dict[str, Band] = {}
    learning_curve: list[CurvePoint] = []
    seeds: Seeds | None = None


@dataclass(frozen=True)
class Loaded:
    """The report, or why there is none."""

    report: Report | None
    problem: Literal["missing", "unreadable"] | None = None


def load(path: Path) -> Loaded:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Loaded(None, "missing")
    except OSError as exc:
        log.warning("evaluation report %s: %s", path, exc)
        return Loaded(None, "unreadable")
    try:
        report = parse(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError, RecursionError) as exc:  # a JSON or shape error is a ValueError
        log.warning("evaluation report %s cannot be read: %s", path, exc)
        return Loaded(None, "unreadable")
    return Loaded(report)


@lru_cache(maxsize=8)
def parse(path: str, mtime_ns: int, size: int) -> Report:
    """The file read once per version of it (the time and size key the cache)."""
    return Report.model_validate(json.loads(Path(path).read_text("utf-8")))
