"""Province-scale paths give the figures of the plain ones: many domain means in one pass,
group columns factorised once (categoricals), and breakdowns with thousands of subgroups."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from survey_fixtures import make_county

from fivestar_analysis.analysis.survey import compare_groups, estimate_scores
from fivestar_analysis.analysis.survey import estimates as estimates_module
from fivestar_analysis.analysis.survey._frame import GROUP_COLUMNS, respondent_frame
from fivestar_analysis.analysis.survey.design import _codes, bind_design
from fivestar_analysis.analysis.survey.design_domains import domain_mean_rows
from fivestar_analysis.analysis.survey.scoring import score_respondents
from fivestar_analysis.model.survey_design import SurveyDesign

DESIGNS = {
    "cluster": SurveyDesign(),
    "strata": SurveyDesign(strata="township"),
    "strata_fpc": SurveyDesign(strata="township", fpc=True),
    "psu_none": SurveyDesign(psu="none"),
    "srs": SurveyDesign.srs(),
}


def _random_frame(seed: int, n_branch: int = 90, n_town: int = 12):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 12, n_branch)
    branch = np.repeat([f"B{i:03d}" for i in range(n_branch)], sizes)
    town_of = rng.integers(0, n_town, n_branch)
    town_of[:3] = n_town  # a township with three branches
    town_of[3] = n_town + 1  # a township of one branch: a lonely PSU when stratified
    township = np.repeat([f"T{t:02d}" for t in town_of], sizes)
    n = branch.size
    y = rng.integers(1, 6, n).astype(float)
    y[rng.random(n) < 0.1] = np.nan
    w = rng.gamma(2.0, 1.0, n)
    w[rng.random(n) < 0.03] = 0.0
    w[rng.random(n) < 0.02] = np.nan
    frame = pd.DataFrame({"branch_id": branch, "township": township, "weight": w})
    ledger = pd.DataFrame({"branch_id": [f"B{i:03d}" for i in range(n_branch + 40)],
                           "township": [f"T{t:02d}" for t in town_of]
                           + [f"T{t % n_town:02d}" for t in range(40)]})
    # domains: 30 of them, one empty, one of a single row, one with every value alike
    dom = rng.integers(0, 30, n)
    dom[rng.random(n) < 0.05] = -1
    dom[dom == 7] = 8
    dom[np.flatnonzero(dom == 9)[1:]] = 10
    y[dom == 11] = 3.0
    return frame, ledger, y, dom


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", list(DESIGNS))
def test_domain_means_in_one_pass_equal_them_one_by_one(seed, name):
    frame, ledger, y, dom = _random_frame(seed)
    bound = bind_design(frame, DESIGNS[name], ledger)
    k = 30
    fast = domain_mean_rows(bound, y, dom, k, 0.9)
    for j in range(k):
        slow = bound.mean(y, np.flatnonzero(dom == j), 0.9)
        assert fast[j].keys() == slow.keys()
        for key, want in slow.items():
            got = fast[j][key]
            if isinstance(want, float) and math.isnan(want):
                assert math.isnan(got), (j, key, got)
            else:
                assert got == pytest.approx(want, rel=1e-12, abs=1e-14), (name, j, key)
    assert fast[7]["n"] == 0 and fast[9]["n"] <= 1


def test_codes_of_a_categorical_equal_those_of_its_text():
    text = pd.Series(["b", None, "a", "b", "c", None, "a"], dtype=object)
    cat = pd.Series(pd.Categorical(text))
    for got, want in zip(_codes(cat), _codes(text)):
        np.testing.assert_array_equal(got, want)


@pytest.fixture(scope="module")
def county():
    return make_county(seed=5)


def test_group_columns_are_categoricals_holding_the_ledger_text(county):
    frame = respondent_frame(county)
    for col in GROUP_COLUMNS:
        assert isinstance(frame[col].dtype, pd.CategoricalDtype), col
    for col in ("branch_id", "township"):  # sorted as text: groupby order is unchanged
        cats = list(frame[col].cat.categories)
        assert cats == sorted(cats)
    ids = county.survey["branch_id"].astype(str).to_numpy()
    assert list(frame["branch_id"].astype(str)) == list(ids)
    town = county.branches_in().drop_duplicates("branch_id").set_index("branch_id")["township"]
    assert list(frame["township"].astype(str)) == list(town.reindex(ids).astype(str))
    assert isinstance(score_respondents(county)["dimension"].dtype, pd.CategoricalDtype)


def test_categoricals_change_no_figure(county, monkeypatch):
    """The tables are the same as with the group columns left as text."""
    want_est = estimate_scores(county)
    want_cmp = compare_groups(county, "township")
    import fivestar_analysis.analysis.survey._frame as frame_module
    import fivestar_analysis.analysis.survey.scoring as scoring_module

    def plain(values):
        return values.astype(object)

    monkeypatch.setattr(frame_module, "as_categories", plain)
    monkeypatch.setattr(scoring_module, "as_categories", plain)
    assert not isinstance(respondent_frame(county)["township"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(estimate_scores(county), want_est)
    got = compare_groups(county, "township")
    pd.testing.assert_frame_equal(got.omnibus, want_cmp.omnibus)
    pd.testing.assert_frame_equal(got.pairwise, want_cmp.pairwise)


def test_many_townships_take_the_one_pass_path_with_the_same_figures(county, monkeypatch):
    """Above MANY_DOMAINS subgroups the estimates come from one pass; forcing the one-pass
    path on a small county gives the loop's figures."""
    want = estimate_scores(county, by=["township", "group"])
    monkeypatch.setattr(estimates_module, "MANY_DOMAINS", 0)
    got = estimate_scores(county, by=["township", "group"])
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-14)


