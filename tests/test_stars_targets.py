"""Targets: progress, gap and the closest candidates, worked out by hand on tiny_county."""

from __future__ import annotations

import pytest
from test_stars_ledgers import make_county, tiny_county

from fivestar_analysis.analysis.stars import nearest_star_scores, target_candidates, target_progress
from fivestar_analysis.model.county import Targets


def _county():
    return tiny_county(Targets(share_3plus=0.6, level_counts={5: 3}))


def test_progress_and_gap() -> None:
    p = target_progress(_county()).set_index("target_name")
    # all 10 branches: 5 at three stars or more; 60% needs ceil(6.0) = 6 -> gap 1
    assert p.loc["share_3plus", "target_branches"] == 6
    assert p.loc["share_3plus", "actual_branches"] == 5
    assert p.loc["share_3plus", "gap_branches"] == 1
    assert p.loc["share_3plus", "actual_value"] == pytest.approx(0.5)
    assert not p.loc["share_3plus", "met"]
    # two five-star branches (A1, K1) against a target of 3
    assert p.loc["level_5", "actual_branches"] == 2 and p.loc["level_5", "gap_branches"] == 1
    assert p.loc["level_5", "progress"] == pytest.approx(2 / 3)


def test_plan_meets_the_share_target() -> None:
    p = target_progress(_county(), basis="planned").set_index("target_name")
    # declared levels: A3 4, A4 3, K2 3 join -> 3+ are A1 A2 A3 A4 B1 K1 K2 = 7 of 10
    assert p.loc["share_3plus", "actual_branches"] == 7
    assert p.loc["share_3plus", "met"]


def test_no_targets_gives_empty_table() -> None:
    assert target_progress(tiny_county()).empty


def test_candidates_by_hand() -> None:
    c = target_candidates(_county(), target_level=3)
    assert c["branch_id"].tolist() == ["A4", "K2", "B2"]
    a4, k2, b2 = (c.set_index("branch_id").loc[i] for i in ["A4", "K2", "B2"])
    # A4 (EC, declared I): I scores 3 + income percentile 4/8; S scores its rural rate 4/8
    assert a4["nearest_star"] == "industry"
    assert a4["nearest_reason"] == "declared_not_awarded"
    assert a4["nearest_score"] == pytest.approx(3.5)
    assert a4["declared_not_awarded"] == "industry"
    # K2 (SH, declared L): L scores 3 + community rate 1/2 = 3.5, tie with A4 broken by
    # income (K2 has none)
    assert k2["nearest_star"] == "livelihood" and k2["nearest_score"] == pytest.approx(3.5)
    # B2 (SC): I = income percentile 3/8, E = rural rate of ecology 5/8 -> ecology
    assert b2["nearest_star"] == "ecology" and b2["nearest_reason"] == "common_star"
    assert b2["nearest_score"] == pytest.approx(5 / 8)
    assert c["closes_gap"].tolist() == [True, False, False]
    assert c["candidate_rank"].tolist() == [1, 2, 3]


def test_four_star_candidates_need_the_capstone() -> None:
    c = target_candidates(_county(), target_level=5)
    assert c["branch_id"].tolist() == ["A2"]
    assert c["nearest_star"].item() == "party_strong"
    assert c["closes_gap"].item()


def test_capstone_never_a_candidate_below_four_stars() -> None:
    b, score, keys = nearest_star_scores(_county())
    cap = keys.index("party_strong")
    ids = b["branch_id"].tolist()
    assert score[ids.index("A2"), cap] == score[ids.index("A2"), cap]  # not NaN
    for bid in ["A3", "A4", "B2", "B3", "K2"]:
        assert score[ids.index(bid), cap] != score[ids.index(bid), cap]  # NaN


def test_lost_star_counts_as_near() -> None:
    recs = [{"id": "X", "town": "甲镇", "year": 2023, "aw": "ESC"},
            {"id": "X", "town": "甲镇", "year": 2024, "aw": "EC"},
            {"id": "Y", "town": "甲镇", "year": 2024, "aw": "IESC"}]
    c = target_candidates(make_county(recs), target_level=3)
    x = c.set_index("branch_id").loc["X"]
    assert x["nearest_star"] == "safety" and x["nearest_reason"] == "held_last_year"
