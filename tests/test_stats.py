"""fivestar_analysis.analysis.stats against independent references.

Each statistic is checked against a reference that does not share its code: statsmodels
(Holm, Wilson), scipy (t quantiles and intervals, Fisher's exact test, Cramér's V, U),
a published worked example (Bonett's own ``ci.spear``), or a hand computation written out
in the test (Kruskal–Wallis effect sizes after Tomczak & Tomczak 2014, Kish's n).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import tomllib
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.stats.contingency import association
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from fivestar_analysis.analysis.stats import (
    cramers_v,
    epsilon_squared,
    eta_squared_h,
    fisher_vs_rest,
    holm,
    kish_n_eff,
    rank_biserial,
    spearman_ci,
    t_interval,
    weighted_mean_ci,
    weighted_proportion_ci,
    wilson_interval,
)

ROOT = Path(__file__).resolve().parents[1]


# -- the reference library is a declared dependency ---------------------------------------
def test_statsmodels_is_declared_in_pyproject_and_environment_yml():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pyproject = [d.replace(" ", "") for d in deps["project"]["dependencies"]]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)]
    assert "statsmodels>=0.14" in pyproject
    assert "statsmodels>=0.14" in conda


# -- Holm ---------------------------------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=30))
def test_holm_matches_statsmodels(ps):
    ref = multipletests(ps, method="holm")[1]
    assert holm(ps) == pytest.approx(ref, rel=1e-12, abs=1e-15)


def test_holm_leaves_missing_p_values_out():
    ps = np.array([0.01, np.nan, 0.04, 0.03, np.nan])
    got = holm(ps)
    assert np.isnan(got[[1, 4]]).all()
    ref = multipletests(ps[[0, 2, 3]], method="holm")[1]  # m = 3, not 5
    assert got[[0, 2, 3]] == pytest.approx(ref)
    assert got[[0, 2, 3]] == pytest.approx([0.03, 0.06, 0.06])
    assert np.isnan(holm([np.nan, np.nan])).all() and holm([]).size == 0


# -- Wilson -------------------------------------------------------------------------------
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
@pytest.mark.parametrize("x, n", [(0, 20), (1, 29), (15, 148), (81, 263), (7, 7), (50, 100)])
def test_wilson_matches_statsmodels(x, n, confidence):
    ref = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    assert wilson_interval(x, n, confidence) == pytest.approx(ref, abs=1e-12)


def test_wilson_without_observations_is_nan():
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_weighted_proportion_uses_kish_n_in_the_wilson_interval():
    hits = np.array([1, 0, 1, 1, 0, np.nan], dtype=float)
    w = np.array([2.0, 1, 1, 1, 1, 5])
    r = weighted_proportion_ci(hits, w)
    # by hand: share = (2 + 1 + 1) / 6, n_eff = 6² / (4 + 1 + 1 + 1 + 1) = 4.5
    assert r["n"] == 5 and r["count"] == 3
    assert r["estimate"] == pytest.approx(4 / 6) and r["n_eff"] == pytest.approx(4.5)
    ref = proportion_confint(4 / 6 * 4.5, 4.5, alpha=0.05, method="wilson")
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(ref)


# -- t intervals --------------------------------------------------------------------------
@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
def test_t_interval_matches_scipy(confidence):
    assert t_interval(3.5, 0.4, 9, confidence) == pytest.approx(
        stats.t.interval(confidence, 9, loc=3.5, scale=0.4))


def test_unweighted_mean_is_the_scipy_t_interval():
    x = np.array([3, 4, 4, 5, 2, 3, 5, 4, 1, 4, np.nan])
    r = weighted_mean_ci(x, confidence=0.9)
    v = x[~np.isnan(x)]
    ref = stats.t.interval(0.9, v.size - 1, loc=v.mean(), scale=stats.sem(v))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(ref)
    assert r["n"] == 10 and r["n_eff"] == pytest.approx(10) and r["sd"] == pytest.approx(v.std(ddof=1))


def test_weighted_mean_by_hand():
    # x = 1..5, w = 1,1,1,1,4: Σw = 8, mean = 30 / 8, n_eff = 8² / 20 = 3.2,
    # Σw(x - m)² / Σw = 17.5 / 8, variance = 2.1875 · 3.2 / 2.2, df = 2.2
    r = weighted_mean_ci([1, 2, 3, 4, 5], [1, 1, 1, 1, 4])
    sd = math.sqrt(2.1875 * 3.2 / 2.2)
    half = stats.t.ppf(0.975, 2.2) * sd / math.sqrt(3.2)
    assert r["estimate"] == pytest.approx(3.75) and r["n_eff"] == pytest.approx(3.2)
    assert r["sd"] == pytest.approx(sd)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((3.75 - half, 3.75 + half))


def test_mean_of_one_observation_has_no_interval():
    r = weighted_mean_ci([4.0, np.nan])
    assert r["n"] == 1 and r["estimate"] == 4.0 and math.isnan(r["ci_low"])
    assert weighted_mean_ci([])["n"] == 0


def test_kish_n_eff_by_hand():
    assert kish_n_eff([1, 1, 1, 1]) == pytest.approx(4)
    assert kish_n_eff([1, 3]) == pytest.approx(16 / 10)
    assert kish_n_eff([]) == 0.0


# -- Spearman interval (Bonett–Wright) ----------------------------------------------------
def test_spearman_ci_reproduces_bonetts_published_example():
    # statpsych::ci.spear (D. G. Bonett), documented example: estimate 0.8699639,
    # 95% interval 0.5840951 to 0.9638297 with the Bonett–Wright standard error.
    y = [21, 4, 9, 12, 35, 18, 10, 22, 24, 1, 6, 8, 13, 16, 19]
    x = [67, 28, 30, 28, 52, 40, 25, 37, 44, 10, 14, 20, 28, 40, 51]
    rho = stats.spearmanr(y, x).statistic
    assert rho == pytest.approx(0.8699639, abs=5e-8)
    lo, hi = spearman_ci(rho, len(y))
    assert lo == pytest.approx(0.5840951, abs=5e-8)
    assert hi == pytest.approx(0.9638297, abs=5e-8)


def test_spearman_ci_by_hand_and_its_confidence_level():
    # rho = 0.5, n = 30: z = atanh(0.5) = 0.5493061, se = sqrt(1.125 / 27) = 0.2041241;
    # 90%: 1.6448536 · se = 0.3357543 -> tanh(0.2135518) = 0.2103636, tanh(0.8850605) = 0.7089454
    lo, hi = spearman_ci(0.5, 30, confidence=0.90)
    assert lo == pytest.approx(0.2103636, abs=1e-6)
    assert hi == pytest.approx(0.7089454, abs=1e-6)
    assert all(math.isnan(v) for v in spearman_ci(0.5, 3))
    assert all(math.isnan(v) for v in spearman_ci(math.nan, 30))
    assert spearman_ci(1.0, 10) == (1.0, 1.0)


# -- Kruskal–Wallis effect sizes ----------------------------------------------------------
def test_kruskal_wallis_effect_sizes_by_hand():
    # Three groups of three, no ties: rank sums 6, 15, 24 over n = 9, so
    # H = 12 / (9 · 10) · (6² + 15² + 24²) / 3 − 3 · 10 = 37.2 − 30 = 7.2.
    # Tomczak & Tomczak (2014): ε² = H / (n − 1) = 0.9; η²_H = (H − k + 1) / (n − k) = 5.2 / 6.
    groups = [[1.0, 2, 3], [4.0, 5, 6], [7.0, 8, 9]]
    h = stats.kruskal(*groups).statistic
    assert h == pytest.approx(7.2)
    assert epsilon_squared(h, 9) == pytest.approx(0.9)
    assert eta_squared_h(h, 9, 3) == pytest.approx(5.2 / 6)


def test_eta_squared_h_can_fall_below_zero_and_epsilon_cannot():
    # H = 0.5 with k = 3 groups of n = 12 in all: η²_H = (0.5 − 2) / 9, ε² = 0.5 / 11
    assert eta_squared_h(0.5, 12, 3) == pytest.approx(-1.5 / 9)
    assert epsilon_squared(0.5, 12) == pytest.approx(0.5 / 11)
    assert math.isnan(epsilon_squared(1.0, 1)) and math.isnan(eta_squared_h(1.0, 3, 3))


# -- Cramér's V ---------------------------------------------------------------------------
@pytest.mark.parametrize("table", [
    [[30, 10, 5], [20, 25, 15], [5, 10, 30]],
    [[12, 30], [25, 8], [9, 9], [4, 17]],
    [[18, 7], [6, 19]],
])
def test_cramers_v_matches_scipy_association(table):
    t = np.array(table)
    chi2 = stats.chi2_contingency(t, correction=False).statistic
    assert cramers_v(chi2, t.sum(), t.shape) == pytest.approx(association(t, method="cramer"))


def test_cramers_v_by_hand():
    # [[30, 10], [10, 30]]: χ² = 80 · (900 − 100)² / 40⁴ = 20, V = sqrt(20 / 80) = 0.5
    assert cramers_v(20.0, 80, (2, 2)) == pytest.approx(0.5)
    assert math.isnan(cramers_v(3.0, 50, (1, 4))) and math.isnan(cramers_v(0.0, 0, (2, 2)))


# -- rank-biserial ------------------------------------------------------------------------
def test_rank_biserial_is_the_difference_of_pair_shares():
    rng = np.random.default_rng(11)
    a, b = rng.integers(0, 6, 23).astype(float), rng.integers(1, 7, 17).astype(float)
    u = stats.mannwhitneyu(a, b).statistic
    sign = np.sign(a[:, None] - b[None, :])  # Kerby's (2014) simple difference formula
    assert rank_biserial(u, a.size, b.size) == pytest.approx(sign.mean())
    got = rank_biserial(np.array([0.0, 12.0]), np.array([3, 4]), np.array([4, 3]))
    assert got == pytest.approx([-1.0, 1.0])


# -- one group against the rest -----------------------------------------------------------
def test_fisher_vs_rest_matches_scipy_fisher_exact_and_statsmodels_holm():
    count = np.array([3, 12, 20, 9, 1])
    n = np.array([15, 20, 25, 18, 2])
    t = fisher_vs_rest(count, n, min_n=5)
    N, K = int(n.sum()), int(count.sum())
    raw = []
    for i in range(4):
        table = [[count[i], n[i] - count[i]], [K - count[i], N - n[i] - (K - count[i])]]
        odds, p = stats.fisher_exact(table, alternative="less")
        assert t.loc[i, "p_value"] == pytest.approx(p, rel=1e-9)
        assert t.loc[i, "odds_ratio"] == pytest.approx(odds)
        assert t.loc[i, "rest_share"] == pytest.approx((K - count[i]) / (N - n[i]))
        raw.append(p)
    assert np.isnan(t.loc[4, ["p_value", "p_adj"]].astype(float)).all()  # n = 2 < min_n
    assert t["p_adj"].to_numpy()[:4] == pytest.approx(multipletests(raw, method="holm")[1])
    assert t[["rest_n", "rest_count"]].to_numpy().tolist()[0] == [N - 15, K - 3]


def test_fisher_vs_rest_does_not_test_a_group_holding_everything():
    t = fisher_vs_rest(np.array([4]), np.array([10]))
    assert t.loc[0, "rest_n"] == 0 and np.isnan(t.loc[0, "rest_share"])
    assert np.isnan(t.loc[0, "p_value"])
