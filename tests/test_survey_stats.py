"""Statistical helpers against independent references and identities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from fivestar_analysis.analysis.stats import (
    cramers_v,
    spearman_ci,
    weighted_mean_ci,
    weighted_proportion_ci,
    wilson_interval,
)
from fivestar_analysis.analysis.survey import dunn_test, suppress_small

# -- Wilson interval ---------------------------------------------------------------------
# Reference: Newcombe R.G. (1998), "Two-sided confidence intervals for the single
# proportion: comparison of seven methods", Statistics in Medicine 17:857-872, Table I,
# method 3 (Wilson score interval without continuity correction), 95% intervals.
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize("x, n, lo, hi", NEWCOMBE_1998)
def test_wilson_matches_newcombe_1998(x, n, lo, hi):
    got = wilson_interval(x, n)
    assert got[0] == pytest.approx(lo, abs=5e-5)
    assert got[1] == pytest.approx(hi, abs=5e-5)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 2000), data=st.data())
def test_wilson_contains_the_estimate_and_stays_in_unit_interval(n, data):
    x = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(x, n)
    assert 0.0 <= lo <= x / n <= hi <= 1.0


def test_weighted_proportion_with_equal_weights_is_the_plain_wilson():
    hits = np.array([1, 0, 1, 1, np.nan, 0, 1, 1], dtype=float)
    r = weighted_proportion_ci(hits, np.full(hits.size, 3.0))
    assert r["n"] == 7 and r["count"] == 5 and r["n_eff"] == pytest.approx(7)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(wilson_interval(5, 7))


# -- means -------------------------------------------------------------------------------
def test_unweighted_mean_ci_is_the_t_interval():
    x = np.array([3, 4, 4, 5, 2, 3, 5, 4, 1, 4], dtype=float)
    r = weighted_mean_ci(x)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    assert r["sd"] == pytest.approx(x.std(ddof=1))
    # hand value: mean 3.5, s = 1.2693, t(9) = 2.2622 -> 3.5 ± 0.9080
    assert r["ci_low"] == pytest.approx(2.5920, abs=1e-4)


def test_equal_weights_change_nothing_and_kish_n_eff():
    x = np.array([1, 2, 3, 4, 5, np.nan], dtype=float)
    a = weighted_mean_ci(x)
    b = weighted_mean_ci(x, np.full(6, 7.5))
    assert a == pytest.approx(b)
    w = np.array([1, 1, 1, 1, 4, 1], dtype=float)
    r = weighted_mean_ci(x, w)
    assert r["estimate"] == pytest.approx((1 + 2 + 3 + 4 + 20) / 8)
    assert r["n_eff"] == pytest.approx(8**2 / 20)  # (Σw)²/Σw² over the 5 valid values
    assert r["n"] == 5


def test_weights_widen_the_interval():
    rng = np.random.default_rng(1)
    x = rng.normal(3, 1, 200)
    w = rng.choice([0.2, 5.0], 200)
    plain, weighted = weighted_mean_ci(x), weighted_mean_ci(x, w)
    assert weighted["n_eff"] < 200
    assert weighted["ci_high"] - weighted["ci_low"] > plain["ci_high"] - plain["ci_low"]


# -- group comparisons (Holm itself is tested in test_stats.py) ---------------------------
def test_dunn_with_two_groups_equals_kruskal_wallis():
    # For two groups Dunn's z² equals the tie-corrected Kruskal-Wallis H.
    rng = np.random.default_rng(3)
    a = rng.integers(1, 6, 40).astype(float)
    b = rng.integers(2, 6, 55).astype(float)
    d = dunn_test({"a": a, "b": b})
    h, p = stats.kruskal(a, b)
    assert d["statistic"].iloc[0] ** 2 == pytest.approx(h)
    assert d["p_value"].iloc[0] == pytest.approx(p)


def test_rank_biserial_extremes_and_sign():
    d = dunn_test({"hi": np.array([4.0, 5, 5, 4]), "lo": np.array([1.0, 2, 1, 2])})
    assert d["effect_size"].iloc[0] == pytest.approx(1.0)
    d = dunn_test({"lo": np.array([1.0, 2, 1, 2]), "hi": np.array([4.0, 5, 5, 4])})
    assert d["effect_size"].iloc[0] == pytest.approx(-1.0)
    assert d["statistic"].iloc[0] < 0


def test_cramers_v_of_a_table_worked_by_hand():
    # [[20, 10, 10], [10, 20, 30]]: n = 100, rows 40/60, columns 30/30/40, so expected
    # counts 12 12 16 / 18 18 24 and χ² = 64/12 + 4/12 + 36/16 + 64/18 + 4/18 + 36/24
    # = 13.19444; V = sqrt(χ² / (100 · (2 − 1))) = 0.363242.
    table = np.array([[20, 10, 10], [10, 20, 30]])
    chi2 = stats.chi2_contingency(table, correction=False).statistic
    assert chi2 == pytest.approx(13.194444, abs=1e-6)
    assert cramers_v(chi2, table.sum(), table.shape) == pytest.approx(0.363242, abs=1e-6)


def test_spearman_ci_contains_rho_and_narrows_with_n():
    lo, hi = spearman_ci(0.5, 30)
    assert lo < 0.5 < hi
    lo2, hi2 = spearman_ci(0.5, 300)
    assert hi2 - lo2 < hi - lo
    assert all(np.isnan(spearman_ci(0.5, 3)))


# -- suppression -------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=12), st.integers(1, 10))
def test_suppression_blanks_every_small_cell(ns, k):
    t = pd.DataFrame({"n": ns, "estimate": 1.0, "ci_low": 0.5, "ci_high": 1.5,
                      "label": "x"})
    out = suppress_small(t, k)
    small = np.array(ns) < k
    assert out["suppressed"].tolist() == small.tolist()
    assert out.loc[small, ["estimate", "ci_low", "ci_high"]].isna().all().all()
    assert out.loc[~small, "estimate"].eq(1.0).all()
    assert out["label"].eq("x").all() and out["n"].tolist() == ns


def test_suppression_of_small_counts():
    t = pd.DataFrame({"n": [100, 100, 100], "count": [0, 3, 50], "share": [0, .03, .5]})
    out = suppress_small(t, 5, count_min=5)
    assert out["suppressed"].tolist() == [False, True, False]
    assert np.isnan(out.loc[1, "share"]) and np.isnan(out.loc[1, "count"])
