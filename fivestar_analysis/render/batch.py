"""Reports for many counties, in parallel, each with a time limit.

By default each worker (a local thread for one job, a local worker process each for more, or
a dask.distributed worker thread with a scheduler address; workers share the file system)
keeps one warm kernel and renders county after county
in it (:mod:`~fivestar_analysis.render.warm`), its namespace reset between counties; a kernel
that dies or runs over the time limit is killed and replaced. With ``warm=False`` every county
is rendered by its own ``fivestar report`` process (:func:`render_one`, started in a new
session, so a hung kernel is killed together with it).
A county that fails — bad data, a failing cell, a crash or a time-out — is reported and
never stops the others; reports are written atomically, so a failure leaves no partial
HTML. The run ends with an ``index.html`` linking every report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fivestar_analysis.errors import FivestarError, OutputNotWritable
from fivestar_analysis.present.escape import terminal_text
from fivestar_analysis.render.workdir import atomic_write_bytes, prepare_out_dir, remove_stale_work
from fivestar_analysis.render.fork import kernel_fork_setting

__all__ = ["CountyOutcome", "BatchResult", "render_one", "run_batch", "write_index"]

STATUSES = ("rendered", "skipped", "invalid", "failed", "timeout")


@dataclass
class CountyOutcome:
    """What happened to one county package."""

    path: str
    status: str  # one of STATUSES
    seconds: float
    message: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    headline: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("rendered", "skipped")


@dataclass
class BatchResult:
    outcomes: list[CountyOutcome]
    index: Path | None
    seconds: float
    index_error: str = ""

    @property
    def failed(self) -> list[CountyOutcome]:
        return [o for o in self.outcomes if not o.ok]


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill a report process, the kernel it started and everything below them.

    The kernel runs in a session and process group of its own (jupyter_client starts it so),
    so killing the report's group is not enough: a kernel stopped or hung in C code would
    live on and hold the report's output pipe open. The tree is collected while the report
    still runs, then every process and every process group in it is killed (SIGKILL also
    ends a stopped process).
    """
    import psutil

    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        family = []
    ours = os.getpgrp()
    groups = {proc.pid}
    for child in family:
        try:
            groups.add(os.getpgid(child.pid))
        except OSError:
            pass
    for group in groups - {ours}:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    for victim in [*family, proc]:
        try:
            victim.kill()
        except (OSError, psutil.Error):
            pass
    psutil.wait_procs(family, timeout=5)


def _drain(proc: subprocess.Popen, seconds: float = 5.0) -> tuple[str, str]:
    """What a killed process wrote, waiting at most ``seconds`` for its pipes to close; a
    pipe some escaped process still holds is closed on our side."""
    try:
        return proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        for pipe in (proc.stdout, proc.stderr):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pass
        return "", ""


def render_one(path: str, out_dir: str, *, timeout: float | None = None, force: bool = False,
               formats: tuple[str, ...] = ("html", "ipynb"), language: str | None = None,
               rules: str | None = None) -> dict[str, Any]:
    """Render one county in a child process; returns a :class:`CountyOutcome` as a dict.

    Runs anywhere the package is installed (a local worker thread or a dask worker).
    """
    cmd = [sys.executable, "-m", "fivestar_analysis.cli", "report", str(path), "--out", str(out_dir),
           "--json", "--format", ",".join(formats)]
    if not force:
        cmd.append("--skip-unchanged")
    if language:
        cmd += ["--language", language]
    if rules:
        cmd += ["--rules", str(rules)]
    start = time.time()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)  # the report process, its kernel and what they started
        _drain(proc)
        remove_stale_work(Path(out_dir))  # the killed run's work folder (its owner is dead)
        return asdict(CountyOutcome(str(path), "timeout", time.time() - start,
                                    f"time limit of {timeout:g} s reached; stopped"))
    seconds = time.time() - start
    if proc.returncode == 0:
        try:
            data = json.loads(out)
        except json.JSONDecodeError:
            return asdict(CountyOutcome(str(path), "failed", seconds, "no result from the report"))
        return asdict(CountyOutcome(str(path), "skipped" if data.get("skipped") else "rendered",
                                    seconds, "", data.get("outputs", {}), data.get("headline", {})))
    lines = [ln for ln in (out + "\n" + err).splitlines() if ln.strip()]
    if proc.returncode == 2:
        try:
            errors = json.loads(out).get("errors", [])
            problems = [" ".join(x for x in (e["file"], e["row"] and f"row {e['row']}",
                                             e["column"] and f"column {e['column']}") if x)
                        + f": {e['message']}" for e in errors]
        except (json.JSONDecodeError, AttributeError, KeyError, TypeError):
            problems = [ln for ln in lines if ln.startswith(("错误", "ERROR", "Error"))] or lines[:3]
        message = f"{len(problems)} problem(s): " + " | ".join(problems[:3])
        return asdict(CountyOutcome(str(path), "invalid", seconds, message))
    if proc.returncode < 0:
        message = f"the report process was killed by signal {-proc.returncode}"
    else:
        useful = [ln for ln in lines if not ln.startswith("[IPKernelApp]")]
        message = " | ".join(useful[-3:]) or f"exit status {proc.returncode}"
    return asdict(CountyOutcome(str(path), "failed", seconds, message))


