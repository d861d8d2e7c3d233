"""Shared helpers of the star analysis: argument checks, scopes, thresholds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County

BASES = ("awarded", "planned")
KIND_SCOPES = ("rural", "community", "all")


def check_basis(basis: str) -> str:
    """Return ``basis`` if it is ``'awarded'`` or ``'planned'``, else raise ValueError."""
    if basis not in BASES:
        raise InvalidArgument(f"basis must be 'awarded' or 'planned', not {basis!r}")
    return basis


def check_by(by: str | None) -> str | None:
    """Return ``by`` if it is None or ``'township'``, else raise ValueError."""
    if by not in (None, "township"):
        raise InvalidArgument(f"by must be None or 'township', not {by!r}")
    return by


def check_kinds(kinds: str | Iterable[str]) -> list[str]:
    """Normalise a kind scope argument to a list drawn from rural/community/all."""
    out = [kinds] if isinstance(kinds, str) else list(kinds)
    bad = [k for k in out if k not in KIND_SCOPES]
    if bad or not out:
        raise InvalidArgument(f"kinds must be drawn from {KIND_SCOPES}, got {out!r}")
    return out


def level_column(basis: str) -> str:
    """``level`` for awarded results, ``level_planned`` for declared stars."""
    return "level" if check_basis(basis) == "awarded" else "level_planned"


def resolve_year(county: County, year: int | None) -> int:
    """The requested year, or the county's report year; raise if it has no branches."""
    y = county.meta.year if year is None else int(year)
    if y not in set(county.years):
        raise InvalidArgument(f"year {y} is not in the ledger; years present: {county.years}")
    return y


def star_flags(stars: pd.DataFrame, basis: str) -> np.ndarray:
    """Boolean array: the star row counts under ``basis`` (awarded, or declared)."""
    codes = stars["status"].cat.codes.to_numpy()  # none=0 < planned=1 < awarded=2
    return codes == 2 if check_basis(basis) == "awarded" else codes >= 1


def expand_kinds(df: pd.DataFrame, kinds: Sequence[str]) -> pd.DataFrame:
    """Stack ``df`` once per requested kind scope, in a string column ``kind``.

    Rows of a branch kind go to that kind's scope; every row also goes to ``'all'``.
    """
    parts = []
    kind = df["kind"].astype(str)
    for k in kinds:
        part = df if k == "all" else df[kind.to_numpy() == k]
        parts.append(part.assign(kind=k))
    out = pd.concat(parts, ignore_index=True) if parts else df.iloc[0:0]
    out["kind"] = pd.Categorical(out["kind"], categories=list(kinds))
    return out


def scope_columns(by: str | None) -> list[str]:
    """Grouping columns of a scope: year, then township if asked."""
    return ["year"] + (["township"] if by == "township" else [])


