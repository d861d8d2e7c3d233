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

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from fivestar_analysis.county import County
from fivestar_analysis.stars._common import level_column, resolve_year

__all__ = ["MentoringPlan", "mentoring_plan"]

PAIR_COLUMNS = ["mentoring_rule", "partition", "mentor_id", "mentor_name", "mentor_township", "mentor_level",
                "mentee_id", "mentee_name", "mentee_township", "mentee_level", "same_township"]
LOAD_COLUMNS = ["mentoring_rule", "partition", "mentor_id", "mentor_name", "mentor_township", "n_mentees",
                "same_township_mentees", "min_mentees", "shortfall"]
UNMATCHED_COLUMNS = ["mentoring_rule", "partition", "side", "branch_id", "branch_name", "township", "level",
                     "reason", "shortfall"]


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


def _solve(mentor_town: np.ndarray, mentee_town: np.ndarray, min_mentees: int,
           max_mentees: int | None, mismatch_cost: float, load_cost: float,
           max_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Assign mentees to mentors; returns (mentee index, mentor index) arrays."""
    m, e = len(mentor_town), len(mentee_town)
    k = max(min_mentees, math.ceil(e / m))
    if max_mentees is not None:
        k = min(k, max_mentees)
    if e * m * k > max_cells:
        raise ValueError(
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
        the problem: pairs never cross it. By default the whole county is one problem.
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
    col = level_column(basis)
    b = county.branches_in(y)
    if kind != "all":
        b = b[b["kind"].astype(str) == kind]
    b = b.sort_values(["township", "branch_id"], kind="stable")
    pairs, loads, unmatched = [], [], []
    for rule in county.rubric.mentoring:
        name = f"{rule.mentor_level}->{rule.mentee_level}"
        mentors = b[b[col] == rule.mentor_level]
        mentees = b[b[col] == rule.mentee_level]
        if within is None:
            groups = [(None, mentors, mentees)]
        else:
            keys = sorted(set(mentors[within].dropna()) | set(mentees[within].dropna()), key=str)
            gm, ge = mentors.groupby(within, sort=False), mentees.groupby(within, sort=False)
            groups = [(g, gm.get_group(g) if g in gm.groups else mentors.iloc[0:0],
                       ge.get_group(g) if g in ge.groups else mentees.iloc[0:0]) for g in keys]
        for g, mr, me in groups:
            cap = max_mentees if max_mentees is not None else rule.max_mentees
            _one_group(name, g, mr, me, rule.min_mentees, cap, mismatch_cost,
                       load_cost, max_cells, pairs, loads, unmatched)
    return MentoringPlan(
        year=y,
        pairs=_frame(pairs, PAIR_COLUMNS),
        load=_frame(loads, LOAD_COLUMNS),
        unmatched=_frame(unmatched, UNMATCHED_COLUMNS),
    )


def _frame(parts: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def _one_group(rule: str, group: object, mentors: pd.DataFrame, mentees: pd.DataFrame,
               min_mentees: int, max_mentees: int | None, mismatch_cost: float,
               load_cost: float, max_cells: int, pairs: list, loads: list,
               unmatched: list) -> None:
    m, e = len(mentors), len(mentees)
    if m == 0 and e == 0:
        return
    mt = mentors["township"].to_numpy()
    et = mentees["township"].to_numpy()
    if m and e:
        ri, mi = _solve(mt, et, min_mentees, max_mentees, mismatch_cost, load_cost, max_cells)
    else:
        ri = mi = np.array([], dtype=int)
    if len(ri):
        pr, pe = mentors.iloc[mi], mentees.iloc[ri]
        pairs.append(pd.DataFrame({
            "mentoring_rule": rule, "partition": group,
            "mentor_id": pr["branch_id"].to_numpy(), "mentor_name": pr["branch_name"].to_numpy(),
            "mentor_township": pr["township"].to_numpy(), "mentor_level": _lv(rule, 0),
            "mentee_id": pe["branch_id"].to_numpy(), "mentee_name": pe["branch_name"].to_numpy(),
            "mentee_township": pe["township"].to_numpy(), "mentee_level": _lv(rule, 1),
            "same_township": pr["township"].to_numpy() == pe["township"].to_numpy(),
        }).sort_values(["mentor_township", "mentor_id", "mentee_id"], kind="stable"))
    n = np.bincount(mi, minlength=m) if m else np.array([], dtype=int)
    same = (np.bincount(mi, weights=(mt[mi] == et[ri]).astype(float), minlength=m).astype(int)
            if m else np.array([], dtype=int))
    if m:
        short = np.maximum(0, min_mentees - n)
        loads.append(pd.DataFrame({
            "mentoring_rule": rule, "partition": group, "mentor_id": mentors["branch_id"].to_numpy(),
            "mentor_name": mentors["branch_name"].to_numpy(), "mentor_township": mt,
            "n_mentees": n, "same_township_mentees": same, "min_mentees": min_mentees,
            "shortfall": short}))
        low = short > 0
        if low.any():
            unmatched.append(pd.DataFrame({
                "mentoring_rule": rule, "partition": group, "side": "mentor",
                "branch_id": mentors["branch_id"].to_numpy()[low],
                "branch_name": mentors["branch_name"].to_numpy()[low],
                "township": mt[low], "level": _lv(rule, 0), "reason": "too_few_mentees",
                "shortfall": short[low]}))
    left = np.ones(e, dtype=bool)
    left[ri] = False
    if left.any():
        unmatched.append(pd.DataFrame({
            "mentoring_rule": rule, "partition": group, "side": "mentee",
            "branch_id": mentees["branch_id"].to_numpy()[left],
            "branch_name": mentees["branch_name"].to_numpy()[left],
            "township": et[left], "level": _lv(rule, 1),
            "reason": "no_mentor" if m == 0 else "capacity", "shortfall": 0}))


def _lv(rule: str, i: int) -> int:
    return int(rule.split("->")[i])
