"""What the report notebook calls: one function per cell, so the notebook stays thin.

>>> rep = prepare("data/demo")          # doctest: +SKIP
>>> show("basic", rep)                  # doctest: +SKIP
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fivestar_analysis.describe.county import CountyReport

__all__ = ["prepare", "show", "section_html", "resolve_data_dir", "write_workbook",
           "write_document", "SECTIONS",
           "headline_figures"]


@lru_cache(maxsize=1)
def _sections() -> dict[str, Any]:
    from fivestar_analysis.present import sections

    return {
        "title": sections.title_html,
        "basic": sections.basic_html,
        "achievements": sections.achievements_html,
        "problems": sections.problems_html,
        "causes": sections.causes_html,
        "measures": sections.measures_html,
        "appendix": sections.appendix_html,
    }


def __getattr__(name: str) -> Any:
    # ``SECTIONS`` is imported on first use, so that a cold kernel can start loading the
    # county before the analysis and presentation modules are imported
    if name == "SECTIONS":
        return _sections()
    raise AttributeError(name)


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """The package folder to report on; None means the demo county, written once to the
    user's cache folder (never into the installed package or the current folder)."""
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    demo = demo_cache() / "demo"
    if not (demo / "county.yaml").exists():
        from fivestar_analysis.tools.demo import write_demo_package

        write_demo_package(demo)
    return demo


def demo_cache() -> Path:
    """``$FIVESTAR_CACHE``, else ``$XDG_CACHE_HOME/fivestar-analysis`` (``~/.cache/…``)."""
    import os

    if os.environ.get("FIVESTAR_CACHE"):
        return Path(os.environ["FIVESTAR_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fivestar-analysis"


def prepare(data_dir: str | Path | None = None, *, year: int | None = None, language: str = "zh",
            rules_path: str | None = None, fingerprint: str | None = None,
            generated: str | None = None, result_path: str | None = None) -> CountyReport:
    """Load, validate and describe a county: everything the report shows, computed once.

    With ``result_path`` (set by ``fivestar report``) the outcome is also written there for
    the process that started the kernel: the data problems or the error when the package is
    refused (then re-raised), else the report's code, year, language, title and headline
    figures.
    """
    from fivestar_analysis.errors import FivestarError, PackageInvalid
    from fivestar_analysis.load.loader import load_county
    from fivestar_analysis.render.fork import in_fork

    _discard_sections()
    path = resolve_data_dir(data_dir)
    # in a fresh kernel a worker loads the county while this process imports the rest
    cold = "fivestar_analysis.describe.county" not in sys.modules
    pending = in_fork(load_county, path) if cold else (lambda: load_county(path))
    try:
        from fivestar_analysis.describe.county import describe_county
        from fivestar_analysis.present import sections

        county = pending()
        year = year or county.meta.year
        if year not in county.years:
            raise FivestarError(f"year {year} is not in the ledger ({county.years})")
        rep = describe_county(county, year=year, language=language, rules_path=rules_path,
                              fingerprint=fingerprint, generated=generated, submit=in_fork)
    except PackageInvalid as exc:
        _tell(result_path, {"invalid": (exc.problems, exc.warnings)})
        raise
    except FivestarError as exc:
        _tell(result_path, {"error": str(exc)})
        raise
    _tell(result_path, {"code": county.meta.code, "year": int(year), "language": language,
                        "title": sections.report_title_for(county.meta.name, year, language),
                        "headline": headline_figures(county, year)})
    _start_sections(rep)
    return rep


#: sections drawn in a forked worker while the kernel draws the others: about half of the
#: charts' time each on the demo county (``render.fork``; only where forking is enabled)
FORKED_SECTIONS = ("achievements", "problems", "appendix")
_READY: dict[str, Any] = {}


def _sections_in_child(rep: CountyReport, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = _sections()[name](rep)
        except Exception:  # noqa: BLE001 - drawn again by its own cell, which shows the error
            pass
    return out


def _start_sections(rep: CountyReport) -> None:
    """With forking enabled, draw :data:`FORKED_SECTIONS` in a worker and the other
    sections here, before the cells show them; the HTML is the same either way."""
    from fivestar_analysis.render.fork import Forked, fork_enabled

    if not fork_enabled():
        return
    try:
        job = Forked(_sections_in_child, rep, FORKED_SECTIONS)
    except OSError:
        return
    html = {}
    for name in _sections():
        if name not in FORKED_SECTIONS:
            try:
                html[name] = _sections()[name](rep)
            except Exception:  # noqa: BLE001 - its own cell draws it again and fails there
                pass
    _READY.update(rep=rep, html=html, job=job)


def _discard_sections() -> None:
    job = _READY.pop("job", None)
    if job is not None:
        job.cancel()
    _READY.clear()


def _tell(path: str | None, result: dict[str, Any]) -> None:
    if path:
        import pickle

        with open(path, "wb") as fh:
            pickle.dump(result, fh)


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


def section_html(name: str, rep: CountyReport) -> str:
    """One section's HTML (drawn ahead by :func:`prepare` when a worker was used)."""
    if _READY.get("rep") is rep:
        html = _READY["html"]
        if name not in html and name in FORKED_SECTIONS and "job" in _READY:
            html.update(_READY.pop("job").result())
        if name in html:
            return html.pop(name)
    return _sections()[name](rep)


def show(name: str, rep: CountyReport) -> Any:
    """Display one section in the notebook (an HTML output that nbconvert keeps)."""
    from IPython.display import HTML, display

    return display(HTML(section_html(name, rep)))


def write_workbook(rep: CountyReport, path: str | Path | None) -> Path | None:
    """Every report table in one .xlsx workbook, one sheet per table, labelled headers
    (:func:`fivestar_analysis.present.workbook.write_tables_xlsx`)."""
    if not path:
        return None
    from fivestar_analysis.present.workbook import write_tables_xlsx

    return write_tables_xlsx(rep.tables(), path, language=rep.language, rubric=rep.county.rubric)


def write_document(rep: CountyReport, path: str | Path | None) -> Path | None:
    """The report as an editable Word document
    (:func:`fivestar_analysis.present.docx.write_report_docx`)."""
    if not path:
        return None
    from fivestar_analysis.present.docx import write_report_docx

    return write_report_docx(rep, path, language=rep.language)
