"""Importance–performance analysis (IPA): where satisfaction falls short of importance.

Each dimension is placed by its mean importance and mean satisfaction (both on the item
scale, weighted when the survey is weighted). Lines through the crosshair split the plane
into four quadrants, named in ``resources/survey/config.yaml``:

==================  ============  ============
quadrant            importance    satisfaction
==================  ============  ============
concentrate_here    high          low
keep_up             high          high
low_priority        low           low
possible_overkill   low           high
==================  ============  ============

A value exactly on a line counts as high.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stats import weighted_mean_ci
from fivestar_analysis.analysis.survey._frame import codebook
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.scoring import COMPOSITE, score_respondents
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.model.county import GROUPS, County

__all__ = ["importance_performance", "IPA_COLUMNS"]

IPA_COLUMNS = ["group", "dimension", "n_importance", "importance", "n_satisfaction",
               "satisfaction", "gap", "importance_cut", "satisfaction_cut", "quadrant",
               "quadrant_label", "suppressed"]


def _means(scores: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    rows = []
    for dim in dims:
        g = scores[scores["dimension"] == dim]
        r = weighted_mean_ci(g["score"].to_numpy(dtype="float64", na_value=np.nan),
                             g["weight"].to_numpy(dtype="float64", na_value=np.nan))
        rows.append({"dimension": dim, "n": r["n"], "mean": r["estimate"]})
    return pd.DataFrame(rows, columns=["dimension", "n", "mean"]).set_index("dimension")


def _cuts(panel: pd.DataFrame, crosshair: object, scale_mid: float) -> tuple[float, float]:
    if isinstance(crosshair, Mapping):
        return float(crosshair["importance"]), float(crosshair["satisfaction"])
    if crosshair == "scale_midpoint":
        return scale_mid, scale_mid
    usable = panel[~panel["suppressed"]]
    return float(usable["importance"].mean()), float(usable["satisfaction"].mean())


def importance_performance(
    county: County,
    by_group: bool = True,
    config: SurveyConfig | dict | None = None,
    *,
    crosshair: str | Mapping[str, float] | None = None,
    language: str | None = None,
) -> pd.DataFrame:
    """Mean importance against mean satisfaction per dimension, with its IPA quadrant.

    Parameters
    ----------
    county
        A county with importance and satisfaction items for the same dimensions.
    by_group
        Add one panel per respondent group beside the county-wide panel (``group="all"``).
    config
        Survey settings or overrides (``ipa.crosshair``, ``ipa.quadrants``, ``privacy.k``).
    crosshair
        Overrides the setting: ``"grand_mean"`` (mean of the panel's dimension means:
        each panel has its own crosshair), ``"county_grand_mean"`` (every panel uses the
        county panel's crosshair), ``"scale_midpoint"`` or
        ``{"importance": x, "satisfaction": y}``.
    language
        Language of ``quadrant_label``; defaults to the county's report language.

    Returns
    -------
    pandas.DataFrame
        ``group, dimension, n_importance, importance, n_satisfaction, satisfaction, gap
        (importance - satisfaction), importance_cut, satisfaction_cut, quadrant,
        quadrant_label, suppressed``. A dimension is suppressed in a panel when fewer
        than k respondents rated its importance or its satisfaction; suppressed cells do
        not enter the grand means.
    """
    cfg = load_survey_config(config)
    cross = cfg.ipa_crosshair if crosshair is None else crosshair
    lang = language or county.meta.language
    cb = codebook(county)
    imp_dims = set(cb.loc[cb["role"] == "importance", "dimension"])
    sat_dims = list(cb.loc[cb["role"] == "satisfaction", "dimension"].drop_duplicates())
    dims = [d for d in sat_dims if d in imp_dims and d != COMPOSITE]
    if not dims:
        return pd.DataFrame(columns=IPA_COLUMNS)
    likert = cb[cb["role"].isin(["importance", "satisfaction"]) & cb["dimension"].isin(dims)]
    scale_mid = float(((likert["scale_min"] + likert["scale_max"]) / 2).mean())
    used = ["group", "dimension", "score", "weight"]  # the panels' rows, these columns only
    imp = score_respondents(county, "importance", cfg)[used]
    sat = score_respondents(county, "satisfaction", cfg)[used]
    panels = [("all", imp, sat)]
    if by_group:
        panels += [(g, imp[imp["group"] == g], sat[sat["group"] == g]) for g in GROUPS]
    parts = []
    county_cuts = None
    for name, gi, gs in panels:
        mi, ms = _means(gi, dims), _means(gs, dims)
        panel = pd.DataFrame({
            "group": name, "dimension": dims,
            "n_importance": mi.loc[dims, "n"].to_numpy(),
            "importance": mi.loc[dims, "mean"].to_numpy(),
            "n_satisfaction": ms.loc[dims, "n"].to_numpy(),
            "satisfaction": ms.loc[dims, "mean"].to_numpy(),
        })
        panel = suppress_small(panel, cfg.k, count_columns=("n_importance", "n_satisfaction"))
        if cross == "county_grand_mean":
            ci, cs = county_cuts or _cuts(panel, "grand_mean", scale_mid)
            county_cuts = (ci, cs)
        else:
            ci, cs = _cuts(panel, cross, scale_mid)
        panel["gap"] = panel["importance"] - panel["satisfaction"]
        panel["importance_cut"] = ci
        panel["satisfaction_cut"] = cs
        keys = [
            cfg.quadrant_of(i >= ci, s >= cs) if np.isfinite(i) and np.isfinite(s) else None
            for i, s in zip(panel["importance"], panel["satisfaction"])
        ]
        panel["quadrant"] = keys
        panel["quadrant_label"] = [cfg.quadrant_label(k, lang) if k else None for k in keys]
        parts.append(panel)
    out = pd.concat(parts, ignore_index=True)
    return out[IPA_COLUMNS]