def _county_code(path: Path) -> str | None:
    """The code a package's reports are named by, read the way the loader reads it
    (``county.yaml`` or ``county.yml``, surrounding spaces dropped); None if unreadable."""
    from fivestar_analysis.load.collect import ProblemLog
    from fivestar_analysis.load.loader import read_county_yaml

    try:
        meta = read_county_yaml(path, ProblemLog())
    except Exception:  # an unreadable package is reported by its own render
        return None
    code = str((meta or {}).get("code") or "").strip()
    return code or None


def _check_packages(folders: list[Path]) -> None:
    """Refuse a batch in which a folder is listed twice or two packages share a code (their
    reports would overwrite each other)."""
    seen: dict[Path, int] = {}
    for f in folders:
        seen[f] = seen.get(f, 0) + 1
    twice = [f for f, n in seen.items() if n > 1]
    if twice:
        raise FivestarError("the folder " + ", ".join(map(str, twice)) + " is listed more than "
                            "once; list each county package once")
    codes: dict[str, Path] = {}
    for f in folders:
        code = _county_code(f)
        if code is None:
            continue
        if code in codes:
            raise FivestarError(f"two packages share the code {code!r}: {codes[code]} and {f}; "
                                "give each county its own code in county.yaml (reports are "
                                "named by it)")
        codes[code] = f


