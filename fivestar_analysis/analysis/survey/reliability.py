"""Internal consistency of each dimension's satisfaction items: Cronbach's alpha.

Alpha is computed from the item covariance matrix on complete cases (listwise deletion,
as R ``psych::alpha(use = "complete.obs")``), after reverse items are flipped. Its
confidence interval follows Feldt, Woodruff & Salih (1987): with n respondents and k items,
``(1 - alpha) / (1 - alpha_pop)`` follows an F(n - 1, (n - 1)(k - 1)) distribution.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from fivestar_analysis.analysis.survey._frame import codebook
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.scoring import clean_items
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.model.county import County

__all__ = ["cronbach_alpha", "reliability", "alpha_if_item_deleted"]


def cronbach_alpha(items: pd.DataFrame | np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """Cronbach's alpha of a respondents × items matrix, with Feldt's confidence interval.

    Parameters
    ----------
    items
        One column per item; rows with any missing value are dropped.
    confidence
        Confidence level of the interval.

    Returns
    -------
    dict
        ``n`` (complete respondents), ``k_items``, ``alpha``, ``ci_low``, ``ci_high``.
        ``alpha = k / (k - 1) · (1 - Σ var(item) / var(total))``, computed as
        ``k / (k - 1) · (1 - trace(C) / sum(C))`` from the covariance matrix C.

    Examples
    --------
    >>> r = cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3], [4, 5]]))
    >>> round(r["alpha"], 4)
    0.96
    """
    x = np.asarray(items, dtype="float64")
    x = x[np.isfinite(x).all(axis=1)]
    n, k = x.shape
    out = {"n": int(n), "k_items": int(k), "alpha": math.nan, "ci_low": math.nan,
           "ci_high": math.nan}
    if k < 2 or n < 2:
        return out
    cov = np.cov(x, rowvar=False, ddof=1)
    total = float(cov.sum())
    if total <= 0:
        return out
    alpha = k / (k - 1) * (1.0 - float(np.trace(cov)) / total)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - confidence) / 2.0
    out["alpha"] = alpha
    out["ci_low"] = float(1.0 - (1.0 - alpha) * stats.f.isf(tail, df1, df2))
    out["ci_high"] = float(1.0 - (1.0 - alpha) * stats.f.isf(1.0 - tail, df1, df2))
    return out


def _dimension_items(county: County, cfg: SurveyConfig) -> list[tuple[str, pd.DataFrame]]:
    cb = codebook(county)
    clean = clean_items(county, cfg)
    sat = cb[cb["role"] == "satisfaction"]
    return [(dim, clean[its["item"].tolist()]) for dim, its in sat.groupby("dimension", sort=False)
            if len(its) >= 2]


def reliability(county: County, config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """Cronbach's alpha per dimension (dimensions with two or more satisfaction items).

    Returns
    -------
    pandas.DataFrame
        ``dimension, k_items, n, alpha, ci_low, ci_high, mean_inter_item_r, method,
        suppressed``; ``n`` counts respondents who answered every item of the dimension.
    """
    cfg = load_survey_config(config)
    rows = []
    for dim, x in _dimension_items(county, cfg):
        r = cronbach_alpha(x, cfg.confidence)
        complete = x.dropna()
        corr = complete.corr().to_numpy() if len(complete) > 2 else np.full((2, 2), np.nan)
        off = corr[~np.eye(len(corr), dtype=bool)]
        rows.append({"dimension": dim, "k_items": r["k_items"], "n": r["n"], "alpha": r["alpha"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "mean_inter_item_r": float(np.nanmean(off)) if np.isfinite(off).any()
                     else math.nan,
                     "method": "Cronbach's alpha, Feldt CI, complete cases"})
    cols = ["dimension", "k_items", "n", "alpha", "ci_low", "ci_high", "mean_inter_item_r",
            "method"]
    return suppress_small(pd.DataFrame(rows, columns=cols), cfg.k)


def alpha_if_item_deleted(county: County,
                          config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """Alpha of each dimension with one item left out, and the corrected item-total r.

    Returns
    -------
    pandas.DataFrame
        ``dimension, item, n, alpha, alpha_if_deleted, item_total_r, suppressed``:
        ``alpha`` is the dimension's alpha with all items; ``item_total_r`` correlates the
        item with the sum of the other items. Computed on the dimension's complete cases;
        a dimension of two items has no alpha once one is deleted (NaN).
    """
    cfg = load_survey_config(config)
    rows = []
    for dim, x in _dimension_items(county, cfg):
        complete = x.dropna()
        full = cronbach_alpha(complete, cfg.confidence)["alpha"]
        for item in complete.columns:
            rest = complete.drop(columns=item)
            deleted = cronbach_alpha(rest, cfg.confidence)["alpha"] if rest.shape[1] >= 2 \
                else math.nan
            other = rest.sum(axis=1)
            r = (float(np.corrcoef(complete[item], other)[0, 1])
                 if len(complete) > 2 and complete[item].std() > 0 and other.std() > 0
                 else math.nan)
            rows.append({"dimension": dim, "item": item, "n": len(complete), "alpha": full,
                         "alpha_if_deleted": deleted, "item_total_r": r})
    cols = ["dimension", "item", "n", "alpha", "alpha_if_deleted", "item_total_r"]
    return suppress_small(pd.DataFrame(rows, columns=cols), cfg.k)
