"""Weak-link diagnosis of the star results: weakest star, bottleneck star, lagging townships.

Each ``*_table`` function returns the numbers behind a finding; :func:`diagnose` turns the
tables (and those of :mod:`.economy` and :mod:`.cadres`) into typed
:class:`~fivestar_analysis.model.findings.Finding` objects with severities taken from the
packaged thresholds (``resources/thresholds/stars.yaml``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    level_column,
    next_star_candidates,
    resolve_year,
    severity_above,
    severity_below,
    status_matrix,
    thresholds,
)
from fivestar_analysis.analysis.stars.attainment import star_attainment
from fivestar_analysis.analysis.stars.consistency import capstone_violations
from fivestar_analysis.analysis.stats import fisher_vs_rest
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding

__all__ = ["bottleneck_table", "township_comparison", "lowest_star_findings",
           "bottleneck_findings", "lagging_township_findings", "capstone_findings",
           "diagnose"]


def bottleneck_table(county: County, *, year: int | None = None,
                     basis: str = "awarded") -> pd.DataFrame:
    """Which missing star holds branches back from the next level, per kind and level.

    How branches are counted: every branch at level ``L`` is one star short of ``L + 1``;
    its *candidate* stars are those of its kind it lacks, leaving out the capstone unless
    it holds every other star (then the capstone is its only candidate; see
    :func:`~fivestar_analysis.analysis.stars._common.next_star_candidates`).

    Returns
    -------
    DataFrame
        ``kind, from_level, star, n_branches, n_missing, missing_share, missing_weighted,
        weighted_share, declared_not_awarded``: ``n_missing`` counts branches at
        ``from_level`` lacking the candidate star; ``missing_weighted`` lets each branch
        spread one unit evenly over its candidates (a level-3 rural branch lacking one
        star gives it 1, a level-1 branch gives 1/3 to each of three), so the weighted
        counts of a level add up to its branches; ``weighted_share`` divides by
        ``n_branches``. ``declared_not_awarded`` counts branches that declared the star
        this year and were not awarded it (awarded basis; 0 for the planned basis).
    """
    y = resolve_year(county, year)
    b, mat, keys = status_matrix(county, y)
    cand = next_star_candidates(mat, keys, basis, county.rubric.capstone)
    lvl = b[level_column(basis)].to_numpy()
    kind = b["kind"].astype(str).to_numpy()
    ncand = cand.sum(axis=1)
    weight = np.where(ncand > 0, 1.0 / np.maximum(ncand, 1), 0.0)
    dna = (mat == 1) & cand if basis == "awarded" else np.zeros(mat.shape, dtype=bool)
    frames = []
    for k in county.rubric.kinds:
        rows = kind == k
        if not rows.any():
            continue
        cols = [keys.index(s) for s in county.rubric.star_keys(k)]
        levels = np.arange(county.rubric.max_level)
        onehot = (lvl[rows][:, None] == levels[None, :]).astype(float)  # branch × level
        c = cand[rows][:, cols].astype(float)
        n = onehot.sum(axis=0)
        missing = onehot.T @ c
        weighted = onehot.T @ (c * weight[rows][:, None])
        declared = onehot.T @ dna[rows][:, cols].astype(float)
        f = pd.DataFrame({
            "kind": k,
            "from_level": np.repeat(levels, len(cols)),
            "star": np.tile([keys[i] for i in cols], len(levels)),
            "n_branches": np.repeat(n, len(cols)).astype("int64"),
            "n_missing": missing.ravel().astype("int64"),
            "missing_weighted": weighted.ravel(),
            "declared_not_awarded": declared.ravel().astype("int64"),
        })
        frames.append(f)
    cols_out = ["kind", "from_level", "star", "n_branches", "n_missing", "missing_share",
                "missing_weighted", "weighted_share", "declared_not_awarded"]
    if not frames:
        return pd.DataFrame(columns=cols_out)
    out = pd.concat(frames, ignore_index=True)
    nb = out["n_branches"].where(out["n_branches"] > 0)
    out["missing_share"] = out["n_missing"] / nb
    out["weighted_share"] = out["missing_weighted"] / nb
    return out[cols_out]


def township_comparison(county: County, *, year: int | None = None, basis: str = "awarded",
                        kind: str = "all", threshold: int = 3,
                        overrides: dict[str, Any] | None = None) -> pd.DataFrame:
    """Each township's three-plus share against the rest of the county.

    The test is one-sided Fisher exact ("is the township behind the rest?"): with ``N``
    branches of which ``K`` are at ``threshold`` stars or more, a township of ``n`` with
    ``x`` such branches has ``p = P(X <= x)`` for ``X ~ Hypergeom(N, K, n)``; p-values are
    Holm-corrected across the townships tested
    (:func:`fivestar_analysis.analysis.stats.fisher_vs_rest`).

    Returns
    -------
    DataFrame
        ``township, n_branches, count_3plus, share_3plus, rest_n, rest_count, rest_share,
        share_difference, odds_ratio, p_value, p_adj, behind`` sorted by ``share_3plus``;
        ``share_difference = share_3plus - rest_share``; ``behind`` when the township's share is
        lower and ``p_adj < alpha`` (thresholds ``lagging_township``). Townships with
        fewer than ``min_branches`` branches get NaN p-values.
    """
    th = thresholds(overrides)["lagging_township"]
    y = resolve_year(county, year)
    b = county.branches_in(y)
    if kind != "all":
        b = b[b["kind"].astype(str) == kind]
    top = (b[level_column(basis)] >= threshold).astype("int64")
    g = (b.assign(top=top.to_numpy()).groupby("township", observed=True)
         .agg(n_branches=("top", "size"), count_3plus=("top", "sum")).reset_index())
    n, x = g["n_branches"].to_numpy(), g["count_3plus"].to_numpy()
    g["share_3plus"] = x / n
    g = g.join(fisher_vs_rest(x, n, min_n=th["min_branches"]).set_axis(g.index))
    g.insert(g.columns.get_loc("rest_share") + 1, "share_difference",
             g["share_3plus"] - g["rest_share"])
    g["behind"] = (g["share_difference"] < 0) & (g["p_adj"] < th["alpha"])
    return g.sort_values(["share_3plus", "township"], kind="stable").reset_index(drop=True)


def lowest_star_findings(county: County, *, year: int | None = None, basis: str = "awarded",
                         overrides: dict[str, Any] | None = None) -> list[Finding]:
    """The lowest-attainment star of each branch kind, as ``lowest_star`` findings.

    The capstone is left out (it is rarest by construction). The rate is the award rate
    (the declare rate for plans); severity from thresholds ``lowest_star``.

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
        One per branch kind present; evidence ``rate, count, n_branches,
        achievement_rate, highest_star, highest_rate, mean_rate``.
    """
    y = resolve_year(county, year)
    th = thresholds(overrides)["lowest_star"]
    rate_col = "award_rate" if basis == "awarded" else "declare_rate"
    count_col = "n_awarded" if basis == "awarded" else "n_declared"
    kinds = [k for k in county.rubric.kinds
             if (county.branches_in(y)["kind"].astype(str) == k).any()]
    if not kinds:
        return []
    att = star_attainment(county, kinds=kinds, year=y)
    out = []
    for k in kinds:
        a = att[(att["kind"] == k) & (att["star"] != county.rubric.capstone)]
        a = a.sort_values([rate_col, "star"], kind="stable")
        low, high = a.iloc[0], a.iloc[-1]
        out.append(Finding(
            kind="lowest_star", scope="county", subject=str(low["star"]),
            severity=severity_below(float(low[rate_col]), th), year=y,
            evidence={"branch_kind": k, "basis": basis, "rate": float(low[rate_col]),
                      "count": int(low[count_col]), "n_branches": int(low["n_branches"]),
                      "achievement_rate": _f(low["achievement_rate"]),
                      "highest_star": str(high["star"]), "highest_rate": float(high[rate_col]),
                      "mean_rate": float(a[rate_col].mean())},
        ))
    return out


def bottleneck_findings(county: County, *, year: int | None = None, basis: str = "awarded",
                        overrides: dict[str, Any] | None = None) -> list[Finding]:
    """The bottleneck star of each kind, as ``bottleneck_star`` findings.

    Among branches at levels 1 to ``max_level - 2`` (one non-capstone star short of the
    next level), stars are ranked by the weighted count of :func:`bottleneck_table`; the
    severity compares ``weighted_share`` with thresholds ``bottleneck_star``.

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
        Evidence ``n_near, n_missing, missing_weighted, weighted_share,
        declared_not_awarded, runner_up, runner_up_weighted, four_star_waiting_capstone``.
    """
    y = resolve_year(county, year)
    th = thresholds(overrides)["bottleneck_star"]
    tab = bottleneck_table(county, year=y, basis=basis)
    out = []
    top = county.rubric.max_level
    for k in tab["kind"].unique():
        t = tab[(tab["kind"] == k) & tab["from_level"].between(1, top - 2)]
        per_level = t.drop_duplicates("from_level")["n_branches"]
        n_near = int(per_level.sum())
        if n_near == 0:
            continue
        s = t.groupby("star", sort=False)[["n_missing", "missing_weighted",
                                           "declared_not_awarded"]].sum()
        s = s.sort_values(["missing_weighted", "n_missing"], ascending=False, kind="stable")
        star = str(s.index[0])
        share = float(s.iloc[0]["missing_weighted"]) / n_near
        four = tab[(tab["kind"] == k) & (tab["from_level"] == top - 1)]
        out.append(Finding(
            kind="bottleneck_star", scope="county", subject=star,
            severity=severity_above(share, th), year=y,
            evidence={"branch_kind": k, "basis": basis, "n_near": n_near,
                      "n_missing": int(s.iloc[0]["n_missing"]),
                      "missing_weighted": float(s.iloc[0]["missing_weighted"]),
                      "weighted_share": share,
                      "declared_not_awarded": int(s.iloc[0]["declared_not_awarded"]),
                      "runner_up": str(s.index[1]) if len(s) > 1 else None,
                      "runner_up_weighted": float(s.iloc[1]["missing_weighted"])
                      if len(s) > 1 else None,
                      "four_star_waiting_capstone": int(four["n_missing"].max())
                      if len(four) else 0},
        ))
    return out


def lagging_township_findings(county: County, *, year: int | None = None,
                              basis: str = "awarded", kind: str = "all",
                              overrides: dict[str, Any] | None = None) -> list[Finding]:
    """A ``lagging_township`` finding per township significantly behind the rest.

    Uses :func:`township_comparison`; ``statistic`` is the odds ratio and ``p_value`` the
    Holm-adjusted one-sided Fisher p-value. Severity from the share gap (thresholds
    ``lagging_township``).

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.
    basis : {"awarded", "planned"}
    kind : {"all", "rural", "community"}
    overrides : dict, optional
        Threshold overrides (see :func:`~fivestar_analysis.analysis.stars.thresholds`).

    Returns
    -------
    list of Finding
    """
    y = resolve_year(county, year)
    th = thresholds(overrides)["lagging_township"]
    tab = township_comparison(county, year=y, basis=basis, kind=kind, overrides=overrides)
    out = []
    for _, r in tab[tab["behind"]].iterrows():  # one row per lagging township
        gap = -float(r["share_difference"])
        sev = ("high" if gap >= th["high_gap_from"] else
               "medium" if gap >= th["medium_gap_from"] else "low")
        out.append(Finding(
            kind="lagging_township", scope="township", subject=str(r["township"]),
            severity=sev, year=y, statistic=_f(r["odds_ratio"]), p_value=float(r["p_adj"]),
            test="Fisher exact (one-sided), Holm-corrected",
            evidence={"basis": basis, "branch_kind": kind,
                      "n_branches": int(r["n_branches"]), "count_3plus": int(r["count_3plus"]),
                      "share_3plus": float(r["share_3plus"]), "rest_share": float(r["rest_share"]),
                      "share_difference": float(r["share_difference"]),
                      "p_raw": float(r["p_value"])},
        ))
    return out


def capstone_findings(county: County, *, year: int | None = None, basis: str = "awarded",
                      overrides: dict[str, Any] | None = None) -> list[Finding]:
    """One ``capstone_rule`` finding when branches hold the capstone without every other
    star (see :func:`~fivestar_analysis.analysis.stars.capstone_violations`).

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
        Empty when the rule holds; evidence ``violations, five_star, branches``.
    """
    y = resolve_year(county, year)
    th = thresholds(overrides)["capstone_rule"]
    v = capstone_violations(county, basis=basis, year=y)
    if v.empty:
        return []
    n_top = int((county.branches_in(y)[level_column(basis)] == county.rubric.max_level).sum())
    share = len(v) / max(n_top + len(v), 1)
    sev = "high" if share >= th["high_from"] else "medium"
    return [Finding(kind="capstone_rule", scope="county", subject=str(county.rubric.capstone),
                    severity=sev, year=y,
                    evidence={"basis": basis, "violations": len(v), "five_star": n_top,
                              "branches": list(v["branch_id"])[:50]})]


def _f(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def diagnose(county: County, *, year: int | None = None, basis: str = "awarded",
             thresholds: dict[str, Any] | None = None) -> list[Finding]:
    """Every star-analysis weak link of ``year`` as findings, most severe first.

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.
    basis : {"awarded", "planned"}
    thresholds : dict, optional
        Overrides of the packaged thresholds, e.g. ``{"weak_lax": {"high_from": 0.1}}``.

    Returns
    -------
    list of Finding
        Kinds ``capstone_rule``, ``lowest_star``, ``bottleneck_star``, ``lagging_township``,
        ``collective_economy``, ``weak_lax``, ``weak_secretaries``.
    """
    from fivestar_analysis.analysis.stars.cadres import cadre_findings
    from fivestar_analysis.analysis.stars.economy import economy_findings

    y = resolve_year(county, year)
    kw = {"year": y, "basis": basis, "overrides": thresholds}
    found = (capstone_findings(county, **kw) + lowest_star_findings(county, **kw)
             + bottleneck_findings(county, **kw) + lagging_township_findings(county, **kw)
             + economy_findings(county, **kw) + cadre_findings(county, **kw))
    rank = {"high": 0, "medium": 1, "low": 2}
    return sorted(found, key=lambda f: rank[f.severity])
