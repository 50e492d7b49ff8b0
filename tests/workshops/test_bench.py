"""The workshop benchmark end to end on a small generated day: the table it prints, and the
solver never below the greedy baseline."""

from __future__ import annotations

import pytest

from bench import workshops


def test_a_generated_day_is_realistic() -> None:
    problem = workshops.generated(60)
    assert problem.tables == 20
    assert any(p.requested for p in problem.pairs)
    strong = [p for p in problem.pairs if p.score >= 25]
    assert 0 < len(strong) < len(problem.pairs)  # some strong pairs, not all
    assert any(len(free) < workshops.ROUNDS for free in problem.available.values())


def test_the_benchmark_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    rows = workshops.main(["--sizes", "30", "--seconds", "5"])
    (row,) = rows
    assert row.solved >= row.greedy
    assert row.solved_met == row.asked  # every request can be placed on this day
    printed = capsys.readouterr().out
    assert printed.startswith("| participants | rounds × tables |")
    assert "| 30 | 8 × 10 |" in printed
