"""Each library behind its one adapter: a version bump, or a swap for another library, touches
one file; and the heavy ones are not loaded when the app starts."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from matchmaker.settings import ROOT

ADAPTERS = {
    "faiss": "matchmaker/engine/index.py",
    "sentence_transformers": "matchmaker/engine/embeddings.py",
    "apscheduler": "matchmaker/scheduler.py",
    "feedgen": "matchmaker/infopoint/feed.py",
    "networkx": "matchmaker/network/layout.py",
    "ortools": "matchmaker/workshops/solver.py",
    "icalendar": "matchmaker/workshops/ics.py",
    "matplotlib": "matchmaker/web/charts.py",
    "fpdf": "matchmaker/reports/pdf.py",
}
# a library whose adapter is a package: its env.py and revisions import it too
PACKAGE_ADAPTERS = {"alembic": "matchmaker/migrations/"}


def importers(library: str) -> set[str]:
    """The package's modules that import `library`, at any depth of the file."""
    found = set()
    for path in (ROOT / "matchmaker").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(n == library or n.startswith(f"{library}.") for n in names):
                found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.mark.parametrize(("library", "adapter"), ADAPTERS.items())
def test_only_its_adapter_imports_the_library(library: str, adapter: str) -> None:
    assert importers(library) == {adapter}


@pytest.mark.parametrize(("library", "adapter"), PACKAGE_ADAPTERS.items())
def test_only_its_adapter_package_imports_the_library(library: str, adapter: str) -> None:
    found = importers(library)
    assert f"{adapter}__init__.py" in found
    assert {path for path in found if not path.startswith(adapter)} == set()


def test_no_heavy_library_is_loaded_when_the_app_is_imported() -> None:
    """matplotlib takes ~0.5 s to import, OR-Tools ~0.35 s, Alembic ~0.3 s: each is loaded on
    first use (Alembic when the app's start opens the database)."""
    heavy = ["matplotlib", "fpdf", "ortools", "networkx", "alembic"]
    code = f"import sys, matchmaker.app; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
