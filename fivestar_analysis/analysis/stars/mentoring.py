"""Mentoring plan (帮带结对): pair strong branches with weaker ones as an assignment problem.

The rubric's ``mentoring`` rules say, e.g., that each five-star branch mentors at least two
two-star branches and each four-star branch at least one three-star branch. For each rule
the mentors are replicated into slots and mentees are assigned to slots with
:func:`scipy.optimize.linear_sum_assignment`, minimising

``cost = mismatch_cost · [different township] + fill_cost · [slot beyond the minimum]
+ load_cost · (slot number beyond the minimum)``

so that, in order of priority, every mentor first reaches its minimum, mentees stay in
their own township where possible, and extra mentees are spread evenly. Each mentor gets
``max(min_mentees, ceil(mentees / mentors))`` slots (or ``max_mentees``), so no mentor
carries more than an even share of the surplus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from fivestar_analysis.analysis.stars._common import level_column, resolve_year
from fivestar_analysis.errors import FivestarError
from fivestar_analysis.model.county import County

__all__ = ["MentoringPlan", "MentoringTooLarge", "mentoring_plan"]

PAIR_COLUMNS = ["mentoring_rule", "partition", "mentor_id", "mentor_name", "mentor_township",
                "mentor_level", "mentee_id", "mentee_name", "mentee_township", "mentee_level",
                "same_township"]
LOAD_COLUMNS = ["mentoring_rule", "partition", "mentor_id", "mentor_name", "mentor_township",
                "n_mentees", "same_township_mentees", "min_mentees", "shortfall"]
UNMATCHED_COLUMNS = ["mentoring_rule", "partition", "side", "branch_id", "branch_name",
                     "township", "level", "reason", "shortfall"]


@dataclass(frozen=True)
class MentoringPlan:
    """A mentoring plan: the pairs, each mentor's load and who is left unmatched.

    ``pairs``: one row per mentor–mentee pair (columns ``PAIR_COLUMNS``).
    ``load``: one row per mentor with ``n_mentees`` and ``shortfall`` below the minimum.
    ``unmatched``: mentees without a mentor (``reason``: ``no_mentor`` when the rule has
    no mentor in the group, ``capacity`` when ``max_mentees`` ran out) and mentors below
    their minimum (``reason``: ``too_few_mentees``).
    """

    year: int
    pairs: pd.DataFrame
    load: pd.DataFrame
    unmatched: pd.DataFrame


class MentoringTooLarge(FivestarError, ValueError):
    """One assignment problem would exceed ``max_cells``; split it with ``within=``."""


def _solve(mentor_town: np.ndarray, mentee_town: np.ndarray, min_mentees: int,
           max_mentees: int | None, mismatch_cost: float, load_cost: float,
           max_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Assign mentees to mentors; returns (mentee index, mentor index) arrays."""
    m, e = len(mentor_town), len(mentee_town)
    k = max(min_mentees, math.ceil(e / m))
    if max_mentees is not None:
        k = min(k, max_mentees)
    if e * m * k > max_cells:
        raise MentoringTooLarge(
            f"mentoring problem too large ({e} mentees × {m * k} mentor slots); "
            "solve it per group with within='township' or a county column")
    slot = np.tile(np.arange(k), m)
    owner = np.repeat(np.arange(m), k)
    fill_cost = 2.0 * mismatch_cost + 1.0
    extra = np.maximum(0, slot - min_mentees + 1)
    slot_cost = np.where(slot >= min_mentees, fill_cost + load_cost * extra, 0.0)
    codes, _ = pd.factorize(np.concatenate([mentor_town, mentee_town]))
    mt, et = codes[:m], codes[m:]
    cost = mismatch_cost * (et[:, None] != mt[owner][None, :]) + slot_cost[None, :]
    rows, cols = linear_sum_assignment(cost)
    return rows, owner[cols]


