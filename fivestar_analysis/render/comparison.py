"""Rendering the comparison: validate every package, execute the comparison notebook, export
one self-contained HTML page (``compare-<year>.html``), with the report's own machinery
(:func:`fivestar_analysis.render.report.run_notebook`)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fivestar_analysis.errors import FivestarError
from fivestar_analysis.render.report import (
    RenderResult,
    check_formats,
    fingerprint,
    prepare_out_dir,
    run_notebook,
    up_to_date,
)

__all__ = ["render_comparison", "ComparisonResult", "TooFewCounties", "comparison_notebook"]


class TooFewCounties(FivestarError):
    """Fewer than two packages passed validation; ``failures`` says why the others failed."""

    def __init__(self, n_valid: int, failures: list[dict[str, Any]]):
        self.n_valid, self.failures = n_valid, failures
        lines = "\n".join(f"  {f['path']}: {f['reason']}: {(f['message'] or '').splitlines()[:1]}"
                          for f in failures)
        super().__init__(f"a comparison needs at least two valid county packages, found {n_valid}"
                         + (f"; not loaded:\n{lines}" if lines else ""))


@dataclass
class ComparisonResult(RenderResult):
    """A :class:`RenderResult` with the counties compared and the packages left out."""

    year: int | None = None
    counties: list[dict[str, str]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)


def comparison_notebook() -> Path:
    """The comparison notebook, ``fivestar_analysis/render/notebooks/compare_counties.ipynb``."""
    from fivestar_analysis.render.report import packaged_notebook

    return packaged_notebook("compare_counties.ipynb")


def _folder_digests(path: str) -> dict[str, str]:
    """sha256 of each file directly in a folder that did not load (so a fix re-renders)."""
    p = Path(path)
    if not p.is_dir():
        return {"missing": path}
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(p.iterdir()) if f.is_file() and not f.name.startswith(".")}


def render_comparison(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str] = "reports",
    *,
    language: str | None = None,
    year: int | None = None,
    formats: tuple[str, ...] = ("html", "ipynb"),
    timeout: float | None = None,
    force: bool = True,
    kernel_name: str = "python3",
) -> ComparisonResult:
    """Compare several county packages in one report: ``<out_dir>/compare-<year>.html``.

    Every package is validated first; invalid ones are listed in the result and the report's
    appendix. Raises :class:`TooFewCounties` when fewer than two are valid (before any
    notebook runs) and :class:`~fivestar_analysis.render.report.ReportFailed` when a cell
    fails (no HTML is written then). ``language`` None takes the first valid county's.
    With ``force=False`` unchanged inputs are not rendered again.
    """
    from fivestar_analysis.analysis.comparison import comparison_year, load_counties
    from fivestar_analysis.present.comparison_sections import comparison_title

    start = time.perf_counter()
    check_formats(formats)
    folders = [str(Path(p).expanduser().resolve()) for p in paths]
    counties, failures = load_counties(folders, language=language or "zh")
    fail_list = failures.to_dict("records")
    if len(counties) < 2:
        raise TooFewCounties(len(counties), fail_list)
    language = language or counties[0].meta.language
    year = int(year) if year is not None else comparison_year(counties)
    out = prepare_out_dir(out_dir)
    stem = f"compare-{year}" + ("-en" if language == "en" else "")
    files: dict[str, str] = {}
    for c in counties:
        files.update({f"{c.meta.code}/{name}": digest for name, digest in c.meta.files.items()})
    for f in fail_list:
        files.update({f"{f['path']}/{n}": d for n, d in _folder_digests(f["path"]).items()})
    params = {"data_dirs": folders, "year": year, "language": language}
    fp = fingerprint(files, params)
    info = dict(year=year, failures=fail_list,
                counties=[{"code": c.meta.code, "name": c.meta.name} for c in counties])
    if not force and up_to_date(out, stem, formats, fp):
        targets = {fmt: out / f"{stem}.{fmt}" for fmt in formats}
        return ComparisonResult(targets.get("html"), targets.get("ipynb"), targets.get("xlsx"),
                                time.perf_counter() - start, fp, skipped=True, outputs=targets,
                                **info)
    res = run_notebook(comparison_notebook(), out, stem, params,
                       title=comparison_title([c.meta.name for c in counties], year, language),
                       language=language, formats=formats, fp=fp, timeout=timeout,
                       kernel_name=kernel_name, start=start)
    return ComparisonResult(res.html, res.ipynb, res.xlsx, res.seconds, res.fingerprint,
                            outputs=res.outputs, **info)
