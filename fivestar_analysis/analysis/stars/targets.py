"""Targets: progress to the county's targets and the branches closest to closing the gap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    level_column,
    next_star_candidates,
    resolve_year,
    status_matrix,
)
from fivestar_analysis.model.county import County

__all__ = ["target_progress", "target_candidates", "nearest_star_scores"]

# Weights of the evidence that a missing star is within reach (see nearest_star_scores).
W_DECLARED = 3.0
W_HELD_BEFORE = 2.0
W_INDICATOR = 1.0


def _scope(county: County, year: int, kind: str) -> pd.DataFrame:
    b = county.branches_in(year)
    if kind != "all":
        b = b[b["kind"].astype(str) == kind]
    return b


def target_progress(
    county: County, *, year: int | None = None, basis: str = "awarded", kind: str = "all"
) -> pd.DataFrame:
    """Progress to ``county.meta.targets`` in ``year``.

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.
    basis : {"awarded", "planned"}
        Compare results (awarded) or the plan (declared stars) with the targets.
    kind : {"all", "rural", "community"}
        Branches the targets are about.

    Returns
    -------
    DataFrame
        One row per target: ``target_name`` (``share_3plus`` or ``level_5`` …), ``level``
        (3 for the share, the level for a count), ``n_branches``, ``target_value``,
        ``actual_value``, ``target_branches``, ``actual_branches``, ``gap_branches``
        (branches still missing, never negative), ``progress`` (actual / target
        branches) and ``met``. A share target needs ``ceil(share × n)`` branches; a
        level target counts branches at exactly that level. Empty without targets.
    """
    y = resolve_year(county, year)
    col = level_column(basis)
    b = _scope(county, y, kind)
    n = len(b)
    lv = b[col].to_numpy()
    t = county.meta.targets
    rows = []
    if t.share_3plus is not None:
        need = int(math.ceil(t.share_3plus * n - 1e-9))
        have = int((lv >= 3).sum())
        rows.append({"target_name": "share_3plus", "level": 3, "target_value": float(t.share_3plus),
                     "actual_value": have / n if n else np.nan, "target_branches": need,
                     "actual_branches": have})
    for level, count in sorted(t.level_counts.items()):
        have = int((lv == int(level)).sum())
        rows.append({"target_name": f"level_{int(level)}", "level": int(level),
                     "target_value": float(count), "actual_value": float(have),
                     "target_branches": int(count), "actual_branches": have})
    cols = ["target_name", "level", "n_branches", "target_value", "actual_value", "target_branches",
            "actual_branches", "gap_branches", "progress", "met"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows)
    out["n_branches"] = n
    out["gap_branches"] = (out["target_branches"] - out["actual_branches"]).clip(lower=0)
    out["progress"] = np.where(out["target_branches"] > 0,
                               out["actual_branches"] / out["target_branches"].clip(lower=1), 1.0)
    out["met"] = out["gap_branches"] == 0
    return out[cols]


def nearest_star_scores(
    county: County, *, year: int | None = None, basis: str = "awarded"
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Score how close each branch is to each star it lacks.

    A star can be the branch's *next* star only if it lacks it; under the capstone rule
    the capstone is the next star only of a branch holding every other star, and no other
    branch can take it. Among the candidates, the score adds

    - 3 if the star was declared this year but not awarded (awarded basis only),
    - 2 if the branch held the star the year before (a lost star, within reach again),
    - 1 × an indicator in [0, 1]: for 产业兴旺星 the branch's percentile of collective
      income among rural branches of the year; for any other star its award rate among
      branches of the same kind that year (a common star is an easier one).

    Returns
    -------
    (branches, scores, keys)
        Branches of the year (RangeIndex), a float matrix (NaN where the star is not a
        candidate) with one column per key of ``rubric.all_star_keys()``, and the keys.
    """
    y = resolve_year(county, year)
    b, mat, keys = status_matrix(county, y)
    cand = next_star_candidates(mat, keys, basis, county.rubric.capstone)

    score = np.zeros(mat.shape)
    if basis == "awarded":
        score += W_DECLARED * (mat == 1)
    if y - 1 in set(county.years):
        _, prev, _ = status_matrix(county, y - 1)
        pb = county.branches_in(y - 1)["branch_id"]
        idx = pd.Index(pb.to_numpy()).get_indexer(b["branch_id"].to_numpy())
        had = np.zeros(mat.shape, dtype=bool)
        ok = idx >= 0
        had[ok] = prev[idx[ok]] == 2
        score += W_HELD_BEFORE * had
    kind = b["kind"].astype(str).to_numpy()
    indicator = np.zeros(mat.shape)
    for k in np.unique(kind):
        rows = kind == k
        rate = (mat[rows] == 2).mean(axis=0)
        indicator[rows] = rate
    if "industry" in keys:
        ii = keys.index("industry")
        income = b["collective_income_wan"].to_numpy(dtype=float)
        rural = kind == "rural"
        pct = pd.Series(np.where(rural, income, np.nan)).rank(pct=True).fillna(0).to_numpy()
        indicator[rural, ii] = pct[rural]
    score += W_INDICATOR * indicator
    score = np.where(cand, score, np.nan)
    return b, score, keys


