"""Rendering the report: execute the parameterized notebook, export one self-contained HTML.

papermill executes the packaged ``county_report.ipynb`` with the county's parameters; nbconvert
turns the executed notebook into HTML without code (``render/html.py``); every output is
written to a temporary file in the output folder and moved into place only when complete
(``render/workdir.py``). A failing cell leaves the executed notebook (``*.failed.ipynb``) for
inspection and no HTML.

The package is loaded once, in the kernel. This process decides whether a report is up to
date from the input files' bytes and the parameters alone (``load/files.py``: no pandas); the
notebook's first cell loads and validates the package, and when the data are refused it
writes the problems to ``result_path`` before failing, so that they reach the user as the
usual list of problems (exit status 2) and no notebook is kept. On success the same file
carries the report's name, title and headline figures.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import pickle
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fivestar_analysis._version import __version__
from fivestar_analysis.errors import FivestarError, PackageInvalid
from fivestar_analysis.render.html import export_html
from fivestar_analysis.render.outputs import (
    check_formats,
    pdf_bytes,
    side_params,
    side_paths,
)
from fivestar_analysis.render.workdir import (
    atomic_write_bytes,
    kernel_stderr,
    new_work_folder,
    prepare_out_dir,
    remove_stale_work,
)

__all__ = ["check_formats", "render_report", "run_notebook", "RenderResult", "ReportFailed",
           "report_notebook",
           "fingerprint", "export_html", "atomic_write_bytes", "up_to_date", "headline_figures",
           "remove_stale_work", "prepare_out_dir", "plan_report"]

class ReportFailed(FivestarError):
    """A cell of the report notebook failed; the executed notebook is kept for inspection."""

    def __init__(self, cell_index: int | None, ename: str, evalue: str, notebook: Path | None,
                 source: str = ""):
        self.cell_index, self.ename, self.evalue, self.notebook = cell_index, ename, evalue, notebook
        self.source = source
        where = f"cell {cell_index}" if cell_index is not None else "the notebook"
        keep = f"; executed notebook kept at {notebook}" if notebook else ""
        super().__init__(f"report failed in {where}: {ename}: {evalue}{keep}")


@dataclass
class RenderResult:
    html: Path | None
    ipynb: Path | None
    xlsx: Path | None
    seconds: float
    fingerprint: str
    skipped: bool = False
    outputs: dict[str, Path] = field(default_factory=dict)
    headline: dict[str, Any] = field(default_factory=dict)


def packaged_notebook(name: str) -> Path:
    """A notebook shipped inside the package (``fivestar_analysis/render/notebooks/NAME``).

    Found with :mod:`importlib.resources`, so an installed wheel renders reports from any
    working directory, not only a checkout.
    """
    from importlib import resources

    path = Path(str(resources.files("fivestar_analysis") / "render" / "notebooks" / name))
    if not path.is_file():
        raise FivestarError(f"notebook {name} is missing from the installed package ({path}); "
                            "reinstall fivestar-analysis")
    return path


def report_notebook() -> Path:
    """The report notebook, ``fivestar_analysis/render/notebooks/county_report.ipynb``."""
    return packaged_notebook("county_report.ipynb")


def fingerprint(files: dict[str, str], parameters: dict[str, Any]) -> str:
    """A short hash of the input files' hashes, the parameters and the tool version."""
    payload = json.dumps({"files": files, "parameters": parameters, "version": __version__},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _stem(code: str, year: int, language: str) -> str:
    return f"{code}-{year}" + ("-en" if language == "en" else "")


def _stamp(out_dir: Path, stem: str) -> Path:
    return out_dir / f".{stem}.fingerprint"


def _read_stamp(path: Path) -> dict[str, Any] | None:
    """A stamp written by :func:`_write_outputs`; None if missing or of an older kind."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "fingerprint" in data else None


def up_to_date(out_dir: Path, stem: str, formats: tuple[str, ...], fp: str) -> bool:
    """True when every requested output exists and was made from the same fingerprint."""
    stamp = _stamp(out_dir, stem)
    if not all((out_dir / f"{stem}.{fmt}").exists() for fmt in formats) or not stamp.exists():
        return False
    data = _read_stamp(stamp)
    text = data["fingerprint"] if data else stamp.read_text(encoding="utf-8").strip()
    return text == fp


# -- executing a notebook ---------------------------------------------------------------

def _execute(notebook: Path, executed: Path, params: dict[str, Any], work: Path, *,
             timeout: float | None, kernel_name: str, kernel=None) -> None:
    """papermill in a fresh kernel (its connection file in the work folder), or on ``kernel``
    (a :class:`~fivestar_analysis.render.kernel.WarmKernel`; its time limit is the whole
    notebook's)."""
    if kernel is not None:
        kernel.run(notebook, executed, params, timeout=timeout)
        return
    import papermill as pm
    from traitlets.config import Config

    # the kernel's connection file lives in the work folder too, so a killed run leaves
    # nothing in the system's temporary folder
    config = Config({"KernelManager": {"connection_file": str(work / "kernel.json")}})
    from fivestar_analysis.render.fork import kernel_fork_setting

    with kernel_stderr(work / "kernel.log"), kernel_fork_setting():
        pm.execute_notebook(str(notebook), str(executed), parameters=params,
                            kernel_name=kernel_name, progress_bar=False, log_output=False,
                            cwd=str(notebook.parent), execution_timeout=timeout,
                            request_save_on_cell_execute=False, config=config,
                            shutdown_kernel="immediate")


def _failed(exc, out_dir: Path, stem: str, executed: Path, work: Path) -> ReportFailed:
    """A cell failed: keep the executed notebook (and the kernel's log) for inspection."""
    kept = out_dir / f"{stem}.failed.ipynb"
    if executed.exists():
        shutil.copyfile(executed, kept)
    log = work / "kernel.log"
    if log.exists() and log.stat().st_size:
        shutil.copyfile(log, out_dir / f"{stem}.kernel.log")
    return ReportFailed(exc.cell_index, exc.ename, exc.evalue, kept if kept.exists() else None,
                        exc.source or "")


def _write_outputs(out_dir: Path, stem: str, formats: tuple[str, ...], executed: Path,
                   side: dict[str, Path], fp: str, title: str, language: str,
                   headline: dict[str, Any] | None = None) -> dict[str, Path]:
    """Build every output first, then move them into place: no half-written set.

    ``side`` holds the files the notebook wrote itself (workbook, Word document); a PDF is
    printed from the exported HTML with headless Chromium."""
    import nbformat

    payloads: dict[str, bytes] = {}
    if "html" in formats or "pdf" in formats:
        nb = nbformat.read(executed, as_version=4)
        html = export_html(nb, title, language).encode("utf-8")
        if "html" in formats:
            payloads["html"] = html
        if "pdf" in formats:
            payloads["pdf"] = pdf_bytes(html, executed.parent / f"{stem}.print")
    if "ipynb" in formats:
        payloads["ipynb"] = executed.read_bytes()
    for fmt, path in side.items():
        if not path.exists():
            raise ReportFailed(None, "MissingOutput", f"the notebook wrote no {fmt} file", None)
        payloads[fmt] = path.read_bytes()
    written = {fmt: atomic_write_bytes(out_dir / f"{stem}.{fmt}", data)
               for fmt, data in payloads.items()}
    stamp = {"fingerprint": fp, "stem": stem, "headline": headline or {}}
    atomic_write_bytes(_stamp(out_dir, stem), json.dumps(stamp, ensure_ascii=False).encode())
    (out_dir / f"{stem}.failed.ipynb").unlink(missing_ok=True)
    return written


def run_notebook(
    notebook: Path,
    out_dir: Path,
    stem: str,
    parameters: dict[str, Any],
    *,
    title: str,
    language: str,
    formats: tuple[str, ...],
    fp: str,
    timeout: float | None = None,
    kernel_name: str = "python3",
    start: float | None = None,
    generated: str | None = None,
) -> RenderResult:
    """Execute ``notebook`` with papermill and write ``stem.<format>`` atomically.

    The notebook receives ``parameters`` plus ``fingerprint``, ``generated`` and
    ``xlsx_path``/``docx_path``: temporary paths it must write the workbook and the Word
    document to when those formats are asked for (None otherwise).
    """
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter() if start is None else start
    remove_stale_work(out_dir)
    work = new_work_folder(out_dir, stem)
    written: dict[str, Path] = {}
    try:
        executed = work / f"{stem}.ipynb"
        side = side_paths(work, stem, formats)
        params = dict(parameters, fingerprint=fp, **side_params(side),
                      generated=generated or _dt.date.today().isoformat())
        try:
            _execute(notebook, executed, params, work, timeout=timeout, kernel_name=kernel_name)
        except PapermillExecutionError as exc:
            raise _failed(exc, out_dir, stem, executed, work) from None
        written = _write_outputs(out_dir, stem, formats, executed, side, fp, title, language)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RenderResult(written.get("html"), written.get("ipynb"), written.get("xlsx"),
                        time.perf_counter() - start, fp, outputs=written)


# -- the county report ------------------------------------------------------------------

@dataclass
class ReportPlan:
    """What is known about a report before anything is loaded."""

    data_dir: Path
    params: dict[str, Any]
    fp: str
    code: str | None
    language: str


def plan_report(data_dir: str | Path, *, language: str | None = None, year: int | None = None,
                rules_path: str | Path | None = None) -> ReportPlan:
    """The parameters and fingerprint of a report, from county.yaml and the files' bytes."""
    from fivestar_analysis.load.files import input_hashes, package_identity

    data_dir = Path(data_dir).resolve()
    ident = package_identity(data_dir) if data_dir.is_dir() else {}
    try:
        files = input_hashes(data_dir) if data_dir.is_dir() else {}
    except OSError:
        files = {}
    language = language or ident.get("language") or "zh"
    params = {"data_dir": str(data_dir), "year": year or ident.get("year"),
              "language": language,
              "rules_path": str(Path(rules_path).resolve()) if rules_path else None}
    if rules_path and Path(rules_path).is_file():
        files["rules"] = hashlib.sha256(Path(rules_path).read_bytes()).hexdigest()
    return ReportPlan(data_dir, params, fingerprint(files, params), ident.get("code"), language)


def _current(out_dir: Path, plan: ReportPlan, formats: tuple[str, ...]) -> dict | None:
    """The stamp of outputs already made from this very fingerprint, if all are there."""
    if not plan.code:
        return None
    for path in sorted(out_dir.glob(f".{plan.code}-*.fingerprint")):
        data = _read_stamp(path)
        if data and data["fingerprint"] == plan.fp and all(
                (out_dir / f"{data['stem']}.{fmt}").exists() for fmt in formats):
            return data
    return None


def render_report(
    data_dir: str | Path,
    out_dir: str | Path = "reports",
    *,
    language: str | None = None,
    year: int | None = None,
    formats: tuple[str, ...] = ("html", "ipynb"),
    timeout: float | None = None,
    force: bool = True,
    kernel_name: str = "python3",
    rules_path: str | Path | None = None,
    generated: str | None = None,
    kernel=None,
) -> RenderResult:
    """Validate a package, execute the report notebook and write the requested outputs.

    Raises :class:`~fivestar_analysis.errors.PackageInvalid` for bad data (found by the
    notebook's first cell; no output and no notebook is kept) and :class:`ReportFailed` when
    a later cell fails. With ``force=False`` a report whose inputs, parameters and tool
    version are unchanged is not rendered again (decided without loading anything).
    ``generated`` fixes the date the report states (default: today); ``kernel`` is a
    :class:`~fivestar_analysis.render.kernel.WarmKernel` to run on instead of a fresh one.
    """
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    check_formats(formats)
    plan = plan_report(data_dir, language=language, year=year, rules_path=rules_path)
    if not plan.data_dir.is_dir():  # nothing to run a kernel for: the loader says why
        from fivestar_analysis.load.loader import load_county

        load_county(plan.data_dir)
    out_dir = prepare_out_dir(out_dir)
    if not force and (done := _current(out_dir, plan, formats)) is not None:
        targets = {fmt: out_dir / f"{done['stem']}.{fmt}" for fmt in formats}
        return RenderResult(targets.get("html"), targets.get("ipynb"), targets.get("xlsx"),
                            time.perf_counter() - start, plan.fp, skipped=True, outputs=targets,
                            headline=done.get("headline", {}))
    work = new_work_folder(out_dir, plan.code or plan.data_dir.name or "report")
    try:
        executed, result_path = work / "report.ipynb", work / "result.pickle"
        side = side_paths(work, "report", formats)
        params = dict(plan.params, fingerprint=plan.fp, result_path=str(result_path),
                      **side_params(side), generated=generated or _dt.date.today().isoformat())
        if "html" in formats or "pdf" in formats:
            _import_exporter_meanwhile()
        try:
            _execute(report_notebook(), executed, params, work, timeout=timeout,
                     kernel_name=kernel_name, kernel=kernel)
        except PapermillExecutionError as exc:
            result = _read_result(result_path)
            _refused(result)
            stem = _stem(result.get("code") or plan.code or "report",
                         result.get("year") or plan.params["year"] or "",
                         result.get("language") or plan.language)
            raise _failed(exc, out_dir, stem, executed, work) from None
        result = _read_result(result_path)
        stem = _stem(result["code"], result["year"], result["language"])
        written = _write_outputs(out_dir, stem, formats, executed, side, plan.fp,
                                 result["title"], result["language"], result["headline"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RenderResult(written.get("html"), written.get("ipynb"), written.get("xlsx"),
                        time.perf_counter() - start, plan.fp, outputs=written,
                        headline=result["headline"])


def _import_exporter_meanwhile() -> None:
    """Import nbconvert's exporter on a thread while the kernel works: this process mostly
    waits for the kernel then, so on two cores the import costs no time of its own."""
    import sys
    import threading

    if "nbconvert" not in sys.modules:
        threading.Thread(target=lambda: __import__("nbconvert.exporters.html"), daemon=True,
                         name="fivestar-import").start()


def _read_result(path: Path) -> dict[str, Any]:
    """What the notebook's first cell left for this process (see ``notebook.prepare``)."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - written by our own kernel into our work folder
    except (OSError, EOFError, pickle.UnpicklingError):
        return {}


def _refused(result: dict[str, Any]) -> None:
    """Raise the data problems or the error the first cell reported, as a load would have."""
    if "invalid" in result:
        problems, warnings = result["invalid"]
        raise PackageInvalid(problems, warnings)
    if "error" in result:
        raise FivestarError(result["error"])


def headline_figures(county, year: int) -> dict[str, Any]:
    """The few numbers an index of many reports shows for a county."""
    from fivestar_analysis.render.notebook import headline_figures as figures

    return figures(county, year)
