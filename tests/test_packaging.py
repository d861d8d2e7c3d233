"""The project's own files agree: pyproject dependencies, environment.yml, the CLI entry."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = list(data["project"]["dependencies"]) + list(data["project"]["optional-dependencies"]["test"])
    return {_name(r): re.sub(r"\[[^\]]*\]", "", r.replace(" ", "")) for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for r in dep.get("pip", []):
                out[_name(r)] = r.replace(" ", "")
        elif _name(dep) not in ("python", "pip"):
            out[_name(dep)] = dep.replace(" ", "")
    return out


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    py, conda = _pyproject_requirements(), _conda_requirements()
    assert set(py) == set(conda), f"only in pyproject: {set(py) - set(conda)}; only in environment.yml: {set(conda) - set(py)}"
    for name, req in py.items():
        assert conda[name] == req, f"{name}: pyproject says {req}, environment.yml says {conda[name]}"


def test_every_dependency_has_a_lower_bound():
    for name, req in _pyproject_requirements().items():
        assert ">=" in req, f"{name} should pin a lower bound"


def test_console_script_points_at_main():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["scripts"]["fivestar"] == "fivestar_analysis.cli:main"
    from fivestar_analysis.cli import main

    assert callable(main)


def test_layout():
    for path in ("fivestar_analysis", "notebooks", "data", "reports", "tests", "environment.yml",
                 "README.md", "pyproject.toml", ".ci/run"):
        assert (ROOT / path).exists(), path


def test_packaged_resources_are_valid_yaml():
    for path in (ROOT / "fivestar_analysis" / "resources").rglob("*.yaml"):
        yaml.safe_load(path.read_text(encoding="utf-8"))


def test_label_map_has_no_duplicate_keys():
    from fivestar_analysis.labels import _table

    _table.cache_clear()
    assert _table()["branch_id"]["zh"] == "支部编码"