def thresholds(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The diagnosis thresholds (packaged ``resources/thresholds/stars.yaml``) with
    ``overrides`` merged at any depth (``{"lowest_star": {"high_below": 0.2}}``) and
    validated: an unknown key or a value out of range is an ``InvalidArgument``."""
    from fivestar_analysis.model.settings import star_thresholds

    return star_thresholds(overrides).model_dump()


def severity_below(value: float, spec: dict[str, Any]) -> str:
    """Severity when small values are bad: ``high`` below ``high_below`` and so on."""
    if value < spec["high_below"]:
        return "high"
    if value < spec["medium_below"]:
        return "medium"
    return "low"


def severity_above(value: float, spec: dict[str, Any]) -> str:
    """Severity when large values are bad: ``high`` from ``high_from`` and so on."""
    if value >= spec["high_from"]:
        return "high"
    if value >= spec["medium_from"]:
        return "medium"
    return "low"


def star_order(county: County, kind: str) -> list[str]:
    """Star keys of a kind scope in rubric order (``'all'``: every key, rural first)."""
    return county.rubric.all_star_keys() if kind == "all" else county.rubric.star_keys(kind)


def capstone(county: County) -> str | None:
    return county.rubric.capstone


def status_matrix(county: County, year: int) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Branches of ``year`` and their star statuses as a dense integer matrix.

    Returns
    -------
    (branches, matrix, keys)
        ``branches`` is ``county.branches_in(year)`` with a fresh RangeIndex; ``matrix``
        has one row per branch and one column per key of ``rubric.all_star_keys()``:
        0 none, 1 planned, 2 awarded, -1 where the star is not of the branch's kind (or
        has no row in the star table and is not of its kind).
    """
    b = county.branches_in(year).reset_index(drop=True)
    keys = county.rubric.all_star_keys()
    mat = np.full((len(b), len(keys)), -1, dtype=np.int8)
    kind = b["kind"].astype(str).to_numpy()
    for k in county.rubric.kinds:
        cols = [keys.index(s) for s in county.rubric.star_keys(k)]
        rows = np.flatnonzero(kind == k)
        mat[np.ix_(rows, cols)] = 0
    s = county.stars[county.stars["year"] == year]
    r = pd.Index(b["branch_id"]).get_indexer(s["branch_id"])
    c = pd.Index(keys).get_indexer(s["star"])
    ok = (r >= 0) & (c >= 0)
    mat[r[ok], c[ok]] = s["status"].cat.codes.to_numpy()[ok].astype(np.int8)
    return b, mat, keys


def next_star_candidates(mat: np.ndarray, keys: list[str], basis: str,
                         capstone_key: str | None) -> np.ndarray:
    """Boolean matrix: which stars could be a branch's next star.

    A branch can next gain a star of its kind that it lacks. Under the capstone rule the
    capstone is the next star only of a branch holding every other star of its kind, and
    then it is the only candidate; for every other branch the capstone is left out.
    """
    held = mat == 2 if check_basis(basis) == "awarded" else mat >= 1
    of_kind = mat >= 0
    cand = of_kind & ~held
    if capstone_key is not None and capstone_key in keys:
        ci = keys.index(capstone_key)
        others = held | ~of_kind
        others[:, ci] = True
        all_others = others.all(axis=1)
        cand[:, ci] &= all_others
        only_cap = cand[:, ci].copy()
        cand[only_cap] = False
        cand[only_cap, ci] = True
    return cand


def branch_year_keys(county: County) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer keys of (branch, year) for the branch rows and for the star rows.

    ``key = branch_code * span + (year - first_year)``, so the same branch a year earlier
    has ``key - 1`` (check ``year > first_year`` first). Integer keys make the joins of
    920,000 star rows a hash look-up instead of a merge on strings.

    Returns
    -------
    (branch_keys, star_keys, span)
    """
    b, s = county.branches, county.stars
    ids = np.concatenate([b["branch_id"].to_numpy(dtype=object),
                          s["branch_id"].to_numpy(dtype=object)])
    codes, _ = pd.factorize(ids)
    y0 = int(b["year"].min()) if len(b) else 0
    span = (int(b["year"].max()) - y0 + 1) if len(b) else 1
    years = np.concatenate([b["year"].to_numpy(), s["year"].to_numpy()]).astype(np.int64) - y0
    keys = codes.astype(np.int64) * span + years
    return keys[: len(b)], keys[len(b):], span


def star_branch_rows(county: County) -> np.ndarray:
    """Position in ``county.branches`` of each star row's branch-year (-1 if absent)."""
    bk, sk, _ = branch_year_keys(county)
    return pd.Index(bk).get_indexer(sk)


def sum_by_kind_scope(df: pd.DataFrame, keys: list[str], values: list[str],
                      kinds: Sequence[str]) -> pd.DataFrame:
    """Sum ``values`` over ``keys`` (which include ``kind``) for each requested kind scope.

    Aggregates first and pools afterwards, so ``all`` costs a small second group-by
    instead of stacking every raw row twice. ``kind`` comes back as a string column.
    """
    agg = df.groupby(keys, observed=True, sort=False)[values].sum().reset_index()
    agg["kind"] = agg["kind"].astype(str)
    parts = []
    other = [k for k in keys if k != "kind"]
    for k in kinds:
        if k == "all":
            part = (agg.groupby(other, sort=False)[values].sum().reset_index() if other
                    else agg[values].sum().to_frame().T)
            part["kind"] = "all"
        else:
            part = agg[agg["kind"] == k]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out[keys + values]
