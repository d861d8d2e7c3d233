"""Per-star attainment: how many branches declared and were awarded each star."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    check_by,
    check_kinds,
    scope_columns,
    star_branch_rows,
    star_order,
    sum_by_kind_scope,
)
from fivestar_analysis.model.county import County

__all__ = ["star_attainment", "stars_with_township"]


def stars_with_township(county: County, year: int | None = None) -> pd.DataFrame:
    """The long star table with each row's township and 0/1 ``declared``/``awarded``.

    Returns
    -------
    DataFrame
        ``branch_id, year, township, kind, star, declared, awarded``.
    """
    pos = star_branch_rows(county)
    s = county.stars
    if year is not None:
        keep = (s["year"] == int(year)).to_numpy()
        s, pos = s[keep], pos[keep]
    town = county.branches["township"].to_numpy(dtype=object)
    township = np.where(pos >= 0, town[np.maximum(pos, 0)], None)
    codes = s["status"].cat.codes.to_numpy()
    return pd.DataFrame({
        "branch_id": s["branch_id"].to_numpy(),
        "year": s["year"].to_numpy(),
        "township": township,
        "kind": s["kind"].to_numpy(),
        "star": s["star"].to_numpy(),
        "declared": (codes >= 1).astype("int64"),
        "awarded": (codes == 2).astype("int64"),
    })


def star_attainment(
    county: County,
    *,
    by: str | None = None,
    kinds: str | Iterable[str] = ("rural", "community", "all"),
    year: int | None = None,
) -> pd.DataFrame:
    """Count and rate of each star per year (and township), declared against awarded.

    Parameters
    ----------
    county : County
    by : {None, "township"}
    kinds : iterable of {"rural", "community", "all"}
        In ``all``, stars shared by both kinds (平安法治星, 支部过硬星) are pooled.
    year : int, optional
        One year only; all years by default.

    Returns
    -------
    DataFrame
        ``year, [township], kind, star, n_branches, n_declared, n_awarded, declare_rate,
        award_rate, achievement_rate`` where ``declare_rate = n_declared / n_branches``,
        ``award_rate = n_awarded / n_branches`` and ``achievement_rate = n_awarded /
        n_declared`` (NaN when nothing was declared). Stars are in rubric order.
    """
    by = check_by(by)
    kinds = check_kinds(kinds)
    keys = scope_columns(by) + ["kind"]
    counts = sum_by_kind_scope(stars_with_township(county, year), keys + ["star"],
                               ["declared", "awarded"], kinds)

    b = county.branches if year is None else county.branches[county.branches["year"] == year]
    n = sum_by_kind_scope(b[["year", "township", "kind"]].assign(n_branches=1), keys,
                          ["n_branches"], kinds)
    grid = pd.concat(
        [n[n["kind"] == k].merge(pd.DataFrame({"star": star_order(county, k),
                                               "_order": range(len(star_order(county, k)))}),
                                 how="cross") for k in kinds],
        ignore_index=True,
    )
    out = grid.merge(counts, on=keys + ["star"], how="left")
    out = out.rename(columns={"declared": "n_declared", "awarded": "n_awarded"})
    out[["n_declared", "n_awarded"]] = out[["n_declared", "n_awarded"]].fillna(0).astype("int64")
    out["declare_rate"] = out["n_declared"] / out["n_branches"]
    out["award_rate"] = out["n_awarded"] / out["n_branches"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["achievement_rate"] = np.where(out["n_declared"] > 0,
                                           out["n_awarded"] / out["n_declared"].clip(lower=1),
                                           np.nan)
    kind_order = {k: i for i, k in enumerate(kinds)}
    out = out.assign(_k=out["kind"].map(kind_order))
    out = out.sort_values(scope_columns(by) + ["_k", "_order"], kind="stable")
    cols = keys + ["star", "n_branches", "n_declared", "n_awarded", "declare_rate",
                   "award_rate", "achievement_rate"]
    return out[cols].reset_index(drop=True)
