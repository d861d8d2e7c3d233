"""Scoring: cleaning rules, reverse coding, missing-answer counts, dimension scores, index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fivestar_analysis.analysis.survey import (
    clean_items,
    item_quality,
    load_survey_config,
    parse_multi,
    score_respondents,
    value_labels,
)
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County

SAT = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意"}


def tiny_county(rows: list[dict], codebook: list[dict]) -> County:
    """A one-branch county with a hand-written survey."""
    branches = pd.DataFrame([{"branch_id": "B1", "branch_name": "甲村", "township": "东镇",
                              "kind": "rural", "year": 2024, "collective_income_wan": 10.0}])
    stars = pd.DataFrame([{"branch_id": "B1", "year": 2024, "star": s, "status": "awarded"}
                          for s in ["industry", "ecology"]])
    survey = pd.DataFrame(rows)
    survey.insert(0, "respondent_id", [f"R{i}" for i in range(len(rows))])
    survey.insert(1, "branch_id", "B1")
    if "group" not in survey:
        survey.insert(2, "group", "resident")
    survey["group"] = survey["group"].astype(pd.CategoricalDtype(["resident", "member", "cadre"]))
    cb = pd.DataFrame(codebook)
    for col, default in [("scale_min", 1.0), ("scale_max", 5.0), ("reverse", False)]:
        if col not in cb:
            cb[col] = default
    if "options" not in cb:
        cb["options"] = [{} for _ in range(len(cb))]
    cb["text"] = cb["item"]
    return County.from_frames(branches, stars, year=2024, survey=survey, codebook=cb)


CB = [
    {"item": "a1", "dimension": "industry", "role": "satisfaction",
     "options": {**SAT, 9: "说不清"}},
    {"item": "a2", "dimension": "industry", "role": "satisfaction", "options": {}},
    {"item": "a3", "dimension": "industry", "role": "satisfaction", "reverse": True,
     "options": {}},
    {"item": "e1", "dimension": "ecology", "role": "satisfaction", "options": {}},
]


@pytest.fixture
def county() -> County:
    rows = [
        {"a1": 5.0, "a2": 4.0, "a3": 1.0, "e1": 3.0},     # a3 reversed -> 5
        {"a1": 9.0, "a2": 2.0, "a3": 4.0, "e1": 7.0},     # 9 = don't know, 7 out of scale
        {"a1": 9.0, "a2": np.nan, "a3": 2.5, "e1": 1.0},  # one item left: below half answered
        {"a1": 0.0, "a2": 3.0, "a3": 3.0, "e1": 5.0},     # 0 out of scale
        {"a1": 99.0, "a2": 1.0, "a3": 5.0, "e1": 2.0},    # 99 = configured don't-know code
    ]
    return tiny_county(rows, CB)


def test_reverse_items_are_flipped_and_invalid_codes_become_missing(county):
    clean = clean_items(county)
    assert clean["a3"].tolist()[:2] == [5.0, 2.0]  # 1+5-1, 1+5-4
    assert np.isnan(clean["a3"].iloc[2])  # 2.5 is not a scale point
    assert clean["a1"].isna().tolist() == [False, True, True, True, True]
    assert np.isnan(clean.loc[1, "e1"])


def test_item_quality_counts_dont_know_and_out_of_scale(county):
    q = item_quality(county, {"privacy": {"k": 1}}).set_index("item")
    assert q.loc["a1", ["n_valid", "n_dont_know", "n_out_of_scale", "n_blank"]].tolist() == \
        [1, 3, 1, 0]
    assert q.loc["a2", ["n_valid", "n_blank"]].tolist() == [4, 1]
    assert q.loc["a3", "n_out_of_scale"] == 1
    assert q.loc["e1", "n_out_of_scale"] == 1
    assert q["n"].eq(5).all()
    assert (q["n_valid"] + q["n_blank"] + q["n_dont_know"] + q["n_out_of_scale"]).eq(5).all()


def test_value_label_marks_an_out_of_scale_code_as_dont_know():
    county = tiny_county([{"a1": 8.0, "a2": 3, "a3": 3, "e1": 3}] * 5,
                         [{**CB[0], "options": {**SAT, 8: "不清楚"}}, *CB[1:]])
    q = item_quality(county).set_index("item")
    assert q.loc["a1", "n_dont_know"] == 5


def test_dimension_score_needs_min_share_answered(county):
    s = score_respondents(county, config={"privacy": {"k": 1}})
    ind = s[s["dimension"] == "industry"].set_index("respondent_id")
    assert ind.loc["R0", "score"] == pytest.approx((5 + 4 + 5) / 3)
    assert ind.loc["R1", "score"] == pytest.approx((2 + 2) / 2)  # 2 of 3 answered
    assert np.isnan(ind.loc["R2", "score"])  # 0 of 3 valid
    assert ind.loc["R2", "n_answered"] == 0
    # with a stricter rule respondent R1 (2 of 3 items) drops out
    strict = score_respondents(county, min_share_answered=0.9)
    assert np.isnan(strict.query("dimension == 'industry' and respondent_id == 'R1'")["score"]
                    .iloc[0])


def test_index_is_linear_in_score(county):
    s = score_respondents(county).dropna(subset=["score"])
    assert np.allclose(s["index"], (s["score"] - 1) / 4 * 100)


def test_composite_is_mean_of_star_dimensions(county):
    s = score_respondents(county)
    wide = s.pivot(index="respondent_id", columns="dimension", values="score")
    r0 = wide.loc["R0"]
    assert r0["composite"] == pytest.approx((r0["industry"] + r0["ecology"]) / 2)


def test_index_uses_each_items_own_scale():
    county = tiny_county([{"a1": 10.0, "e1": 1.0}, {"a1": 0.0, "e1": 5.0}],
                         [{"item": "a1", "dimension": "industry", "role": "satisfaction",
                           "scale_min": 0.0, "scale_max": 10.0},
                          {"item": "e1", "dimension": "ecology", "role": "satisfaction"}])
    s = score_respondents(county).set_index(["respondent_id", "dimension"])["index"]
    assert s[("R0", "industry")] == 100.0 and s[("R1", "industry")] == 0.0
    assert s[("R0", "ecology")] == 0.0 and s[("R1", "ecology")] == 100.0


def test_value_labels_table(county):
    vl = value_labels(county)
    assert list(vl.columns) == ["item", "dimension", "role", "value", "value_label"]
    assert vl.query("item == 'a1' and value == 9")["value_label"].item() == "说不清"


@pytest.mark.parametrize("raw, expected", [
    ("1;3", [1, 3]), ("2", [2]), ("1；4", [1, 4]), ("1,2", [1, 2]), ("1、3 4", [1, 3, 4]),
    (2.0, [2]), (np.nan, None),
    ("", None), (None, None), ("1;x", [1, -1]), ("3.0", [3]),
])
def test_parse_multi(raw, expected):
    assert parse_multi(raw) == expected


def test_config_overrides_and_checks():
    cfg = load_survey_config({"privacy": {"k": 10}, "scoring": {"min_share_answered": 1.0}})
    assert cfg.k == 10 and cfg.min_share_answered == 1.0
    assert load_survey_config().k == 5
    assert cfg.quadrant_label("concentrate_here", "zh") == "重点改进区"
    with pytest.raises(InvalidArgument, match="scoring.min_share_answered"):
        load_survey_config({"scoring": {"min_share_answered": 0}})
    with pytest.raises(InvalidArgument, match="ipa.crosshair"):
        load_survey_config({"ipa": {"crosshair": "middle"}})
    with pytest.raises(InvalidArgument, match="high/low combination"):
        load_survey_config({"ipa": {"quadrants": {"keep_up": {"importance": "low"}}}})
    # a misspelt key is refused, not silently ignored
    with pytest.raises(InvalidArgument, match="privacy.kk"):
        load_survey_config({"privacy": {"kk": 3}})
    # deep merge: one nested value changes, its siblings keep their defaults
    deep = load_survey_config({"text": {"themes": {"industry": ["合作社"]}}})
    assert deep.themes["industry"] == ("合作社",) and "ecology" in deep.themes
    assert deep.top_n == load_survey_config().top_n
    assert load_survey_config({"ipa": {"crosshair": {"importance": 4, "satisfaction": 3.5}}}
                              ).ipa_crosshair == {"importance": 4.0, "satisfaction": 3.5}


def test_no_survey_is_refused():
    branches = pd.DataFrame([{"branch_id": "B1", "branch_name": "甲村", "township": "东镇",
                              "kind": "rural", "year": 2024}])
    stars = pd.DataFrame([{"branch_id": "B1", "year": 2024, "star": "industry",
                           "status": "none"}])
    with pytest.raises(ValueError, match="no survey"):
        score_respondents(County.from_frames(branches, stars))


def test_dont_know_rules_for_choice_items():
    cb = [
        # 不知道 is a real answer to a yes/no-style choice question
        {"item": "c1", "dimension": "awareness", "role": "choice",
         "options": {1: "知道", 2: "不知道"}},
        # 说不清 marks a non-answer wherever it sits
        {"item": "c2", "dimension": "problems", "role": "choice",
         "options": {1: "道路", 2: "说不清", 3: "治安"}},
        # a labelled code off a Likert scale is a non-answer whatever the label says
        {"item": "s1", "dimension": "industry", "role": "satisfaction",
         "options": {**SAT, 7: "不适合回答"}},
    ]
    rows = [{"c1": 2.0, "c2": 2.0, "s1": 7.0}, {"c1": 1.0, "c2": 3.0, "s1": 4.0}] * 3
    county = tiny_county(rows, cb)
    clean = clean_items(county)
    assert clean["c1"].tolist() == [2.0, 1.0] * 3
    assert clean["c2"].isna().tolist() == [True, False] * 3
    q = item_quality(county).set_index("item")
    assert q.loc["c2", "n_dont_know"] == 3 and q.loc["s1", "n_dont_know"] == 3
    assert q.loc["s1", "n_out_of_scale"] == 0


def test_multi_item_quality_and_frequencies_without_options():
    from fivestar_analysis.analysis.survey import choice_frequencies
    cb = [{"item": "m", "dimension": "problems", "role": "multi"}]
    rows = [{"m": "1;2"}, {"m": "2"}, {"m": np.nan}, {"m": "3;2"}, {"m": "2;1"}, {"m": "x"}]
    county = tiny_county(rows, cb)
    q = item_quality(county, {"privacy": {"k": 1}}).set_index("item")
    assert q.loc["m", ["n_valid", "n_blank", "n_out_of_scale"]].tolist() == [4, 1, 1]
    fr = choice_frequencies(county, by_group=False, config={"privacy": {"k": 1}})
    fr = fr.set_index("option")
    assert fr["n"].eq(4).all() and sorted(fr.index) == [1, 2, 3]
    assert fr.loc[2, "share"] == pytest.approx(1.0) and fr.loc[1, "share"] == pytest.approx(0.5)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(*[st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 9.0, 0.0, np.nan])] * 4),
                min_size=1, max_size=15),
       st.sampled_from([0.25, 0.5, 1.0]))
def test_scores_stay_on_the_scale(answers, share):
    rows = [dict(zip(["a1", "a2", "a3", "e1"], a)) for a in answers]
    s = score_respondents(tiny_county(rows, CB), min_share_answered=share)
    ok = s.dropna(subset=["score"])
    assert ok["score"].between(1, 5).all() and ok["index"].between(0, 100).all()
    assert (s["n_answered"] <= s["n_items"]).all()
    per_dim = s[s["dimension"] != "composite"]
    enough = (per_dim["n_answered"] >= share * per_dim["n_items"]) & (per_dim["n_answered"] > 0)
    assert (per_dim["score"].notna() == enough).all()
