"""Faults found by probing batch and report runs as a hostile user would (issue 12, item 6).

Each test reproduces one fault: a hung kernel that outlived ``--timeout``, package codes that
slipped past the duplicate check, a killed run's leftovers, a read-only output folder, an
index that cannot be written and a folder listed twice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import COUNTY_YAML, make_package

from fivestar_analysis.errors import FivestarError, OutputNotWritable
from fivestar_analysis.render.batch import render_one, run_batch
from fivestar_analysis.render.report import remove_stale_work, render_report

CLI = [sys.executable, "-m", "fivestar_analysis.cli"]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """The conftest package: renders in about ten seconds."""
    return make_package(tmp_path_factory.mktemp("faults") / "pkg")


def _kernels_of(out: Path) -> list[psutil.Process]:
    """Kernels started by a ``fivestar report`` writing into ``out``."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmd = p.info["cmdline"] or []
        if "report" in cmd and str(out) in cmd:
            try:
                found += [c for c in p.children(recursive=True)
                          if any("ipykernel" in part for part in c.cmdline())]
            except psutil.Error:
                pass
    return found


def _hidden_folders(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(".") and p.is_dir()]


@pytest.fixture
def read_only(tmp_path) -> Path:
    """A folder nothing can be written to (a 0555 folder; as root, where that does not stop
    writes, the kernel's read-only /sys)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except PermissionError:
        yield folder
        folder.chmod(0o755)
        return
    (folder / "probe").unlink()
    folder.chmod(0o755)
    try:
        Path("/sys/.fivestar-probe").touch()
    except OSError:
        yield Path("/sys")
        return
    pytest.skip("no folder here refuses writes")


# -- a hung kernel ---------------------------------------------------------------------------

def test_a_stopped_kernel_does_not_outlast_the_time_limit(small, tmp_path):
    """SIGSTOP stands in for a kernel hung in C code: it neither answers nor dies of the
    report process's group being killed (it runs in a session of its own)."""
    out = tmp_path / "out"
    limit = 25.0
    result: dict = {}
    started = time.monotonic()
    worker = threading.Thread(target=lambda: result.update(
        render_one(str(small), str(out), timeout=limit, force=True, formats=("html",))))
    worker.start()
    stopped: list[psutil.Process] = []
    while not stopped and worker.is_alive() and time.monotonic() - started < limit:
        for k in _kernels_of(out):
            k.send_signal(signal.SIGSTOP)
            stopped.append(k)
        time.sleep(0.2)
    assert stopped, "the kernel was never seen running"
    worker.join(limit + 20)
    hung = worker.is_alive()
    for k in stopped:  # whatever happened, leave no stopped kernel behind
        try:
            k.kill()
        except psutil.Error:
            pass
    worker.join(30)
    assert not hung, "the batch kept waiting on a stopped kernel"
    assert result["status"] == "timeout" and "time limit" in result["message"]
    assert time.monotonic() - started < limit + 15
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in stopped)
    assert _hidden_folders(out) == []


# -- codes and folders -----------------------------------------------------------------------