def target_candidates(
    county: County,
    *,
    target_level: int = 3,
    year: int | None = None,
    basis: str = "awarded",
    kind: str = "all",
    gap: int | None = None,
) -> pd.DataFrame:
    """Branches one star below ``target_level``, closest first, with their nearest star.

    Parameters
    ----------
    county : County
    target_level : int
        3 for the three-plus share; a level target's level otherwise.
    year, basis, kind
        As in :func:`target_progress`.
    gap : int, optional
        Branches still needed; the first ``gap`` candidates get ``closes_gap``. By default
        the gap of the matching target in :func:`target_progress` (0 without one).

    Returns
    -------
    DataFrame
        ``candidate_rank, branch_id, branch_name, township, kind, level, target_level, nearest_star,
        nearest_reason, nearest_score, declared_not_awarded, collective_income_wan, closes_gap``.
        ``nearest_reason`` is ``declared_not_awarded``, ``held_last_year``,
        ``income_rank`` or ``common_star`` (the strongest term of the score, see
        :func:`nearest_star_scores`); ``declared_not_awarded`` joins the keys of stars
        the branch declared but was not awarded, with ``;``.
    """
    y = resolve_year(county, year)
    col = level_column(basis)
    b, score, keys = nearest_star_scores(county, year=y, basis=basis)
    _, mat, _ = status_matrix(county, y)
    sel = b[col].to_numpy() == target_level - 1
    if kind != "all":
        sel &= b["kind"].astype(str).to_numpy() == kind
    rows = np.flatnonzero(sel & ~np.all(np.isnan(score), axis=1))
    sc = score[rows]
    best = np.nanargmax(sc, axis=1) if len(rows) else np.array([], dtype=int)
    best_score = sc[np.arange(len(rows)), best] if len(rows) else np.array([])
    sub = mat[rows]
    nearest = [keys[i] for i in best]
    declared = (sub == 1) if basis == "awarded" else np.zeros(sub.shape, dtype=bool)
    dna = [";".join(keys[j] for j in np.flatnonzero(r)) for r in declared]
    dec_best = declared[np.arange(len(rows)), best] if len(rows) else np.array([], bool)
    reason = np.where(dec_best, "declared_not_awarded",
                      np.where(best_score >= W_HELD_BEFORE, "held_last_year",
                               np.where(np.array(nearest, dtype=object) == "industry",
                                        "income_rank", "common_star")))
    bb = b.iloc[rows]
    out = pd.DataFrame({
        "branch_id": bb["branch_id"].to_numpy(), "branch_name": bb["branch_name"].to_numpy(),
        "township": bb["township"].to_numpy(), "kind": bb["kind"].astype(str).to_numpy(),
        "level": bb[col].to_numpy(), "target_level": target_level,
        "nearest_star": nearest, "nearest_reason": reason, "nearest_score": best_score,
        "declared_not_awarded": dna,
        "collective_income_wan": bb["collective_income_wan"].to_numpy(),
    })
    out = out.sort_values(["nearest_score", "collective_income_wan", "branch_id"],
                          ascending=[False, False, True], na_position="last", kind="stable")
    out.insert(0, "candidate_rank", np.arange(1, len(out) + 1))
    if gap is None:
        prog = target_progress(county, year=y, basis=basis, kind=kind)
        hit = prog[prog["level"] == target_level]
        gap = int(hit["gap_branches"].max()) if len(hit) else 0
    out["closes_gap"] = out["candidate_rank"] <= gap
    return out.reset_index(drop=True)
