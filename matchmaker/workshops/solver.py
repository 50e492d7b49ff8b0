"""The one adapter to OR-Tools' CP-SAT: a `Problem` in, the best schedule it finds in the time.

One boolean per (pair, common free slot). A pair meets at most once, a person sits at most one
table per slot, a slot holds at most `tables` meetings. The objective is lexicographic by weight:
every requested meeting is worth more than all the scores together, so the solver places as
many requested meetings as can be placed, and then the best scores. The locked meetings are
taken out of the model beforehand (their people, slots and tables are spoken for).
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

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


def solve(problem: Problem, *, seconds: float = 20.0, workers: int = 2) -> Schedule:
    """The schedule of the most requested meetings, then the highest total score.

    Bounded by `seconds`: the answer is then the best found, and `status` says whether it was
    proven optimal. Raises schedule.Infeasible when the locked meetings alone break a rule."""
    started = time.perf_counter()
    check_locks(problem)
    available, room, met = free_room(problem)
    model = cp_model.CpModel()
    choices: dict[tuple[int, int], tuple[Pair, int]] = {}
    variables: dict[tuple[int, int], cp_model.IntVar] = {}
    by_pair: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    weights: list[tuple[cp_model.IntVar, int]] = []
    points = [round(p.score * SCALE) for p in problem.pairs]
    bonus = sum(max(p, 0) for p in points) + 1  # one requested meeting outweighs every score
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
            weights.append((x, points[n] + (bonus if pair.requested else 0)))
    for group in (*by_pair.values(), *by_person_slot.values()):
        if len(group) > 1:
            model.add_at_most_one(group)
    for slot, group in by_slot.items():
        if len(group) > room[slot]:
            model.add(sum(group) <= room[slot])
    model.maximize(sum(weight * x for x, weight in weights))
    # start from the greedy baseline: the answer is never worse than it, however short the time
    index = {(key(p.a, p.b), slot): n for (n, slot), (p, _) in choices.items()}
    hinted = {(key(m.a, m.b), m.slot) for m in greedy(problem).meetings}
    for (pair_key, slot), n in index.items():
        model.add_hint(variables[(n, slot)], (pair_key, slot) in hinted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # no time even for the hint
        fallback = greedy(problem)
        fallback.seconds = time.perf_counter() - started
        return fallback
    chosen = [choices[c] for c, x in variables.items() if solver.boolean_value(x)]
    return Schedule(
        assign_tables(problem, chosen),
        "optimal" if status == cp_model.OPTIMAL else "feasible",
        time.perf_counter() - started,
    )