def mentoring_plan(
    county: County,
    *,
    year: int | None = None,
    basis: str = "awarded",
    kind: str = "all",
    within: str | None = None,
    max_mentees: int | None = None,
    mismatch_cost: float = 1.0,
    load_cost: float = 0.1,
    max_cells: int = 20_000_000,
) -> MentoringPlan:
    """Pair mentors with mentees following ``county.rubric.mentoring``.

    Parameters
    ----------
    county : County
    year : int, optional
        The report year by default.
    basis : {"awarded", "planned"}
        Levels from results (default) or from plans.
    kind : {"all", "rural", "community"}
        Branches taking part.
    within : str, optional
        A branch column (``"township"``, or e.g. a county code in province data) that splits
        the problem: pairs never cross it; branches with no value there are left out. By
        default the whole county is one problem.
    max_mentees : int, optional
        Most mentees per mentor (default: the rule's ``max_mentees``, else no cap beyond an
        even share); mentees beyond the capacity are listed as unmatched.
    mismatch_cost, load_cost : float
        Cost of a cross-township pair, and of each extra mentee beyond the minimum.
    max_cells : int
        Largest cost matrix solved in one piece (guards memory).

    Returns
    -------
    MentoringPlan
    """
    y = resolve_year(county, year)
    b = county.branches_in(y)
    if kind != "all":
        b = b[b["kind"].astype(str) == kind]
    b = b.sort_values(["township", "branch_id"], kind="stable").reset_index(drop=True)
    cols = {"ids": b["branch_id"].to_numpy(dtype=object),
            "names": b["branch_name"].to_numpy(dtype=object),
            "towns": b["township"].to_numpy(dtype=object)}
    lv = b[level_column(basis)].to_numpy()
    if within is None:
        gcode, gvals = np.zeros(len(b), dtype=np.int64), np.array([None], dtype=object)
    else:
        gcode, gvals = pd.factorize(b[within].to_numpy(dtype=object), sort=True)
        gvals = np.asarray(gvals, dtype=object)
    pair_parts, load_parts, un_parts = [], [], []
    for rule in county.rubric.mentoring:
        name = f"{rule.mentor_level}->{rule.mentee_level}"
        cap = max_mentees if max_mentees is not None else rule.max_mentees
        for g, mr, me in _groups(lv, gcode, len(gvals), rule.mentor_level, rule.mentee_level):
            res = _one_group(cols["towns"][mr], cols["towns"][me], rule.min_mentees, cap,
                             mismatch_cost, load_cost, max_cells)
            pair_parts.append(_pair_part(cols, name, gvals[g], mr[res["mentor"]],
                                         me[res["mentee"]]))
            load_parts.append(_load_part(cols, name, gvals[g], mr, res, rule.min_mentees))
            un_parts += _unmatched_parts(cols, name, gvals[g], mr, me, res)
    # each part holds one group's columns (arrays, or scalars for the whole group); every
    # output frame is built once from the stacked columns, not one frame per group
    pairs_df = _frame(pair_parts, PAIR_COLUMNS)
    if len(pairs_df):
        pairs_df = pairs_df.sort_values(["mentoring_rule", "partition", "mentor_township",
                                         "mentor_id", "mentee_id"], kind="stable",
                                        na_position="first").reset_index(drop=True)
    return MentoringPlan(
        year=y,
        pairs=pairs_df,
        load=_frame(load_parts, LOAD_COLUMNS),
        unmatched=_frame(un_parts, UNMATCHED_COLUMNS),
    )