def _check_writable(out: Path) -> None:
    """Fail before any county is rendered when nothing can be written to ``out``."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(prefix=".fivestar-probe-", dir=out):
            pass
    except OSError as exc:
        raise OutputNotWritable(out, exc.strerror or str(exc)) from None


def _shared_outputs(outcomes: list[CountyOutcome]) -> None:
    """Last line of defence: two counties that wrote the same output file are both marked
    failed (one report overwrote the other)."""
    owners: dict[str, list[CountyOutcome]] = {}
    for o in outcomes:
        for f in o.outputs.values():
            owners.setdefault(str(Path(f).resolve()), []).append(o)
    for f, who in owners.items():
        if len(who) > 1:
            for o in who:
                o.status, o.outputs = "failed", {}
                o.message = (f"{Path(f).name} was written by more than one package "
                             f"({', '.join(Path(x.path).name for x in who)}); give each its own code")


def run_batch(paths: list[str | Path], out_dir: str | Path = "reports", *, jobs: int = 2,
              timeout: float | None = None, force: bool = False,
              formats: tuple[str, ...] = ("html", "ipynb"), language: str | None = None,
              rules: str | None = None, scheduler: str | None = None,
              progress: bool = True, warm: bool = True,
              generated: str | None = None) -> BatchResult:
    """Render every county package; never stops at a failure. Writes ``index.html``.

    Refuses (before rendering anything) a folder listed twice, two packages with one code
    and an output folder that cannot be written to. An index that cannot be written leaves
    ``index`` None and says why in ``index_error``; the outcomes are returned all the same.
    ``warm`` keeps one kernel per worker (else one process per county); ``generated`` fixes
    the date the reports state (warm workers only; default today).
    """
    start = time.time()
    folders = [Path(p).resolve() for p in paths]
    _check_packages(folders)
    out = prepare_out_dir(out_dir)
    _check_writable(out)
    kwargs = {"timeout": timeout, "force": force, "formats": tuple(formats), "language": language,
              "rules": str(Path(rules).resolve()) if rules else None}
    if warm:
        from fivestar_analysis.render.warm import (
            close_kernels,
            render_warm,
            render_warm_in_own_thread,
        )

        kwargs["generated"] = generated
    task = (render_warm_in_own_thread if scheduler else render_warm) if warm else render_one
    bar = _progress(len(folders), progress)
    outcomes: list[CountyOutcome] = []
    # one job leaves a core free for each kernel's worker process; more jobs use the cores
    with kernel_fork_setting("1" if jobs == 1 and not scheduler else "0"):
        if scheduler:
            outcomes = _run_dask(scheduler, folders, out, kwargs, bar, task)
        else:
            try:
                with _pool(jobs, warm) as pool:
                    futures = {pool.submit(task, str(f), str(out), **kwargs): f
                               for f in folders}
                    for fut in as_completed(futures):
                        outcomes.append(CountyOutcome(**fut.result()))
                        bar.update(1)
            finally:
                if warm:
                    close_kernels()
    bar.close()
    order = {str(f): i for i, f in enumerate(folders)}
    outcomes.sort(key=lambda o: order[o.path])
    _shared_outputs(outcomes)
    index, index_error = None, ""
    try:
        index = write_index(outcomes, out, language=language or "zh")
    except OSError as exc:
        index_error = f"{exc.strerror or exc}: {out / 'index.html'}"
    return BatchResult(outcomes, index, time.time() - start, index_error)


def _pool(jobs: int, warm: bool):
    """Threads for one job or for child processes; warm kernels with two jobs or more live in
    worker processes of their own (one kernel each), so that no two share one interpreter."""
    if warm and jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from fivestar_analysis.render.startup import skip_slow_optional_imports

        return ProcessPoolExecutor(max_workers=jobs, initializer=skip_slow_optional_imports,
                                   mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(max_workers=max(1, jobs))


def _run_dask(address: str, folders: list[Path], out: Path, kwargs: dict[str, Any], bar,
              task=render_one) -> list[CountyOutcome]:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise FivestarError("the dask backend needs dask[distributed]: pip install 'dask[distributed]'") from None
    outcomes = []
    with Client(address) as client:
        futures = [client.submit(task, str(f), str(out), pure=False, **kwargs) for f in folders]
        for fut in dask_completed(futures):
            outcomes.append(CountyOutcome(**fut.result()))
            bar.update(1)
    return outcomes


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="county", desc="fivestar batch", file=sys.stderr,
                disable=not sys.stderr.isatty() and os.environ.get("FIVESTAR_PROGRESS") != "1")


def write_index(outcomes: list[CountyOutcome], out_dir: Path, language: str = "zh") -> Path:
    """A self-contained index page: every county, its headline figures, a link to its report."""
    from fivestar_analysis.present.escape import CSP_META, html_env

    rows = []
    for o in outcomes:
        h = o.headline
        report = o.outputs.get("html")
        rows.append({
            "name": h.get("name") or Path(o.path).name, "code": h.get("code", ""),
            "year": h.get("year", ""), "branches": h.get("branches"),
            "share_3plus": h.get("share_3plus"), "five_star": h.get("five_star"),
            "respondents": h.get("respondents"), "status": o.status, "ok": o.ok,
            "message": o.message, "status_label": _status_label(o.status, language),
            "href": quote(Path(os.path.relpath(report, out_dir)).as_posix()) if report else None,
        })
    rows.sort(key=lambda r: (not r["ok"], -(r["share_3plus"] or 0)))
    folder = resources.files("fivestar_analysis") / "resources" / "report"
    css = (folder / "report.css").read_text(encoding="utf-8")
    page = html_env().from_string((folder / "index.html.j2").read_text(encoding="utf-8"))
    text = page.render(rows=rows, css=css, csp_meta=CSP_META, en=language == "en",
                       n_ok=sum(r["ok"] for r in rows), n=len(rows),
                       generated=time.strftime("%Y-%m-%d %H:%M"))
    return atomic_write_bytes(out_dir / "index.html", text.encode("utf-8"))


_STATUS_NAMES = {"rendered": ("已生成", "rendered"), "skipped": ("未变化，跳过", "unchanged, skipped"),
                 "invalid": ("数据有误", "invalid data"), "failed": ("失败", "failed"),
                 "timeout": ("超时", "timed out")}


def _status_label(status: str, language: str) -> str:
    return _STATUS_NAMES[status][1 if language == "en" else 0]


def outcome_table(result: BatchResult, language: str = "zh") -> str:
    """The closing table the command prints: one line per county."""
    lines = []
    for o in result.outcomes:
        status = _status_label(o.status, language)
        name = terminal_text(o.headline.get("name") or Path(o.path).name)
        message = terminal_text(o.message)
        lines.append(f"{'✓' if o.ok else '✗'} {name:<12} {status:<10} {o.seconds:6.1f}s  {message}".rstrip())
    return "\n".join(lines)
