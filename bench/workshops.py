"""`python -m bench.workshops` (`make bench-workshops`): the CP-SAT schedule against the greedy
baseline on generated brokerage days of 50 and 200 participants; prints the README's table.

A generated day: organisations bring one to three people and offers and needs on a dozen
materials; a pair of organisations scores as the matcher's calibrated score reads (0–100):
strong (25+) where an offer's material is a need's, possible (3–25) for related materials, low
otherwise. Eight rounds, a table for every third person, people who come late or leave early,
and about one person in six asking for one or two named meetings.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass

from matchmaker.workshops import solver
from matchmaker.workshops.planning import PARTNERS
from matchmaker.workshops.schedule import (
    Problem,
    candidate_pairs,
    greedy,
    key,
    requests_met,
    total_score,
    violations,
)

FLOOR = 3.0  # the queue's "possible" floor, as the product's settings.queue_threshold
MATERIALS = 12
ROUNDS = 8


@dataclass
class Row:
    participants: int
    tables: int
    pairs: int
    greedy: float
    solved: float
    asked: int
    greedy_met: int
    solved_met: int
    seconds: float
    status: str
    bound: float


def generated(participants: int, seed: int = 1) -> Problem:
    rng = random.Random(seed)
    org_of: dict[int, int] = {}
    org = 0
    while len(org_of) < participants:
        org += 1
        for _ in range(min(rng.choice((1, 1, 2, 2, 3)), participants - len(org_of))):
            org_of[len(org_of) + 1] = org
    offers = {o: set(rng.sample(range(MATERIALS), rng.randint(1, 2))) for o in range(1, org + 1)}
    needs = {o: set(rng.sample(range(MATERIALS), rng.randint(1, 2))) for o in range(1, org + 1)}

    def fit(a: int, b: int) -> float:
        best = 0.0
        for x, y in ((a, b), (b, a)):
            for m in offers[x]:
                for n in needs[y]:
                    if m == n:
                        best = max(best, 100 * rng.betavariate(5, 2))
                    elif abs(m - n) == 1:
                        best = max(best, 3 + 22 * rng.betavariate(2, 3))
                    else:
                        best = max(best, 8 * rng.betavariate(1, 6))
        return round(best, 1)

    org_fit = {(a, b): fit(a, b) for a in range(1, org + 1) for b in range(a + 1, org + 1)}
    people = sorted(org_of)
    scores = {
        (p, q): org_fit[key(org_of[p], org_of[q])]
        for i, p in enumerate(people)
        for q in people[i + 1 :]
        if org_of[p] != org_of[q]
    }
    asked: set[tuple[int, int]] = set()
    for p in people:
        if rng.random() < 1 / 6:
            others = [q for q in people if org_of[q] != org_of[p]]
            asked |= {key(p, q) for q in rng.sample(others, rng.choice((1, 2)))}
    available = {}
    for p in people:
        first, last = 1, ROUNDS
        if rng.random() < 0.2:
            first = rng.randint(2, 4)  # comes late
        if rng.random() < 0.2:
            last = rng.randint(5, ROUNDS - 1)  # leaves early
        available[p] = set(range(first, last + 1))
    return Problem(
        slots=list(range(1, ROUNDS + 1)),
        tables=max(1, participants // 3),
        available=available,
        pairs=candidate_pairs(scores, asked, partners=PARTNERS, floor=FLOOR),
    )


def measure(participants: int, seconds: float) -> Row:
    problem = generated(participants)
    baseline = greedy(problem)
    found = solver.solve(problem, seconds=seconds)
    for schedule in (baseline, found):
        broken = violations(problem, schedule.meetings)
        if broken:
            raise AssertionError(f"{schedule.status} broke a rule: {broken[:3]}")
    met_g, asked = requests_met(problem, baseline)
    met_s, _ = requests_met(problem, found)
    return Row(
        participants,
        problem.tables,
        len(problem.pairs),
        total_score(problem, baseline),
        total_score(problem, found),
        asked,
        met_g,
        met_s,
        found.seconds,
        found.status,
        found.bound if found.bound is not None else float("nan"),
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| participants | rounds × tables | candidate pairs | greedy total | CP-SAT total | gain "
        "| requested met: greedy / CP-SAT | solve time | proven optimal | CP-SAT's bound |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        gain = (r.solved / r.greedy - 1) * 100 if r.greedy else 0.0
        gap = (r.bound / r.solved - 1) * 100 if r.solved else 0.0
        lines.append(
            f"| {r.participants} | {ROUNDS} × {r.tables} | {r.pairs} | {r.greedy:,.1f} "
            f"| {r.solved:,.1f} | {gain:+.1f}% | {r.greedy_met} / {r.solved_met} of {r.asked} "
            f"| {r.seconds:.1f} s | {'yes' if r.status == 'optimal' else 'no (time limit)'} "
            f"| {r.bound:,.1f} (within {gap:.1f}%) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Row]:
    p = argparse.ArgumentParser(prog="python -m bench.workshops", description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    p.add_argument("--seconds", type=float, default=20.0, help="the solver's time limit")
    args = p.parse_args(argv)
    started = time.perf_counter()
    rows = [measure(n, args.seconds) for n in args.sizes]
    print(table(rows))
    print(f"\n({time.perf_counter() - started:.0f} s in all; time limit {args.seconds:g} s)")
    return rows


if __name__ == "__main__":
    main()
