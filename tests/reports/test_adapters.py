"""Each charting and PDF library behind one adapter: a version bump touches one file."""

from __future__ import annotations

import ast

from matchmaker.settings import ROOT


def importers(library: str) -> set[str]:
    """The package's modules that import `library` (at any depth of the file)."""
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
            if any(n == library or n.startswith(f"{library}.") for n in names):
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_only_the_chart_adapter_imports_matplotlib() -> None:
    assert importers("matplotlib") == {"matchmaker/web/charts.py"}


def test_only_the_pdf_adapter_imports_fpdf() -> None:
    assert importers("fpdf") == {"matchmaker/reports/pdf.py"}


def test_no_chart_library_is_loaded_at_import_time() -> None:
    """matplotlib takes ~0.5 s to import: the app loads it on the first chart, not at start."""
    import subprocess
    import sys

    code = "import sys, matchmaker.app; print('matplotlib' in sys.modules, 'fpdf' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
