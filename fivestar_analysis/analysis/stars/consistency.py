"""Consistency of star data: the capstone rule and the level/star identity.

Two checks hold for any set of branches: Σ(level × branches at that level) equals the sum
of the per-star counts, and (under the default rubric) the capstone star 支部过硬星 is
held only by branches that hold every other star, so its count equals the number of
five-star branches. :func:`consistency_table` checks them on a loaded ledger;
:func:`check_published_counts` checks figures read from an official report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    BASES,
    check_basis,
    expand_kinds,
    star_branch_rows,
    star_flags,
    status_matrix,
)
from fivestar_analysis.errors import InvalidArgument, published_reason
from fivestar_analysis.model.county import County
from fivestar_analysis.model.rubric import Rubric, load_rubric

__all__ = ["consistency_table", "capstone_violations", "check_published_counts",
           "PublishedCheck"]


def consistency_table(county: County) -> pd.DataFrame:
    """The level/star identity and the capstone rule per year, kind scope and basis.

    Returns
    -------
    DataFrame
        ``year, kind, basis, n_branches, level_total, star_total, total_difference, five_star,
        capstone_count, capstone_violations, consistent``. ``level_total`` is Σ level over the
        branches, ``star_total`` the number of star rows counted under the basis,
        ``total_difference = level_total - star_total``; ``capstone_violations`` counts
        branches that hold the capstone without every other star. ``consistent`` when both
        checks pass.
    """
    rub = county.rubric
    rows = []
    b = county.branches
    s = county.stars
    pos = star_branch_rows(county)
    for basis in BASES:
        lvl = "level" if basis == "awarded" else "level_planned"
        flags = star_flags(s, basis)
        cap = flags & (s["star"].to_numpy(dtype=object) == rub.capstone)
        ok = pos >= 0
        bl = b[["year", "kind", lvl]].assign(
            flag=np.bincount(pos[ok], weights=flags[ok], minlength=len(b)),
            cap=np.bincount(pos[ok], weights=cap[ok], minlength=len(b)))
        bl = bl.assign(
            five=(bl[lvl] == rub.max_level).astype("int64"),
            bad=((bl["cap"] > 0) & (bl[lvl] < rub.max_level)).astype("int64"),
        )
        bl = expand_kinds(bl, ["rural", "community", "all"])
        g = bl.groupby(["year", "kind"], observed=True).agg(
            n_branches=(lvl, "size"), level_total=(lvl, "sum"), star_total=("flag", "sum"),
            five_star=("five", "sum"), capstone_count=("cap", "sum"),
            capstone_violations=("bad", "sum"),
        ).reset_index()
        g["basis"] = basis
        rows.append(g)
    out = pd.concat(rows, ignore_index=True)
    for col in ["n_branches", "level_total", "star_total", "five_star", "capstone_count",
                "capstone_violations"]:
        out[col] = out[col].astype("int64")
    out["kind"] = out["kind"].astype(str)
    out["total_difference"] = out["level_total"] - out["star_total"]
    out["consistent"] = (out["total_difference"] == 0) & (out["capstone_violations"] == 0)
    cols = ["year", "kind", "basis", "n_branches", "level_total", "star_total", "total_difference",
            "five_star", "capstone_count", "capstone_violations", "consistent"]
    korder = {"rural": 0, "community": 1, "all": 2}
    out = out.assign(_k=out["kind"].map(korder))
    out = out.sort_values(["year", "basis", "_k"], kind="stable")
    return out[cols].reset_index(drop=True)


def capstone_violations(county: County, *, basis: str = "awarded",
                        year: int | None = None) -> pd.DataFrame:
    """Branches that hold (or declare) the capstone star without every other star.

    Returns
    -------
    DataFrame
        ``year, branch_id, branch_name, township, kind, level, missing_stars`` where
        ``level`` is under ``basis`` and ``missing_stars`` joins the keys of the other stars
        the branch lacks with ``;``. Empty when the rubric has no capstone.
    """
    check_basis(basis)
    cols = ["year", "branch_id", "branch_name", "township", "kind", "level", "missing_stars"]
    cap = county.rubric.capstone
    if cap is None:
        return pd.DataFrame(columns=cols)
    rub = county.rubric
    parts = []
    for y in ([int(year)] if year is not None else county.years):
        b, mat, keys = status_matrix(county, y)
        held = mat == 2 if basis == "awarded" else mat >= 1
        ci = keys.index(cap)
        bad = held[:, ci] & (held.sum(axis=1) < rub.max_level)
        if not bad.any():
            continue
        rows = np.flatnonzero(bad)
        lacking = (mat[rows] >= 0) & ~held[rows]  # stars of its kind it lacks
        missing = [";".join(keys[j] for j in np.flatnonzero(r)) for r in lacking]
        bb = b.iloc[rows]
        parts.append(pd.DataFrame({
            "year": y, "branch_id": bb["branch_id"].to_numpy(),
            "branch_name": bb["branch_name"].to_numpy(), "township": bb["township"].to_numpy(),
            "kind": bb["kind"].astype(str).to_numpy(),
            "level": held[rows].sum(axis=1).astype("int64"), "missing_stars": missing}))
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


@dataclass(frozen=True)
class PublishedCheck:
    """Whether published level and star counts reconcile, and if not, why.

    ``reasons_zh``/``reasons_en`` hold one sentence per broken rule; ``problems`` holds
    the matching codes: ``identity`` (Σ level × branches ≠ Σ stars), ``capstone``
    (capstone count ≠ five-star count), ``star_exceeds_branches`` (a star held by more
    branches than hold any star), ``star_below_minimum`` (a star counted less often than
    the branches that must hold it), ``levels_exceed_branches`` (more branches in the
    levels than ``n_branches``) and ``not_realizable`` (no ledger of branches can give
    both sets of counts, by the Gale–Ryser theorem).
    """

    ok: bool
    kind: str
    branches_in_levels: int
    level_total: int
    star_total: int
    difference: int
    five_star: int
    capstone_count: int | None
    capstone_ok: bool
    star_counts: dict[str, int]
    stars_assumed_zero: tuple[str, ...]
    realizable: bool
    problems: tuple[str, ...] = ()
    reasons_zh: tuple[str, ...] = ()
    reasons_en: tuple[str, ...] = ()
    details: dict[str, object] = field(default_factory=dict)

    def reasons(self, language: str = "zh") -> tuple[str, ...]:
        return self.reasons_en if language == "en" else self.reasons_zh


@lru_cache(maxsize=1)
def _default_rubric() -> Rubric:
    return load_rubric()


def _gale_ryser(level_counts: Mapping[int, int], col_sums: list[int], n_cols: int) -> bool:
    """True when a 0/1 matrix with these row sums (levels) and column sums exists."""
    if any(c < 0 for c in col_sums):
        return False
    if sum(lv * n for lv, n in level_counts.items()) != sum(col_sums):
        return False
    if any(lv > n_cols for lv, n in level_counts.items() if n > 0):
        return False
    conj = [sum(n for lv, n in level_counts.items() if lv >= j) for j in range(1, n_cols + 1)]
    cs = np.cumsum(sorted(col_sums, reverse=True))
    return bool(np.all(cs <= np.cumsum(conj)))


def _resolve_stars(stars: Mapping[str, int], kind: str, rubric: Rubric) -> dict[str, int]:
    names = rubric.star_names()
    keys = rubric.star_keys(kind)
    out: dict[str, int] = {}
    for name, count in stars.items():
        hit = names.get(str(name).strip())
        if hit is None or hit[1] not in keys:
            allowed = [rubric.star(kind, k).zh for k in keys] + keys
            raise InvalidArgument(f"{name!r} is not a {kind} star; use one of {allowed}")
        if int(count) < 0:
            raise InvalidArgument(f"star count for {name!r} is negative: {count}")
        out[hit[1]] = out.get(hit[1], 0) + int(count)
    return out


class _Reasons:
    """The problems found, each with its reason in both languages (``published`` in
    resources/messages.yaml)."""

    def __init__(self, zh_names: dict[str, str], en_names: dict[str, str]) -> None:
        self.names = {"zh": zh_names, "en": en_names}
        self.problems: list[str] = []
        self.zh: list[str] = []
        self.en: list[str] = []

    def add(self, code: str, star: str | None = None, **params: Any) -> None:
        problem = {"star_below_minimum_capstone": "star_below_minimum"}.get(code, code)
        self.problems.append(problem)
        for lang, out in (("zh", self.zh), ("en", self.en)):
            out.append(published_reason(code, lang, star=self.names[lang].get(star, ""),
                                        **params))


def _level_counts(levels: Mapping[int, int], rub: Rubric) -> dict[int, int]:
    """Published branches per level, checked: levels within the rubric, counts not negative."""
    lv: dict[int, int] = {}
    for level, n in levels.items():
        level = int(level)
        if not 0 <= level <= rub.max_level:
            raise InvalidArgument(f"level {level} is outside 0–{rub.max_level}")
        if int(n) < 0:
            raise InvalidArgument(f"branch count at level {level} is negative: {n}")
        lv[level] = lv.get(level, 0) + int(n)
    return lv


def _star_bounds(why: _Reasons, counts: dict[str, int], lv: dict[int, int], rub: Rubric,
                 starred: int) -> int:
    """Each star is held by no more branches than hold any star, and by no fewer than must
    hold it (the five-star ones, and four-star ones under the capstone rule). Returns that
    minimum."""
    top, cap = rub.max_level, rub.capstone
    must_hold = lv.get(top, 0) + (lv.get(top - 1, 0) if cap is not None else 0)
    for k, count in counts.items():
        if count > starred:
            why.add("star_exceeds_branches", star=k, count=count, starred=starred)
        if k != cap and count < must_hold:
            why.add("star_below_minimum_capstone" if cap is not None else "star_below_minimum",
                    star=k, count=count, must_hold=must_hold)
    return must_hold


def _realizable(lv: dict[int, int], counts: dict[str, int], rub: Rubric) -> bool:
    """Can some set of branches have exactly these level and star counts? Without the
    five-star rows (they hold every star) and, under the capstone rule, the capstone column,
    what remains must be a 0/1 matrix with these margins (Gale–Ryser)."""
    top, cap = rub.max_level, rub.capstone
    if cap is None:
        return _gale_ryser(lv, list(counts.values()), len(counts))
    five = lv.get(top, 0)
    rows = {lvl: n for lvl, n in lv.items() if lvl < top}
    cols = [n - five for k, n in counts.items() if k != cap]
    return _gale_ryser(rows, cols, len(counts) - 1)


def check_published_counts(
    levels: Mapping[int, int],
    stars: Mapping[str, int],
    *,
    kind: str = "rural",
    rubric: Rubric | None = None,
    n_branches: int | None = None,
) -> PublishedCheck:
    """Check level counts and per-star counts read from an official report.

    Parameters
    ----------
    levels : mapping level -> number of branches, e.g. ``{5: 1, 4: 10, 3: 41, 2: 48}``.
    stars : mapping star -> count, keyed by Chinese name (产业兴旺星), English name or key.
        Stars of ``kind`` that are not listed are taken as zero (and named in
        ``stars_assumed_zero``).
    kind : {"rural", "community"}
    rubric : Rubric, optional
        The default rubric when omitted; its ``capstone`` switches the capstone check.
    n_branches : int, optional
        Total branches in the unit, if published; checked against the level counts.

    Returns
    -------
    PublishedCheck

    Examples
    --------
    >>> r = check_published_counts({5: 1, 4: 10, 3: 41, 2: 48},
    ...     {"产业兴旺星": 34, "生态宜居星": 73, "平安法治星": 62, "文明幸福星": 94,
    ...      "支部过硬星": 1})
    >>> r.ok, r.level_total, r.star_total
    (True, 264, 264)
    """
    rub = rubric or _default_rubric()
    if kind not in rub.kinds:
        raise InvalidArgument(f"kind must be one of {list(rub.kinds)}, not {kind!r}")
    lv = _level_counts(levels, rub)
    keys = rub.star_keys(kind)
    given = _resolve_stars(stars, kind, rub)
    counts = {k: given.get(k, 0) for k in keys}
    assumed = tuple(rub.star(kind, k).zh for k in keys if k not in given)
    zh = {k: rub.star(kind, k).zh for k in keys}
    why = _Reasons(zh, {k: rub.star(kind, k).en for k in keys})

    level_total = sum(level * n for level, n in lv.items())
    star_total = sum(counts.values())
    branches = sum(lv.values())
    starred = sum(n for level, n in lv.items() if level >= 1)
    five = lv.get(rub.max_level, 0)
    cap = rub.capstone

    diff = level_total - star_total
    if diff != 0:
        parts = "+".join(f"{lvl}×{n}" for lvl, n in sorted(lv.items(), reverse=True) if n)
        why.add("identity", level_total=level_total, parts=parts, star_total=star_total,
                diff=abs(diff))
    cap_count = counts.get(cap) if cap else None
    cap_ok = cap is None or cap_count == five
    if not cap_ok:
        why.add("capstone", star=cap, cap_count=cap_count, five=five)
    must_hold = _star_bounds(why, counts, lv, rub, starred)
    if n_branches is not None and branches > n_branches:
        why.add("levels_exceed_branches", branches=branches, n_branches=n_branches)
    realizable = cap_ok and _realizable(lv, counts, rub)
    if not realizable and not why.problems:
        why.add("not_realizable")
    problems, rz, re_ = why.problems, why.zh, why.en

    return PublishedCheck(
        ok=not problems,
        kind=kind,
        branches_in_levels=branches,
        level_total=level_total,
        star_total=star_total,
        difference=diff,
        five_star=five,
        capstone_count=cap_count,
        capstone_ok=cap_ok,
        star_counts={zh[k]: counts[k] for k in keys},
        stars_assumed_zero=assumed,
        realizable=realizable,
        problems=tuple(dict.fromkeys(problems)),
        reasons_zh=tuple(rz),
        reasons_en=tuple(re_),
        details={"branches_with_stars": starred, "must_hold_each_star": must_hold},
    )
