"""The one adapter to OR-Tools' CP-SAT: a `Problem` in, the best schedule it finds in the time.

One boolean per (pair, common free slot). A pair meets at most once, a person sits at most one
table per slot, a slot holds at most `tables` meetings. The objective is lexicographic, in two
solves: first the most requested meetings that can be placed; then, holding that many, the
highest total score. (One objective with a requested meeting weighted above all the scores
together says the same, but its huge weights leave CP-SAT's bound too loose to prove anything
at 200 participants.) The locked meetings are
taken out of the model beforehand (their people, slots and tables are spoken for).
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import TYPE_CHECKING

from matchmaker.workshops.schedule import (
    Pair,
    Problem,
    Schedule,
    assign_tables,
    check_locks,
    free_room,
    greedy,
    key,
)

SCALE = 10  # scores (0–100) to integers at a tenth of a point


if TYPE_CHECKING:
    from ortools.sat.python import cp_model


def solve(problem: Problem, *, seconds: float = 20.0, workers: int = 2) -> Schedule:
    """The schedule of the most requested meetings, then the highest total score.

    Bounded by `seconds`: the answer is then the best found, and `status` says whether it was
    proven optimal. Raises schedule.Infeasible when the locked meetings alone break a rule."""
    started = time.perf_counter()
    check_locks(problem)
    available, room, met = free_room(problem)
    from ortools.sat.python import cp_model  # ~0.35 s to load: on the first solve only

    model = cp_model.CpModel()
    choices: dict[tuple[int, int], tuple[Pair, int]] = {}
    variables: dict[tuple[int, int], cp_model.IntVar] = {}
    by_pair: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    scored: list[tuple[cp_model.IntVar, int]] = []
    asked: list[tuple[int, int]] = []  # the choices that place a requested meeting
    for n, pair in enumerate(problem.pairs):
        if key(pair.a, pair.b) in met:
            continue
        common = available.get(pair.a, set()) & available.get(pair.b, set())
        for slot in problem.slots:
            if slot not in common or room.get(slot, 0) <= 0:
                continue
            x = model.new_bool_var(f"m{pair.a}_{pair.b}_{slot}")
            variables[(n, slot)] = x
            choices[(n, slot)] = (pair, slot)
            by_pair[n].append(x)
            by_person_slot[(pair.a, slot)].append(x)
            by_person_slot[(pair.b, slot)].append(x)
            by_slot[slot].append(x)
            scored.append((x, round(pair.score * SCALE)))
            if pair.requested:
                asked.append((n, slot))
    for group in (*by_pair.values(), *by_person_slot.values()):
        if len(group) > 1:
            model.add_at_most_one(group)
    for slot, group in by_slot.items():
        if len(group) > room[slot]:
            model.add(sum(group) <= room[slot])
    # start from the greedy baseline; the answer is never worse than it, however short the time
    baseline = greedy(problem)
    hinted = {(key(m.a, m.b), m.slot) for m in baseline.meetings}
    in_baseline = {c: (key(p.a, p.b), slot) in hinted for c, (p, slot) in choices.items()}
    for c, x in variables.items():
        model.add_hint(x, in_baseline[c])
    proven = True
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    if asked:  # first the most requested meetings (a quarter of the time), then hold that
        model.maximize(sum(variables[c] for c in asked))
        solver.parameters.max_time_in_seconds = seconds / 4
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            proven = status == cp_model.OPTIMAL
            most = round(solver.objective_value)
            model.add(sum(variables[c] for c in asked) >= most)
            if most > sum(in_baseline[c] for c in asked):
                # the baseline missed a request the solver placed: start from the solver's day
                model.clear_hints()  # type: ignore[no-untyped-call]
                for x in variables.values():
                    model.add_hint(x, solver.boolean_value(x))
    model.maximize(sum(points * x for x, points in scored))
    solver.parameters.max_time_in_seconds = max(seconds - (time.perf_counter() - started), 0.5)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # no time even for the hint
        baseline.seconds = time.perf_counter() - started
        return baseline
    picked = {c for c, x in variables.items() if solver.boolean_value(x)}
    if (len(picked & set(asked)), round(solver.objective_value)) < (
        sum(in_baseline[c] for c in asked),
        sum(points for c, (_, points) in zip(variables, scored, strict=True) if in_baseline[c]),
    ):  # the time ran out before the solver got back to its starting point: keep that
        baseline.seconds = time.perf_counter() - started
        return baseline
    return Schedule(
        assign_tables(problem, [choices[c] for c in picked]),
        "optimal" if proven and status == cp_model.OPTIMAL else "feasible",
        time.perf_counter() - started,
        solver.best_objective_bound / SCALE,
    )
