"""Work on the second core (issue 15): a forked worker draws half of the report's sections
and fits the driver models while the kernel does the rest. The page must not change, and a
worker that fails or dies must only cost time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fivestar_analysis.render import fork
from fivestar_analysis.render import notebook as nb

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")


@pytest.fixture
def forking(monkeypatch):
    """Forking on, whatever the number of CPUs of the test machine."""
    monkeypatch.setenv(fork.ENV, "1")
    monkeypatch.setattr(fork, "fork_enabled", lambda: True)


def _boom(x):
    raise ValueError(f"bad {x}")


def _die(x):
    os._exit(3)  # the worker vanishes without a word


def _pid_and_double(x):
    return os.getpid(), 2 * x


def test_the_value_comes_from_the_child():
    pid, value = fork.Forked(_pid_and_double, 21).result()
    assert value == 42 and pid != os.getpid()


def test_a_failing_child_is_replaced_by_the_computation_here(caplog):
    caplog.set_level("INFO")
    with pytest.raises(ValueError, match="bad 1"):  # computed here again, so it raises here
        fork.Forked(_boom, 1).result()
    assert "failed in the worker process" in caplog.text  # logged (info), not shown


@pytest.mark.parametrize("fn", [_boom, _die])
def test_without_fallback_the_failure_is_an_error(fn):
    with pytest.raises(fork.WorkerFailed, match="ValueError: bad 1|ended without a result"):
        fork.Forked(fn, 1).result(fallback=False)


def test_a_dead_child_falls_back_to_a_local_value(monkeypatch):
    calls = []

    def local_or_die(x):
        if os.getpid() != parent:
            os._exit(3)
        calls.append(x)
        return x + 1

    parent = os.getpid()
    assert fork.Forked(local_or_die, 4).result() == 5 and calls == [4]


def test_forking_is_off_unless_allowed(monkeypatch):
    monkeypatch.delenv(fork.ENV, raising=False)
    assert not fork.fork_enabled()
    assert fork.in_fork(_pid_and_double, 2)() == (os.getpid(), 4)  # computed in place
    monkeypatch.setenv(fork.ENV, "0")
    assert not fork.fork_enabled()


def test_the_kernel_setting_is_the_users_or_the_default_and_is_restored(monkeypatch):
    monkeypatch.delenv(fork.ENV, raising=False)
    with fork.kernel_fork_setting("1") as value:
        assert value == "1" == os.environ[fork.ENV]
    assert fork.ENV not in os.environ
    monkeypatch.setenv(fork.ENV, "0")  # a batch of several jobs, or the user, said no
    with fork.kernel_fork_setting("1") as value:
        assert value == "0"
    assert os.environ[fork.ENV] == "0"


@pytest.fixture(scope="module")
def small_county(tmp_path_factory) -> Path:
    from fivestar_analysis.tools.province import write_demo_province

    return write_demo_province(tmp_path_factory.mktemp("fork"), 1, seed=5, scale=0.25)[0]


def _all_sections(county: Path) -> tuple[dict[str, str], bool]:
    rep = nb.prepare(str(county), generated="2030-01-02")
    used_worker = "job" in nb._READY
    return {name: nb.section_html(name, rep) for name in nb.SECTIONS}, used_worker


def test_sections_drawn_with_a_worker_equal_those_drawn_here(small_county, forking, monkeypatch):
    with_worker, used = _all_sections(small_county)
    assert used, "the worker drew its sections"
    monkeypatch.setenv(fork.ENV, "0")
    monkeypatch.setattr(fork, "fork_enabled", lambda: False)
    alone, used = _all_sections(small_county)
    assert not used
    assert with_worker == alone  # byte for byte, charts included


def test_a_worker_that_dies_costs_time_not_sections(small_county, forking, monkeypatch):
    monkeypatch.setattr(fork, "fork_enabled", lambda: False)
    alone, _ = _all_sections(small_county)
    monkeypatch.setattr(fork, "fork_enabled", lambda: True)

    real = nb._sections_in_child
    parent = os.getpid()

    def dies_in_the_child(rep, names):
        if os.getpid() != parent:
            os._exit(9)
        return real(rep, names)

    monkeypatch.setattr(nb, "_sections_in_child", dies_in_the_child)
    died, used = _all_sections(small_county)
    assert used and died == alone


def test_a_fresh_kernel_loads_in_the_worker_while_it_imports(small_county):
    # in a fresh process (as in a fresh kernel) the county is loaded by a worker, the survey
    # tables are computed by one and half of the sections drawn by one; the report is the same
    import subprocess
    import sys

    code = f"""
import os
os.environ[{fork.ENV!r}] = "1"
from fivestar_analysis.render import fork, notebook as nb
fork.fork_enabled = lambda: True
started = []
real = fork.Forked.__init__
def record(self, fn, *args):
    started.append(fn.__name__)
    real(self, fn, *args)
fork.Forked.__init__ = record
rep = nb.prepare({str(small_county)!r}, generated="2030-01-02")
html = "".join(nb.section_html(name, rep) for name in nb.SECTIONS)
import hashlib
print(" ".join(started), hashlib.sha256(html.encode()).hexdigest())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    names, digest = out.stdout.split()[:-1], out.stdout.split()[-1]
    assert names == ["load_county", "_survey_tables", "_sections_in_child"]
    import hashlib

    alone, _ = _all_sections(small_county)  # this process: no worker
    assert digest == hashlib.sha256("".join(alone.values()).encode()).hexdigest()
