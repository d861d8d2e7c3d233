"""Many counties: parallel batch with failures isolated, skip-unchanged, time-outs, dask."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fivestar_analysis.errors import FivestarError
from fivestar_analysis.render.batch import render_one, run_batch
from fivestar_analysis.tools.province import county_specs, write_demo_province


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("province")
    folders = write_demo_province(root, 3, seed=11, scale=0.25)
    broken = root / "broken"
    broken.mkdir()
    (broken / "county.yaml").write_text("name: 坏数据县\ncode: broken\n", encoding="utf-8")
    (broken / "ledger.csv").write_text("支部编码,村名\nX1,某村\n", encoding="utf-8")
    return [*folders[:2], broken, folders[2]]


def test_province_specs_vary_and_are_deterministic():
    a, b = county_specs(8, seed=3), county_specs(8, seed=3)
    assert a == b
    assert len({s["code"] for s in a}) == 8 and len({s["name"] for s in a}) == 8
    assert len({s["n_villages"] for s in a}) > 4 and len({s["strength"] for s in a}) > 4


def test_batch_renders_the_good_isolates_the_broken_and_writes_an_index(province, tmp_path):
    res = subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", "batch", *map(str, province),
                          "--out", str(tmp_path), "--jobs", "2", "--format", "html"],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "Traceback" not in res.stdout
    htmls = sorted(p.name for p in tmp_path.glob("*.html"))
    assert htmls == ["c001-2025.html", "c002-2025.html", "c003-2025.html", "index.html"]
    assert not list(tmp_path.glob("broken*")), "no partial output for the broken county"
    assert "数据有误" in res.stdout and "3 个成功" in res.stdout
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for code in ("c001", "c002", "c003"):
        assert f'href="{code}-2025.html"' in index
    assert "坏数据县" not in index or "数据有误" in index
    assert "http://" not in index and "https://" not in index and "<script" not in index


def test_unchanged_counties_are_skipped_unless_forced(province, tmp_path):
    good = province[:1]
    first = run_batch(good, tmp_path, jobs=1, formats=("html",), progress=False)
    again = run_batch(good, tmp_path, jobs=1, formats=("html",), progress=False)
    forced = run_batch(good, tmp_path, jobs=1, formats=("html",), force=True, progress=False)
    assert [o.status for o in first.outcomes] == ["rendered"]
    assert [o.status for o in again.outcomes] == ["skipped"]
    assert [o.status for o in forced.outcomes] == ["rendered"]


def test_a_county_over_its_time_limit_is_stopped_cleanly(province, tmp_path):
    outcome = render_one(str(province[0]), str(tmp_path), timeout=2, force=True, formats=("html",))
    assert outcome["status"] == "timeout"
    assert not list(tmp_path.glob("*.html"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".c001-2025.") and p.is_dir()]


def test_two_packages_with_one_code_are_refused(province, tmp_path):
    copy = shutil.copytree(province[0], tmp_path / "copy")
    with pytest.raises(FivestarError, match="share the code 'c001'"):
        run_batch([province[0], copy], tmp_path / "out", progress=False)


def test_dask_backend_on_a_local_cluster(province, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        result = run_batch(province[:2], tmp_path, formats=("html",), scheduler=cluster.scheduler_address,
                           progress=False)
    assert [o.status for o in result.outcomes] == ["rendered", "rendered"]
    assert (tmp_path / "c001-2025.html").exists() and (tmp_path / "index.html").exists()
