"""The package is a pipeline: each stage imports only the stages before it, and no module
grows past 400 lines. A new upward import (say, the loader reaching into a presenter) fails
here before it tangles the tree."""

from __future__ import annotations

import ast
from pathlib import Path

import fivestar_analysis

PACKAGE = Path(fivestar_analysis.__file__).parent
# tools (the demo county, province and template) only write input packages, so they sit just
# above the model; everything that reads a package comes after.
STAGES = ["model", "tools", "load", "analysis", "describe", "present", "render"]


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "fivestar_analysis":
                found += [(node.lineno, f"fivestar_analysis.{a.name}") for a in node.names]
            elif node.module.startswith("fivestar_analysis."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name.startswith("fivestar_analysis.")]
    return found


def test_every_stage_folder_exists():
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage


def test_no_stage_imports_a_later_stage():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        mine = _stage(module)
        if mine is None:
            continue
        for line, target in _imports(path):
            theirs = _stage(target)
            if theirs and STAGES.index(theirs) > STAGES.index(mine):
                upward.append(f"{module}:{line} imports {target}")
    assert upward == []


def test_layer_check_sees_an_upward_import(tmp_path):
    # the check itself must be able to fail: a loader importing a presenter is caught
    bad = tmp_path / "bad.py"
    bad.write_text("from fivestar_analysis.present.sections import title_html\n")
    assert _imports(bad) == [(1, "fivestar_analysis.present.sections")]
    assert STAGES.index(_stage("fivestar_analysis.present.sections")) > STAGES.index("load")


def test_no_module_over_400_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
