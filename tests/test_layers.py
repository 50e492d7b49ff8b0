"""The package's layering: route modules are thin and never reach into one another."""

from __future__ import annotations

import ast
from pathlib import Path

from matchmaker.settings import ROOT

PACKAGE = ROOT / "matchmaker"


def is_route_module(path: Path) -> bool:
    stem = path.stem
    return stem in ("api", "pages") or stem.endswith(("_api", "_pages"))


def dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported(path: Path) -> set[str]:
    """Every module `path` imports, by its dotted name (`from a import b` counts as a.b too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def route_modules() -> dict[str, Path]:
    return {dotted(p): p for p in PACKAGE.rglob("*.py") if is_route_module(p)}


def test_the_route_modules_are_found() -> None:
    # a rename that hid them from the rule below would make it pass vacuously
    names = set(route_modules())
    assert {"matchmaker.listings.api", "matchmaker.workspace.match_pages"} <= names
    assert len(names) >= 16


def test_no_route_module_imports_another() -> None:
    routes = route_modules()
    offences = sorted(
        f"{name} imports {other}"
        for name, path in routes.items()
        for other in imported(path) & set(routes)
        if other != name
    )
    assert not offences, "route modules call services, not each other:\n" + "\n".join(offences)


def test_only_the_app_factory_gathers_the_routers() -> None:
    routes = set(route_modules())
    importers = sorted(
        dotted(p)
        for p in PACKAGE.rglob("*.py")
        if not is_route_module(p) and imported(p) & routes and p.name != "app.py"
    )
    assert not importers, "only app.py includes the routers: " + ", ".join(importers)
