"""Dimension scores and satisfaction indices with 95% confidence intervals.

Means use a t-interval; when the survey has a ``weight`` column the mean is weighted and
the interval uses Kish's effective sample size
(:func:`fivestar_analysis.analysis.stats.weighted_mean_ci`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stats import weighted_mean_ci
from fivestar_analysis.analysis.survey._frame import group_positions
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.scoring import score_respondents
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import GROUPS, County

__all__ = ["estimate_scores", "satisfaction_by_level", "BREAKDOWNS"]

#: breakdowns of :func:`estimate_scores`: name -> column of the respondent frame
BREAKDOWNS = {"county": None, "group": "group", "township": "township", "level": "level"}
ESTIMATE_COLUMNS = ["by", "subgroup", "dimension", "measure", "n", "n_eff", "estimate", "sd",
                    "ci_low", "ci_high", "suppressed"]


def _rows(scores: pd.DataFrame, by: str, column: str | None, measures: Sequence[str],
          confidence: float) -> list[dict]:
    rows = []
    keys = ["dimension"] if column is None else [column, "dimension"]
    data = scores if column is None else scores[scores[column].notna()]
    columns = {c: data[c].to_numpy(dtype="float64", na_value=np.nan)
               for c in (*measures, "weight")}
    for key, pos in group_positions(data, keys):
        key = key if isinstance(key, tuple) else (key,)
        sub = "all" if column is None else str(key[0])
        dim = key[0] if column is None else key[1]
        for measure in measures:
            r = weighted_mean_ci(columns[measure][pos], columns["weight"][pos], confidence)
            rows.append({"by": by, "subgroup": sub, "dimension": dim, "measure": measure, **r})
    return rows


def estimate_scores(
    county: County,
    by: Sequence[str] = ("county", "group", "township", "level"),
    measures: Sequence[str] = ("score", "index"),
    config: SurveyConfig | dict | None = None,
    *,
    role: str = "satisfaction",
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

    Returns
    -------
    pandas.DataFrame
        ``by, subgroup, dimension, measure, n, n_eff, estimate, sd, ci_low, ci_high,
        suppressed``; ``subgroup`` is ``"all"`` for the county and the level as text
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
    scores = score_respondents(county, role, cfg)
    rows: list[dict] = []
    for name in by:
        rows += _rows(scores, name, BREAKDOWNS[name], measures, cfg.confidence)
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
) -> pd.DataFrame:
    """Satisfaction of respondents by their branch's star level in the report year.

    Returns
    -------
    pandas.DataFrame
        ``level (int64), dimension, measure, n, n_branches, n_eff, estimate, sd, ci_low,
        ci_high, suppressed``, one row per level and dimension, levels ascending.
    """
    cfg = load_survey_config(config)
    est = estimate_scores(county, by=["level"], measures=[measure], config=cfg)
    scores = score_respondents(county, "satisfaction", cfg)
    nb = (scores.dropna(subset=["level"]).groupby("level")["branch_id"].nunique()
          .rename("n_branches"))
    est = est.assign(level=est["subgroup"].astype("int64")).drop(columns=["by", "subgroup"])
    est = est.merge(nb, left_on="level", right_index=True, how="left")
    cols = ["level", "dimension", "measure", "n", "n_branches", "n_eff", "estimate", "sd",
            "ci_low", "ci_high", "suppressed"]
    dims = {d: i for i, d in enumerate(est["dimension"].drop_duplicates())}
    est = est.assign(_d=est["dimension"].map(dims)).sort_values(["_d", "level"], kind="stable")
    return est[cols].reset_index(drop=True)
