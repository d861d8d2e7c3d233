"""Group comparisons: rank tests for scores, chi-square for choice answers.

Scores (ordinal, often skewed) are compared with the Kruskal–Wallis test, followed by
Dunn's pairwise z-tests with Holm's correction; effect sizes are epsilon² for the omnibus
test and the rank-biserial correlation for each pair. Choice and knowledge items are
cross-tabulated against the groups: Pearson's chi-square (no continuity correction),
Cramér's V, and a warning flag when any expected count is below 5.

The rank and Pearson tests count respondents unweighted, as a simple random sample. Beside
each, the design-based test respects weights and the clustering of respondents in
branches (:mod:`fivestar_analysis.analysis.survey.design`): the adjusted Wald F test of
the group means, and the Rao–Scott corrected chi-square (``design_*`` columns; under
``design: srs`` each respondent is its own sampling unit). Subgroups with fewer than k
respondents are left out of a test (and counted in ``groups_excluded``) so no result rests
on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from fivestar_analysis.analysis.stats import cramers_v, epsilon_squared, holm, rank_biserial
from fivestar_analysis.analysis.survey._frame import codebook, group_positions, respondent_frame
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.design import (
    bind_design,
    county_design,
    with_design_columns,
)
from fivestar_analysis.analysis.survey.scoring import clean_items, score_respondents
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County
from fivestar_analysis.model.survey_design import SurveyDesign

__all__ = ["GroupComparison", "dunn_test", "compare_groups", "compare_choices",
           "COMPARABLE_BY"]

COMPARABLE_BY = ("group", "township", "level")
OMNIBUS_COLUMNS = ["dimension", "by", "n", "n_groups", "groups_excluded", "statistic", "df",
                   "p_value", "effect_size", "effect_size_name", "method", "posthoc",
                   "design_statistic", "design_df1", "design_df2", "design_p_value",
                   "design_rank_statistic", "design_rank_p_value", "design_method",
                   "suppressed"]
#: the design-based test beside the rank test of :func:`compare_groups`
WALD_METHOD = ("design-based adjusted Wald F (means); design-based Kruskal-Wallis "
               "(Lumley-Scott weighted ranks)")
#: the design-based test beside Pearson's of :func:`compare_choices`
RAO_SCOTT_METHOD = "Rao-Scott second-order F (design-based chi-square)"
PAIR_COLUMNS = ["dimension", "by", "group_a", "group_b", "n_a", "n_b", "n", "statistic",
                "p_value", "p_adj", "effect_size", "effect_size_name", "method", "suppressed"]


@dataclass(frozen=True)
class GroupComparison:
    """Kruskal–Wallis tests (``omnibus``) and their Dunn/Holm post-hoc pairs (``pairwise``)."""

    omnibus: pd.DataFrame
    pairwise: pd.DataFrame


def dunn_test(samples: dict[str, np.ndarray]) -> pd.DataFrame:
    """Dunn's pairwise z-tests on joint ranks (tie-corrected), Holm-adjusted.

    Parameters
    ----------
    samples
        Group name -> observations (no NaN).

    Returns
    -------
    pandas.DataFrame
        ``group_a, group_b, n_a, n_b, statistic (z: mean rank a minus b over its SE),
        p_value (two-sided), p_adj (Holm), effect_size (rank-biserial r of a vs b:
        +1 when every answer in a is above every answer in b)``.
    """
    cols = _dunn_columns(samples)
    if cols is None:  # no pair: the empty table of before (object columns)
        return _empty_pairs()
    out = pd.DataFrame(cols, columns=["group_a", "group_b", "n_a", "n_b", "statistic",
                                      "p_value", "effect_size"])
    out.insert(6, "p_adj", cols["p_adj"])
    return out


def _dunn_columns(samples: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
    """The columns of :func:`dunn_test` as arrays (None when there is no pair)."""
    names = list(samples)
    arrays = [np.asarray(samples[g], dtype="float64") for g in names]
    data = np.concatenate(arrays)
    ranks = stats.rankdata(data)
    n_total = data.size
    _, tie_counts = np.unique(data, return_counts=True)
    tie_term = float((tie_counts**3 - tie_counts).sum()) / (12.0 * (n_total - 1))
    var_base = n_total * (n_total + 1) / 12.0 - tie_term
    sizes = np.array([a.size for a in arrays], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    mean_rank = np.array([float(ranks[s:s + n].mean()) for s, n in zip(starts, sizes)])
    ia, ib = np.triu_indices(len(names), k=1)  # itertools.combinations order
    if ia.size == 0:
        return None
    n_a, n_b = sizes[ia], sizes[ib]
    se = np.sqrt(var_base * (1.0 / n_a + 1.0 / n_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (mean_rank[ia] - mean_rank[ib]) / se, np.nan)
    finite = np.isfinite(z)
    p = np.full(z.shape, np.nan)
    p[finite] = 2.0 * stats.norm.sf(np.abs(z[finite]))
    u = _pairwise_u(arrays, ia, ib)
    rbc = rank_biserial(u, n_a, n_b)
    labels = np.array(names, dtype=object)
    return {"group_a": labels[ia], "group_b": labels[ib], "n_a": n_a, "n_b": n_b,
            "statistic": z, "p_value": p, "p_adj": holm(p), "effect_size": rbc}


def _empty_pairs() -> pd.DataFrame:
    out = pd.DataFrame([], columns=["group_a", "group_b", "n_a", "n_b", "statistic",
                                    "p_value", "effect_size"])
    out.insert(6, "p_adj", holm(out["p_value"].to_numpy()))
    return out


def _pairwise_u(arrays: list[np.ndarray], ia: np.ndarray, ib: np.ndarray,
                max_cells: int = 20_000_000) -> np.ndarray:
    """Mann–Whitney U of sample ``ia[k]`` against sample ``ib[k]`` for every pair k.

    ``U = #{x_a > x_b} + ½ #{x_a = x_b}`` (the statistic ``scipy.stats.mannwhitneyu``
    returns for its first sample). Every term is a multiple of ½ well below 2**52, so the
    sums are exact and the order of summation does not matter. With few distinct values
    (answer scales, indices) all pairs come from one product of the groups' value counts;
    otherwise each pair is counted with a binary search.
    """
    if ia.size == 0:
        return np.zeros(0)
    values = np.unique(np.concatenate(arrays))
    if len(arrays) * values.size <= max_cells:
        counts = np.zeros((len(arrays), values.size))
        for g, a in enumerate(arrays):
            counts[g] = np.bincount(np.searchsorted(values, a), minlength=values.size)
        below = np.cumsum(counts, axis=1) - counts  # answers of each group below each value
        u = counts @ (below + 0.5 * counts).T       # u[a, b] = U of a against b
        return u[ia, ib]
    ordered = [np.sort(a) for a in arrays]
    out = np.empty(ia.size)
    for k, (a, b) in enumerate(zip(ia, ib)):
        lo = np.searchsorted(ordered[b], arrays[a], side="left")
        hi = np.searchsorted(ordered[b], arrays[a], side="right")
        out[k] = float(lo.sum()) + 0.5 * float((hi - lo).sum())
    return out


def _samples(frame: pd.DataFrame, by: str, value: str, k: int) -> tuple[dict, int]:
    data = frame[frame[by].notna() & frame[value].notna()]
    samples, excluded = {}, 0
    values = data[value].to_numpy(dtype="float64")
    for key, pos in group_positions(data, by):
        if len(pos) >= k:
            samples[str(key)] = values[pos]
        else:
            excluded += 1
    return samples, excluded


def compare_groups(
    county: County,
    by: str = "group",
    measure: str = "index",
    config: SurveyConfig | dict | None = None,
    *,
    design: SurveyDesign | str | dict | None = None,
) -> GroupComparison:
    """Compare satisfaction across respondent groups, townships or star levels.

    Parameters
    ----------
    county
        A county with a survey.
    by
        ``group``, ``township`` or ``level``.
    measure
        ``index`` (0-100) or ``score``; rank tests give the same result for both when
        every item of a dimension shares one scale.
    config
        Survey settings or overrides (``privacy.k``, ``comparisons.max_pairwise_groups``).

    Returns
    -------
    GroupComparison
        ``omnibus``: ``dimension, by, n, n_groups, groups_excluded, statistic (H), df,
        p_value, effect_size (epsilon² = H / (n - 1)), effect_size_name, method, posthoc
        (``Dunn z, Holm-adjusted``, or why the pairs were left out: more groups than
        ``comparisons.max_pairwise_groups``), design_statistic, design_df1, design_df2,
        design_p_value`` (the design-based adjusted Wald F test of equal means over the
        same groups), ``design_rank_statistic, design_rank_p_value`` (the design-based
        Kruskal–Wallis on weighted ranks, same degrees of freedom), ``design_method,
        suppressed``. ``pairwise``: ``dimension, by, group_a, group_b, n_a, n_b, n,
        statistic (Dunn z), p_value, p_adj (Holm, within the dimension), effect_size
        (rank-biserial), effect_size_name, method, suppressed``.
    """
    if by not in COMPARABLE_BY:
        raise InvalidArgument(f"by must be one of {COMPARABLE_BY}, not {by!r}")
    cfg = load_survey_config(config)
    plan = county_design(county, design)
    scores = with_design_columns(score_respondents(county, "satisfaction", cfg), county, plan)
    branches = county.branches_in()
    omnibus, pairs = [], []
    needed = [c for c in dict.fromkeys(["dimension", by, measure, "branch_id", "township",
                                         "weight", plan.weights]) if c in scores.columns]
    for dim, frame in scores[needed].groupby("dimension", sort=False):
        samples, excluded = _samples(frame, by, measure, cfg.k)
        wald = _design_wald(frame, by, measure, samples, plan, branches)
        n = int(sum(len(v) for v in samples.values()))
        row = {"dimension": dim, "by": by, "n": n, "n_groups": len(samples),
               "groups_excluded": excluded, "statistic": math.nan, "df": math.nan,
               "p_value": math.nan, "effect_size": math.nan, "effect_size_name": "epsilon_squared",
               "method": "Kruskal-Wallis", "posthoc": "", **wald}
        pooled = np.concatenate(list(samples.values())) if samples else np.array([])
        if len(samples) >= 2 and np.unique(pooled).size > 1:
            h, p = stats.kruskal(*samples.values())
            row.update(statistic=float(h), df=float(len(samples) - 1), p_value=float(p),
                       effect_size=epsilon_squared(h, n))
            if len(samples) > cfg.max_pairwise_groups:
                row["posthoc"] = (f"omitted: {len(samples)} groups > max_pairwise_groups "
                                  f"{cfg.max_pairwise_groups}")
            else:
                d = _dunn_columns(samples)
                if d is not None:
                    d["n"] = d["n_a"] + d["n_b"]
                    pairs.append((dim, d))
                    row["posthoc"] = "Dunn z, Holm-adjusted"
        omnibus.append(row)
    om = pd.DataFrame(omnibus, columns=OMNIBUS_COLUMNS[:-1])
    if pairs:  # one frame from the columns of every dimension (no per-dimension frames)
        sizes = [len(d["n_a"]) for _, d in pairs]
        total = sum(sizes)

        def constant(value: str) -> np.ndarray:
            return np.array([value], dtype=object).repeat(total)

        columns = {"dimension": np.array([dim for dim, _ in pairs], dtype=object).repeat(sizes),
                   "by": constant(by), "effect_size_name": constant("rank_biserial"),
                   "method": constant("Dunn z, Holm-adjusted")}
        for c in PAIR_COLUMNS[:-1]:
            if c not in columns:
                columns[c] = np.concatenate([d.pop(c) for _, d in pairs])
        pw = pd.DataFrame(columns, columns=PAIR_COLUMNS[:-1])
    else:
        pw = pd.DataFrame(columns=PAIR_COLUMNS[:-1])
    return GroupComparison(
        omnibus=suppress_small(om, cfg.k),
        pairwise=suppress_small(pw, cfg.k, count_columns=("n_a", "n_b")),
    )


def _design_wald(frame: pd.DataFrame, by: str, measure: str, samples: dict,
                 plan: SurveyDesign, branches: pd.DataFrame) -> dict:
    """The design-based Wald test of equal means over the groups of ``samples``."""
    codes, uniques = pd.factorize(frame[by], use_na_sentinel=True)  # each label once
    kept = np.array([str(u) in samples for u in uniques] + [False])
    groups = np.where(kept[codes], codes, -1)  # a missing key and a group left out: -1
    res = ranked = {"statistic": math.nan, "df1": math.nan, "df2": math.nan,
                    "p_value": math.nan}
    if len(samples) >= 2:
        bound = bind_design(frame, plan, branches)
        y = frame[measure].to_numpy(dtype="float64", na_value=np.nan)
        res = bound.wald_means(y, groups)
        ranked = bound.rank_test(y, groups)
    return {"design_statistic": res["statistic"], "design_df1": res["df1"],
            "design_df2": res["df2"], "design_p_value": res["p_value"],
            "design_rank_statistic": ranked["statistic"],
            "design_rank_p_value": ranked["p_value"],
            "design_method": f"{WALD_METHOD}; {plan.key}"}


def compare_choices(
    county: County,
    by: str = "group",
    config: SurveyConfig | dict | None = None,
    *,
    design: SurveyDesign | str | dict | None = None,
) -> pd.DataFrame:
    """Chi-square test of each choice and knowledge item against groups.

    Returns
    -------
    pandas.DataFrame
        ``item, dimension, by, n, n_groups, groups_excluded, n_options, statistic
        (Pearson chi-square), df, p_value, effect_size (Cramér's V), effect_size_name,
        min_expected, small_expected (True when an expected count is below 5: treat the
        p-value with caution), method, design_statistic, design_df1, design_df2,
        design_p_value, design_deff (mean generalised design effect), design_method`` (the
        Rao–Scott second-order corrected test of the same table), ``suppressed``.
    """
    if by not in COMPARABLE_BY:
        raise InvalidArgument(f"by must be one of {COMPARABLE_BY}, not {by!r}")
    cfg = load_survey_config(config)
    plan = county_design(county, design)
    cb = codebook(county)
    resp = with_design_columns(respondent_frame(county), county, plan)
    frame = resp[["respondent_id", by]]
    bound = bind_design(resp, plan, county.branches_in())
    clean = clean_items(county, cfg)
    rows = []
    for spec in cb[cb["role"].isin(["choice", "knowledge"])].itertuples():
        data = pd.DataFrame({"g": frame[by].astype(object), "x": clean[spec.item]}).dropna()
        sizes = data["g"].value_counts()
        keep = sizes[sizes >= cfg.k].index
        data = data[data["g"].isin(keep)]
        table = pd.crosstab(data["g"], data["x"])
        g_all = frame[by].astype(object)
        x_all = clean[spec.item].astype(object)
        use = g_all.isin(keep) & g_all.notna() & x_all.notna()
        rs = bound.rao_scott(g_all.where(use, None).to_numpy(dtype=object),
                             x_all.where(use, None).to_numpy(dtype=object))
        row = {"item": spec.item, "dimension": spec.dimension, "by": by, "n": len(data),
               "n_groups": table.shape[0], "groups_excluded": int((sizes < cfg.k).sum()),
               "n_options": table.shape[1], "statistic": math.nan, "df": math.nan,
               "p_value": math.nan, "effect_size": math.nan, "effect_size_name": "cramers_v",
               "min_expected": math.nan, "small_expected": pd.NA,
               "method": "Pearson chi-square (no continuity correction)",
               "design_statistic": rs["statistic"], "design_df1": rs["df1"],
               "design_df2": rs["df2"], "design_p_value": rs["p_value"],
               "design_deff": rs["deff"], "design_method": f"{RAO_SCOTT_METHOD}; {plan.key}"}
        if min(table.shape) >= 2:
            res = stats.chi2_contingency(table.to_numpy(), correction=False)
            v = cramers_v(res.statistic, table.to_numpy().sum(), table.shape)
            row.update(statistic=float(res.statistic), df=float(res.dof),
                       p_value=float(res.pvalue), effect_size=v,
                       min_expected=float(res.expected_freq.min()),
                       small_expected=bool(res.expected_freq.min() < 5))
        rows.append(row)
    cols = ["item", "dimension", "by", "n", "n_groups", "groups_excluded", "n_options",
            "statistic", "df", "p_value", "effect_size", "effect_size_name", "min_expected",
            "small_expected", "method", "design_statistic", "design_df1", "design_df2",
            "design_p_value", "design_deff", "design_method"]
    out = pd.DataFrame(rows, columns=cols)
    out["small_expected"] = out["small_expected"].astype("boolean")
    return suppress_small(out, cfg.k)
