"""What the comparison notebook calls: one function per cell, so the notebook stays thin.

>>> cmp = prepare(["data/c001", "data/c002"])   # doctest: +SKIP
>>> show("ranking", cmp)                         # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fivestar_analysis.analysis.comparison import load_counties
from fivestar_analysis.describe.comparison import CountyComparison, describe_comparison
from fivestar_analysis.present import comparison_sections as sections

__all__ = ["prepare", "show", "section_html", "resolve_data_dirs", "write_workbook",
           "write_document", "SECTIONS"]

SECTIONS = {
    "title": sections.title_html,
    "ranking": sections.ranking_html,
    "stars": sections.stars_html,
    "income": sections.income_html,
    "survey": sections.survey_html,
    "lagging": sections.lagging_html,
    "appendix": sections.appendix_html,
}


def resolve_data_dirs(data_dirs: list[str] | None, n_demo: int = 4) -> list[Path]:
    """The package folders to compare; None writes ``n_demo`` demo counties to a
    temporary folder (:func:`fivestar_analysis.tools.province.write_demo_province`)."""
    if data_dirs:
        return [Path(d).expanduser().resolve() for d in data_dirs]
    from fivestar_analysis.tools.province import write_demo_province

    root = Path(tempfile.mkdtemp(prefix="fivestar-compare-demo-"))
    return write_demo_province(root, n_demo, seed=2024, scale=0.25)


def prepare(data_dirs: list[str] | None = None, *, year: int | None = None,
            language: str = "zh", fingerprint: str | None = None,
            generated: str | None = None) -> CountyComparison:
    """Load every package (the invalid ones are kept as failures) and compute the comparison."""
    counties, failures = load_counties(resolve_data_dirs(data_dirs), language=language)
    return describe_comparison(counties, failures, year=year, language=language,
                               fingerprint=fingerprint, generated=generated)


def section_html(name: str, cmp: CountyComparison) -> str:
    return SECTIONS[name](cmp)


def show(name: str, cmp: CountyComparison) -> Any:
    """Display one section in the notebook (an HTML output that nbconvert keeps)."""
    from IPython.display import HTML, display

    return display(HTML(section_html(name, cmp)))


def write_workbook(cmp: CountyComparison, path: str | Path | None) -> Path | None:
    """Every comparison table in one .xlsx workbook (the same writer as the county report)."""
    if not path:
        return None
    from fivestar_analysis.present.workbook import write_tables_xlsx

    return write_tables_xlsx(cmp.tables(), path, language=cmp.language, rubric=cmp.rubric)


def write_document(cmp: CountyComparison, path: str | Path | None) -> Path | None:
    """The comparison as an editable Word document
    (:func:`fivestar_analysis.present.docx.write_comparison_docx`)."""
    if not path:
        return None
    from fivestar_analysis.present.docx import write_comparison_docx

    return write_comparison_docx(cmp, path, language=cmp.language)