def test_spread_multi_select_joins_each_pattern_as_row_by_row():
    """One 0/1 column per option into ``"1;3"``: the same as joining row by row."""
    from fivestar_analysis.load.items import _SELECTED, _UNSELECTED, join_spread
    from fivestar_analysis.load.reading import RawTable
    from fivestar_analysis.load.vocab import fold

    rng = np.random.default_rng(3)
    choices = np.array(["1", "0", "", "是", "否", "(跳过)", "集体经济薄弱", "√", " 1 "], dtype=object)
    frame = pd.DataFrame({p: rng.choice(choices, 400) for p in range(4)},
                         index=np.arange(2, 402)).astype(str)
    raw = RawTable(file="x.csv", headers=["a", "b", "c", "d"], frame=frame)
    positions = {3: 0, 1: 1, 5: 2, 2: 3}
    got = join_spread(raw, positions)
    want = []
    for _, row in frame.iterrows():
        cells = {code: fold(row[pos]) for code, pos in positions.items()}
        ticked = [str(code) for code in sorted(positions)
                  if cells[code] not in _UNSELECTED or cells[code] in _SELECTED]
        answered = any(row[pos] != "" for pos in positions.values())
        want.append(";".join(ticked) if answered and ticked else np.nan)
    assert got.index.equals(frame.index)
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in want]


def test_each_distinct_calls_once_per_value():
    from fivestar_analysis.load.vocab import each_distinct

    calls = []

    def fn(v):
        calls.append(v)
        return None if v == "" else v * 2

    cells = pd.Series(["a", "b", "a", "", "b", "a"], index=[5, 6, 7, 8, 9, 10], name="q")
    got = each_distinct(cells, fn)
    assert [None if pd.isna(v) else v for v in got] == ["aa", "bb", "aa", None, "bb", "aa"]
    assert got.index.equals(cells.index) and got.name == "q"
    assert sorted(calls) == ["", "a", "b"]


def test_composite_mean_has_the_bits_of_a_groupby_mean():
    from fivestar_analysis.analysis.survey.scoring import _mean_as_groupby

    rng = np.random.default_rng(11)
    rows = [rng.integers(1, 6, 5000) / rng.integers(1, 7, 5000) for _ in range(7)]
    for r in rows:
        r[rng.random(5000) < 0.2] = np.nan
    rows[0][:3] = [np.inf, np.nan, 1e300]
    long = pd.DataFrame({"rid": np.tile(np.arange(5000), 7), "x": np.concatenate(rows)})
    g = long.groupby("rid", sort=False)["x"]
    mean, count = _mean_as_groupby(rows)
    np.testing.assert_array_equal(count, g.count().to_numpy())
    np.testing.assert_array_equal(mean, g.mean().to_numpy())  # bit for bit, NaN where none
