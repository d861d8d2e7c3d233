"""The survey analysis on the demo county, read through the real loader."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from fivestar_analysis import load_county
from fivestar_analysis.analysis.survey import (
    alpha_if_item_deleted,
    describe_survey,
    open_answers,
    score_respondents,
)
from fivestar_analysis.tools import demo


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    demo.write_demo_package(folder, 11, n_townships=5, n_villages=40, n_communities=5,
                            n_respondents=800)
    return folder


@pytest.fixture(scope="module")
def county(package):
    return load_county(package)


@pytest.fixture(scope="module")
def raw_survey(package) -> pd.DataFrame:
    return pd.read_csv(package / "survey.csv", dtype=str, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def results(county):
    return describe_survey(county)


def test_demo_raw_survey_has_identities(raw_survey):
    assert {"姓名", "手机号"} <= set(raw_survey.columns)
    assert raw_survey["T1"].dropna().str.contains(r"1[3-9]\d{9}").any()


def test_no_demo_name_or_phone_reaches_an_output(results, county, raw_survey):
    text = "\n".join([t.to_csv(index=False) for t in results.tables().values()]
                     + [repr(f) for f in results.findings]
                     + [open_answers(county).to_csv(index=False)])
    digits = re.sub(r"\D", "", text)
    for name in raw_survey["姓名"].dropna().unique():
        assert name not in text, name
    for phone in raw_survey["手机号"].dropna().unique():
        assert phone not in digits and phone[-8:] not in text, phone


def test_demo_values_are_sensible(results, county):
    rel = results.reliability.set_index("dimension")
    assert (rel["alpha"] > 0.4).all()  # reverse items flipped: otherwise alpha collapses
    aid = alpha_if_item_deleted(county)
    assert (aid["item_total_r"] > 0).all()
    est = results.estimates.query("by == 'county' and measure == 'index'")
    assert est["estimate"].between(20, 95).all()
    comp = results.by_level[results.by_level["dimension"] == "composite"].dropna(
        subset=["estimate"]).sort_values("level")
    assert comp["estimate"].iloc[-1] > comp["estimate"].iloc[0]
    ipa = results.ipa[results.ipa["group"] == "all"].set_index("dimension")
    assert ipa["importance"].idxmax() == "industry"
    assert set(results.awareness["measure"]) == {"awareness", "participation"}
    multi = results.choices[(results.choices["role"] == "multi")
                            & (results.choices["group"] == "all")]
    assert multi["share"].sum() > 1
    assert results.examples["example"].notna().any()
    inc = results.income_association
    assert (inc["unit"] == "branch").all() and (inc["n_branches"] > 10).all()


def test_demo_scores_cover_every_respondent(county):
    s = score_respondents(county)
    comp = s[s["dimension"] == "composite"]
    assert len(comp) == len(county.survey)
    assert comp["score"].notna().mean() > 0.95


def test_demo_small_cells_are_suppressed(county):
    res = describe_survey(county, config={"privacy": {"k": 40}})
    est = res.estimates
    small = est["n"] < 40
    assert small.any()
    assert est.loc[small, "suppressed"].all() and est.loc[small, "estimate"].isna().all()
    assert not est.loc[~small, "suppressed"].any()
    lvl = res.by_level
    assert np.isnan(lvl.loc[lvl["n"] < 40, "estimate"]).all()
