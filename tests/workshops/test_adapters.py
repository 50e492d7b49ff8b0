"""Each library of the workshops behind one adapter: only solver.py imports OR-Tools, only
ics.py imports icalendar."""

from __future__ import annotations

import ast
from pathlib import Path

from matchmaker.settings import ROOT


def importers(library: str) -> set[str]:
    found = set()
    for path in (ROOT / "matchmaker").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == library or n.startswith(library + ".") for n in names):
                found.add(str(Path(path).relative_to(ROOT)))
    return found


def test_only_the_solver_imports_ortools() -> None:
    assert importers("ortools") == {"matchmaker/workshops/solver.py"}


def test_only_the_ics_adapter_imports_icalendar() -> None:
    assert importers("icalendar") == {"matchmaker/workshops/ics.py"}
