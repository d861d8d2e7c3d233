"""Design-based survey inference (issue 13): hand-computed and independent references,
``design: srs`` reproducing the older figures, a seeded Monte Carlo of coverage, and the
``survey.design`` key of county.yaml."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from survey_fixtures import make_county

from fivestar_analysis.analysis.stats import weighted_mean_ci, weighted_proportion_ci
from fivestar_analysis.analysis.survey import compare_choices, compare_groups, estimate_scores
from fivestar_analysis.analysis.survey.design import bind_design
from fivestar_analysis.analysis.survey.scoring import score_respondents
from fivestar_analysis.model.survey_design import SurveyDesign

CLUSTERED = SurveyDesign()
SRS = SurveyDesign.srs()


def _frame(values_by_branch: dict[str, list[float]], strata: dict[str, str] | None = None
           ) -> tuple[pd.DataFrame, np.ndarray]:
    rows = [(b, (strata or {}).get(b, "t"), y) for b, ys in values_by_branch.items() for y in ys]
    f = pd.DataFrame(rows, columns=["branch_id", "township", "y"])
    return f, f["y"].to_numpy(dtype="float64")


# -- hand-computed small examples -------------------------------------------------------

def test_cluster_mean_se_by_hand():
    # three branches; mean 25/7; PSU totals of (y - mean)/n are -29/49, 6/49, 23/49, so
    # v = 3/2 * (29² + 6² + 23²) / 49² = 2109/2401, on 3 - 1 = 2 degrees of freedom
    f, y = _frame({"A": [1, 2], "B": [3, 5], "C": [4, 4, 6]})
    r = bind_design(f, CLUSTERED).mean(y)
    assert r["estimate"] == pytest.approx(25 / 7)
    assert r["se"] == pytest.approx(math.sqrt(2109 / 2401), rel=1e-12)
    assert r["df"] == 2
    half = stats.t.ppf(0.975, 2) * math.sqrt(2109 / 2401)
    assert r["ci_low"] == pytest.approx(25 / 7 - half)
    s2 = np.var(y, ddof=1)
    assert r["deff"] == pytest.approx((2109 / 2401) / (s2 / 7))
    assert r["n_eff"] == pytest.approx(7 / r["deff"])


def test_stratified_fpc_se_by_loops():
    # strata S (A, B) and T (C, D, E); 2 of 4 branches sampled in S, 3 of 6 in T
    values = {"A": [1, 2, 2], "B": [4, 5], "C": [3, 3], "D": [5, 4, 4], "E": [2]}
    strata = {"A": "S", "B": "S", "C": "T", "D": "T", "E": "T"}
    f, y = _frame(values, strata)
    ledger = pd.DataFrame({"branch_id": list("ABWXCDEYZQ"),
                           "township": ["S"] * 4 + ["T"] * 6})
    design = SurveyDesign(strata="township", fpc=True)
    r = bind_design(f, design, ledger).mean(y)
    # the same variance written out as plain loops
    n, m = len(y), y.mean()
    v = 0.0
    for h, big_n in (("S", 4), ("T", 6)):
        branches = [b for b in values if strata[b] == h]
        totals = [sum((yy - m) / n for yy in values[b]) for b in branches]
        nh = len(totals)
        mean_t = sum(totals) / nh
        v += (1 - nh / big_n) * nh / (nh - 1) * sum((t - mean_t) ** 2 for t in totals)
    assert r["se"] == pytest.approx(math.sqrt(v), rel=1e-12)
    assert r["df"] == 5 - 2


def test_cluster_se_matches_statsmodels_cluster_robust():
    rng = np.random.default_rng(3)
    sizes = rng.integers(4, 16, 25)
    b = np.repeat(np.arange(25), sizes)
    y = 3 + rng.normal(0, 0.8, 25)[b] + rng.normal(0, 1.2, b.size)
    f = pd.DataFrame({"branch_id": b.astype(str), "township": "t", "y": y})
    r = bind_design(f, CLUSTERED).mean(y)
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster",
                                         cov_kwds={"groups": b, "use_correction": False})
    g = 25  # the linearised variance has the factor G/(G-1) that statsmodels leaves out
    assert r["se"] == pytest.approx(float(fit.bse[0]) * math.sqrt(g / (g - 1)), rel=1e-10)
    # the cluster SE is clearly wider than the SRS one: the branches matter
    assert r["deff"] > 1.5


def test_weighted_cluster_mean_matches_statsmodels_wls():
    rng = np.random.default_rng(5)
    b = np.repeat(np.arange(30), 8)
    w = rng.uniform(0.5, 3.0, b.size)
    y = rng.normal(0, 1, 30)[b] + rng.normal(0, 1, b.size)
    f = pd.DataFrame({"branch_id": b.astype(str), "weight": w, "y": y})
    r = bind_design(f, CLUSTERED).mean(y)
    fit = sm.WLS(y, np.ones_like(y), weights=w).fit(
        cov_type="cluster", cov_kwds={"groups": b, "use_correction": False})
    assert r["estimate"] == pytest.approx(float(fit.params[0]))
    assert r["se"] == pytest.approx(float(fit.bse[0]) * math.sqrt(30 / 29), rel=1e-10)


def test_srs_wald_is_the_robust_two_group_test_and_rao_scott_pearson():
    rng = np.random.default_rng(11)
    g = rng.integers(0, 2, 200)
    y = rng.normal(0, 1, 200) + 0.3 * g
    f = pd.DataFrame({"branch_id": "x", "y": y})
    srs = bind_design(f, SRS)
    res = srs.wald_means(y, g.astype(str))
    fit = sm.OLS(y, sm.add_constant(g.astype(float))).fit(cov_type="HC0")
    z2 = float(fit.params[1] / fit.bse[1]) ** 2
    assert res["statistic"] == pytest.approx(z2 * (200 - 1) / 200, rel=1e-10)
    assert (res["df1"], res["df2"]) == (1.0, 199.0)
    x = (rng.random(200) < 0.3 + 0.2 * g).astype(int)
    rs = srs.rao_scott(g, x)
    pearson = stats.chi2_contingency(pd.crosstab(g, x).to_numpy(), correction=False)
    # with each respondent its own unit the generalised design effect is n/(n-1)
    assert rs["statistic"] * rs["df1"] == pytest.approx(pearson.statistic * 199 / 200, rel=1e-8)
    assert rs["deff"] == pytest.approx(200 / 199, rel=1e-8)


# -- srs reproduces the older figures ---------------------------------------------------

@pytest.fixture(scope="module")
def county():
    return make_county(seed=7, n=360)


def test_srs_estimates_reproduce_weighted_mean_ci(county):
    est = estimate_scores(county, by=["county", "group"], design="srs")
    scores = score_respondents(county)
    for (by, sub, dim), row in est[est["measure"] == "score"].set_index(
            ["by", "subgroup", "dimension"]).iterrows():
        rows = scores[scores["dimension"] == dim]
        if by == "group":
            rows = rows[rows["group"].astype(str) == sub]
        ref = weighted_mean_ci(rows["score"].to_numpy(dtype=float, na_value=np.nan),
                               rows["weight"].to_numpy())
        for key in ("n", "n_eff", "estimate", "sd", "ci_low", "ci_high"):
            assert row[key] == pytest.approx(ref[key], nan_ok=True), (by, sub, dim, key)
        assert row["deff"] == pytest.approx(1.0)


def test_weighted_srs_shares_reproduce_kish_wilson():
    wc = make_county(seed=7, n=360, weights=True)
    from fivestar_analysis.analysis.survey import awareness_rates
    from fivestar_analysis.analysis.survey._frame import respondent_frame
    from fivestar_analysis.analysis.survey.scoring import clean_items

    aw = awareness_rates(wc, design="srs")
    row = aw[aw["group"] == "all"].iloc[0]
    x = clean_items(wc)[row["item"]].to_numpy(dtype=float, na_value=np.nan)
    hits = np.where(np.isfinite(x), (x == 1).astype(float), np.nan)
    ref = weighted_proportion_ci(hits, respondent_frame(wc)["weight"].to_numpy())
    assert row["ci_low"] == pytest.approx(ref["ci_low"]) and row["n_eff"] == pytest.approx(
        ref["n_eff"])


def test_default_estimates_are_clustered_by_branch(county):
    est = estimate_scores(county, by=["county"], measures=["score"])
    scores = score_respondents(county)
    rows = scores[scores["dimension"] == "safety"].dropna(subset=["score"])
    fit = sm.OLS(rows["score"].to_numpy(), np.ones(len(rows))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(rows["branch_id"])[0],
                                      "use_correction": False})
    g = rows["branch_id"].nunique()
    row = est[est["dimension"] == "safety"].iloc[0]
    assert row["se"] == pytest.approx(float(fit.bse[0]) * math.sqrt(g / (g - 1)), rel=1e-9)
    assert row["n_eff"] == pytest.approx(row["n"] / row["deff"])
    assert {"deff", "se"} <= set(est.columns)


def test_comparisons_name_their_design_tests(county):
    om = compare_groups(county, "group").omnibus
    assert om["design_method"].str.contains("Wald").all()
    assert om["design_p_value"].between(0, 1).all()
    ch = compare_choices(county, "group")
    if len(ch):
        assert ch["design_method"].str.contains("Rao-Scott").all()


# -- seeded Monte Carlo: design intervals cover, SRS ones do not -------------------------

def test_design_intervals_cover_near_nominal_and_srs_ones_do_not():
    rng = np.random.default_rng(2026)
    n_branches, per, reps, mu = 40, 12, 300, 3.5
    b = np.repeat(np.arange(n_branches), per)
    frame = pd.DataFrame({"branch_id": b.astype(str)})
    clustered, srs = bind_design(frame, CLUSTERED), bind_design(frame, SRS)
    hit_design = hit_srs = 0
    for _ in range(reps):  # intra-branch correlation 0.2: deff about 1 + 11 * 0.2 = 3.2
        y = mu + rng.normal(0, math.sqrt(0.2), n_branches)[b] + rng.normal(0, math.sqrt(0.8),
                                                                           b.size)
        d, s = clustered.mean(y), srs.mean(y)
        hit_design += d["ci_low"] <= mu <= d["ci_high"]
        hit_srs += s["ci_low"] <= mu <= s["ci_high"]
    assert 0.91 <= hit_design / reps <= 0.985
    assert hit_srs / reps < 0.85


# -- county.yaml ------------------------------------------------------------------------

def _yaml_log(text: str, tmp_path):
    from fivestar_analysis.load.collect import ProblemLog
    from fivestar_analysis.load.county_yaml import read_county_yaml

    (tmp_path / "county.yaml").write_text(text, encoding="utf-8")
    log = ProblemLog()
    return read_county_yaml(tmp_path, log), log


@pytest.mark.parametrize("spec, key", [
    ("srs", "srs"),
    ("cluster", "psu=branch"),
    ("{psu: branch, strata: township, fpc: true}", "psu=branch;strata=township;fpc"),
    ("{weights: w2}", "psu=branch;weights=w2"),
])
def test_county_yaml_design(tmp_path, spec, key):
    meta, log = _yaml_log(f"name: 县\ncode: x\nsurvey:\n  design: {spec}\n", tmp_path)
    assert not log.errors
    assert meta["survey"]["design"].key == key


@pytest.mark.parametrize("spec", ["random", "{psu: village}", "{fpc: 1}",
                                  "{psu: none, fpc: true}"])
def test_county_yaml_bad_design_is_an_error_with_its_line(tmp_path, spec):
    _, log = _yaml_log(f"name: 县\ncode: x\nsurvey:\n  design: {spec}\n", tmp_path)
    assert log.errors and log.errors[0].row == 4


def test_loaded_package_carries_its_design(tmp_path):
    import yaml

    from fivestar_analysis.load.loader import load_county
    from fivestar_analysis.tools.demo import write_demo_package

    folder = write_demo_package(tmp_path / "c", seed=5, n_townships=3, n_villages=24,
                                n_communities=2, n_respondents=300, years=(2024,))
    meta = yaml.safe_load((folder / "county.yaml").read_text(encoding="utf-8"))
    meta["survey"] = {"design": "srs"}
    (folder / "county.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")
    c = load_county(folder)
    assert c.meta.survey_design.is_srs
    est = estimate_scores(c, by=["county"], measures=["score"])
    assert est["deff"].eq(1.0).all()


def test_design_rank_test_is_kruskal_wallis_like_and_rank_invariant():
    rng = np.random.default_rng(21)
    g = rng.integers(0, 3, 900).astype(str)
    y = rng.normal(0, 1, 900) + 0.25 * (g == "2")
    srs = bind_design(pd.DataFrame({"y": y}), SRS)
    res = srs.rank_test(y, g)
    h = stats.kruskal(*[y[g == k] for k in ("0", "1", "2")]).statistic
    # the Wald chi-square on weighted ranks approximates H in a large simple random sample
    assert res["statistic"] * res["df1"] == pytest.approx(h, rel=0.05)
    # ranks only: a monotone transform leaves it unchanged, unlike the test on means
    again = srs.rank_test(np.exp(3 * y), g)
    assert again["statistic"] == pytest.approx(res["statistic"], rel=1e-10)
    assert srs.wald_means(np.exp(3 * y), g)["statistic"] != pytest.approx(
        srs.wald_means(y, g)["statistic"], rel=1e-3)


def test_group_comparison_carries_the_design_rank_test(county):
    om = compare_groups(county, "group").omnibus
    assert om["design_rank_p_value"].between(0, 1).all()
    assert om["design_method"].str.contains("Kruskal-Wallis").all()


# -- many groups: the sparse path (a province's thousands of townships) ------------------

@pytest.mark.parametrize("design", [CLUSTERED, SurveyDesign(strata="township"), SRS])
def test_sparse_domain_covariance_equals_the_dense_one(design):
    from fivestar_analysis.analysis.survey.design_tests import domain_means

    rng = np.random.default_rng(5)
    branch = rng.integers(0, 60, 3000)
    f = pd.DataFrame({"branch_id": branch.astype(str),
                      "township": (branch % 7).astype(str),  # one lonely-free stratum each
                      "weight": rng.uniform(0.5, 2.0, 3000)})
    f.loc[f["branch_id"] == "59", "township"] = "lonely"  # a stratum with one PSU
    y = rng.normal(3, 1, 3000) + branch / 30
    y[rng.random(3000) < 0.05] = np.nan
    groups = np.where(rng.random(3000) < 0.02, None, (branch % 11).astype(str)).astype(object)
    bound = bind_design(f, design)
    dense = domain_means(bound, y, groups, dense_cells=10**9)
    sparse = domain_means(bound, y, groups, dense_cells=0)
    assert dense[0] == sparse[0] and len(dense[0]) == 11
    np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-13)  # one pass: bincount sums
    np.testing.assert_allclose(sparse[2], dense[2], rtol=1e-9, atol=1e-15)


def test_group_tests_over_thousands_of_groups_do_not_hold_rows_times_groups():
    # 400,000 respondents in 2,000 townships: a dense respondents × groups matrix would be
    # 6.4 GB; the PSU totals of the domain means are kept sparse instead
    import tracemalloc

    rng = np.random.default_rng(8)
    n, towns = 400_000, 2000
    branch = rng.integers(0, 20_000, n)
    f = pd.DataFrame({"branch_id": branch, "township": branch % towns})
    y = rng.integers(1, 6, n).astype("float64") + (branch % towns == 0)
    bound = bind_design(f, CLUSTERED)
    tracemalloc.start()
    res = bound.wald_means(y, (branch % towns).astype(str))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert res["df1"] == towns - 1 and np.isfinite(res["statistic"])
    assert peak < 500 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_a_domain_given_by_positions_equals_the_same_domain_as_a_mask():
    rng = np.random.default_rng(3)
    f = pd.DataFrame({"branch_id": rng.integers(0, 30, 500).astype(str),
                      "weight": rng.uniform(0.5, 2, 500)})
    y = rng.normal(0, 1, 500)
    mask = rng.random(500) < 0.3
    bound = bind_design(f, CLUSTERED)
    assert bound.mean(y, np.flatnonzero(mask)) == bound.mean(y, mask)
    assert bound.proportion((y > 0).astype(float), np.flatnonzero(mask)) == \
        bound.proportion((y > 0).astype(float), mask)
