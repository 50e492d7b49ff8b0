"""The scheduling problem in plain data, its rules, and the greedy baseline the solver must beat.

Participants, slots and tables are ids and counts here: no database, no solver library. The
CP-SAT adapter (solver.py) and the greedy baseline both read a `Problem` and answer a `Schedule`,
and `violations` checks either against the same rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pair:
    """Two participants who could meet (a < b), how well they fit (0–100) and if one asked."""

    a: int
    b: int
    score: float
    requested: bool = False


@dataclass(frozen=True)
class Placed:
    """A meeting of a schedule: a pair at a table in a slot."""

    a: int
    b: int
    slot: int
    table: int


@dataclass
class Problem:
    slots: list[int]  # in time order
    tables: int
    available: Mapping[int, set[int]]  # participant -> the slots they can meet in
    pairs: list[Pair]
    locked: list[Placed] = field(default_factory=list)  # kept as they are


@dataclass
class Schedule:
    meetings: list[Placed]
    status: str  # "optimal" (proven), "feasible" (best found in the time), "greedy"
    seconds: float = 0.0
    bound: float | None = None  # the solver's proven upper bound on the total score


class Infeasible(ValueError):
    """The locked meetings break a rule by themselves; `reason` names which."""

    def __init__(self, reason: str, meeting: Placed) -> None:
        super().__init__(f"{reason}: {meeting}")
        self.reason = reason  # "table" | "busy" | "away" | "twice" | "slot"
        self.meeting = meeting


def key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def violations(problem: Problem, meetings: Iterable[Placed]) -> list[tuple[str, Placed]]:
    """Every rule a set of meetings breaks, in the order met; empty when it is a schedule."""
    found: list[tuple[str, Placed]] = []
    pairs: set[tuple[int, int]] = set()
    busy: set[tuple[int, int]] = set()
    tables: set[tuple[int, int]] = set()
    slots = set(problem.slots)
    for m in meetings:
        if m.slot not in slots:
            found.append(("slot", m))
        elif not 1 <= m.table <= problem.tables or (m.slot, m.table) in tables:
            found.append(("table", m))
        elif (m.a, m.slot) in busy or (m.b, m.slot) in busy or m.a == m.b:
            found.append(("busy", m))
        elif m.slot not in problem.available.get(m.a, set()) or m.slot not in (
            problem.available.get(m.b, set())
        ):
            found.append(("away", m))
        elif key(m.a, m.b) in pairs:
            found.append(("twice", m))
        pairs.add(key(m.a, m.b))
        busy |= {(m.a, m.slot), (m.b, m.slot)}
        tables.add((m.slot, m.table))
    return found


def check_locks(problem: Problem) -> None:
    """Raise Infeasible when the locked meetings alone break a rule."""
    broken = violations(problem, problem.locked)
    if broken:
        raise Infeasible(*broken[0])


def free_room(problem: Problem) -> tuple[dict[int, set[int]], dict[int, int], set[tuple[int, int]]]:
    """What the locked meetings leave: each person's free slots, each slot's free tables, and
    the pairs already met."""
    available = {p: set(s) for p, s in problem.available.items()}
    room = dict.fromkeys(problem.slots, problem.tables)
    for m in problem.locked:
        for person in (m.a, m.b):
            available.get(person, set()).discard(m.slot)
        room[m.slot] = room.get(m.slot, 0) - 1
    return available, room, {key(m.a, m.b) for m in problem.locked}


def assign_tables(problem: Problem, chosen: Iterable[tuple[Pair, int]]) -> list[Placed]:
    """The locked meetings at their tables, then each chosen (pair, slot) at the lowest free one."""
    taken: dict[int, set[int]] = defaultdict(set)
    for m in problem.locked:
        taken[m.slot].add(m.table)
    placed = list(problem.locked)
    order = {s: i for i, s in enumerate(problem.slots)}
    for pair, slot in sorted(chosen, key=lambda c: (order[c[1]], -c[0].score, c[0].a, c[0].b)):
        table = next(n for n in range(1, problem.tables + 1) if n not in taken[slot])
        taken[slot].add(table)
        placed.append(Placed(pair.a, pair.b, slot, table))
    return placed


def greedy(problem: Problem) -> Schedule:
    """The baseline: requested pairs first, then by score, each in its earliest common slot."""
    check_locks(problem)
    available, room, met = free_room(problem)
    chosen: list[tuple[Pair, int]] = []
    for pair in sorted(problem.pairs, key=lambda p: (not p.requested, -p.score, p.a, p.b)):
        if key(pair.a, pair.b) in met:
            continue
        for slot in problem.slots:
            free_a, free_b = available.get(pair.a, set()), available.get(pair.b, set())
            if room[slot] > 0 and slot in free_a and slot in free_b:
                chosen.append((pair, slot))
                free_a.discard(slot)
                free_b.discard(slot)
                room[slot] -= 1
                met.add(key(pair.a, pair.b))
                break
    return Schedule(assign_tables(problem, chosen), "greedy")


def total_score(problem: Problem, schedule: Schedule) -> float:
    scores = {key(p.a, p.b): p.score for p in problem.pairs}
    return sum(scores.get(key(m.a, m.b), 0.0) for m in schedule.meetings)


def requests_met(problem: Problem, schedule: Schedule) -> tuple[int, int]:
    """(requested pairs that meet, requested pairs)."""
    wanted = {key(p.a, p.b) for p in problem.pairs if p.requested}
    meeting = {key(m.a, m.b) for m in schedule.meetings}
    return len(wanted & meeting), len(wanted)


def candidate_pairs(
    scores: Mapping[tuple[int, int], float],
    requested: set[tuple[int, int]],
    *,
    partners: int,
    floor: float,
) -> list[Pair]:
    """The pairs worth a place in the model: each person's `partners` best pairs scoring at
    least `floor`, and every requested pair whatever its score."""
    best: dict[int, list[tuple[float, tuple[int, int]]]] = defaultdict(list)
    for pair, score in scores.items():
        if score >= floor:
            best[pair[0]].append((score, pair))
            best[pair[1]].append((score, pair))
    wanted = {key(*p) for p in requested}
    kept = set(wanted)
    for ranked in best.values():
        ranked.sort(key=lambda item: (-item[0], item[1]))
        kept |= {pair for _, pair in ranked[:partners]}
    return [
        Pair(a, b, scores.get((a, b), scores.get((b, a), 0.0)), (a, b) in wanted)
        for a, b in sorted(kept)
    ]
