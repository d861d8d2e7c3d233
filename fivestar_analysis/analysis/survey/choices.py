"""Frequencies of choice answers, multi-select "biggest problem" questions included.

For a multi-select item the share of an option is the share of respondents who answered
the item and chose that option, so shares add up to more than 1. Single-choice items are
tabulated the same way (their shares add up to 1). Don't-know answers are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.survey._frame import codebook, respondent_frame
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.design import (
    bind_design,
    county_design,
    with_design_columns,
)
from fivestar_analysis.analysis.survey.scoring import _is_dont_know_label, clean_items, parse_multi
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.model.county import GROUPS, County
from fivestar_analysis.model.survey_design import SurveyDesign

__all__ = ["choice_frequencies", "FREQUENCY_COLUMNS"]

FREQUENCY_COLUMNS = ["item", "dimension", "role", "group", "option", "option_label", "n",
                     "n_eff", "deff", "count", "share", "ci_low", "ci_high", "rank",
                     "suppressed"]


def _indicator_matrix(values: pd.Series, role: str, options: dict[int, str],
                      cfg: SurveyConfig) -> pd.DataFrame:
    """Respondents × options of 0/1 (NaN for respondents who did not answer validly)."""
    codes = [c for c, t in sorted(options.items()) if not _is_dont_know_label(t, cfg)]
    if role == "multi":
        # each distinct answer is parsed once; rows take their answer's result
        rows, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
        parsed = [parse_multi(u) for u in uniques]
        known = set(options)
        if not codes:  # no options in the codebook: take the codes that occur
            codes = sorted({c for p in parsed if isinstance(p, list) for c in p if c >= 0})
            known = set(codes)
        answered = np.array([bool(isinstance(p, list) and (not known or set(p) <= known)
                                  and any(c in codes for c in p))  # only don't-know: no answer
                             for p in parsed], dtype=bool)
        sets = [set(p) if isinstance(p, list) else set() for p in parsed]
        mat = pd.DataFrame({c: np.array([c in s for s in sets], dtype="float64")[rows]
                            for c in codes}, index=values.index)
        mat.loc[~answered[rows]] = np.nan
        return mat
    x = values.astype("float64")
    if not codes:
        codes = sorted(int(v) for v in x.dropna().unique())
    return pd.DataFrame({c: np.where(x.notna(), (x == c).astype(float), np.nan) for c in codes},
                        index=values.index)


def choice_frequencies(
    county: County,
    by_group: bool = True,
    config: SurveyConfig | dict | None = None,
    *,
    roles: tuple[str, ...] = ("multi", "choice"),
    design: SurveyDesign | str | dict | None = None,
) -> pd.DataFrame:
    """Share of respondents choosing each option of the choice items.

    Parameters
    ----------
    county
        A county with a survey.
    by_group
        Add a block per respondent group beside ``group="all"``.
    config
        Survey settings or overrides (``privacy.k``).
    roles
        Codebook roles to tabulate.

    Returns
    -------
    pandas.DataFrame
        ``item, dimension, role, group, option (int), option_label, n (respondents who
        answered the item), n_eff (n / deff), deff (design effect; the interval is Wilson's
        on the design's effective n, PSU = branch by default), count (respondents choosing the option, unweighted),
        share (weighted), ci_low, ci_high (Wilson), rank (1 = most chosen within item
        and group), suppressed``. A cell is suppressed when ``n`` is below k or when
        between 1 and k - 1 respondents chose the option.
    """
    cfg = load_survey_config(config)
    cb = codebook(county)
    plan = county_design(county, design)
    frame = with_design_columns(respondent_frame(county), county, plan)
    bound = bind_design(frame, plan, county.branches_in())
    clean = clean_items(county, cfg)
    rows = []
    for spec in cb[cb["role"].isin(roles)].itertuples():
        values = frame[spec.item] if spec.role == "multi" else clean[spec.item]
        mat = _indicator_matrix(values, spec.role, spec.options, cfg)
        for group in ["all", *GROUPS] if by_group else ["all"]:
            mask = (np.ones(len(mat), bool) if group == "all"
                    else (frame["group"] == group).to_numpy())
            for code in mat.columns:
                r = bound.proportion(mat[code].to_numpy(), mask, cfg.confidence)
                rows.append({"item": spec.item, "dimension": spec.dimension, "role": spec.role,
                             "group": group, "option": int(code),
                             "option_label": spec.options.get(int(code), str(code)),
                             "n": r["n"], "n_eff": r["n_eff"], "deff": r["deff"],
                             "count": r["count"],
                             "share": r["estimate"], "ci_low": r["ci_low"],
                             "ci_high": r["ci_high"]})
    out = pd.DataFrame(rows, columns=FREQUENCY_COLUMNS[:-2])
    out["rank"] = (out.groupby(["item", "group"])["share"]
                   .rank(ascending=False, method="min").astype("Int64"))
    out = suppress_small(out.astype({"n": "int64"}), cfg.k, count_min=cfg.k)
    out.loc[out["suppressed"], "rank"] = pd.NA
    return out
