"""The project's own files agree: pyproject dependencies, environment.yml, the CLI entry."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
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
    from fivestar_analysis.model.labels import _table

    _table.cache_clear()
    assert _table()["branch_id"]["zh"] == "支部编码"


def test_a_wheel_installed_outside_the_checkout_renders_a_report(tmp_path):
    """Notebooks and resources are package data: a (non-editable) wheel renders a report
    from another working directory, and writes nothing into the current folder."""
    import os
    import shutil
    import subprocess
    import sys

    dist, site, work = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    work.mkdir()
    # build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "data", "reports", "build", "dist", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist),
                    str(src)], check=True, capture_output=True)
    wheel = next(dist.glob("fivestar_analysis-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(site), FIVESTAR_CACHE=str(tmp_path / "cache"))
    code = (
        "import sys, fivestar_analysis as fa\n"
        f"assert fa.__file__.startswith({str(site)!r}), fa.__file__\n"
        "from fivestar_analysis.tools.demo import write_demo_package\n"
        "from fivestar_analysis.render.report import render_report\n"
        f"pkg = write_demo_package({str(tmp_path / 'pkg')!r}, seed=7)\n"
        f"r = render_report(pkg, {str(tmp_path / 'out')!r}, formats=('html',))\n"
        "print(r.html)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    html = Path(res.stdout.strip().splitlines()[-1])
    assert html.is_file() and "调研报告" in html.read_text(encoding="utf-8")
    assert not any(work.iterdir()), "nothing is written into the current folder"
