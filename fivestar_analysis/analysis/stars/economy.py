"""The collective economy (村集体经济) of rural branches: tiers, weak villages, income by
level and township on a log scale, and its association with the star level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from fivestar_analysis.analysis.stars._common import (
    level_column,
    resolve_year,
    severity_above,
    star_flags,
    thresholds,
)
from fivestar_analysis.analysis.stats import epsilon_squared, rank_biserial, spearman_ci
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding

__all__ = ["income_tier_table", "weak_villages", "income_by_level", "income_by_township",
           "income_tests", "economy_findings", "assign_income_tiers", "IncomeSummary",
           "income_summary", "income_points"]


def _rural(county: County, year: int) -> pd.DataFrame:
    b = county.branches_in(year)
    b = b[b["kind"].astype(str) == "rural"]
    return b[b["collective_income_wan"].notna()]


@dataclass(frozen=True)
class IncomeSummary:
    """The collective income of the county's village branches with a known income in one
    year (amounts in 10k yuan; shares of ``n``; None when no branch reports an income)."""

    year: int
    n: int
    median: float | None
    mean: float | None
    max: float | None
    zero: int
    weak: int
    share_weak: float | None
    strong: int
    share_strong: float | None
    weak_below: float
    strong_from: float


def income_summary(county: County, *, year: int | None = None) -> IncomeSummary:
    """Median, mean, maximum, zero-income, weak (below ``rubric.weak_village_below_wan``) and
    strong (``rubric.strong_village_from_wan`` or more) village branches in ``year``."""
    y = resolve_year(county, year)
    x = _rural(county, y)["collective_income_wan"].astype(float)
    weak_below = float(county.rubric.weak_village_below_wan)
    strong_from = float(county.rubric.strong_village_from_wan)
    n = int(len(x))
    weak, strong = x < weak_below, x >= strong_from
    return IncomeSummary(
        year=y, n=n,
        median=float(x.median()) if n else None, mean=float(x.mean()) if n else None,
        max=float(x.max()) if n else None, zero=int((x == 0).sum()),
        weak=int(weak.sum()), share_weak=float(weak.mean()) if n else None,
        strong=int(strong.sum()), share_strong=float(strong.mean()) if n else None,
        weak_below=weak_below, strong_from=strong_from)


def income_points(county: County, *, year: int | None = None,
                  basis: str = "awarded") -> pd.DataFrame:
    """One row per village branch with a known income in ``year``: ``branch_id, township,
    level, collective_income_wan`` (what the income-by-level chart draws)."""
    y = resolve_year(county, year)
    b = _rural(county, y)
    return pd.DataFrame({
        "branch_id": b["branch_id"].to_numpy(), "township": b["township"].to_numpy(),
        "level": b[level_column(basis)].to_numpy().astype(int),
        "collective_income_wan": b["collective_income_wan"].to_numpy(dtype=float),
    })


def assign_income_tiers(county: County, income: np.ndarray | pd.Series) -> np.ndarray:
    """Tier key of each income (``None`` for NaN), vectorised over ``rubric.income_tiers``.

    A tier holds ``[lower, upper)``; a tier with ``lower == upper == 0`` holds exactly 0.
    """
    x = np.asarray(income, dtype=float)
    out = np.full(x.shape, None, dtype=object)
    done = np.isnan(x)
    for tier in county.rubric.income_tiers:
        if tier.lower == 0 and tier.upper == 0:
            hit = x == 0
        else:
            hit = x >= tier.lower
            if tier.upper is not None:
                hit &= x < tier.upper
        hit &= ~done
        out[hit] = tier.key
        done |= hit
    return out


def income_tier_table(county: County, *, year: int | None = None,
                      by: str | None = None) -> pd.DataFrame:
    """Rural branches per collective-income tier (``rubric.income_tiers``).

    Returns
    -------
    DataFrame
        ``year, [township], tier, lower_wan, upper_wan, count, share, n_branches``; every
        tier is present; ``share`` is over rural branches with a known income.
    """
    y = resolve_year(county, year)
    b = _rural(county, y)
    tiers = county.rubric.income_tiers
    keys = [t.key for t in tiers]
    t = pd.Categorical(assign_income_tiers(county, b["collective_income_wan"]), categories=keys)
    group = ["township"] if by == "township" else []
    df = pd.DataFrame({"tier": t, "township": b["township"].to_numpy()})
    counts = df.groupby(group + ["tier"], observed=False).size().rename("count").reset_index()
    counts["tier"] = counts["tier"].astype(str)
    n = counts.groupby(group)["count"].transform("sum") if group else counts["count"].sum()
    counts["n_branches"] = n
    counts = counts[counts["n_branches"] > 0]
    counts["share"] = counts["count"] / counts["n_branches"]
    lower = {t.key: t.lower for t in tiers}
    upper = {t.key: (np.nan if t.upper is None else t.upper) for t in tiers}
    counts["lower_wan"] = counts["tier"].map(lower).astype(float)
    counts["upper_wan"] = counts["tier"].map(upper).astype(float)
    counts.insert(0, "year", y)
    cols = ["year"] + group + ["tier", "lower_wan", "upper_wan", "count", "share", "n_branches"]
    return counts[cols].reset_index(drop=True)


def weak_villages(county: County, *, year: int | None = None,
                  basis: str = "awarded") -> pd.DataFrame:
    """Shell and weak villages (空壳村/薄弱村): income below ``rubric.weak_village_below_wan``.

    Returns
    -------
    DataFrame
        ``branch_id, branch_name, township, level, collective_income_wan, tier``, lowest
        income first.
    """
    y = resolve_year(county, year)
    b = _rural(county, y)
    w = b[b["collective_income_wan"] < county.rubric.weak_village_below_wan]
    out = pd.DataFrame({
        "branch_id": w["branch_id"].to_numpy(), "branch_name": w["branch_name"].to_numpy(),
        "township": w["township"].to_numpy(), "level": w[level_column(basis)].to_numpy(),
        "collective_income_wan": w["collective_income_wan"].to_numpy(),
        "tier": assign_income_tiers(county, w["collective_income_wan"]),
    })
    return out.sort_values(["collective_income_wan", "branch_id"], kind="stable").reset_index(
        drop=True)


def _summarise(df: pd.DataFrame, key: str, county: County) -> pd.DataFrame:
    x = df["collective_income_wan"]
    d = df.assign(_log=np.log1p(x), _weak=(x < county.rubric.weak_village_below_wan),
                  _strong=(x >= county.rubric.strong_village_from_wan))
    g = d.groupby(key, observed=True)
    out = pd.DataFrame({
        "n": g.size(),
        "median_wan": g["collective_income_wan"].median(),
        "q1_wan": g["collective_income_wan"].quantile(0.25),
        "q3_wan": g["collective_income_wan"].quantile(0.75),
        "mean_log1p": g["_log"].mean(),
        "sd_log1p": g["_log"].std(),
        "share_weak": g["_weak"].mean(),
        "share_strong": g["_strong"].mean(),
    })
    out["geo_mean_wan"] = np.expm1(out["mean_log1p"])
    return out.reset_index()


def income_by_level(county: County, *, year: int | None = None,
                    basis: str = "awarded") -> pd.DataFrame:
    """Collective income of rural branches by star level, summarised on a log scale.

    Returns
    -------
    DataFrame
        ``level, n, median_wan, q1_wan, q3_wan, mean_log1p, sd_log1p, share_weak,
        share_strong, geo_mean_wan``: ``mean_log1p`` is the mean of ``ln(1 + income)``
        and ``geo_mean_wan = exp(mean_log1p) - 1`` (a geometric-type mean that tolerates
        zero incomes); ``share_strong`` counts incomes of ``rubric.strong_village_from_wan``
        or more.
    """
    y = resolve_year(county, year)
    b = _rural(county, y)
    df = pd.DataFrame({"level": b[level_column(basis)].to_numpy(),
                       "collective_income_wan": b["collective_income_wan"].to_numpy()})
    return _summarise(df, "level", county)


def income_by_township(county: County, *, year: int | None = None) -> pd.DataFrame:
    """Collective income of rural branches by township, lowest median first.

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.

    Returns
    -------
    DataFrame
        The columns of :func:`income_by_level` with ``township`` in place of ``level``.
    """
    y = resolve_year(county, year)
    b = _rural(county, y)
    df = pd.DataFrame({"township": b["township"].to_numpy(),
                       "collective_income_wan": b["collective_income_wan"].to_numpy()})
    out = _summarise(df, "township", county)
    return out.sort_values(["median_wan", "township"], kind="stable").reset_index(drop=True)


def income_tests(county: County, *, year: int | None = None,
                 basis: str = "awarded", confidence: float = 0.95) -> pd.DataFrame:
    """Association of collective income with the star level and with 产业兴旺星.

    - ``spearman``: Spearman's rho between income and level; ``estimate`` = rho with the
      Bonett–Wright interval at ``confidence`` (:func:`fivestar_analysis.analysis.stats.spearman_ci`).
    - ``kruskal_wallis``: income across levels; effect size epsilon² = H / (n − 1).
    - ``mann_whitney``: income of branches with against without the industry star
      (two-sided); ``statistic`` is U of the with-star group, effect size the rank-biserial
      correlation ``r = 2U / (n1 n2) − 1`` (positive: with-star villages earn more);
      ``estimate`` is the difference of medians (with − without).

    Returns
    -------
    DataFrame
        ``method, n, estimate, ci_low, ci_high, statistic, p_value, effect_size,
        effect_size_name``; a row has NaN numbers when its test cannot run (too few
        branches or a single group).
    """
    y = resolve_year(county, year)
    b = _rural(county, y)
    x = b["collective_income_wan"].to_numpy(dtype=float)
    lv = b[level_column(basis)].to_numpy()
    n = len(x)
    rows: list[dict[str, Any]] = []
    nan = float("nan")

    rho = p = lo = hi = nan
    varies = n > 1 and np.nanmin(x) < np.nanmax(x)
    if n >= 4 and varies and lv.min() < lv.max():
        res = stats.spearmanr(x, lv)
        rho, p = float(res.statistic), float(res.pvalue)
        lo, hi = spearman_ci(rho, n, confidence)
    rows.append({"method": "spearman", "n": n, "estimate": rho, "ci_low": lo, "ci_high": hi,
                 "statistic": rho, "p_value": p, "effect_size": rho, "effect_size_name": "rho"})

    groups = [x[lv == v] for v in np.unique(lv)]
    h = p = eps = nan
    if len(groups) >= 2 and varies:
        res = stats.kruskal(*groups)
        h, p = float(res.statistic), float(res.pvalue)
        eps = epsilon_squared(h, n)
    rows.append({"method": "kruskal_wallis", "n": n, "estimate": nan, "ci_low": nan,
                 "ci_high": nan, "statistic": h, "p_value": p, "effect_size": eps,
                 "effect_size_name": "epsilon_squared"})

    u = p = r = diff = nan
    if "industry" in county.rubric.star_keys("rural"):
        s = county.stars
        s = s[(s["year"] == y) & (s["star"] == "industry")]
        has = pd.Index(s.loc[star_flags(s, basis), "branch_id"].to_numpy())
        with_ = b["branch_id"].isin(has).to_numpy()  # hashed: np.isin on objects is O(n·m)
        x1, x0 = x[with_], x[~with_]
        if len(x1) and len(x0) and varies:
            res = stats.mannwhitneyu(x1, x0, alternative="two-sided")
            u, p = float(res.statistic), float(res.pvalue)
            r = rank_biserial(u, len(x1), len(x0))
            diff = float(np.median(x1) - np.median(x0))
    rows.append({"method": "mann_whitney", "n": n, "estimate": diff, "ci_low": nan,
                 "ci_high": nan, "statistic": u, "p_value": p, "effect_size": r,
                 "effect_size_name": "rank_biserial"})
    return pd.DataFrame(rows)


def economy_findings(county: County, *, year: int | None = None, basis: str = "awarded",
                     overrides: dict[str, Any] | None = None) -> list[Finding]:
    """The collective-economy weak link as ``collective_economy`` findings.

    One county finding (severity from the share of shell/weak villages; ``statistic`` and
    ``p_value`` from Spearman's rho of income with level; the tier shares, Kruskal–Wallis
    and Mann–Whitney results in the evidence), and one per township of three or more
    villages whose weak share reaches ``high_from``. None without rural incomes.

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.
    basis : {"awarded", "planned"}
    overrides : dict, optional
        Threshold overrides (see :func:`~fivestar_analysis.analysis.stars.thresholds`).

    Returns
    -------
    list of Finding
    """
    y = resolve_year(county, year)
    th = thresholds(overrides)["collective_economy"]
    b = _rural(county, y)
    if b.empty:
        return []
    x = b["collective_income_wan"]
    weak = x < county.rubric.weak_village_below_wan
    share = float(weak.mean())
    tiers = income_tier_table(county, year=y)
    tests = income_tests(county, year=y, basis=basis).set_index("method")
    sp, kw, mw = tests.loc["spearman"], tests.loc["kruskal_wallis"], tests.loc["mann_whitney"]
    ev = {
        "n": len(b), "weak": int(weak.sum()), "share_weak": share,
        "zero": int((x == 0).sum()),
        "strong": int((x >= county.rubric.strong_village_from_wan).sum()),
        "share_strong": float((x >= county.rubric.strong_village_from_wan).mean()),
        "median_wan": float(x.median()),
        "tier_shares": dict(zip(tiers["tier"], tiers["share"].astype(float))),
        "spearman_rho": _nan_none(sp["estimate"]), "spearman_p": _nan_none(sp["p_value"]),
        "kruskal_h": _nan_none(kw["statistic"]), "kruskal_p": _nan_none(kw["p_value"]),
        "epsilon_squared": _nan_none(kw["effect_size"]),
        "industry_rank_biserial": _nan_none(mw["effect_size"]),
        "industry_p": _nan_none(mw["p_value"]),
        "industry_median_diff_wan": _nan_none(mw["estimate"]),
    }
    out = [Finding(kind="collective_economy", scope="county", subject="collective_income_wan",
                   severity=severity_above(share, th), year=y,
                   statistic=_nan_none(sp["estimate"]), p_value=_nan_none(sp["p_value"]),
                   test="Spearman (income vs level)", evidence=ev)]
    by_t = b.assign(_w=weak.to_numpy()).groupby("township", observed=True)["_w"].agg(
        ["mean", "sum", "size"])
    for town, r in by_t[by_t["mean"] >= th["high_from"]].iterrows():
        if r["size"] < 3:
            continue
        out.append(Finding(kind="collective_economy", scope="township", subject=str(town),
                           severity="high", year=y,
                           evidence={"n": int(r["size"]), "weak": int(r["sum"]),
                                     "share_weak": float(r["mean"]), "county_share_weak": share}))
    return out


def _nan_none(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)
