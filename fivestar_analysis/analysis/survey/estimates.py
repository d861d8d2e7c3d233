"""Dimension scores and satisfaction indices with 95% confidence intervals.

Means are (weighted, when the survey has a ``weight`` column) means whose standard errors
respect the sample design (:mod:`fivestar_analysis.analysis.survey.design`: PSU = branch
by default, Taylor linearisation, t interval on #PSU − #strata degrees of freedom); every
row carries its design effect ``deff`` and effective n. ``design: srs`` gives the older
figures (:func:`fivestar_analysis.analysis.stats.weighted_mean_ci`, Kish's effective n).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.survey._frame import group_positions
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.design import (
    bind_design,
    county_design,
    with_design_columns,
)
from fivestar_analysis.analysis.survey.design_domains import MANY_DOMAINS, domain_mean_rows
from fivestar_analysis.analysis.survey.scoring import score_respondents
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import GROUPS, County
from fivestar_analysis.model.survey_design import SurveyDesign

__all__ = ["estimate_scores", "satisfaction_by_level", "BREAKDOWNS"]

#: breakdowns of :func:`estimate_scores`: name -> column of the respondent frame
BREAKDOWNS = {"county": None, "group": "group", "township": "township", "level": "level"}
ESTIMATE_COLUMNS = ["by", "subgroup", "dimension", "measure", "n", "n_eff", "deff", "estimate",
                    "sd", "se", "ci_low", "ci_high", "suppressed"]


def _rows(scores: pd.DataFrame, by: str, column: str | None, measures: Sequence[str],
          confidence: float, design: SurveyDesign, branches: pd.DataFrame) -> list[dict]:
    """One row per subgroup, dimension and measure; each dimension's rows keep the whole
    design (a subgroup is a domain of it, so its PSUs outside the subgroup still count)."""
    rows = []
    used = [c for c in dict.fromkeys(["dimension", column, *measures, "branch_id", "township",
                                      "weight", design.weights]) if c and c in scores.columns]
    scores = scores[used]  # each dimension's rows are taken with these columns only
    for dim, dim_pos in group_positions(scores, "dimension", sort=False):
        data = scores.iloc[dim_pos]
        bound = bind_design(data, design, branches)
        columns = {c: data[c].to_numpy(dtype="float64", na_value=np.nan) for c in measures}
        if column is None:
            parts = [("all", None)]
        else:
            parts = [(str(key), pos) for key, pos in group_positions(data, column)]
        if len(parts) > MANY_DOMAINS:  # a province's townships: every subgroup in one pass
            codes = np.full(len(data), -1, dtype=np.int64)
            for j, (_, pos) in enumerate(parts):
                codes[pos] = j
            batch = {m: domain_mean_rows(bound, columns[m], codes, len(parts), confidence)
                     for m in measures}
            found = [(sub, {m: batch[m][j] for m in measures})
                     for j, (sub, _) in enumerate(parts)]
        else:
            found = [(sub, {m: bound.mean(columns[m], mask, confidence) for m in measures})
                     for sub, mask in parts]
        for sub, by_measure in found:
            for measure in measures:
                rows.append({"by": by, "subgroup": sub, "dimension": dim, "measure": measure,
                             **by_measure[measure]})
    return rows


def estimate_scores(
    county: County,
    by: Sequence[str] = ("county", "group", "township", "level"),
    measures: Sequence[str] = ("score", "index"),
    config: SurveyConfig | dict | None = None,
    *,
    role: str = "satisfaction",
    design: SurveyDesign | str | dict | None = None,
) -> pd.DataFrame:
    """Mean dimension scores (1-5) and indices (0-100) with confidence intervals.

    Parameters
    ----------
    county
        A county with a survey.
    by
        Breakdowns among ``county`` (everyone), ``group`` (resident/member/cadre),
        ``township`` and ``level`` (the branch's star level in the report year).
    measures
        ``score`` (on the item scale) and/or ``index`` (0-100).
    config
        Survey settings or overrides; ``privacy.k`` and ``estimates.confidence`` apply.
    role
        ``satisfaction`` (default) or ``importance``.
    design
        The sample design (default: the county's, else PSU = branch); ``"srs"`` gives the
        figures of a simple random sample (Kish's effective n for weights).

    Returns
    -------
    pandas.DataFrame
        ``by, subgroup, dimension, measure, n, n_eff (n / deff), deff (design effect),
        estimate, sd, se (design-based), ci_low, ci_high (t interval on the design's degrees
        of freedom), suppressed``; ``subgroup`` is ``"all"`` for the county and the level as text
        (``"3"``) for star levels. Cells of fewer than k respondents are suppressed.

    Examples
    --------
    >>> est = estimate_scores(county, by=["group"])            # doctest: +SKIP
    >>> est.query("measure == 'index' and dimension == 'composite'")  # doctest: +SKIP
    """
    cfg = load_survey_config(config)
    unknown = set(by) - set(BREAKDOWNS)
    if unknown:
        raise InvalidArgument(f"unknown breakdown(s) {sorted(unknown)}; use {list(BREAKDOWNS)}")
    bad = set(measures) - {"score", "index"}
    if bad:
        raise InvalidArgument(f"measures must be 'score' and/or 'index', not {sorted(bad)}")
    plan = county_design(county, design)
    scores = with_design_columns(score_respondents(county, role, cfg), county, plan)
    branches = county.branches_in()
    rows: list[dict] = []
    for name in by:
        rows += _rows(scores, name, BREAKDOWNS[name], measures, cfg.confidence, plan, branches)
    out = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS[:-1])
    out = out.astype({"n": "int64", "subgroup": object})
    out = _in_reading_order(out, list(by), list(scores["dimension"].drop_duplicates()))
    return suppress_small(out, cfg.k).reset_index(drop=True)


def _in_reading_order(out: pd.DataFrame, by: list[str], dimensions: list[str]) -> pd.DataFrame:
    """Rows by breakdown as asked, subgroups in a natural order (groups as in the county
    bundle, levels ascending, townships by name), dimensions in codebook order."""
    dim_pos = {d: i for i, d in enumerate(dimensions)}

    def sub_key(b: str, sub: str) -> tuple[int, str]:
        if b == "group":
            return (GROUPS.index(sub) if sub in GROUPS else len(GROUPS), "")
        if b == "level":
            return (int(sub), "")
        return (0, sub)

    keys = [(by.index(b), sub_key(b, sub), dim_pos.get(d, len(dim_pos)), m != "score")
            for b, sub, d, m in zip(out["by"], out["subgroup"], out["dimension"], out["measure"])]
    order = sorted(range(len(out)), key=keys.__getitem__)
    return out.iloc[order]


def satisfaction_by_level(
    county: County,
    measure: str = "index",
    config: SurveyConfig | dict | None = None,
    *,
    design: SurveyDesign | str | dict | None = None,
) -> pd.DataFrame:
    """Satisfaction of respondents by their branch's star level in the report year.

    Returns
    -------
    pandas.DataFrame
        ``level (int64), dimension, measure, n, n_branches, n_eff, deff, estimate, sd,
        ci_low, ci_high, suppressed``, one row per level and dimension, levels ascending.
    """
    cfg = load_survey_config(config)
    est = estimate_scores(county, by=["level"], measures=[measure], config=cfg, design=design)
    scores = score_respondents(county, "satisfaction", cfg)
    nb = (scores.dropna(subset=["level"]).groupby("level")["branch_id"].nunique()
          .rename("n_branches"))
    est = est.assign(level=est["subgroup"].astype("int64")).drop(columns=["by", "subgroup"])
    est = est.merge(nb, left_on="level", right_index=True, how="left")
    cols = ["level", "dimension", "measure", "n", "n_branches", "n_eff", "deff", "estimate",
            "sd", "ci_low", "ci_high", "suppressed"]
    dims = {d: i for i, d in enumerate(est["dimension"].drop_duplicates())}
    est = est.assign(_d=est["dimension"].map(dims)).sort_values(["_d", "level"], kind="stable")
    return est[cols].reset_index(drop=True)