def _bounds(sorted_codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Start offsets of each group code in a sorted code array (length n_groups + 1)."""
    return np.searchsorted(sorted_codes, np.arange(n_groups + 1), side="left")


def _frame(parts: list[dict[str, Any]], cols: list[str]) -> pd.DataFrame:
    """One frame from the groups' column parts (``_n`` rows each; a scalar fills its part)."""
    parts = [p for p in parts if p["_n"]]
    if not parts:
        return pd.DataFrame(columns=cols)
    data = {}
    for c in cols:
        data[c] = np.concatenate([
            np.asarray(p[c]) if np.ndim(p[c]) else
            np.full(p["_n"], p[c], dtype=object if isinstance(p[c], str) or p[c] is None else None)
            for p in parts])
    return pd.DataFrame(data, columns=cols)


def _one_group(mentor_town: np.ndarray, mentee_town: np.ndarray, min_mentees: int,
               max_mentees: int | None, mismatch_cost: float, load_cost: float,
               max_cells: int) -> dict[str, np.ndarray | int]:
    """Solve one group; positions are within the group's mentor and mentee arrays."""
    m, e = len(mentor_town), len(mentee_town)
    if m and e:
        ri, mi = _solve(mentor_town, mentee_town, min_mentees, max_mentees, mismatch_cost,
                        load_cost, max_cells)
    else:
        ri = mi = np.array([], dtype=np.int64)
    n = np.bincount(mi, minlength=m).astype(np.int64)
    same = np.bincount(mi, weights=(mentor_town[mi] == mentee_town[ri]).astype(float),
                       minlength=m).astype(np.int64)
    return {"mentor": mi, "mentee": ri, "n": n, "same": same, "min": min_mentees}


def _lv(rule: str, i: int) -> int:
    return int(rule.split("->")[i])


def _groups(lv: np.ndarray, gcode: np.ndarray, n_groups: int, mentor_level: int,
            mentee_level: int):
    """Per group (township, county … or the whole county): its mentor and mentee rows."""
    mentors = np.flatnonzero(lv == mentor_level)
    mentees = np.flatnonzero(lv == mentee_level)
    # order both lists by group (stable: township, branch order is kept)
    mentors = mentors[np.argsort(gcode[mentors], kind="stable")]
    mentees = mentees[np.argsort(gcode[mentees], kind="stable")]
    m_bounds, e_bounds = _bounds(gcode[mentors], n_groups), _bounds(gcode[mentees], n_groups)
    for g in range(n_groups):
        mr = mentors[m_bounds[g]:m_bounds[g + 1]]
        me = mentees[e_bounds[g]:e_bounds[g + 1]]
        if len(mr) or len(me):
            yield g, mr, me


def _pair_part(cols: dict[str, np.ndarray], rule: str, group: Any, a: np.ndarray,
               e: np.ndarray) -> dict[str, Any]:
    ids, names, towns = cols["ids"], cols["names"], cols["towns"]
    return {"mentoring_rule": rule, "partition": group,
            "mentor_id": ids[a], "mentor_name": names[a], "mentor_township": towns[a],
            "mentor_level": _lv(rule, 0),
            "mentee_id": ids[e], "mentee_name": names[e], "mentee_township": towns[e],
            "mentee_level": _lv(rule, 1), "same_township": towns[a] == towns[e], "_n": len(a)}


def _load_part(cols: dict[str, np.ndarray], rule: str, group: Any, mr: np.ndarray,
               res: dict[str, Any], min_mentees: int) -> dict[str, Any]:
    return {"mentoring_rule": rule, "partition": group, "mentor_id": cols["ids"][mr],
            "mentor_name": cols["names"][mr], "mentor_township": cols["towns"][mr],
            "n_mentees": res["n"], "same_township_mentees": res["same"],
            "min_mentees": min_mentees, "shortfall": np.maximum(0, min_mentees - res["n"]),
            "_n": len(mr)}


def _unmatched_parts(cols: dict[str, np.ndarray], rule: str, group: Any, mr: np.ndarray,
                     me: np.ndarray, res: dict[str, Any]) -> list[dict[str, Any]]:
    """Mentors short of their minimum, and mentees no mentor could take (and why)."""
    ids, names, towns = cols["ids"], cols["names"], cols["towns"]
    short = np.maximum(0, res["min"] - res["n"])
    low = short > 0
    left = np.ones(len(me), dtype=bool)
    left[res["mentee"]] = False
    return [
        {"mentoring_rule": rule, "partition": group, "side": "mentor",
         "branch_id": ids[mr[low]], "branch_name": names[mr[low]], "township": towns[mr[low]],
         "level": _lv(rule, 0), "reason": "too_few_mentees", "shortfall": short[low],
         "_n": int(low.sum())},
        {"mentoring_rule": rule, "partition": group, "side": "mentee",
         "branch_id": ids[me[left]], "branch_name": names[me[left]],
         "township": towns[me[left]], "level": _lv(rule, 1),
         "reason": "no_mentor" if len(mr) == 0 else "capacity", "shortfall": 0,
         "_n": int(left.sum())},
    ]
