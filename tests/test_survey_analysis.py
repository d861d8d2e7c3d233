"""Estimates, comparisons, ledger link, IPA, awareness, choices and open answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from survey_fixtures import make_county

from fivestar_analysis.analysis.stats import weighted_mean_ci
from fivestar_analysis.analysis.survey import (
    SurveyResults,
    awareness_findings,
    awareness_rates,
    choice_frequencies,
    compare_choices,
    compare_groups,
    describe_survey,
    estimate_scores,
    importance_performance,
    income_satisfaction,
    satisfaction_by_level,
    score_respondents,
    segment,
    text_themes,
    theme_examples,
    top_terms,
)
from fivestar_analysis.model.findings import Finding


@pytest.fixture(scope="module")
def county():
    return make_county(seed=7, n=360)


@pytest.fixture(scope="module")
def results(county) -> SurveyResults:
    return describe_survey(county)


# -- estimates ---------------------------------------------------------------------------
def test_estimates_shape_and_values(county):
    est = estimate_scores(county, design="srs")  # the design-based CIs: tests/test_design.py
    assert list(est.columns) == ["by", "subgroup", "dimension", "measure", "n", "n_eff", "deff",
                                 "estimate", "sd", "se", "ci_low", "ci_high", "suppressed"]
    assert set(est["by"]) == {"county", "group", "township", "level"}
    row = est.query("by == 'county' and dimension == 'industry' and measure == 'score'").iloc[0]
    scores = score_respondents(county)
    x = scores.loc[scores["dimension"] == "industry", "score"].dropna()
    ref = weighted_mean_ci(x.to_numpy())
    assert row["n"] == len(x) and row["estimate"] == pytest.approx(x.mean())
    assert row["ci_low"] == pytest.approx(ref["ci_low"])
    ok = est[~est["suppressed"]]
    assert (ok["ci_low"] <= ok["estimate"]).all() and (ok["estimate"] <= ok["ci_high"]).all()
    idx = est.query("measure == 'index'")
    assert idx["estimate"].dropna().between(0, 100).all()
    assert set(est.query("by == 'group'")["subgroup"]) == {"resident", "member", "cadre"}


def test_weighted_estimates_use_kish_n_eff():
    wc = make_county(seed=7, n=360, weights=True)
    est = estimate_scores(wc, by=["county"], measures=["score"])
    assert (est["n_eff"] < est["n"]).all()
    scores = score_respondents(wc)
    g = scores[scores["dimension"] == "safety"].dropna(subset=["score"])
    row = est[est["dimension"] == "safety"].iloc[0]
    assert row["estimate"] == pytest.approx(np.average(g["score"], weights=g["weight"]))


def test_satisfaction_rises_with_star_level(county):
    lvl = satisfaction_by_level(county)
    comp = lvl[lvl["dimension"] == "composite"].sort_values("level")
    assert comp["level"].is_monotonic_increasing
    assert comp["estimate"].iloc[-1] > comp["estimate"].iloc[0]
    assert (comp["n_branches"] >= 1).all()


# -- comparisons -------------------------------------------------------------------------
def test_group_comparison(county):
    res = compare_groups(county, "group")
    om = res.omnibus.set_index("dimension")
    assert om.loc["composite", "p_value"] < 0.01  # cadres rate higher in the fixture
    assert om.loc["composite", "effect_size"] == pytest.approx(
        om.loc["composite", "statistic"] / (om.loc["composite", "n"] - 1))
    pw = res.pairwise[res.pairwise["dimension"] == "composite"]
    assert len(pw) == 3
    assert (pw["p_adj"] >= pw["p_value"]).all()
    assert pw["effect_size"].between(-1, 1).all()
    assert set(res.pairwise["effect_size_name"]) == {"rank_biserial"}
    with pytest.raises(ValueError):
        compare_groups(county, "gender")


def test_pairs_are_left_out_above_the_group_cap(county):
    """Townships pairwise: computed up to ``max_pairwise_groups`` groups, omitted (and said
    so on the omnibus row) above it; the omnibus test itself is the same either way."""
    full = compare_groups(county, "township")
    k = int(full.omnibus["n_groups"].max())
    assert k >= 3 and (full.omnibus["posthoc"] == "Dunn z, Holm-adjusted").all()
    per_dim = full.pairwise.groupby("dimension").size()
    assert (per_dim == full.omnibus.set_index("dimension")["n_groups"].map(
        lambda g: g * (g - 1) // 2).loc[per_dim.index]).all()
    capped = compare_groups(county, "township",
                            config={"comparisons": {"max_pairwise_groups": k - 1}})
    assert capped.pairwise.empty
    assert capped.omnibus["posthoc"].str.startswith(f"omitted: {k} groups").any()
    cols = ["statistic", "p_value", "effect_size"]
    pd.testing.assert_frame_equal(capped.omnibus[cols], full.omnibus[cols])
    with pytest.raises(ValueError):
        compare_groups(county, "township", config={"comparisons": {"max_pairwise_groups": 1}})


def test_small_groups_are_left_out_of_tests(county):
    res = compare_groups(county, "group", config={"privacy": {"k": 60}})  # cadres: ~40
    om = res.omnibus
    assert (om["groups_excluded"] >= 1).all() and (om["n_groups"] == 2).all()
    assert "cadre" not in set(res.pairwise["group_a"]) | set(res.pairwise["group_b"])


def test_choice_chi_square(county):
    ct = compare_choices(county).set_index("item")
    assert {"k_campaign", "participated", "info_source"} <= set(ct.index)
    row = ct.loc["participated"]
    assert row["p_value"] < 0.01 and 0 < row["effect_size"] <= 1
    assert row["small_expected"] == (row["min_expected"] < 5)


def test_small_expected_counts_are_flagged():
    small = make_county(seed=3, n=60)
    ct = compare_choices(small).set_index("item")
    assert bool(ct.loc["info_source", "small_expected"]) is True


# -- ledger ------------------------------------------------------------------------------
def test_income_association_is_branch_level(county):
    inc = income_satisfaction(county)
    assert (inc["unit"] == "branch").all()
    assert (inc["n_branches"] <= county.branches["branch_id"].nunique()).all()
    comp = inc.set_index("dimension").loc["composite"]
    assert comp["statistic"] > 0  # richer (higher-level) branches are happier in the fixture
    assert comp["ci_low"] <= comp["statistic"] <= comp["ci_high"]
    strict = income_satisfaction(county, config={"ledger": {"min_respondents_per_branch": 10**6}})
    assert (strict["n_branches"] == 0).all() and strict["statistic"].isna().all()


# -- IPA ---------------------------------------------------------------------------------
def test_ipa_quadrants(county):
    ipa = importance_performance(county)
    assert set(ipa["group"]) == {"all", "resident", "member", "cadre"}
    allp = ipa[ipa["group"] == "all"].set_index("dimension")
    # the fixture makes industry the most important and least satisfying area
    assert allp.loc["industry", "quadrant"] == "concentrate_here"
    assert allp.loc["industry", "quadrant_label"] == "重点改进区"
    assert allp["importance_cut"].iloc[0] == pytest.approx(allp["importance"].mean())
    assert allp["satisfaction_cut"].iloc[0] == pytest.approx(allp["satisfaction"].mean())
    for r in allp.itertuples():
        hi_i, hi_s = r.importance >= r.importance_cut, r.satisfaction >= r.satisfaction_cut
        expected = {(True, False): "concentrate_here", (True, True): "keep_up",
                    (False, False): "low_priority", (False, True): "possible_overkill"}
        assert r.quadrant == expected[(hi_i, hi_s)]


def test_ipa_crosshair_and_language_options(county):
    fixed = importance_performance(county, by_group=False,
                                   crosshair={"importance": 1.0, "satisfaction": 5.0},
                                   language="en")
    assert set(fixed["quadrant"]) == {"concentrate_here"}
    assert set(fixed["quadrant_label"]) == {"Concentrate here"}
    mid = importance_performance(county, by_group=False, crosshair="scale_midpoint")
    assert (mid["importance_cut"] == 3.0).all()


# -- awareness ---------------------------------------------------------------------------
def test_awareness_rates_and_low_cadre_finding(county):
    rates = awareness_rates(county)
    k = rates[(rates["item"] == "k_campaign") & (rates["group"] == "cadre")].iloc[0]
    s = county.survey
    cadre = s.loc[s["group"] == "cadre", "k_campaign"]
    assert k["n"] == cadre.notna().sum() and k["estimate"] == pytest.approx(cadre.mean())
    findings = awareness_findings(county, rates)
    assert len(findings) == 1
    f = findings[0]
    assert isinstance(f, Finding)
    assert (f.kind, f.scope, f.subject) == ("low_awareness", "county", "cadre")
    assert f.evidence["threshold"] == 0.9 and f.evidence["rate"] < 0.9
    assert f.severity in ("medium", "high")
    assert {"participation"} <= set(rates["measure"])


def test_no_finding_when_cadres_are_aware():
    aware = make_county(seed=7, n=360, cadre_awareness=1.0)
    assert awareness_findings(aware) == []
    # the threshold is configurable
    assert awareness_findings(aware, config={"awareness": {"thresholds": {"resident": 0.9}}})


# -- choices -----------------------------------------------------------------------------
def test_multi_select_shares(county):
    fr = choice_frequencies(county)
    multi = fr[(fr["item"] == "problems") & (fr["group"] == "all")].set_index("option")
    answers = county.survey["problems"].dropna().map(lambda v: {int(c) for c in v.split(";")})
    for code in range(1, 6):
        assert multi.loc[code, "n"] == len(answers)
        assert multi.loc[code, "count"] == sum(code in a for a in answers)
        assert multi.loc[code, "share"] == pytest.approx(np.mean([code in a for a in answers]))
    assert multi["share"].sum() > 1  # several choices per respondent
    assert multi.loc[1, "rank"] == 1
    # don't-know code 9 of a single-choice item is not an option
    assert 9 not in set(fr.loc[fr["item"] == "info_source", "option"])


# -- open answers ------------------------------------------------------------------------
def test_domain_terms_stay_whole():
    words = segment("壮大村集体经济，整治人居环境，整顿软弱涣散党组织，争创五星支部，实现产业兴旺")
    for term in ["集体经济", "人居环境", "软弱涣散", "五星支部", "产业兴旺"]:
        assert any(term in w for w in words), (term, words)
    assert "，" not in words


def test_segment_drops_masks_and_stop_words():
    words = segment("希望加强管理[电话已隐去]", drop_stop_words=True)
    assert "电话" not in words and "希望" not in words and "已" not in words


def test_jieba_is_silent(capfd):
    from fivestar_analysis.analysis.survey import text
    text._tokenizer.cache_clear()
    segment("人居环境")
    err = capfd.readouterr().err
    assert "Building prefix dict" not in err and "Loading model" not in err


def test_terms_themes_examples(county):
    terms = top_terms(county)
    assert (terms["count"] >= 5).all() and terms["rank"].is_monotonic_increasing
    assert "村集体经济" in set(terms["term"]) or "集体经济" in set(terms["term"])
    themes = text_themes(county).set_index("theme")
    assert themes.loc["industry", "count"] > 0
    ex = theme_examples(county)
    ind = ex[ex["theme"] == "industry"]
    assert 1 <= len(ind) <= 3 and ind["example"].notna().all()
    assert ind["example"].is_unique
    assert ex.loc[ex["example"].notna(), "example"].map(lambda t: not any(
        c.isdigit() for c in t)).all()


# -- the bundle --------------------------------------------------------------------------
def test_describe_survey(results, county):
    assert isinstance(results, SurveyResults)
    assert results.n_respondents == len(county.survey) and results.k == 5
    for name, table in results.tables().items():
        assert isinstance(table, pd.DataFrame) and not table.empty, name
        if name != "value_labels":
            assert "suppressed" in table.columns, name
    assert [f.kind for f in results.findings] == ["low_awareness"]
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        results.k = 3  # frozen


def test_ipa_county_crosshair_is_shared_by_groups(county):
    ipa = importance_performance(county, crosshair="county_grand_mean")
    assert ipa["importance_cut"].nunique() == 1 and ipa["satisfaction_cut"].nunique() == 1
    allp = ipa[ipa["group"] == "all"]
    assert ipa["importance_cut"].iloc[0] == pytest.approx(allp["importance"].mean())


def test_describe_survey_on_a_minimal_questionnaire():
    from test_survey_scoring import CB, tiny_county
    rows = [{"a1": float(i % 5 + 1), "a2": float(i * 2 % 5 + 1), "a3": 3.0,
             "e1": float(i * 3 % 5 + 1)} for i in range(12)]
    res = describe_survey(tiny_county(rows, CB))
    assert not res.estimates.empty and not res.reliability.empty
    for name in ("ipa", "awareness", "choices", "terms", "themes", "examples", "choice_tests"):
        table = getattr(res, name)
        assert table.empty and "suppressed" in table.columns, name
    assert res.findings == []
