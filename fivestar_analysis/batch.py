"""Reports for many counties: one process per county, in parallel, each with a time limit.

Every county is rendered by its own ``fivestar report`` process (started in a new session,
so a hung kernel is killed together with it), by a pool of local workers or, with a
scheduler address, by a dask.distributed cluster whose workers share the file system.
A county that fails — bad data, a failing cell, a crash or a time-out — is reported and
never stops the others; reports are written atomically, so a failure leaves no partial
HTML. The run ends with an ``index.html`` linking every report.
"""

from __future__ import annotations

import html
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

import yaml

from fivestar_analysis.errors import FivestarError
from fivestar_analysis.report.render import atomic_write_bytes

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

    @property
    def failed(self) -> list[CountyOutcome]:
        return [o for o in self.outcomes if not o.ok]


def _cleanup_partial(out_dir: Path, started: float) -> None:
    """Remove temporary work left by a killed render (never finished outputs)."""
    import shutil

    for p in out_dir.glob(".*"):
        if p.name.endswith(".fingerprint"):
            continue
        try:
            if p.stat().st_mtime >= started - 1:
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        except OSError:
            pass


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
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the report process and its kernel
        except ProcessLookupError:
            pass
        proc.communicate()
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        _cleanup_partial(Path(out_dir), start)
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
    try:
        data = yaml.safe_load((path / "county.yaml").read_text(encoding="utf-8-sig"))
        return str(data.get("code")) if isinstance(data, dict) and data.get("code") else None
    except Exception:
        return None


def run_batch(paths: list[str | Path], out_dir: str | Path = "reports", *, jobs: int = 2,
              timeout: float | None = None, force: bool = False,
              formats: tuple[str, ...] = ("html", "ipynb"), language: str | None = None,
              rules: str | None = None, scheduler: str | None = None,
              progress: bool = True) -> BatchResult:
    """Render every county package; never stops at a failure. Writes ``index.html``."""
    start = time.time()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    folders = [Path(p).resolve() for p in paths]
    codes: dict[str, Path] = {}
    for f in folders:
        code = _county_code(f)
        if code and code in codes:
            raise FivestarError(f"two packages share the code {code!r}: {codes[code]} and {f}; "
                                "give each county its own code in county.yaml")
        if code:
            codes[code] = f
    kwargs = {"timeout": timeout, "force": force, "formats": tuple(formats), "language": language,
              "rules": str(Path(rules).resolve()) if rules else None}
    bar = _progress(len(folders), progress)
    outcomes: list[CountyOutcome] = []
    if scheduler:
        outcomes = _run_dask(scheduler, folders, out, kwargs, bar)
    else:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(render_one, str(f), str(out), **kwargs): f for f in folders}
            for fut in as_completed(futures):
                outcomes.append(CountyOutcome(**fut.result()))
                bar.update(1)
    bar.close()
    order = {str(f): i for i, f in enumerate(folders)}
    outcomes.sort(key=lambda o: order[o.path])
    index = write_index(outcomes, out, language=language or "zh")
    return BatchResult(outcomes, index, time.time() - start)


def _run_dask(address: str, folders: list[Path], out: Path, kwargs: dict[str, Any], bar) -> list[CountyOutcome]:
    try:
        from dask.distributed import Client, as_completed as dask_completed
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise FivestarError("the dask backend needs dask[distributed]: pip install 'dask[distributed]'") from None
    outcomes = []
    with Client(address) as client:
        futures = [client.submit(render_one, str(f), str(out), pure=False, **kwargs) for f in folders]
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
    from fivestar_analysis.escape import CSP_META, html_env

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
            "href": os.path.relpath(report, out_dir) if report else None,
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
        name = o.headline.get("name") or Path(o.path).name
        lines.append(f"{'✓' if o.ok else '✗'} {name:<12} {status:<10} {o.seconds:6.1f}s  {o.message}".rstrip())
    return "\n".join(lines)
