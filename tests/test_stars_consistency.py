"""Consistency: published figures (seed 001) and the capstone rule on ledgers."""

from __future__ import annotations

import pytest
from test_stars_ledgers import make_county, seed001_district_plan, tiny_county

from fivestar_analysis.analysis.stars import (
    capstone_violations,
    check_published_counts,
    consistency_table,
)

DISTRICT_LEVELS = {5: 1, 4: 10, 3: 41, 2: 48}
DISTRICT_STARS = {"产业兴旺星": 34, "生态宜居星": 73, "平安法治星": 62, "文明幸福星": 94,
                  "支部过硬星": 1}


def test_seed_district_reconciles() -> None:
    r = check_published_counts(DISTRICT_LEVELS, DISTRICT_STARS)
    assert r.ok and r.realizable and r.capstone_ok
    assert (r.level_total, r.star_total, r.difference) == (264, 264, 0)
    assert r.branches_in_levels == 100
    assert r.five_star == 1 and r.capstone_count == 1
    assert r.reasons_zh == () and r.problems == ()


def test_wenchang_subdistrict_reconciles() -> None:
    stars = dict(zip(["产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星", "支部过硬星"],
                     [8, 35, 19, 35, 2]))
    r = check_published_counts({5: 2, 4: 2, 3: 19, 2: 12}, stars)
    assert r.ok
    assert r.level_total == r.star_total == 99  # 10 + 8 + 57 + 24 = 8 + 35 + 19 + 35 + 2


def test_ningguo_town_is_rejected_with_the_identity() -> None:
    # The seed lists 生态宜居星7, 平安法治星6, 文明幸福星4, 产业兴旺星1 and no 支部过硬星.
    stars = {"生态宜居星": 7, "平安法治星": 6, "文明幸福星": 4, "产业兴旺星": 1}
    r = check_published_counts({4: 1, 3: 4, 2: 12}, stars)
    assert not r.ok
    assert (r.level_total, r.star_total, r.difference) == (40, 18, 22)
    assert r.problems == ("identity",)
    assert r.stars_assumed_zero == ("支部过硬星",)
    assert r.capstone_ok  # no five-star branch and no 支部过硬星: that rule holds
    assert "40" in r.reasons_zh[0] and "18" in r.reasons_zh[0] and "22" in r.reasons_zh[0]
    assert "differ by 22" in r.reasons_en[0]
    # Either reading of the four numbers gives 18 stars against 40: still rejected.
    other = {"产业兴旺星": 7, "生态宜居星": 6, "平安法治星": 4, "文明幸福星": 1}
    assert check_published_counts({4: 1, 3: 4, 2: 12}, other).difference == 22


def test_keys_and_english_names_are_accepted() -> None:
    r = check_published_counts(DISTRICT_LEVELS, {"industry": 34, "ecology": 73, "safety": 62,
                                                 "Civility and happiness": 94,
                                                 "party_strong": 1})
    assert r.ok
    assert r.star_counts["产业兴旺星"] == 34


def test_capstone_mismatch() -> None:
    # 5+4 = 9 stars; I2 E2 S2 C1 P2 = 9, but two capstones for one five-star branch.
    r = check_published_counts({5: 1, 4: 1}, {"industry": 2, "ecology": 2, "safety": 2,
                                              "civility": 1, "party_strong": 2})
    assert not r.ok and not r.capstone_ok
    assert "capstone" in r.problems and "identity" not in r.problems
    # civility 1 < the two branches (five- and four-star) that must both hold it
    assert "star_below_minimum" in r.problems


def test_star_exceeding_branches() -> None:
    r = check_published_counts({1: 2}, {"industry": 3})
    assert set(r.problems) == {"identity", "star_exceeds_branches"}


def test_totals_agree_but_no_ledger_fits() -> None:
    # One three-star branch needs three different stars, but only I and E are counted:
    # rows [3, 1, 1, 1], columns [4, 2, 0, 0] fail Gale–Ryser (4 + 2 > 4 + 1).
    r = check_published_counts({3: 1, 1: 3}, {"industry": 4, "ecology": 2})
    assert r.level_total == r.star_total == 6
    assert r.problems == ("not_realizable",)
    assert not r.ok and not r.realizable


def test_capstone_rule_off_and_community_kind() -> None:
    from fivestar_analysis.model.rubric import load_rubric

    rub = load_rubric({"capstone": None})
    r = check_published_counts({5: 0, 4: 1}, {"party_strong": 1, "industry": 1, "ecology": 1,
                                              "safety": 1}, rubric=rub)
    assert r.ok and r.capstone_count is None
    c = check_published_counts({2: 1}, {"共建共享星": 1, "幸福和谐星": 1}, kind="community")
    assert c.ok


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="not a rural star"):
        check_published_counts({2: 1}, {"共建共享星": 2})
    with pytest.raises(ValueError, match="outside"):
        check_published_counts({6: 1}, {})
    with pytest.raises(ValueError, match="negative"):
        check_published_counts({2: -1}, {})


def test_n_branches_checked() -> None:
    r = check_published_counts({2: 3}, {"industry": 3, "ecology": 3}, n_branches=2)
    assert "levels_exceed_branches" in r.problems


def test_consistency_table_on_clean_data() -> None:
    t = consistency_table(seed001_district_plan())
    assert list(t.columns) == ["year", "kind", "basis", "n_branches", "level_total",
                               "star_total", "total_difference", "five_star",
                               "capstone_count", "capstone_violations", "consistent"]
    assert t["consistent"].all()
    p = t[(t["basis"] == "planned") & (t["kind"] == "rural")].iloc[0]
    assert (p["level_total"], p["star_total"], p["five_star"], p["capstone_count"]) == \
        (264, 264, 1, 1)
    tiny = consistency_table(tiny_county())
    a = tiny[(tiny["basis"] == "awarded") & (tiny["kind"] == "all")].iloc[0]
    assert (a["level_total"], a["five_star"], a["capstone_count"]) == (27, 2, 2)


def test_capstone_violation_is_flagged() -> None:
    c = make_county([{"id": "X", "town": "甲镇", "aw": "IEP"},
                     {"id": "Y", "town": "甲镇", "aw": "IESCP"},
                     {"id": "Z", "town": "甲镇", "aw": "IE", "pl": "P"}])
    t = consistency_table(c)
    aw = t[(t["basis"] == "awarded") & (t["kind"] == "rural")].iloc[0]
    assert aw["capstone_violations"] == 1 and aw["capstone_count"] == 2 and aw["five_star"] == 1
    assert not aw["consistent"]
    pl = t[(t["basis"] == "planned") & (t["kind"] == "rural")].iloc[0]
    assert pl["capstone_violations"] == 2  # X holds it, Z declares it, neither has the rest
    v = capstone_violations(c)
    assert v["branch_id"].tolist() == ["X"]
    assert v["missing_stars"].tolist() == ["safety;civility"]
    assert v["level"].tolist() == [3]
