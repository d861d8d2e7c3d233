"""Privacy: no name or phone number reaches an output; cells under k are suppressed."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from survey_fixtures import make_county, make_raw, simulate_loader

from fivestar_analysis.analysis.survey import (
    SurveyResults,
    describe_survey,
    estimate_scores,
    open_answers,
    theme_examples,
)
from fivestar_analysis.analysis.survey.suppress import FIGURE_COLUMNS
from fivestar_analysis.model.county import County

#: respondent-count columns of each kind of table
COUNT_COLUMNS = ("n", "n_a", "n_b", "n_importance", "n_satisfaction")


def everything_as_text(res: SurveyResults) -> str:
    parts = [t.to_csv(index=False) for t in res.tables().values()]
    parts += [repr(f) for f in res.findings]
    return "\n".join(parts)


def assert_no_identity(text: str, names: list[str], phones: list[str]) -> None:
    digits = re.sub(r"\D", "", text)
    for name in names:
        assert name not in text, name
    for phone in phones:
        assert phone not in text and phone not in digits, phone
        assert phone[-8:] not in text, phone  # not even a partial number


def test_fixture_really_has_identities_to_leak():
    raw = make_raw(seed=5, n=200)
    assert {"姓名", "手机号"} <= set(raw.survey.columns)
    with_phone = raw.survey["suggestion"].dropna().str.contains(r"1[3-9]\d{9}")
    assert with_phone.sum() > 0


def test_no_name_or_phone_in_any_output():
    raw = make_raw(seed=5, n=200)
    county = County.from_frames(raw.branches, raw.stars, year=2024,
                                survey=simulate_loader(raw.survey, raw.codebook),
                                codebook=raw.codebook)
    res = describe_survey(county, config={"privacy": {"k": 3}})  # lower k: more text shown
    text = everything_as_text(res)
    assert "[电话已隐去]" in text or "电话" not in text
    assert_no_identity(text, raw.names, raw.phones)
    assert_no_identity(open_answers(county).to_csv(), raw.names, raw.phones)


def test_identifying_columns_are_dropped_even_if_the_loader_missed_them():
    raw = make_raw(seed=5, n=120)
    leaky = raw.survey.copy()  # identifying columns left in, text not masked
    county = County.from_frames(raw.branches, raw.stars, year=2024, survey=leaky,
                                codebook=raw.codebook)
    res = describe_survey(county)
    assert_no_identity(everything_as_text(res), raw.names, raw.phones)


def test_examples_are_masked():
    raw = make_raw(seed=5, n=200)
    leaky = raw.survey.copy()
    leaky["suggestion"] = "污水管网没有接到各家各户，电话" + leaky["手机号"]
    county = County.from_frames(raw.branches, raw.stars, year=2024, survey=leaky,
                                codebook=raw.codebook)
    ex = theme_examples(county)
    shown = ex["example"].dropna()
    assert len(shown) > 0 and shown.str.contains("[电话已隐去]", regex=False).all()


def check_suppression(table: pd.DataFrame, k: int, name: str) -> int:
    """Every row under k is marked and carries no figure; returns the rows suppressed."""
    counts = [c for c in COUNT_COLUMNS if c in table.columns]
    assert counts, name
    small = np.zeros(len(table), bool)
    for c in counts:
        small |= pd.to_numeric(table[c], errors="coerce").fillna(0).to_numpy() < k
    if "count" in table.columns and name in ("choices", "themes"):
        cnt = pd.to_numeric(table["count"], errors="coerce")
        small |= ((cnt > 0) & (cnt < k)).fillna(False).to_numpy()
    assert (table.loc[small, "suppressed"]).all(), name
    figures = [c for c in (*FIGURE_COLUMNS, "quadrant", "example") if c in table.columns]
    assert table.loc[small, figures].isna().all().all(), name
    return int(small.sum())


def test_every_table_suppresses_cells_under_k():
    county = make_county(seed=7, n=360)
    k = 45  # cadres (~40) and the rarer choices fall under it
    res = describe_survey(county, config={"privacy": {"k": k}})
    suppressed = 0
    for name, table in res.tables().items():
        if name in ("value_labels", "terms"):
            continue
        suppressed += check_suppression(table, k, name)
    assert suppressed > 0
    est = res.estimates
    assert est.loc[est["subgroup"] == "cadre", "suppressed"].all()
    assert est.loc[est["subgroup"] == "cadre", "estimate"].isna().all()
    assert not res.awareness.query("group == 'cadre'")["estimate"].notna().any()
    assert res.findings == []  # a suppressed cadre cell raises no finding
    assert (res.terms["count"] >= k).all()


def test_default_k_is_five_and_tiny_groups_are_hidden():
    county = make_county(seed=7, n=360)
    s = county.survey.copy()
    cadre_ids = s.index[s["group"] == "cadre"][3:]
    s.loc[cadre_ids, "group"] = "member"  # leave three cadres
    tiny = county.replace(survey=s)
    est = estimate_scores(tiny, by=["group"])
    cad = est[est["subgroup"] == "cadre"]
    assert (cad["n"] <= 3).all() and cad["suppressed"].all() and cad["estimate"].isna().all()
    assert not est.loc[est["subgroup"] == "member", "suppressed"].any()


def test_names_typed_into_answers_are_masked_in_examples():
    """Names of the survey's own name column, typed into answers, are masked on loading."""
    raw = make_raw(seed=5, n=200)
    survey = raw.survey.copy()
    survey["suggestion"] = ["找" + name + "反映过，垃圾清运不及时" for name in raw.names]
    s = simulate_loader(survey, raw.codebook)
    county = County.from_frames(raw.branches, raw.stars, year=2024, survey=s,
                                codebook=raw.codebook)
    res = describe_survey(county)
    shown = res.examples["example"].dropna()
    assert len(shown) > 0 and shown.str.contains("[姓名已隐去]", regex=False).all()
    assert_no_identity(everything_as_text(res), raw.names, raw.phones)


def test_names_before_a_title_are_masked_even_without_the_loader():
    raw = make_raw(seed=5, n=200)
    s = simulate_loader(raw.survey, raw.codebook)
    s["suggestion"] = "希望王书记多来看看，垃圾清运不及时"
    county = County.from_frames(raw.branches, raw.stars, year=2024, survey=s,
                                codebook=raw.codebook)
    shown = describe_survey(county).examples["example"].dropna()
    assert len(shown) > 0
    assert (shown == "希望[姓名已隐去]书记多来看看，垃圾清运不及时").all()
