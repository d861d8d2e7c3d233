"""The headline summary: level distribution and per-star counts for the CLI."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.stars._common import (
    check_basis,
    level_column,
    resolve_year,
    star_flags,
)
from fivestar_analysis.model.county import County
from fivestar_analysis.model.labels import label
from fivestar_analysis.model.rubric import Rubric, load_rubric

__all__ = ["summary", "format_summary"]

SCOPES = ("rural", "community", "all")


def summary(county: County, year: int | None = None, basis: str = "awarded") -> dict[str, Any]:
    """Level distribution, per-star counts and three-plus share of one year.

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.
    basis : {"awarded", "planned"}
        Results (stars awarded) or plans (stars declared: planned or awarded).

    Returns
    -------
    dict
        ``{"year": int, "basis": str, "rural": {"levels": {"0": n, …, "5": n},
        "stars": {"产业兴旺星": n, …}, "share_3plus": x}, "community": {…}, "all": {…}}``.
        Stars are keyed by Chinese name in rubric order; in ``all`` the stars shared by
        both kinds are summed. ``share_3plus`` is None for a scope without branches. Plain
        Python types only, ready for ``json.dumps``.

    Examples
    --------
    >>> summary(county, basis="planned")["rural"]["levels"]["5"]  # doctest: +SKIP
    1
    """
    check_basis(basis)
    y = resolve_year(county, year)
    rub = county.rubric
    b = county.branches_in(y)
    s = county.stars[county.stars["year"] == y]
    lv = b[level_column(basis)].to_numpy()
    bkind = b["kind"].astype(str).to_numpy()
    skind = s["kind"].astype(str).to_numpy()
    flags = star_flags(s, basis)
    star = s["star"].to_numpy()
    out: dict[str, Any] = {"year": int(y), "basis": basis}
    for scope in SCOPES:
        bm = np.ones(len(b), bool) if scope == "all" else bkind == scope
        sm = flags if scope == "all" else flags & (skind == scope)
        counts = np.bincount(lv[bm], minlength=rub.max_level + 1)
        levels = {str(i): int(counts[i]) for i in range(rub.max_level + 1)}
        n = int(bm.sum())
        stars: dict[str, int] = {}
        kinds = list(rub.kinds) if scope == "all" else [scope]
        per_key = pd.Series(star[sm]).value_counts().to_dict()
        for k in kinds:  # a key shared by both kinds (支部过硬星) already sums both
            for st in rub.kinds[k].stars:
                stars[st.zh] = int(per_key.get(st.key, 0))
        out[scope] = {
            "levels": levels,
            "stars": stars,
            "share_3plus": (float(counts[3:].sum() / n) if n else None),
        }
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _star_name(name: str, language: str, rubric: Rubric) -> str:
    if language != "en":
        return name
    hit = rubric.star_names().get(name)
    return rubric.star_label(hit[1], language="en") if hit else name


def format_summary(result: dict[str, Any], language: str = "zh") -> str:
    """A compact text table of :func:`summary`'s result, for the terminal.

    Parameters
    ----------
    result : dict
        The dictionary :func:`summary` returns (or its JSON read back).
    language : {"zh", "en"}

    Returns
    -------
    str
        A title line, a level table (one row per kind scope) and the per-star counts.
    """
    en = language == "en"
    rub = load_rubric()
    basis = label(f"{result['basis']}_basis", language)
    title = (f"{result['year']} — {basis}" if en else f"{result['year']}年 · {basis}")
    levels = sorted(int(k) for k in result["all"]["levels"])
    head = ([label("kind", language)]
            + [label(f"stars_level_{lv}", language) for lv in levels]
            + [label("n_branches", language), label("share_3plus_short", language)])
    rows = []
    for scope in SCOPES:
        part = result.get(scope)
        if not part:
            continue
        lv = part["levels"]
        n = sum(int(v) for v in lv.values())
        share = part.get("share_3plus")
        share_txt = "—" if share is None or (isinstance(share, float) and math.isnan(share)) \
            else f"{100 * share:.1f}%"
        rows.append([label(scope, language)] + [str(lv[str(i)]) for i in levels]
                    + [str(n), share_txt])
    widths = [max(_width(r[i]) for r in [head] + rows) for i in range(len(head))]
    lines = [title, ""]
    for r in [head] + rows:
        cells = [_pad(r[0], widths[0])] + [_pad(c, w, right=True)
                                           for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(label("star_counts", language) + (":" if en else "："))
    scope_w = max(_width(label(s, language)) for s in SCOPES)
    for scope in SCOPES:
        part = result.get(scope)
        if not part:
            continue
        items = [f"{_star_name(k, language, rub)} {v}" for k, v in part["stars"].items()]
        lines.append("  " + _pad(label(scope, language), scope_w) + "  " + " · ".join(items))
    return "\n".join(lines)
