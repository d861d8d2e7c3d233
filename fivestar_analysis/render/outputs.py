"""The formats a report can be written in, and the outputs that are not the notebook itself:
the workbook and the Word document (written by the notebook to temporary paths it is given)
and the PDF (the exported page printed with headless Chromium)."""

from __future__ import annotations

from pathlib import Path

from fivestar_analysis.errors import FivestarError

__all__ = ["FORMATS", "NOTEBOOK_OUTPUTS", "check_formats", "side_paths", "side_params",
           "pdf_bytes"]

FORMATS = ("html", "ipynb", "xlsx", "docx", "pdf")
#: outputs the notebook writes itself, each to a temporary path given as ``<format>_path``
NOTEBOOK_OUTPUTS = ("xlsx", "docx")


def check_formats(formats: tuple[str, ...]) -> None:
    """Refuse an unknown format, and a PDF on a machine without Chromium, before any work."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise FivestarError(f"unknown format(s) {sorted(unknown)}; choose from {FORMATS}")
    if "pdf" in formats:
        from fivestar_analysis.render.pdf import find_browser

        find_browser()  # BrowserMissing names what to install


def side_paths(work: Path, stem: str, formats: tuple[str, ...]) -> dict[str, Path]:
    return {fmt: work / f"{stem}.{fmt}" for fmt in NOTEBOOK_OUTPUTS if fmt in formats}


def side_params(side: dict[str, Path]) -> dict[str, str | None]:
    return {f"{fmt}_path": str(side[fmt]) if fmt in side else None for fmt in NOTEBOOK_OUTPUTS}


def pdf_bytes(html: bytes, base: Path) -> bytes:
    """The page printed to PDF in the work folder (Chromium needs files)."""
    from fivestar_analysis.render.pdf import print_pdf

    page = base.with_suffix(".html")
    page.write_bytes(html)
    return print_pdf(page, base.with_suffix(".pdf")).read_bytes()
