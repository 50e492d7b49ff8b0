"""The README's architecture map names every package and module of matchmaker/, and nothing else.

The map is the first fenced block under `## Architecture`: one line per package (`name/`) or
module (`name.py`), indented under its package, then two or more spaces and what it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from matchmaker.settings import ROOT

LINE = re.compile(r"^(?P<indent> *)(?P<name>[\w.-]+(?:/|\.py))(?: {2,}(?P<about>\S.*))?$")
UNMAPPED = {"__init__.py", "__main__.py"}


def architecture_map(readme: str) -> list[str]:
    """The block's lines, or a complaint that there is none."""
    section = re.search(r"^## Architecture\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert section, "README.md has no `## Architecture` section"
    block = re.search(r"^```[^\n]*\n(.*?)^```", section.group(1), re.M | re.S)
    assert block, "the Architecture section of README.md has no fenced block (the map)"
    return block.group(1).splitlines()


def mapped(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Each path the map names (relative to the repository, `a/b/` for a package) with what
    it says of it; and the lines it cannot read."""
    paths: dict[str, str] = {}
    unreadable: list[str] = []
    parents: list[tuple[int, str]] = []  # (indent, path) of the packages still open
    for line in lines:
        if not line.strip():
            continue
        found = LINE.match(line.rstrip())
        if found is None:
            unreadable.append(line)
            continue
        indent = len(found["indent"])
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = (parents[-1][1] if parents else "") + found["name"]
        paths[path] = found["about"] or ""
        if path.endswith("/"):
            parents.append((indent, path))
    return paths, unreadable


def modules(root: Path, package: str = "matchmaker") -> set[str]:
    """Every package (`a/b/`) and module (`a/b.py`) of `package`, but for __init__/__main__."""
    found = {f"{package}/"}
    for path in (root / package).rglob("*"):
        relative = path.relative_to(root).as_posix()
        if "__pycache__" in path.parts:
            continue
        if path.is_dir() and (path / "__init__.py").is_file():
            found.add(relative + "/")
        elif path.suffix == ".py" and path.name not in UNMAPPED:
            found.add(relative)
    return found


def problems(readme: str, root: Path) -> list[str]:
    paths, unreadable = mapped(architecture_map(readme))
    out = [f"the map cannot read the line {line!r}" for line in unreadable]
    for path, about in sorted(paths.items()):
        there = root / path
        if not (there.is_dir() if path.endswith("/") else there.is_file()):
            out.append(f"the map names {path}, which does not exist")
        elif path.startswith("matchmaker/") and path != "matchmaker/" and not about:
            out.append(f"the map names {path} but does not say what it is")
    out += [f"the map leaves out {path}" for path in sorted(modules(root) - set(paths))]
    return out


def test_the_architecture_map_names_every_module_and_nothing_else() -> None:
    found = problems((ROOT / "README.md").read_text("utf-8"), ROOT)
    assert not found, "README.md's architecture map is out of date:\n" + "\n".join(found)


def test_the_check_sees_what_is_missing_and_what_is_gone(tmp_path: Path) -> None:
    for name in ("app.py", "__init__.py", "__main__.py", "engine/__init__.py"):
        (tmp_path / "matchmaker" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "matchmaker" / name).write_text('"""x"""\n')
    (tmp_path / "matchmaker" / "engine" / "index.py").write_text('"""x"""\n')
    (tmp_path / "matchmaker" / "engine" / "geo.py").write_text('"""x"""\n')
    (tmp_path / "matchmaker" / "engine" / "data").mkdir()  # not a package: need not be named
    (tmp_path / "templates").mkdir()
    readme = (
        "# Title\n\n## Architecture\n\n```\n"
        "matchmaker/\n"
        "  app.py          the application factory\n"
        "  engine/         the matching engine\n"
        "    index.py      the only adapter to FAISS\n"
        "    scoring.py    the named score parts\n"
        "  cli.py\n"
        "templates/        Jinja2 templates\n"
        "```\n\n- prose that is not the map: engine/geo.py\n\n## Next\n"
    )
    assert problems(readme, tmp_path) == [
        "the map names matchmaker/cli.py, which does not exist",
        "the map names matchmaker/engine/scoring.py, which does not exist",
        "the map leaves out matchmaker/engine/geo.py",
    ]
    good = readme.replace("scoring.py    the named", "geo.py        where places").replace(
        "  cli.py\n", ""
    )
    assert problems(good, tmp_path) == []
    vague = good.replace("    index.py      the only adapter to FAISS", "    index.py")
    assert problems(vague, tmp_path) == [
        "the map names matchmaker/engine/index.py but does not say what it is"
    ]
    assert problems(good.replace("  app.py ", "  app.py:"), tmp_path)[0].startswith(
        "the map cannot read the line"
    )
