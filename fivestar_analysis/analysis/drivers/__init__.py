"""Driver analysis (原因分析 · 影响因素): what goes with stars, and what moves satisfaction.

:func:`analyse_drivers` runs the branch models (:mod:`.branch`) and the survey key drivers
(:mod:`.survey`) for one year and returns a frozen :class:`DriverResults` of tidy tables;
:meth:`DriverResults.to_json` gives the shape ``fivestar drivers --json`` prints.
Every result is an association, not proof of cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fivestar_analysis.analysis.drivers.branch import branch_models
from fivestar_analysis.analysis.drivers.survey import key_drivers, relative_weights
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding

__all__ = ["DriverResults", "analyse_drivers", "branch_models", "key_drivers",
           "relative_weights", "driver_findings"]


@dataclass(frozen=True)
class DriverResults:
    """Branch models and survey key drivers of one county and year.

    Attributes
    ----------
    coefficients, fits, excluded
        :func:`branch_models` tables (odds ratios; one row per model; factors left out).
    survey
        :func:`key_drivers` table (None without a survey).
    survey_info
        Outcome, n, branches, R², bootstrap replicates and seed of the key drivers.
    findings
        Strong positive factors of the level model (kind ``driver``), for the
        recommendation rules.
    """

    year: int
    coefficients: pd.DataFrame
    fits: pd.DataFrame
    excluded: pd.DataFrame
    survey: pd.DataFrame | None = None
    survey_info: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"driver_coefficients": self.coefficients, "driver_models": self.fits,
               "driver_excluded": self.excluded}
        if self.survey is not None:
            out["driver_survey"] = self.survey
        return out

    def to_json(self) -> dict[str, Any]:
        """``{"year", "branch": [...], "survey": [...], "models": [...], "excluded": [...]}``."""
        def num(v: Any) -> float | None:
            return None if v is None or pd.isna(v) else float(v)

        branch = [{"outcome": r.outcome, "kind": r.kind, "factor": r.factor, "unit": r.per,
                   "odds_ratio": num(r.odds_ratio), "ci_low": num(r.ci_low),
                   "ci_high": num(r.ci_high), "p_value": num(r.p_value), "n": int(r.n)}
                  for r in self.coefficients.itertuples()]
        models = [{"outcome": r.outcome, "kind": r.kind, "model": r.model, "n": int(r.n),
                   "pseudo_r2": num(r.pseudo_r2), "se_method": r.se_method,
                   "status": r.status, "note": r.note} for r in self.fits.itertuples()]
        excluded = [{"outcome": r.outcome, "factor": r.factor, "reason": r.reason}
                    for r in self.excluded.itertuples()]
        survey = [] if self.survey is None else [
            {"dimension": r.dimension, "importance": num(r.importance), "ci_low": num(r.ci_low),
             "ci_high": num(r.ci_high), "rank": int(r.rank)} for r in self.survey.itertuples()]
        info = {k: (num(v) if isinstance(v, float) else v) for k, v in self.survey_info.items()}
        return {"year": self.year, "branch": branch, "survey": survey, "models": models,
                "excluded": excluded, "survey_info": info}


def driver_findings(coefficients: pd.DataFrame, year: int, alpha: float = 0.05
                    ) -> list[Finding]:
    """One ``driver`` finding per factor of the level model that goes with more stars
    (odds ratio above 1, p below ``alpha``); ``high`` when the whole interval lies above
    1.5. Recommendation rules match on ``subject`` (the factor)."""
    rows = coefficients[(coefficients["outcome"] == "level") & (coefficients["p_value"] < alpha)
                        & (coefficients["odds_ratio"] > 1)]
    out = []
    for r in rows.itertuples():
        out.append(Finding(
            kind="driver", scope="county", subject=str(r.factor),
            severity="high" if r.ci_low > 1.5 else "medium",
            evidence={"odds_ratio": float(r.odds_ratio), "ci_low": float(r.ci_low),
                      "ci_high": float(r.ci_high), "unit": str(r.per), "n": int(r.n),
                      "outcome": "level"},
            statistic=float(r.odds_ratio), p_value=float(r.p_value),
            test="ordinal logistic regression, cluster-robust by township", year=year))
    return out


def analyse_drivers(county: County, year: int | None = None, *, config: Any = None,
                    bootstrap: int | None = None) -> DriverResults:
    """Branch models and survey key drivers for ``year`` (default: the report year).

    The survey part needs a survey of the report year; for another year it is left out.
    """
    year = int(year or county.year)
    coefs, fits, excluded = branch_models(county, year)
    survey, info = None, {}
    if county.survey is not None and county.codebook is not None and year == county.year:
        survey, info = key_drivers(county, config, bootstrap=bootstrap)
    return DriverResults(year=year, coefficients=coefs, fits=fits, excluded=excluded,
                         survey=survey, survey_info=info,
                         findings=driver_findings(coefs, year))

