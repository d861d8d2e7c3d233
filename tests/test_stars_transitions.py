"""Multi-year tracking and rewards on a three-year hand-built ledger."""

from __future__ import annotations

import pandas as pd
import pytest
from test_stars_ledgers import make_county

from fivestar_analysis.analysis.stars import (
    branch_rewards,
    five_star_runs,
    honour_holders,
    level_transitions,
    reward_budget,
    star_changes,
    transition_summary,
)
from fivestar_analysis.model.rubric import load_rubric

# 2022: X1 IESCP(5) X2 IEC(3)
# 2023: X1 IESCP(5) X2 IESC(4) X3 EC(2) X4 ESC(3)
# 2024: X1 IESCP(5) X2 IESCP(5) X3 IEC(3) X4 SC(2)+planned I, X5 C(1)+planned E (new)
ROWS = [("X1", 2022, "IESCP", ""), ("X2", 2022, "IEC", ""),
        ("X1", 2023, "IESCP", ""), ("X2", 2023, "IESC", ""), ("X3", 2023, "EC", ""),
        ("X4", 2023, "ESC", ""),
        ("X1", 2024, "IESCP", ""), ("X2", 2024, "IESCP", ""), ("X3", 2024, "IEC", ""),
        ("X4", 2024, "SC", "I"), ("X5", 2024, "C", "E")]


def county(rubric=None):
    recs = [{"id": i, "town": "甲镇" if i in ("X1", "X3") else "乙镇", "year": y, "aw": aw,
             "pl": pl} for i, y, aw, pl in ROWS]
    return make_county(recs, rubric=rubric)


def test_transition_matrix() -> None:
    t = level_transitions(county(), kinds="all")
    assert len(t) == 2 * 36  # two year pairs, 6 x 6 levels
    nz = t[(t["count"] > 0) & (t["year_to"] == 2024)]
    got = {(r.level_from, r.level_to): r.count for r in nz.itertuples()}
    assert got == {(5, 5): 1, (4, 5): 1, (2, 3): 1, (3, 2): 1}


def test_transition_summary() -> None:
    s = transition_summary(county(), kinds="all").set_index("year_to")
    assert s.loc[2024, ["n_both", "promoted", "kept", "demoted", "entered", "left"]].tolist() \
        == [4, 2, 1, 1, 1, 0]
    assert s.loc[2024, "promoted_share"] == pytest.approx(0.5)
    assert s.loc[2024, "mean_change"] == pytest.approx((0 + 1 + 1 - 1) / 4)
    assert s.loc[2023, ["n_both", "promoted", "kept", "entered"]].tolist() == [2, 1, 1, 2]


def test_star_changes() -> None:
    s = star_changes(county(), kinds="rural")
    s24 = s[s["year_to"] == 2024].set_index("star")
    assert s24.loc["industry", ["gained", "lost"]].tolist() == [1, 0]       # X3
    assert s24.loc["ecology", ["gained", "lost"]].tolist() == [0, 1]        # X4
    assert s24.loc["party_strong", ["gained", "lost", "kept"]].tolist() == [1, 0, 1]
    assert s24.loc["civility", ["held_before", "held_after", "net"]].tolist() == [4, 4, 0]
    assert s24.loc["ecology", "net"] == -1


def test_five_star_runs_and_honours() -> None:
    runs = five_star_runs(county())
    x1 = runs.set_index("branch_id").loc["X1"]
    assert (x1["start_year"], x1["end_year"], x1["run_years"], x1["honour"]) == \
        (2022, 2024, 3, "silver")
    assert bool(x1["ongoing"])
    x2 = runs.set_index("branch_id").loc["X2"]
    assert x2["run_years"] == 1 and pd.isna(x2["honour"])
    h = honour_holders(county())
    assert h["branch_id"].tolist() == ["X1"] and h["honour"].tolist() == ["silver"]
    assert honour_holders(county(), year=2023).empty  # two years only
    gold = county(load_rubric({"honours": {"silver_years": 2, "gold_years": 3}}))
    assert honour_holders(gold)["honour"].tolist() == ["gold"]


def test_runs_break_on_a_missing_year() -> None:
    recs = [{"id": "Z", "town": "甲镇", "year": y, "aw": "IESCP"} for y in (2020, 2021, 2023)]
    runs = five_star_runs(make_county(recs))
    assert sorted(runs["run_years"].tolist()) == [1, 2]


def test_reward_budget_results_and_plan() -> None:
    r = reward_budget(county(), kinds="all").iloc[0]
    # stars 5+5+3+2+1 = 16 x 2万; promotions X2 (4->5), X3 (2->3) x 2万; X5 is new
    assert (r["stars"], r["promotions"], r["no_previous"]) == (16, 2, 1)
    assert (r["star_reward_wan"], r["promotion_reward_wan"], r["total_wan"]) == (32, 4, 36)
    p = reward_budget(county(), basis="planned", kinds="all").iloc[0]
    # declared adds X4's I and X5's E: 18 stars; X4 plans 3 = last year's 3 -> no promotion
    assert (p["stars"], p["promotions"], p["total_wan"]) == (18, 2, 40)
    per = branch_rewards(county()).set_index("branch_id")
    assert per.loc["X2", "reward_wan"] == 12 and per.loc["X5", "reward_wan"] == 2
    cheap = county(load_rubric({"reward": {"per_star_wan": 1, "per_promotion_wan": 5}}))
    assert reward_budget(cheap, kinds="all")["total_wan"].item() == 16 + 10


def test_reward_budget_by_township() -> None:
    r = reward_budget(county(), by="township", kinds="all").set_index("township")
    assert r.loc["甲镇", "stars"] == 8 and r.loc["乙镇", "stars"] == 8
