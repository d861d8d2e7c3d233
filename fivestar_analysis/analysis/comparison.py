"""Cross-county comparison tables: many counties side by side, one tidy table per question.

Every function takes a list of loaded :class:`~fivestar_analysis.model.county.County` objects and
returns a DataFrame with stable snake_case columns keyed by ``county_code, county_name``.
The per-county numbers come from the single-county analyses (``stars``, ``survey``); this
module only gathers them and adds the between-county statistics.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from fivestar_analysis import stars as st
from fivestar_analysis.analysis.stats import (
    cramers_v,
    epsilon_squared,
    fisher_vs_rest,
    wilson_interval,
)
from fivestar_analysis.errors import InvalidArgument, PackageInvalid
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding

__all__ = ["load_counties", "comparison_year", "county_ranking", "county_star_matrix",
           "county_income", "county_survey_indices", "between_county_tests",
           "lagging_counties", "LaggingCounties", "FAILURE_COLUMNS"]

FAILURE_COLUMNS = ["path", "reason", "n_problems", "message"]
KEYS = ["county_code", "county_name"]


# -- loading ----------------------------------------------------------------------------

def load_counties(paths: Iterable[str | os.PathLike[str]], *,
                  language: str = "zh") -> tuple[list[County], pd.DataFrame]:
    """Load and validate every package; a bad one is recorded and the rest still load.

    Parameters
    ----------
    paths : iterable of path-like
        County data package folders.
    language : {"zh", "en"}
        Language of the failure messages.

    Returns
    -------
    counties : list of County
        The valid packages, in the order given.
    failures : DataFrame
        ``path, reason, n_problems, message``: ``reason`` is ``invalid`` (the package breaks
        the data contract; ``message`` holds its first problems), ``unreadable`` (no such
        folder or another error) or ``duplicate_code`` (a county code seen before).
    """
    from fivestar_analysis.load.loader import load_county

    counties: list[County] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for raw in paths:
        path = str(Path(raw).expanduser().resolve())
        try:
            county = load_county(path)
        except PackageInvalid as exc:
            lines = [p.line(language) for p in exc.problems[:3]]
            more = len(exc.problems) - len(lines)
            if more > 0:
                lines.append(f"……另有{more}处问题" if language != "en" else f"... {more} more")
            rows.append({"path": path, "reason": "invalid", "n_problems": len(exc.problems),
                         "message": "\n".join(lines)})
            continue
        except Exception as exc:  # a missing folder, an unreadable file: record, go on
            rows.append({"path": path, "reason": "unreadable", "n_problems": 1,
                         "message": f"{type(exc).__name__}: {exc}"})
            continue
        code = county.meta.code
        if code in seen:
            msg = (f"县代码{code}与{seen[code]}重复，已跳过" if language != "en"
                   else f"county code {code} already used by {seen[code]}; skipped")
            rows.append({"path": path, "reason": "duplicate_code", "n_problems": 1, "message": msg})
            continue
        seen[code] = path
        counties.append(county)
    failures = pd.DataFrame(rows, columns=FAILURE_COLUMNS).astype({"n_problems": "int64"})
    return counties, failures


def comparison_year(counties: Sequence[County]) -> int:
    """The latest year in every county's ledger (the counties' own report years when
    they have none in common: the latest of those)."""
    if not counties:
        raise InvalidArgument("no county to compare")
    common = set(counties[0].years)
    for c in counties[1:]:
        common &= set(c.years)
    return int(max(common)) if common else int(max(c.meta.year for c in counties))


def _year_of(county: County, year: int) -> int:
    """``year`` when the county has it, else the county's latest year before it (or its own)."""
    if year in county.years:
        return year
    earlier = [y for y in county.years if y <= year]
    return int(earlier[-1]) if earlier else int(county.meta.year)


def _keys(county: County) -> dict[str, str]:
    return {"county_code": county.meta.code, "county_name": county.meta.name}


# -- stars ------------------------------------------------------------------------------

