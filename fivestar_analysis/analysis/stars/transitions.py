"""Multi-year tracking: level transitions, stars gained and lost, five-star runs, honours."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    branch_year_keys,
    check_kinds,
    expand_kinds,
    level_column,
    star_flags,
    sum_by_kind_scope,
)
from fivestar_analysis.model.county import County

__all__ = ["level_transitions", "transition_summary", "star_changes", "five_star_runs",
           "honour_holders"]


def _pairs(county: County) -> list[tuple[int, int]]:
    ys = county.years
    return [(a, b) for a, b in zip(ys, ys[1:]) if b == a + 1]


def _linked(county: County, basis: str) -> pd.DataFrame:
    """Branch-year rows joined to the same branch's row of the previous year.

    Returns ``branch_id, year_to, kind, level_to, level_from, year_from, row_to, row_from``
    with the positions of both rows in ``county.branches``.
    """
    col = level_column(basis)
    b = county.branches
    bk, _, _ = branch_year_keys(county)
    first = int(b["year"].min()) if len(b) else 0
    prev = pd.Index(bk).get_indexer(bk - 1)
    prev[b["year"].to_numpy() == first] = -1
    rows = np.flatnonzero(prev >= 0)
    lv = b[col].to_numpy()
    yr = b["year"].to_numpy()
    return pd.DataFrame({
        "branch_id": b["branch_id"].to_numpy()[rows], "year_to": yr[rows],
        "kind": b["kind"].to_numpy()[rows], "level_to": lv[rows],
        "level_from": lv[prev[rows]], "year_from": yr[rows] - 1,
        "row_to": rows, "row_from": prev[rows],
    })


def level_transitions(
    county: County, *, basis: str = "awarded",
    kinds: str | Iterable[str] = ("rural", "community", "all"),
) -> pd.DataFrame:
    """Level transition matrix between consecutive years, in long form.

    Only branches present in both years are counted; their kind is the later year's.

    Returns
    -------
    DataFrame
        ``year_from, year_to, kind, level_from, level_to, count`` with every pair of
        levels ``0 … 5`` present (zeros included). Pivot ``level_from`` × ``level_to`` for
        the matrix.
    """
    kinds = check_kinds(kinds)
    top = county.rubric.max_level
    both = expand_kinds(_linked(county, basis), kinds)
    counts = both.groupby(["year_from", "year_to", "kind", "level_from", "level_to"],
                          observed=True).size()
    pairs = _pairs(county)
    idx = pd.MultiIndex.from_tuples(
        [(a, b, k, lf, lt) for a, b in pairs for k in kinds
         for lf in range(top + 1) for lt in range(top + 1)],
        names=["year_from", "year_to", "kind", "level_from", "level_to"],
    )
    counts.index = counts.index.set_levels(counts.index.levels[2].astype(str), level=2)
    out = counts.reindex(idx, fill_value=0).rename("count").reset_index()
    out["count"] = out["count"].astype("int64")
    return out


def transition_summary(
    county: County, *, basis: str = "awarded",
    kinds: str | Iterable[str] = ("rural", "community", "all"),
) -> pd.DataFrame:
    """Promoted, kept and demoted branches between consecutive years.

    Returns
    -------
    DataFrame
        ``year_from, year_to, kind, n_both, promoted, kept, demoted, promoted_share,
        demoted_share, mean_change, entered, left``: ``n_both`` branches are in both
        years; ``entered``/``left`` are in only the later/earlier year.
    """
    kinds = check_kinds(kinds)
    both = expand_kinds(_linked(county, basis), kinds)
    d = both["level_to"] - both["level_from"]
    both = both.assign(promoted=(d > 0).astype("int64"), kept=(d == 0).astype("int64"),
                       demoted=(d < 0).astype("int64"), change=d)
    g = both.groupby(["year_from", "year_to", "kind"], observed=True).agg(
        n_both=("change", "size"), promoted=("promoted", "sum"), kept=("kept", "sum"),
        demoted=("demoted", "sum"), mean_change=("change", "mean"))
    g.index = g.index.set_levels(g.index.levels[2].astype(str), level=2)
    idx = pd.MultiIndex.from_tuples([(a, b, k) for a, b in _pairs(county) for k in kinds],
                                    names=["year_from", "year_to", "kind"])
    g = g.reindex(idx)
    for c in ["n_both", "promoted", "kept", "demoted"]:
        g[c] = g[c].fillna(0).astype("int64")
    g["promoted_share"] = g["promoted"] / g["n_both"].where(g["n_both"] > 0)
    g["demoted_share"] = g["demoted"] / g["n_both"].where(g["n_both"] > 0)

    # Entered/left: branch-years without a partner in the adjacent year.
    b = county.branches[["branch_id", "year", "kind"]]
    bk, _, _ = branch_year_keys(county)
    idx_keys = pd.Index(bk)
    yr = b["year"].to_numpy()
    first, last = (int(yr.min()), int(yr.max())) if len(yr) else (0, 0)
    has_prev = (idx_keys.get_indexer(bk - 1) >= 0) & (yr > first)
    has_next = (idx_keys.get_indexer(bk + 1) >= 0) & (yr < last)
    ent = expand_kinds(b.assign(x=(~has_prev).astype("int64")), kinds)
    ent = ent.groupby(["year", "kind"], observed=True)["x"].sum()
    lef = expand_kinds(b.assign(x=(~has_next).astype("int64")), kinds)
    lef = lef.groupby(["year", "kind"], observed=True)["x"].sum()
    ent.index = ent.index.set_levels(ent.index.levels[1].astype(str), level=1)
    lef.index = lef.index.set_levels(lef.index.levels[1].astype(str), level=1)
    g = g.reset_index()
    g["entered"] = [int(ent.get((b_, k), 0)) for b_, k in zip(g["year_to"], g["kind"])]
    g["left"] = [int(lef.get((a, k), 0)) for a, k in zip(g["year_from"], g["kind"])]
    cols = ["year_from", "year_to", "kind", "n_both", "promoted", "kept", "demoted",
            "promoted_share", "demoted_share", "mean_change", "entered", "left"]
    return g[cols]


def star_changes(
    county: County, *, basis: str = "awarded",
    kinds: str | Iterable[str] = ("rural", "community", "all"),
) -> pd.DataFrame:
    """Stars gained and lost per star between consecutive years (branches in both years).

    Returns
    -------
    DataFrame
        ``year_from, year_to, kind, star, held_before, held_after, gained, lost, kept,
        net`` with ``net = gained - lost``.
    """
    kinds = check_kinds(kinds)
    s = county.stars
    b = county.branches
    bk, sk, _ = branch_year_keys(county)
    scode, _ = pd.factorize(s["star"].to_numpy(dtype=object))
    nstar = int(scode.max()) + 1 if len(scode) else 1
    key = sk * nstar + scode
    first = int(b["year"].min()) if len(b) else 0
    syear = s["year"].to_numpy()
    # star rows whose branch also has a row the year before
    bindex = pd.Index(bk)
    linked = (syear > first) & (bindex.get_indexer(sk - 1) >= 0)
    prev = pd.Index(key).get_indexer(key - nstar)
    flags = star_flags(s, basis)
    before = np.where(prev >= 0, flags[np.maximum(prev, 0)], False)
    after = flags
    sel = np.flatnonzero(linked)
    bf, af = before[sel], after[sel]
    m = pd.DataFrame({
        "year": syear[sel], "kind": s["kind"].to_numpy()[sel],
        "star": s["star"].to_numpy(dtype=object)[sel],
        "held_before": bf.astype("int64"), "held_after": af.astype("int64"),
        "gained": (~bf & af).astype("int64"), "lost": (bf & ~af).astype("int64"),
        "kept": (bf & af).astype("int64"),
    })
    g = sum_by_kind_scope(m, ["year", "kind", "star"],
                          ["held_before", "held_after", "gained", "lost", "kept"], kinds)
    g = g.rename(columns={"year": "year_to"})
    g.insert(0, "year_from", g["year_to"] - 1)
    g["net"] = g["gained"] - g["lost"]
    order = {k: i for i, k in enumerate(county.rubric.all_star_keys())}
    korder = {k: i for i, k in enumerate(kinds)}
    g = g.assign(_s=g["star"].map(order), _k=g["kind"].map(korder))
    g = g.sort_values(["year_from", "_k", "_s"], kind="stable").drop(columns=["_s", "_k"])
    return g.reset_index(drop=True)


def _honour(years: np.ndarray, county: County) -> np.ndarray:
    h = county.rubric.honours
    return np.where(years >= h.gold_years, "gold",
                    np.where(years >= h.silver_years, "silver", None))


def five_star_runs(county: County) -> pd.DataFrame:
    """Runs of consecutive years at five stars (awarded), one row per run.

    Returns
    -------
    DataFrame
        ``branch_id, branch_name, township, kind, start_year, end_year, run_years, ongoing,
        honour``: ``ongoing`` when the run reaches the ledger's last year; ``honour`` is
        ``gold`` (金五星) from ``rubric.honours.gold_years`` consecutive years, ``silver``
        (银五星) from ``silver_years``, else None.
    """
    b = county.branches
    top = county.rubric.max_level
    f = b.loc[b["level"] == top, ["branch_id", "year"]].sort_values(["branch_id", "year"])
    cols = ["branch_id", "branch_name", "township", "kind", "start_year", "end_year", "run_years",
            "ongoing", "honour"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    bid = f["branch_id"].to_numpy()
    yr = f["year"].to_numpy()
    new = np.ones(len(f), dtype=bool)
    new[1:] = (bid[1:] != bid[:-1]) | (yr[1:] != yr[:-1] + 1)
    run = np.cumsum(new)
    g = f.assign(run=run).groupby("run").agg(branch_id=("branch_id", "first"),
                                              start_year=("year", "min"),
                                              end_year=("year", "max"),
                                              run_years=("year", "size"))
    last = b[["branch_id", "year", "branch_name", "township", "kind"]]
    g = g.merge(last, left_on=["branch_id", "end_year"], right_on=["branch_id", "year"],
                how="left").drop(columns="year")
    g["kind"] = g["kind"].astype(str)
    g["ongoing"] = g["end_year"] == max(county.years)
    g["honour"] = _honour(g["run_years"].to_numpy(), county)
    return g.sort_values(["run_years", "branch_id"], ascending=[False, True])[cols].reset_index(
        drop=True)


def honour_holders(county: County, *, year: int | None = None) -> pd.DataFrame:
    """Branches entitled to 银五星 or 金五星 in ``year`` (the report year by default).

    A branch qualifies when its five-star run ends in ``year`` and has lasted at least
    ``rubric.honours.silver_years`` years.

    Returns
    -------
    DataFrame
        ``branch_id, branch_name, township, kind, start_year, run_years, honour``.
    """
    y = county.meta.year if year is None else int(year)
    runs = five_star_runs(county)
    cols = ["branch_id", "branch_name", "township", "kind", "start_year", "run_years", "honour"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    r = runs[(runs["end_year"] == y) & runs["honour"].notna()]
    return r[cols].reset_index(drop=True)
