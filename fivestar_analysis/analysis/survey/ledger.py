"""Linking the survey to the branch ledger: satisfaction against collective income.

Respondents are nested in branches, so an association with a branch attribute is measured
across branches, not across respondents: each branch's respondents are first averaged
(weighted when the survey is weighted), then branch means are correlated with the
branch's collective income (Spearman, robust to the income's skew).
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from fivestar_analysis.analysis.stats import spearman_ci
from fivestar_analysis.analysis.survey._frame import respondent_frame
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.scoring import score_respondents
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.model.county import County

__all__ = ["branch_means", "income_satisfaction"]


def branch_means(county: County, measure: str = "index",
                 config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """Mean satisfaction of each branch's respondents, beside its ledger income.

    Returns
    -------
    pandas.DataFrame
        ``branch_id, dimension, n (respondents), estimate, collective_income_wan,
        level, suppressed``. Branch means of fewer than k respondents are suppressed.
    """
    cfg = load_survey_config(config)
    scores = score_respondents(county, "satisfaction", cfg).dropna(subset=[measure, "weight"])
    scores = scores[scores["weight"] > 0]
    scores = scores.assign(wx=scores[measure] * scores["weight"])
    g = scores.groupby(["branch_id", "dimension"], sort=True)
    out = pd.DataFrame({"n": g.size(), "estimate": g["wx"].sum() / g["weight"].sum()})
    out = out.reset_index()
    b = respondent_frame(county)[["branch_id", "collective_income_wan", "level"]]
    out = out.merge(b.drop_duplicates("branch_id"), on="branch_id", how="left")
    return suppress_small(out, cfg.k)


def income_satisfaction(
    county: County,
    measure: str = "index",
    config: SurveyConfig | dict | None = None,
) -> pd.DataFrame:
    """Branch-level Spearman association between collective income and satisfaction.

    Parameters
    ----------
    county
        A county with a survey and a ledger for the report year.
    measure
        ``index`` or ``score`` of each dimension (and the composite).
    config
        Survey settings; ``ledger.min_respondents_per_branch`` sets which branches enter.

    Returns
    -------
    pandas.DataFrame
        ``dimension, unit ("branch"), n (respondents in the branches used), n_branches,
        statistic (Spearman rho), ci_low, ci_high, p_value, method, suppressed``.
        Branches without an income or with too few respondents are left out.
    """
    cfg = load_survey_config(config)
    scores = score_respondents(county, "satisfaction", cfg).dropna(subset=[measure, "weight"])
    scores = scores[scores["weight"] > 0]
    scores = scores.assign(wx=scores[measure] * scores["weight"])
    g = scores.groupby(["dimension", "branch_id"], sort=True)
    means = pd.DataFrame({"n": g.size(), "mean": g["wx"].sum() / g["weight"].sum()}).reset_index()
    income = respondent_frame(county)[["branch_id", "collective_income_wan"]].drop_duplicates(
        "branch_id")
    means = means.merge(income, on="branch_id", how="left")
    means = means[(means["n"] >= cfg.min_respondents_per_branch)
                  & means["collective_income_wan"].notna()]
    rows = []
    for dim in scores["dimension"].drop_duplicates():
        m = means[means["dimension"] == dim]
        nb = len(m)
        rho = p = math.nan
        if nb >= 3 and m["mean"].nunique() > 1 and m["collective_income_wan"].nunique() > 1:
            res = stats.spearmanr(m["collective_income_wan"], m["mean"])
            rho, p = float(res.statistic), float(res.pvalue)
        lo, hi = spearman_ci(rho, nb, cfg.confidence)
        rows.append({"dimension": dim, "unit": "branch", "n": int(m["n"].sum()),
                     "n_branches": nb, "statistic": rho, "ci_low": lo, "ci_high": hi,
                     "p_value": p,
                     "method": "Spearman rho over branch means (respondents averaged per "
                               "branch first); Fisher-z CI, Bonett-Wright SE"})
    cols = ["dimension", "unit", "n", "n_branches", "statistic", "ci_low", "ci_high",
            "p_value", "method"]
    return suppress_small(pd.DataFrame(rows, columns=cols), cfg.k)