def county_ranking(counties: Sequence[County], *, year: int | None = None,
                   basis: str = "awarded", confidence: float = 0.95) -> pd.DataFrame:
    """Counties ranked by the share of branches with three stars or more (三星以上占比).

    Parameters
    ----------
    counties : sequence of County
    year : int, optional
        The comparison year (:func:`comparison_year` by default).
    basis : {"awarded", "planned"}
    confidence : float
        Level of the Wilson score interval.

    Returns
    -------
    DataFrame
        ``rank, county_code, county_name, year, n_branches, count_3plus, share_3plus,
        ci_low, ci_high, n_rural, count_3plus_rural, share_3plus_rural, n_community,
        count_3plus_community, share_3plus_community``, best first. ``rank`` is 1 for the
        highest share (ties share the better rank); ``ci_low``/``ci_high`` bound
        ``share_3plus`` with the Wilson interval ``(p + z²/2n ± z·sqrt(p(1-p)/n +
        z²/4n²)) / (1 + z²/n)``. A kind a county lacks has ``n = 0`` and NaN share.
    """
    y0 = comparison_year(counties) if year is None else int(year)
    rows = []
    for c in counties:
        y = _year_of(c, y0)
        s = st.share_3plus_table(c, basis=basis, year=y).set_index("kind")
        row: dict[str, Any] = {**_keys(c), "year": y}
        for kind, suffix in (("all", ""), ("rural", "_rural"), ("community", "_community")):
            if kind in s.index:
                n, x = int(s.loc[kind, "n_branches"]), int(s.loc[kind, "count_3plus"])
            else:
                n, x = 0, 0
            row[f"n_branches{suffix}" if kind == "all" else f"n{suffix}"] = n
            row[f"count_3plus{suffix}"] = x
            row[f"share_3plus{suffix}"] = x / n if n else math.nan
        row["ci_low"], row["ci_high"] = wilson_interval(row["count_3plus"], row["n_branches"],
                                                        confidence)
        rows.append(row)
    cols = ["county_code", "county_name", "year", "n_branches", "count_3plus", "share_3plus",
            "ci_low", "ci_high", "n_rural", "count_3plus_rural", "share_3plus_rural",
            "n_community", "count_3plus_community", "share_3plus_community"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["share_3plus", "county_code"], ascending=[False, True],
                          kind="stable", na_position="last").reset_index(drop=True)
    out.insert(0, "rank", out["share_3plus"].rank(method="min", ascending=False)
               .fillna(len(out)).astype("int64"))
    return out


