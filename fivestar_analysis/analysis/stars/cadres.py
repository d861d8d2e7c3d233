"""Weak and lax branches (软弱涣散) and secretary ratings, when the ledger has them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    level_column,
    resolve_year,
    severity_above,
    thresholds,
)
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding

__all__ = ["weak_lax_table", "secretary_table", "cadre_findings"]


def weak_lax_table(county: County, *, year: int | None = None,
                   basis: str = "awarded") -> pd.DataFrame:
    """Branches flagged weak and lax against the others.

    Returns
    -------
    DataFrame
        ``weak_lax (bool), n, share, mean_level, share_3plus``; empty when the ledger
        has no ``weak_lax`` values for the year.
    """
    y = resolve_year(county, year)
    b = county.branches_in(y)
    cols = ["weak_lax", "n", "share", "mean_level", "share_3plus"]
    flag = b["weak_lax"]
    known = flag.notna().to_numpy()
    if not known.any():
        return pd.DataFrame(columns=cols)
    lv = b[level_column(basis)].to_numpy()[known]
    f = flag.to_numpy()[known].astype(bool)
    rows = []
    for v in (True, False):
        m = f == v
        rows.append({"weak_lax": v, "n": int(m.sum()), "share": float(m.mean()),
                     "mean_level": float(lv[m].mean()) if m.any() else np.nan,
                     "share_3plus": float((lv[m] >= 3).mean()) if m.any() else np.nan})
    return pd.DataFrame(rows, columns=cols)


def secretary_table(county: County, *, year: int | None = None,
                    basis: str = "awarded") -> pd.DataFrame:
    """Branch secretaries by rating (one to five stars) and the action each triggers
    (``rubric.secretary_actions``).

    Returns
    -------
    DataFrame
        ``rating, action_zh, action_en, count, share, mean_level``; ratings 1–5 always
        present; empty when no secretary is rated.
    """
    y = resolve_year(county, year)
    b = county.branches_in(y)
    cols = ["rating", "action_zh", "action_en", "count", "share", "mean_level"]
    r = b["secretary_rating"]
    known = r.notna().to_numpy()
    if not known.any():
        return pd.DataFrame(columns=cols)
    rating = r.to_numpy()[known].astype(int)
    lv = b[level_column(basis)].to_numpy()[known]
    acts = county.rubric.secretary_actions
    rows = []
    for k in range(1, 6):
        m = rating == k
        a = acts.get(k)
        rows.append({"rating": k, "action_zh": a.zh if a else None,
                     "action_en": a.en if a else None, "count": int(m.sum()),
                     "share": float(m.mean()),
                     "mean_level": float(lv[m].mean()) if m.any() else np.nan})
    return pd.DataFrame(rows, columns=cols)


def cadre_findings(county: County, *, year: int | None = None, basis: str = "awarded",
                   overrides: dict[str, Any] | None = None) -> list[Finding]:
    """``weak_lax`` and ``weak_secretaries`` findings, when the ledger has the columns.

    Severity from the share of weak-lax branches and the share of secretaries rated one
    or two stars (thresholds ``weak_lax`` and ``weak_secretaries``).

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
    th = thresholds(overrides)
    out = []
    wl = weak_lax_table(county, year=y, basis=basis)
    if not wl.empty and int(wl.loc[0, "n"]) > 0:
        b = county.branches_in(y)
        ids = b.loc[b["weak_lax"].fillna(False).astype(bool), "branch_id"].tolist()
        share = float(wl.loc[0, "share"])
        out.append(Finding(
            kind="weak_lax", scope="county", subject="weak_lax",
            severity=severity_above(share, th["weak_lax"]), year=y,
            evidence={"count": int(wl.loc[0, "n"]), "share": share,
                      "mean_level": float(wl.loc[0, "mean_level"]),
                      "mean_level_others": _f(wl.loc[1, "mean_level"]),
                      "branches": ids[:50]},
        ))
    sec = secretary_table(county, year=y, basis=basis)
    if not sec.empty:
        low = sec[sec["rating"] <= 2]
        share = float(low["share"].sum())
        if low["count"].sum() > 0:
            out.append(Finding(
                kind="weak_secretaries", scope="county", subject="secretary_rating",
                severity=severity_above(share, th["weak_secretaries"]), year=y,
                evidence={"rated": int(sec["count"].sum()), "one_star": int(sec.loc[0, "count"]),
                          "two_star": int(sec.loc[1, "count"]), "share_low": share,
                          "actions": {int(r.rating): r.action_zh for r in sec.itertuples()}},
            ))
    return out


def _f(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)