def test_codes_differing_only_by_spaces_are_one_code(tmp_path):
    a = make_package(tmp_path / "a")
    b = make_package(tmp_path / "b", county_yaml=COUNTY_YAML.replace("code: test", 'code: "test "'))
    with pytest.raises(FivestarError, match="share the code 'test'"):
        run_batch([a, b], tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_package_using_county_yml_is_checked_too(tmp_path):
    a = make_package(tmp_path / "a")
    b = make_package(tmp_path / "b", county_yaml=None)
    (b / "county.yml").write_text(COUNTY_YAML, encoding="utf-8")
    with pytest.raises(FivestarError, match="share the code 'test'"):
        run_batch([a, b], tmp_path / "out", progress=False)


def test_a_folder_listed_twice_is_named_once(tmp_path):
    a = make_package(tmp_path / "a")
    with pytest.raises(FivestarError) as caught:
        run_batch([a, tmp_path / "a"], tmp_path / "out", progress=False)
    text = str(caught.value)
    assert "listed more than once" in text and text.count(str(a)) == 1


# -- a killed run's leftovers ----------------------------------------------------------------

def test_a_killed_report_leaves_nothing_after_the_next_run(small, tmp_path):
    """``kill -9`` of a report mid-run leaves its work folder (kernel.log, a partial
    workbook) and the kernel's connection file; the next run into the folder removes them."""
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), FIVESTAR_QUIET_KERNEL="1")
    cmd = [*CLI, "report", str(small), "--out", str(out), "--format", "html,xlsx"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    kernels: list[psutil.Process] = []
    while not kernels and time.monotonic() < deadline and proc.poll() is None:
        kernels = _kernels_of(out)
        time.sleep(0.2)
    assert kernels, "the report never started its kernel"
    time.sleep(1.0)  # the kernel is connected and working
    proc.kill()  # the report process only, as kill -9 would
    proc.wait()
    psutil.wait_procs(kernels, timeout=15)  # the kernel notices its parent is gone
    for k in kernels:
        try:
            k.kill()
        except psutil.Error:
            pass
    assert _hidden_folders(out), "the killed run left no work folder (nothing to test)"

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _hidden_folders(out) == []
    assert sorted(p.name for p in out.iterdir()) == [".test-2024.fingerprint", "test-2024.html",
                                                      "test-2024.xlsx"]
    assert list(tmp.glob("*.json")) == [], "kernel connection files leaked into the temp folder"


def test_stale_work_is_told_from_live_work(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname()
    me = psutil.Process(os.getpid())

    def work(name: str, owner: dict | None) -> Path:
        p = out / name
        p.mkdir()
        (p / "kernel.log").write_text("log", encoding="utf-8")
        if owner is not None:
            (p / "owner.json").write_text(json.dumps(owner), encoding="utf-8")
        return p

    stale = work(f".x-2024.work-{dead.pid}-abc", {"host": host, "pid": dead.pid, "started": 1.0})
    live = work(f".x-2024.work-{os.getpid()}-def",
                {"host": host, "pid": os.getpid(), "started": me.create_time()})
    reused = work(f".x-2024.work-{os.getpid()}-ghi",  # same pid, another (earlier) process
                  {"host": host, "pid": os.getpid(), "started": me.create_time() - 3600})
    elsewhere = work(f".x-2024.work-{dead.pid}-jkl", {"host": host + "-other", "pid": dead.pid})
    old_tmp = out / f".x-2024.html.tmp-{dead.pid}-zz.tmp"
    new_tmp = out / f".x-2025.html.tmp-{dead.pid}-yy.tmp"
    for f in (old_tmp, new_tmp):
        f.write_bytes(b"partial")
    os.utime(old_tmp, (time.time() - 3600, time.time() - 3600))
    finished = [out / "x-2024.html", out / ".x-2024.fingerprint", out / ".hidden-by-user"]
    for f in finished:
        f.write_text("keep", encoding="utf-8")

    removed = remove_stale_work(out)
    assert sorted(removed) == sorted([stale, reused, old_tmp])
    assert live.exists() and elsewhere.exists() and new_tmp.exists()
    assert all(f.exists() for f in finished)


# -- a folder that cannot be written ---------------------------------------------------------

def test_report_into_a_read_only_folder_names_that_folder(small, read_only):
    res = subprocess.run([*CLI, "report", str(small), "--out", str(read_only)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 1
    assert "Traceback" not in res.stdout + res.stderr
    assert f"输出文件夹 {read_only}（" in res.stdout
    assert f"{read_only}/." not in res.stdout  # not the temporary folder inside it
    with pytest.raises(OutputNotWritable) as caught:
        render_report(small, read_only, formats=("html",))
    assert caught.value.folder == str(read_only)


def test_batch_into_a_read_only_folder_stops_before_rendering(small, read_only):
    started = time.monotonic()
    res = subprocess.run([*CLI, "--lang", "en", "batch", str(small), "--out", str(read_only)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode != 0 and "Traceback" not in res.stdout + res.stderr
    assert f"Cannot write to the output folder {read_only}" in res.stdout
    assert "index.html" not in res.stdout
    assert time.monotonic() - started < 30  # no county was rendered in vain


def test_batch_prints_every_county_when_the_index_cannot_be_written(small, tmp_path):
    out = tmp_path / "out"
    (out / "index.html").mkdir(parents=True)  # in the way of the index
    (out / "index.html" / "something").write_text("x", encoding="utf-8")
    res = subprocess.run([*CLI, "--lang", "en", "batch", str(small), "--out", str(out),
                          "--format", "html"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 1
    assert "Traceback" not in res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert any(ln.startswith("✓ 测试县") and "rendered" in ln for ln in lines), res.stdout
    assert any("1 of 1 counties succeeded" in ln for ln in lines)
    assert any(ln.startswith("The index page could not be written") for ln in lines)
    assert (out / "test-2024.html").exists()
    shutil.rmtree(out)
