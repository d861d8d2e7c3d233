"""Rendering the report: execute the parameterized notebook, export one self-contained HTML.

papermill executes the packaged ``county_report.ipynb`` with the county's parameters; nbconvert
turns the executed notebook into HTML without code (the ``basic`` template, which loads
nothing from the network); the page is wrapped in the project's own template with inline
CSS and a table of contents. Every output is written to a temporary file in the output
folder and moved into place only when complete. A failing cell leaves the executed
notebook (``*.failed.ipynb``) for inspection and no HTML.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import hashlib
import html
import json
import os
import re
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat

from fivestar_analysis._version import __version__
from fivestar_analysis.errors import FivestarError, OutputNotWritable

__all__ = ["render_report", "run_notebook", "RenderResult", "ReportFailed", "report_notebook",
           "fingerprint", "export_html", "atomic_write_bytes", "up_to_date", "headline_figures",
           "remove_stale_work", "prepare_out_dir"]

FORMATS = ("html", "ipynb", "xlsx")


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


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The temporary file's name carries this process's id, so a run killed mid-write leaves
    a file :func:`remove_stale_work` recognises and removes later.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", suffix=".tmp",
                               dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- work folders: where a run keeps its half-made outputs ----------------------------------

#: ``.<stem>.work-<pid>-<random>``: a run's work folder inside the output folder
_WORK_FOLDER = re.compile(r"^\..+\.work-(?P<pid>\d+)-[^/]+$")
#: ``.<name>.tmp-<pid>-<random>.tmp``: a file being written by :func:`atomic_write_bytes`
_TMP_FILE = re.compile(r"^\..+\.tmp-(?P<pid>\d+)-[^/]+\.tmp$")
_OWNER = "owner.json"
#: a half-written file older than this, of a process not running here, is left over
_TMP_GRACE_SECONDS = 600


def _started(pid: int) -> float | None:
    """When process ``pid`` started (None if it is not running)."""
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _running(pid: int, started: float | None = None) -> bool:
    """Whether ``pid`` is a live process on this machine (the same one, if ``started``)."""
    now = _started(pid)
    if now is None:
        return False
    import psutil

    try:
        if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return False
    except psutil.Error:
        return False
    return started is None or abs(now - started) < 1.0


def _new_work_folder(out_dir: Path, stem: str) -> Path:
    """A fresh work folder in ``out_dir``, labelled with the machine and process that own it.

    A folder the user cannot write to is reported by its own name, not the work folder's.
    """
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{stem}.work-{os.getpid()}-", dir=out_dir))
        owner = {"host": socket.gethostname(), "pid": os.getpid(),
                 "started": _started(os.getpid())}
        (work / _OWNER).write_text(json.dumps(owner), encoding="utf-8")
    except OSError as exc:
        raise OutputNotWritable(out_dir, exc.strerror or str(exc)) from None
    return work


def remove_stale_work(out_dir: Path) -> list[Path]:
    """Remove what runs into ``out_dir`` that were killed left behind; returns what went.

    A work folder is stale when the process named in it is no longer running on this
    machine (folders of other machines sharing the folder are left alone); a half-written
    temporary file when its process is not running here and it is ten minutes old.
    Finished outputs are never touched.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(out_dir).glob(".*"))
    except OSError:
        return removed
    host = socket.gethostname()
    for p in entries:
        try:
            folder, tmp = _WORK_FOLDER.match(p.name), _TMP_FILE.match(p.name)
            if folder and p.is_dir():
                try:
                    owner = json.loads((p / _OWNER).read_text(encoding="utf-8"))
                except (OSError, ValueError):  # killed before it was labelled
                    owner = {"host": host, "pid": int(folder["pid"]), "started": None}
                    if time.time() - p.stat().st_mtime < _TMP_GRACE_SECONDS:
                        continue
                if owner.get("host") != host or _running(int(owner["pid"]), owner.get("started")):
                    continue
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
            elif tmp and p.is_file():
                if (_running(int(tmp["pid"]))
                        or time.time() - p.stat().st_mtime < _TMP_GRACE_SECONDS):
                    continue
                p.unlink(missing_ok=True)
                removed.append(p)
        except OSError:
            continue
    return removed


