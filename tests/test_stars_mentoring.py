"""Mentoring plan (帮带结对) on small ledgers whose best plan is clear by hand."""

from __future__ import annotations

from test_stars_ledgers import make_county

from fivestar_analysis.analysis.stars import mentoring_plan

# 甲镇: five-star M5a, two-star a1 a2 a3, four-star F1
# 乙镇: five-star M5b, two-star b1, three-star t1 t2
RECS = [
    {"id": "M5a", "town": "甲镇", "aw": "IESCP"},
    {"id": "a1", "town": "甲镇", "aw": "EC"},
    {"id": "a2", "town": "甲镇", "aw": "EC"},
    {"id": "a3", "town": "甲镇", "aw": "EC"},
    {"id": "F1", "town": "甲镇", "aw": "IESC"},
    {"id": "M5b", "town": "乙镇", "aw": "IESCP"},
    {"id": "b1", "town": "乙镇", "aw": "SC"},
    {"id": "t1", "town": "乙镇", "aw": "ESC"},
    {"id": "t2", "town": "乙镇", "aw": "ESC"},
]


def test_minimums_first_then_same_township() -> None:
    plan = mentoring_plan(make_county(RECS))
    p = plan.pairs[plan.pairs["mentoring_rule"] == "5->2"]
    got = p.groupby("mentor_id")["mentee_id"].apply(set).to_dict()
    # each five-star needs two: M5b takes b1 and one village from 甲镇; M5a keeps two
    assert len(got["M5a"]) == 2 and got["M5a"] <= {"a1", "a2", "a3"}
    assert "b1" in got["M5b"] and len(got["M5b"]) == 2
    assert int(p["same_township"].sum()) == 3
    load = plan.load.set_index(["mentoring_rule", "mentor_id"])
    assert load.loc[("5->2", "M5a"), "n_mentees"] == 2
    assert load.loc[("5->2", "M5b"), "shortfall"] == 0
    # the four-star takes both three-star branches (cross-township: none in 甲镇)
    q = plan.pairs[plan.pairs["mentoring_rule"] == "4->3"]
    assert sorted(q["mentee_id"]) == ["t1", "t2"] and not q["same_township"].any()
    assert plan.unmatched.empty


def test_capacity_leaves_mentees_unmatched() -> None:
    plan = mentoring_plan(make_county(RECS), max_mentees=1)
    # 5->2: the cap (1) is below the minimum (2), so each mentor takes one; two remain
    u = plan.unmatched
    mentees = u[(u["side"] == "mentee") & (u["mentoring_rule"] == "5->2")]
    assert len(mentees) == 2 and set(mentees["reason"]) == {"capacity"}
    mentors = u[(u["side"] == "mentor") & (u["mentoring_rule"] == "5->2")]
    assert set(mentors["branch_id"]) == {"M5a", "M5b"} and set(mentors["shortfall"]) == {1}
    q = plan.pairs[plan.pairs["mentoring_rule"] == "5->2"]
    assert set(q["mentee_id"]) & {"b1"} and q["same_township"].all()


def test_within_township_never_crosses() -> None:
    plan = mentoring_plan(make_county(RECS), within="township")
    assert plan.pairs["same_township"].all()
    got = plan.pairs.groupby("mentor_id")["mentee_id"].apply(set).to_dict()
    assert got == {"M5a": {"a1", "a2", "a3"}, "M5b": {"b1"}}
    u = plan.unmatched.set_index("branch_id")
    assert u.loc["M5b", "reason"] == "too_few_mentees" and u.loc["M5b", "shortfall"] == 1
    assert u.loc["F1", "reason"] == "too_few_mentees"
    assert u.loc["t1", "reason"] == "no_mentor" and u.loc["t2", "reason"] == "no_mentor"


def test_load_is_balanced() -> None:
    recs = [{"id": f"M{i}", "town": "甲镇", "aw": "IESCP"} for i in range(3)]
    recs += [{"id": f"m{i:02d}", "town": "甲镇", "aw": "EC"} for i in range(10)]
    plan = mentoring_plan(make_county(recs))
    loads = sorted(plan.load["n_mentees"].tolist())
    assert loads == [3, 3, 4] and plan.unmatched.empty


def test_rubric_cap_and_empty_case() -> None:
    from fivestar_analysis.model.rubric import load_rubric

    rub = load_rubric({"mentoring": [{"mentor_level": 5, "mentee_level": 2, "min_mentees": 2,
                                      "max_mentees": 2}]})
    recs = [{"id": "M", "town": "甲镇", "aw": "IESCP"}]
    recs += [{"id": f"m{i}", "town": "甲镇", "aw": "EC"} for i in range(5)]
    plan = mentoring_plan(make_county(recs, rubric=rub))
    assert len(plan.pairs) == 2 and (plan.unmatched["reason"] == "capacity").sum() == 3
    none = mentoring_plan(make_county([{"id": "X", "town": "甲镇", "aw": "E"}]))
    assert none.pairs.empty and none.unmatched.empty
    assert list(none.pairs.columns)[:2] == ["mentoring_rule", "partition"]