def county_star_matrix(counties: Sequence[County], *, year: int | None = None) -> pd.DataFrame:
    """Each star's award rate (创成率) in each county, by branch kind.

    Returns
    -------
    DataFrame
        ``county_code, county_name, year, kind, star, n_branches, n_declared, n_awarded,
        declare_rate, award_rate`` with one row per county, kind present in the county and
        star of that kind (rubric order); ``award_rate = n_awarded / n_branches``.
    """
    y0 = comparison_year(counties) if year is None else int(year)
    parts = []
    for c in counties:
        y = _year_of(c, y0)
        kinds = [k for k in ("rural", "community")
                 if (c.branches_in(y)["kind"].astype(str) == k).any()]
        if not kinds:
            continue
        att = st.star_attainment(c, kinds=kinds, year=y)
        att = att.assign(county_code=c.meta.code, county_name=c.meta.name)
        parts.append(att)
    cols = KEYS + ["year", "kind", "star", "n_branches", "n_declared", "n_awarded",
                   "declare_rate", "award_rate"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


# -- collective economy -----------------------------------------------------------------

def county_income(counties: Sequence[County], *, year: int | None = None) -> pd.DataFrame:
    """Collective income of the rural branches (村集体经济收入, 万元) in each county.

    Returns
    -------
    DataFrame
        ``county_code, county_name, year, n_rural, n, median_wan, q1_wan, q3_wan,
        geo_mean_wan, weak_below_wan, n_weak, share_weak``: ``n_rural`` counts rural
        branches, ``n`` those with an income recorded; ``share_weak = n_weak / n`` with
        weak meaning an income below the county rubric's ``weak_village_below_wan``
        (空壳村、薄弱村). Sorted by median, highest first; NaN without incomes.
    """
    y0 = comparison_year(counties) if year is None else int(year)
    rows = []
    for c in counties:
        y = _year_of(c, y0)
        b = c.branches_in(y)
        rural = b[b["kind"].astype(str) == "rural"]
        x = rural["collective_income_wan"].dropna().to_numpy(dtype=float)
        below = float(c.rubric.weak_village_below_wan)
        n = len(x)
        weak = int((x < below).sum())
        rows.append({
            **_keys(c), "year": y, "n_rural": len(rural), "n": n,
            "median_wan": float(np.median(x)) if n else math.nan,
            "q1_wan": float(np.quantile(x, 0.25)) if n else math.nan,
            "q3_wan": float(np.quantile(x, 0.75)) if n else math.nan,
            "geo_mean_wan": float(np.expm1(np.log1p(x).mean())) if n else math.nan,
            "weak_below_wan": below, "n_weak": weak, "share_weak": weak / n if n else math.nan,
        })
    out = pd.DataFrame(rows)
    return out.sort_values(["median_wan", "county_code"], ascending=[False, True],
                           kind="stable", na_position="last").reset_index(drop=True)


# -- survey -----------------------------------------------------------------------------

def county_survey_indices(counties: Sequence[County], *,
                          dimensions: Sequence[str] = ("overall", "composite")) -> pd.DataFrame:
    """Satisfaction indices (0–100) per county with 95% intervals, side by side.

    Parameters
    ----------
    counties : sequence of County
    dimensions : sequence of str
        Survey dimensions to report: ``overall`` (the overall question, when asked),
        ``composite`` (the mean of the star areas) or star keys.

    Returns
    -------
    DataFrame
        ``county_code, county_name, dimension, has_survey, n, n_eff, estimate, ci_low,
        ci_high, suppressed``; one row per county and dimension. A county without a survey
        (or without that dimension) has ``n = 0`` and NaN estimates; cells of fewer than k
        respondents are suppressed as in the county report.
    """
    from fivestar_analysis.analysis.survey import estimate_scores

    rows = []
    for c in counties:
        est = None
        if c.survey is not None and c.codebook is not None:
            est = estimate_scores(c, by=["county"], measures=["index"])
            est = est.set_index("dimension")
        for dim in dimensions:
            row = {**_keys(c), "dimension": dim, "has_survey": est is not None, "n": 0,
                   "n_eff": math.nan, "estimate": math.nan, "ci_low": math.nan,
                   "ci_high": math.nan, "suppressed": False}
            if est is not None and dim in est.index:
                r = est.loc[dim]
                hidden = bool(r["suppressed"])
                row.update(n=int(r["n"]), n_eff=float(r["n_eff"]), suppressed=hidden)
                if not hidden:
                    row.update(estimate=float(r["estimate"]), ci_low=float(r["ci_low"]),
                               ci_high=float(r["ci_high"]))
            rows.append(row)
    out = pd.DataFrame(rows, columns=KEYS + ["dimension", "has_survey", "n", "n_eff", "estimate",
                                             "ci_low", "ci_high", "suppressed"])
    return out.astype({"n": "int64", "has_survey": bool, "suppressed": bool})


# -- tests between counties -------------------------------------------------------------

def between_county_tests(counties: Sequence[County], *, year: int | None = None,
                         basis: str = "awarded") -> pd.DataFrame:
    """Do the counties differ at all? Two omnibus tests over every county.

    Returns
    -------
    DataFrame
        ``measure, method, n, n_groups, statistic, df, p_value, effect_size,
        effect_size_name``: ``share_3plus`` by a chi-square test of the county × (three
        stars or more / fewer) table with Cramér's V; ``collective_income_wan`` by
        Kruskal–Wallis over the rural incomes with ε² = H / (n − 1), the effect size the
        county report uses too (:func:`fivestar_analysis.analysis.stats.epsilon_squared`).
    """
    y0 = comparison_year(counties) if year is None else int(year)
    rank = county_ranking(counties, year=y0, basis=basis)
    rows = []
    table = np.column_stack([rank["count_3plus"], rank["n_branches"] - rank["count_3plus"]])
    table = table[rank["n_branches"].to_numpy() > 0]
    n = int(table.sum())
    if len(table) >= 2 and (table.sum(axis=0) > 0).all():
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
        v = cramers_v(chi2, n, table.shape)
        rows.append({"measure": "share_3plus", "method": "chi_square", "n": n,
                     "n_groups": len(table), "statistic": float(chi2), "df": float(dof),
                     "p_value": float(p), "effect_size": v, "effect_size_name": "cramers_v"})
    samples = []
    for c in counties:
        b = c.branches_in(_year_of(c, y0))
        x = b.loc[b["kind"].astype(str) == "rural", "collective_income_wan"].dropna()
        if len(x):
            samples.append(x.to_numpy(dtype=float))
    n = sum(len(s) for s in samples)
    k = len(samples)
    if k >= 2 and n > k:
        h, p = stats.kruskal(*samples)
        rows.append({"measure": "collective_income_wan", "method": "kruskal_wallis", "n": n,
                     "n_groups": k, "statistic": float(h), "df": float(k - 1),
                     "p_value": float(p), "effect_size": epsilon_squared(h, n),
                     "effect_size_name": "epsilon_squared"})
    return pd.DataFrame(rows, columns=["measure", "method", "n", "n_groups", "statistic", "df",
                                       "p_value", "effect_size", "effect_size_name"])


class LaggingCounties(NamedTuple):
    """The county-against-the-rest comparison and a finding per lagging county."""

    table: pd.DataFrame
    findings: list[Finding]


def lagging_counties(counties: Sequence[County], *, year: int | None = None,
                     basis: str = "awarded", overrides: dict[str, Any] | None = None
                     ) -> LaggingCounties:
    """Each county's three-plus share against all the other counties pooled.

    For a county with ``n`` branches of which ``x`` have three stars or more, among ``N``
    and ``K`` over all counties, the one-sided Fisher exact test of "behind the rest" is
    ``p = P(X <= x)`` with ``X ~ Hypergeom(N, K, n)``; p-values are Holm-adjusted across
    the counties (:func:`fivestar_analysis.analysis.stats.fisher_vs_rest`).

    Parameters
    ----------
    counties : sequence of County
    year : int, optional
    basis : {"awarded", "planned"}
    overrides : dict, optional
        Threshold overrides; the ``lagging_township`` thresholds apply (``alpha``,
        ``min_branches``, ``medium_gap_from``, ``high_gap_from``) unless a
        ``lagging_county`` entry is given.

    Returns
    -------
    LaggingCounties
        ``table``: ``county_code, county_name, year, n_branches, count_3plus, share_3plus,
        rest_n, rest_count, rest_share, share_difference, odds_ratio, p_value, p_adj,
        lagging``, lowest share first; ``lagging`` when the share is lower and ``p_adj <
        alpha``. ``findings``: a ``lagging_county`` :class:`Finding` per lagging county,
        ``statistic`` the odds ratio and ``p_value`` the adjusted p-value.
    """
    th_all = st.thresholds(overrides)
    th = th_all.get("lagging_county", th_all["lagging_township"])
    rank = county_ranking(counties, year=year, basis=basis)
    g = rank[KEYS + ["year", "n_branches", "count_3plus", "share_3plus"]].copy()
    n, x = g["n_branches"].to_numpy(), g["count_3plus"].to_numpy()
    g = g.join(fisher_vs_rest(x, n, min_n=th["min_branches"]).set_axis(g.index))
    g.insert(g.columns.get_loc("rest_share") + 1, "share_difference",
             g["share_3plus"] - g["rest_share"])
    g["lagging"] = ((g["share_difference"] < 0) & (g["p_adj"] < th["alpha"])).astype(bool)
    g = g.sort_values(["share_3plus", "county_code"], kind="stable").reset_index(drop=True)
    found = []
    for _, r in g[g["lagging"]].iterrows():
        gap = -float(r["share_difference"])
        sev = ("high" if gap >= th["high_gap_from"] else
               "medium" if gap >= th["medium_gap_from"] else "low")
        found.append(Finding(
            kind="lagging_county", scope="county", subject=str(r["county_name"]),
            severity=sev, year=int(r["year"]),
            statistic=None if pd.isna(r["odds_ratio"]) else float(r["odds_ratio"]),
            p_value=float(r["p_adj"]), test="Fisher exact (one-sided), Holm-corrected",
            evidence={"county_code": str(r["county_code"]), "basis": basis,
                      "n_branches": int(r["n_branches"]), "count_3plus": int(r["count_3plus"]),
                      "share_3plus": float(r["share_3plus"]), "rest_n": int(r["rest_n"]),
                      "rest_share": float(r["rest_share"]),
                      "share_difference": float(r["share_difference"]),
                      "p_raw": float(r["p_value"])},
        ))
    return LaggingCounties(g, found)