def fingerprint(files: dict[str, str], parameters: dict[str, Any]) -> str:
    """A short hash of the input files' hashes, the parameters and the tool version."""
    payload = json.dumps({"files": files, "parameters": parameters, "version": __version__},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


# -- HTML -------------------------------------------------------------------------------

_HEADING = re.compile(r"<h([23])(?P<attrs>[^>]*)>(?P<body>.*?)</h\1>", re.S)
_ID = re.compile(r'id="([^"]+)"')
_TAGS = re.compile(r"<[^>]+>")


def _table_of_contents(body: str) -> tuple[str, list[dict[str, Any]]]:
    """Give every h2/h3 an id and list them for the table of contents."""
    entries: list[dict[str, Any]] = []
    counter = 0

    def visit(m: re.Match) -> str:
        nonlocal counter
        level, attrs, inner = int(m.group(1)), m.group("attrs"), m.group("body")
        text = html.unescape(_TAGS.sub("", inner)).replace("¶", "").strip()
        found = _ID.search(attrs)
        if found:  # an attribute value: decode it, the page template escapes it again
            anchor = html.unescape(found.group(1))
        else:
            counter += 1
            anchor = f"sec-{counter}"
            attrs = f'{attrs} id="{anchor}"'
        entries.append({"level": level, "text": text, "anchor": anchor})
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING.sub(visit, body), entries


def _strip_for_export(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what a reader should not see: warnings on stderr, parameter cells."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"parameters", "injected-parameters", "remove_cell"}:
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        cells.append(cell)
    nb.cells = cells
    return nb


def export_html(nb: nbformat.NotebookNode, title: str, language: str = "zh") -> str:
    """Code-free, self-contained HTML of an executed notebook, with a Content-Security-Policy
    that lets the page run no script and load nothing from the network."""
    from nbconvert import HTMLExporter

    from fivestar_analysis.present.escape import CSP_META, html_env

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    body, _ = exporter.from_notebook_node(_strip_for_export(nb))
    body, toc = _table_of_contents(body)
    folder = resources.files("fivestar_analysis") / "resources" / "report"
    # the body is HTML the project built (every data value escaped where it went in);
    # the title and the table of contents are text, escaped by the template
    env = html_env(trim_blocks=True, lstrip_blocks=True)
    page = env.from_string((folder / "page.html.j2").read_text(encoding="utf-8"))
    css = (folder / "report.css").read_text(encoding="utf-8")
    return page.render(title=title, body=body, toc=toc, css=css, csp_meta=CSP_META,
                       language="en" if language == "en" else "zh-CN",
                       toc_title="Contents" if language == "en" else "目录")


# -- the whole job ----------------------------------------------------------------------

def _stem(code: str, year: int, language: str) -> str:
    return f"{code}-{year}" + ("-en" if language == "en" else "")


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
) -> RenderResult:
    """Execute ``notebook`` with papermill and write ``stem.{html,ipynb,xlsx}`` atomically.

    The notebook receives ``parameters`` plus ``fingerprint``, ``generated`` and (when
    ``xlsx`` is asked for) ``xlsx_path``, a temporary path it must write its workbook to.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    start = time.perf_counter() if start is None else start
    targets = {fmt: out_dir / f"{stem}.{fmt}" for fmt in formats}
    remove_stale_work(out_dir)
    work = _new_work_folder(out_dir, stem)
    # the kernel's connection file lives in the work folder too, so a killed run leaves
    # nothing in the system's temporary folder
    config = Config({"KernelManager": {"connection_file": str(work / "kernel.json")}})
    written: dict[str, Path] = {}
    try:
        executed = work / f"{stem}.ipynb"
        xlsx_tmp = work / f"{stem}.xlsx" if "xlsx" in formats else None
        params = dict(parameters, fingerprint=fp, xlsx_path=str(xlsx_tmp) if xlsx_tmp else None,
                      generated=_dt.date.today().isoformat())
        kernel_log = work / "kernel.log"
        try:
            with _kernel_stderr(kernel_log):
                pm.execute_notebook(
                    str(notebook), str(executed), parameters=params, kernel_name=kernel_name,
                    progress_bar=False, log_output=False, cwd=str(notebook.parent),
                    execution_timeout=timeout, request_save_on_cell_execute=False,
                    config=config,
                )
        except PapermillExecutionError as exc:
            kept = out_dir / f"{stem}.failed.ipynb"
            if executed.exists():
                shutil.copyfile(executed, kept)
            if kernel_log.exists() and kernel_log.stat().st_size:
                shutil.copyfile(kernel_log, out_dir / f"{stem}.kernel.log")
            raise ReportFailed(exc.cell_index, exc.ename, exc.evalue,
                               kept if kept.exists() else None, exc.source or "") from None
        nb = nbformat.read(executed, as_version=4)
        # build everything first, then move into place: no half-written set of outputs
        payloads: dict[str, bytes] = {}
        if "html" in formats:
            payloads["html"] = export_html(nb, title, language).encode("utf-8")
        if "ipynb" in formats:
            payloads["ipynb"] = executed.read_bytes()
        if "xlsx" in formats:
            if xlsx_tmp is None or not xlsx_tmp.exists():
                raise ReportFailed(None, "MissingOutput", "the notebook wrote no workbook", None)
            payloads["xlsx"] = xlsx_tmp.read_bytes()
        for fmt, data in payloads.items():
            written[fmt] = atomic_write_bytes(targets[fmt], data)
        atomic_write_bytes(out_dir / f".{stem}.fingerprint", fp.encode("utf-8"))
        (out_dir / f"{stem}.failed.ipynb").unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RenderResult(written.get("html"), written.get("ipynb"), written.get("xlsx"),
                        time.perf_counter() - start, fp, outputs=written)


@contextlib.contextmanager
def _kernel_stderr(log: Path):
    """Send the kernel process's own chatter (its start-up and shutdown logging) to ``log``.

    Only when ``FIVESTAR_QUIET_KERNEL=1`` (the command line sets it): the kernel inherits
    file descriptor 2, so it is redirected for the run; a library caller's stderr is left
    alone.
    """
    if os.environ.get("FIVESTAR_QUIET_KERNEL") != "1":
        yield
        return
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    with open(log, "ab") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def prepare_out_dir(out_dir: str | Path) -> Path:
    """The output folder, resolved and created, with what killed runs left there removed.

    Raises :class:`~fivestar_analysis.errors.OutputNotWritable` naming the folder when it
    cannot be created or written to.
    """
    out = Path(out_dir).expanduser().resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritable(out, exc.strerror or str(exc)) from None
    if not out.is_dir():
        raise OutputNotWritable(out, "not a folder")
    remove_stale_work(out)
    return out


def up_to_date(out_dir: Path, stem: str, formats: tuple[str, ...], fp: str) -> bool:
    """True when every requested output exists and was made from the same fingerprint."""
    stamp = out_dir / f".{stem}.fingerprint"
    return (all((out_dir / f"{stem}.{fmt}").exists() for fmt in formats) and stamp.exists()
            and stamp.read_text(encoding="utf-8").strip() == fp)


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
) -> RenderResult:
    """Validate a package, execute the report notebook and write the requested outputs.

    Raises :class:`~fivestar_analysis.errors.PackageInvalid` for bad data (before any
    notebook runs) and :class:`ReportFailed` when a cell fails. With ``force=False`` a
    report whose inputs, parameters and tool version are unchanged is not rendered again.
    """
    from fivestar_analysis.load.loader import load_county
    from fivestar_analysis.present.sections import report_title_for

    start = time.perf_counter()
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise FivestarError(f"unknown format(s) {sorted(unknown)}; choose from {FORMATS}")
    data_dir = Path(data_dir).resolve()
    county = load_county(data_dir)
    language = language or county.meta.language
    year = year or county.meta.year
    if year not in county.years:
        raise FivestarError(f"year {year} is not in the ledger ({county.years})")
    out_dir = prepare_out_dir(out_dir)
    stem = _stem(county.meta.code, year, language)
    params = {"data_dir": str(data_dir), "year": int(year), "language": language,
              "rules_path": str(Path(rules_path).resolve()) if rules_path else None}
    files = dict(county.meta.files)
    if rules_path:
        from fivestar_analysis.describe.recommend import load_rules

        load_rules(rules_path)  # a broken rules file is refused before anything runs
        files["rules"] = hashlib.sha256(Path(rules_path).read_bytes()).hexdigest()
    fp = fingerprint(files, params)
    headline = headline_figures(county, year)
    if not force and up_to_date(out_dir, stem, formats, fp):
        targets = {fmt: out_dir / f"{stem}.{fmt}" for fmt in formats}
        return RenderResult(targets.get("html"), targets.get("ipynb"), targets.get("xlsx"),
                            time.perf_counter() - start, fp, skipped=True, outputs=targets,
                            headline=headline)
    result = run_notebook(report_notebook(), out_dir, stem, params,
                          title=report_title_for(county.meta.name, year, language),
                          language=language, formats=formats, fp=fp, timeout=timeout,
                          kernel_name=kernel_name, start=start)
    result.headline = headline
    return result


def headline_figures(county, year: int) -> dict[str, Any]:
    """The few numbers an index of many reports shows for a county."""
    from fivestar_analysis.analysis.stars import summary

    s = summary(county, year=year)
    b = county.branches_in(year)
    return {
        "name": county.meta.name, "code": county.meta.code, "year": int(year),
        "branches": int(len(b)), "townships": int(b["township"].nunique()),
        "share_3plus": s["all"]["share_3plus"],
        "five_star": int(s["all"]["levels"].get("5", 0)),
        "respondents": int(len(county.survey)) if county.survey is not None else 0,
        "warnings": len(county.warnings),
    }
