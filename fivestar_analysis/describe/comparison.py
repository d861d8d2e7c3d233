"""The comparison bundle: every cross-county table computed once (compute, then present).

``describe_comparison`` runs each comparison function and keeps the results in a
:class:`CountyComparison`; the notebook, the charts and the sections only read it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from fivestar_analysis.analysis import comparison as tb
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding, findings_frame

__all__ = ["CountyComparison", "describe_comparison", "package_table"]


@dataclass
class CountyComparison:
    """Everything the comparison report shows."""

    counties: list[County]
    failures: pd.DataFrame
    year: int
    language: str
    generated: str
    fingerprint: str | None
    packages: pd.DataFrame
    ranking: pd.DataFrame
    star_matrix: pd.DataFrame
    income: pd.DataFrame
    survey_indices: pd.DataFrame
    tests: pd.DataFrame
    lagging: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    @property
    def rubric(self):
        """The first county's rubric (for star and tier display names)."""
        return self.counties[0].rubric

    @property
    def lagging_codes(self) -> set[str]:
        return set(self.lagging.loc[self.lagging["lagging"], "county_code"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, for the workbook export."""
        return {"cmp_packages": self.packages, "cmp_ranking": self.ranking,
                "cmp_star_matrix": self.star_matrix, "cmp_income": self.income,
                "cmp_survey_indices": self.survey_indices, "cmp_tests": self.tests,
                "cmp_lagging": self.lagging, "cmp_findings": findings_frame(self.findings),
                "cmp_failures": self.failures}


def package_table(counties: Sequence[County], year: int) -> pd.DataFrame:
    """One row per loaded package: ``county_code, county_name, province, city, year,
    n_branches, n_townships, n_respondents, n_warnings, path``."""
    rows = []
    for c in counties:
        y = tb._year_of(c, year)
        b = c.branches_in(y)
        rows.append({"county_code": c.meta.code, "county_name": c.meta.name,
                     "province": c.meta.province or "", "city": c.meta.city or "", "year": y,
                     "n_branches": len(b), "n_townships": int(b["township"].nunique()),
                     "n_respondents": 0 if c.survey is None else len(c.survey),
                     "n_warnings": len(c.warnings),
                     "path": str(c.meta.source) if c.meta.source else ""})
    return pd.DataFrame(rows)


def describe_comparison(counties: Sequence[County], failures: pd.DataFrame | None = None, *,
                        year: int | None = None, language: str = "zh",
                        fingerprint: str | None = None,
                        generated: str | None = None) -> CountyComparison:
    """Compute every table and finding of the comparison.

    Parameters
    ----------
    counties : sequence of County
        At least two loaded counties.
    failures : DataFrame, optional
        The failures of :func:`~fivestar_analysis.analysis.comparison.load_counties`, shown in the
        appendix.
    year : int, optional
        The comparison year (:func:`~fivestar_analysis.analysis.comparison.comparison_year`).
    language : {"zh", "en"}
    fingerprint, generated : str, optional
        Shown in the title block.
    """
    counties = list(counties)
    if len(counties) < 2:
        raise InvalidArgument(f"a comparison needs at least two counties, got {len(counties)}")
    y = tb.comparison_year(counties) if year is None else int(year)
    lag = tb.lagging_counties(counties, year=y)
    return CountyComparison(
        counties=counties,
        failures=failures if failures is not None else pd.DataFrame(columns=tb.FAILURE_COLUMNS),
        year=y, language=language,
        generated=generated or _dt.date.today().isoformat(), fingerprint=fingerprint,
        packages=package_table(counties, y),
        ranking=tb.county_ranking(counties, year=y),
        star_matrix=tb.county_star_matrix(counties, year=y),
        income=tb.county_income(counties, year=y),
        survey_indices=tb.county_survey_indices(counties),
        tests=tb.between_county_tests(counties, year=y),
        lagging=lag.table, findings=lag.findings,
    )
