"""Reward budget: what the configured policy (``rubric.reward``) pays for a year."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    check_by,
    check_kinds,
    expand_kinds,
    level_column,
    resolve_year,
)
from fivestar_analysis.model.county import County

__all__ = ["branch_rewards", "reward_budget"]


def branch_rewards(county: County, *, year: int | None = None,
                   basis: str = "awarded") -> pd.DataFrame:
    """The reward each branch earns (results) or would earn (plan) in ``year``.

    A branch earns ``per_star_wan`` for each star (awarded, or declared for a plan) and
    ``per_promotion_wan`` when its level rises above last year's *awarded* level (晋星).
    A branch without a row for the previous year is not counted as promoted.

    Returns
    -------
    DataFrame
        ``branch_id, branch_name, township, kind, stars, previous_level, promoted,
        star_reward_wan, promotion_reward_wan, reward_wan``; ``previous_level`` is
        ``<NA>`` without a previous-year row.
    """
    y = resolve_year(county, year)
    b = county.branches_in(y)
    stars = b[level_column(basis)].to_numpy()
    prev = county.branches_in(y - 1) if (y - 1) in set(county.years) else county.branches.iloc[0:0]
    prev_level = pd.Series(prev["level"].to_numpy(), index=prev["branch_id"].to_numpy())
    pl = pd.array(prev_level.reindex(b["branch_id"].to_numpy()).to_numpy(), dtype="Int64")
    promoted = (pd.Series(stars) > pd.Series(pl)).fillna(False).to_numpy(dtype=bool)
    r = county.rubric.reward
    out = pd.DataFrame({
        "branch_id": b["branch_id"].to_numpy(), "branch_name": b["branch_name"].to_numpy(),
        "township": b["township"].to_numpy(), "kind": b["kind"].astype(str).to_numpy(),
        "stars": stars.astype("int64"), "previous_level": pl, "promoted": promoted,
    })
    out["star_reward_wan"] = out["stars"] * float(r.per_star_wan)
    out["promotion_reward_wan"] = np.where(promoted, float(r.per_promotion_wan), 0.0)
    out["reward_wan"] = out["star_reward_wan"] + out["promotion_reward_wan"]
    return out


def reward_budget(
    county: County,
    *,
    year: int | None = None,
    basis: str = "awarded",
    by: str | None = None,
    kinds: str | Iterable[str] = ("rural", "community", "all"),
) -> pd.DataFrame:
    """Money (万元) the reward policy pays for a year's results or for a plan.

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.
    basis : {"awarded", "planned"}
        ``awarded``: stars awarded and promotions achieved; ``planned``: the budget if
        every declared star were awarded.
    by : {None, "township"}
    kinds : kind scopes (rural, community, all).

    Returns
    -------
    DataFrame
        ``year, [township], kind, basis, n_branches, stars, promotions, no_previous,
        per_star_wan, per_promotion_wan, star_reward_wan, promotion_reward_wan,
        total_wan``; ``no_previous`` counts branches without a previous-year row.
    """
    by = check_by(by)
    kinds = check_kinds(kinds)
    y = resolve_year(county, year)
    br = branch_rewards(county, year=y, basis=basis)
    br = br.assign(no_prev=br["previous_level"].isna().to_numpy().astype("int64"),
                   prom=br["promoted"].astype("int64"))
    keys = (["township"] if by else []) + ["kind"]
    e = expand_kinds(br, kinds)
    g = e.groupby(keys, observed=True).agg(
        n_branches=("stars", "size"), stars=("stars", "sum"), promotions=("prom", "sum"),
        no_previous=("no_prev", "sum"), star_reward_wan=("star_reward_wan", "sum"),
        promotion_reward_wan=("promotion_reward_wan", "sum")).reset_index()
    g["kind"] = g["kind"].astype(str)
    r = county.rubric.reward
    g["per_star_wan"] = float(r.per_star_wan)
    g["per_promotion_wan"] = float(r.per_promotion_wan)
    g["total_wan"] = g["star_reward_wan"] + g["promotion_reward_wan"]
    g.insert(0, "year", y)
    g.insert(len(keys) + 1, "basis", basis)
    cols = ["year"] + keys + ["basis", "n_branches", "stars", "promotions", "no_previous",
                              "per_star_wan", "per_promotion_wan", "star_reward_wan",
                              "promotion_reward_wan", "total_wan"]
    return g[cols]
