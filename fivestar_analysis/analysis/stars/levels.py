"""Level distribution: branches at 0–5 stars and the three-star-plus share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    check_by,
    check_kinds,
    level_column,
    scope_columns,
    sum_by_kind_scope,
)
from fivestar_analysis.model.county import County

__all__ = ["level_distribution", "share_3plus_table", "level_counts_wide", "Overview",
           "county_overview"]


@dataclass(frozen=True)
class Overview:
    """The scale of the county in one year: branches by kind, townships, the mean level and
    the survey's respondents by group (empty without a survey)."""

    year: int
    n_branches: int
    n_rural: int
    n_community: int
    n_townships: int
    mean_level: float | None
    n_respondents: int = 0
    groups: dict[str, int] = field(default_factory=dict)


def county_overview(county: County, *, year: int | None = None,
                    basis: str = "awarded") -> Overview:
    """Branches, townships and mean level in ``year`` (the report year by default)."""
    y = int(year if year is not None else county.year)
    b = county.branches_in(y)
    kind = b["kind"].astype(str)
    groups: dict[str, int] = {}
    if county.survey is not None:
        counts = county.survey["group"].astype(str).value_counts()
        groups = {g: int(counts.get(g, 0)) for g in ("resident", "member", "cadre")}
    return Overview(
        year=y, n_branches=int(len(b)), n_rural=int((kind == "rural").sum()),
        n_community=int((kind == "community").sum()), n_townships=int(b["township"].nunique()),
        mean_level=float(b[level_column(basis)].mean()) if len(b) else None,
        n_respondents=int(len(county.survey)) if county.survey is not None else 0,
        groups=groups)


def _branch_levels(county: County, basis: str, year: int | None) -> pd.DataFrame:
    col = level_column(basis)
    b = county.branches
    if year is not None:
        b = b[b["year"] == int(year)]
    return pd.DataFrame({
        "year": b["year"].to_numpy(),
        "township": b["township"].to_numpy(),
        "kind": b["kind"].to_numpy(),
        "level": b[col].to_numpy(),
    })


def level_counts_wide(
    county: County,
    *,
    basis: str = "awarded",
    by: str | None = None,
    kinds: str | Iterable[str] = ("rural", "community", "all"),
    year: int | None = None,
) -> pd.DataFrame:
    """Branch counts per level as a wide table: one column per level ``0 … max_level``.

    Parameters
    ----------
    county : County
    basis : {"awarded", "planned"}
        ``awarded`` counts stars awarded (``level``), ``planned`` counts stars declared
        (``level_planned``: planned or awarded).
    by : {None, "township"}
    kinds : kind scopes to report, drawn from ``rural``, ``community``, ``all``.
    year : int, optional
        One year only; all years by default.

    Returns
    -------
    DataFrame
        Columns ``year, [township], kind, n_branches`` then integer columns ``0 … 5``.
        Scopes without branches are left out.
    """
    by = check_by(by)
    kinds = check_kinds(kinds)
    max_level = county.rubric.max_level
    keys = scope_columns(by) + ["kind"]
    df = sum_by_kind_scope(_branch_levels(county, basis, year).assign(n=1), keys + ["level"],
                           ["n"], kinds)
    df["kind"] = pd.Categorical(df["kind"], categories=kinds)
    wide = (
        df.groupby(keys + ["level"], observed=True, sort=True)["n"].sum()
        .unstack("level", fill_value=0)
        .reindex(columns=range(max_level + 1), fill_value=0)
    )
    wide.columns = list(range(max_level + 1))
    wide.insert(0, "n_branches", wide.sum(axis=1).astype("int64"))
    wide = wide[wide["n_branches"] > 0].reset_index()
    wide["kind"] = wide["kind"].astype(str)
    return wide


def level_distribution(
    county: County,
    *,
    basis: str = "awarded",
    by: str | None = None,
    kinds: str | Iterable[str] = ("rural", "community", "all"),
    year: int | None = None,
) -> pd.DataFrame:
    """Counts and shares of branches at each level, per year (and township).

    Parameters
    ----------
    county : County
    basis : {"awarded", "planned"}
        Levels from stars awarded (results) or stars declared (plans: planned or awarded).
    by : {None, "township"}
        County-wide, or one scope per township.
    kinds : iterable of {"rural", "community", "all"}
        Kind scopes; ``all`` pools both kinds.
    year : int, optional
        Restrict to one year; all years by default.

    Returns
    -------
    DataFrame
        Tidy: ``year, [township], kind, level, count, share``; every level ``0 … 5`` is
        present for every scope that has branches; ``share`` is ``count / n`` of the scope.

    Examples
    --------
    >>> level_distribution(county, basis="planned", kinds="rural")  # doctest: +SKIP
    """
    wide = level_counts_wide(county, basis=basis, by=by, kinds=kinds, year=year)
    keys = scope_columns(by) + ["kind"]
    levels = list(range(county.rubric.max_level + 1))
    long = wide.melt(id_vars=keys + ["n_branches"], value_vars=levels,
                     var_name="level", value_name="count")
    long["level"] = long["level"].astype("int64")
    long["count"] = long["count"].astype("int64")
    long["share"] = long["count"] / long["n_branches"]
    kind_order = {k: i for i, k in enumerate(check_kinds(kinds))}
    long = long.assign(_k=long["kind"].map(kind_order))
    long = long.sort_values(scope_columns(by) + ["_k", "level"], kind="stable")
    return long[keys + ["level", "count", "share"]].reset_index(drop=True)


def share_3plus_table(
    county: County,
    *,
    basis: str = "awarded",
    by: str | None = None,
    kinds: str | Iterable[str] = ("rural", "community", "all"),
    year: int | None = None,
    threshold: int = 3,
) -> pd.DataFrame:
    """Share of branches at ``threshold`` stars or more (三星以上占比), per scope.

    Returns
    -------
    DataFrame
        ``year, [township], kind, n_branches, count_3plus, share_3plus``.
    """
    wide = level_counts_wide(county, basis=basis, by=by, kinds=kinds, year=year)
    keys = scope_columns(by) + ["kind"]
    top = [lv for lv in range(threshold, county.rubric.max_level + 1)]
    out = wide[keys + ["n_branches"]].copy()
    out["count_3plus"] = wide[top].sum(axis=1).astype("int64") if top else 0
    out["share_3plus"] = np.where(out["n_branches"] > 0,
                                  out["count_3plus"] / out["n_branches"].clip(lower=1), np.nan)
    return out.reset_index(drop=True)
