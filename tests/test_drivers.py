"""Driver analysis (issue 13): planted effects recovered, the null factor not; separation
and degenerate outcomes give notes, not crashes; the JSON shape of ``fivestar drivers``;
relative weights against an independent computation."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from fivestar_analysis.analysis.drivers import analyse_drivers, branch_models, key_drivers
from fivestar_analysis.analysis.drivers.survey import relative_weights
from fivestar_analysis.model.county import County

YEAR = 2024
STARS = ["industry", "ecology", "safety", "civility", "party_strong"]


def planted_frames(seed: int = 0, n_townships: int = 16, per_township: int = 20):
    """Rural branches whose stars rise with income and the secretary's rating and do not
    depend on party members (the null factor); townships differ a little."""
    rng = np.random.default_rng(seed)
    n = n_townships * per_township
    town = np.repeat([f"T{t:02d}" for t in range(n_townships)], per_township)
    income = np.round(rng.lognormal(2.0, 1.0, n), 1)
    rating = rng.integers(1, 6, n)
    members = rng.integers(15, 80, n)
    weak = rng.random(n) < 0.06
    town_effect = rng.normal(0, 0.3, n_townships)[np.repeat(np.arange(n_townships),
                                                            per_township)]
    capacity = (0.8 * (np.log2(1 + income) - 3) + 0.7 * (rating - 3) - 1.2 * weak
                + town_effect)
    base = {"industry": -0.8, "ecology": 0.3, "safety": 0.5, "civility": 1.2}
    held = {s: rng.random(n) < 1 / (1 + np.exp(-(b + capacity))) for s, b in base.items()}
    held["party_strong"] = np.logical_and.reduce([held[s] for s in base])  # the capstone
    branches = pd.DataFrame({
        "branch_id": [f"B{i:03d}" for i in range(n)], "branch_name": [f"村{i}" for i in range(n)],
        "township": town, "kind": "rural", "year": YEAR, "collective_income_wan": income,
        "secretary_rating": rating, "party_members": members, "weak_lax": weak})
    stars = pd.DataFrame([(b, YEAR, s, "awarded" if held[s][i] else "none")
                          for i, b in enumerate(branches["branch_id"]) for s in STARS],
                         columns=["branch_id", "year", "star", "status"])
    return branches, stars


@pytest.fixture(scope="module")
def planted() -> County:
    branches, stars = planted_frames()
    return County.from_frames(branches, stars, year=YEAR)


def _coef(table: pd.DataFrame, outcome: str, factor: str) -> pd.Series:
    return table[(table["outcome"] == outcome) & (table["factor"] == factor)].iloc[0]


def test_level_model_recovers_planted_factors(planted):
    coefs, fits, _ = branch_models(planted)
    for factor in ("collective_income_wan", "secretary_rating"):
        row = _coef(coefs, "level", factor)
        assert row["odds_ratio"] > 1 and row["ci_low"] > 1 and row["p_value"] < 0.05, factor
    null = _coef(coefs, "level", "party_members")
    assert null["p_value"] > 0.05 and null["ci_low"] < 1 < null["ci_high"]
    level = fits[fits["outcome"] == "level"].iloc[0]
    assert level["status"] == "ok" and level["se_method"] == "cluster_township"
    assert 0 < level["pseudo_r2"] < 1 and level["n_clusters"] == 16


def test_star_model_matches_statsmodels_directly(planted):
    coefs, _, _ = branch_models(planted)
    b = planted.branches_in()
    y = planted.star_matrix(year=YEAR).reset_index(level="year", drop=True)["industry"]
    x = pd.DataFrame({"collective_income_wan": np.log2(1 + b["collective_income_wan"]),
                      "secretary_rating": b["secretary_rating"].astype(float),
                      "weak_lax": b["weak_lax"].astype(float),
                      "party_members": b["party_members"].astype(float) / 10})
    x.index = b["branch_id"]
    fit = sm.Logit(y.reindex(x.index).astype(float), sm.add_constant(x)).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": b["township"].to_numpy()})
    row = _coef(coefs, "industry", "secretary_rating")
    beta, se = fit.params["secretary_rating"], fit.bse["secretary_rating"]
    assert row["odds_ratio"] == pytest.approx(math.exp(beta), rel=1e-6)
    # intervals and p-values on t with (16 townships - 1) degrees of freedom
    assert row["ci_low"] == pytest.approx(math.exp(beta - stats.t.ppf(0.975, 15) * se), rel=1e-5)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(beta / se), 15), rel=1e-5)


def test_factors_left_out_with_a_reason():
    branches, stars = planted_frames()
    branches = branches.assign(
        population=np.where(np.arange(len(branches)) % 2 == 0, np.nan, 1000.0),  # half gone
        households=branches["party_members"] * 3 + 1)  # the same as party members
    coefs, _, excluded = branch_models(County.from_frames(branches, stars, year=YEAR))
    reasons = excluded[excluded["outcome"] == "level"].set_index("factor")["reason"]
    assert reasons["population"] == "too_much_missing"
    assert reasons["households"] == "collinear"
    assert not coefs["factor"].isin(["population", "households"]).any()


def test_separation_and_degenerate_outcomes_give_notes_not_crashes():
    branches, stars = planted_frames(seed=3)
    # industry held exactly by the branches whose secretary has 4 or 5 stars
    held = set(branches.loc[branches["secretary_rating"] >= 4, "branch_id"])
    stars = stars.copy()
    ind = stars["star"] == "industry"
    stars.loc[ind, "status"] = np.where(stars.loc[ind, "branch_id"].isin(held), "awarded",
                                        "none")
    stars.loc[stars["star"] == "civility", "status"] = "awarded"  # nobody lacks it
    county = County.from_frames(branches, stars, year=YEAR)
    coefs, fits, excluded = branch_models(county)
    fit = fits.set_index("outcome")
    assert fit.loc["civility", "status"] == "skipped"
    assert fit.loc["civility", "note"] == "too_few_events"
    sep = excluded[(excluded["outcome"] == "industry") & (excluded["factor"] == "secretary_rating")]
    assert sep["reason"].iloc[0] in ("separation", "not_converged")
    assert fit.loc["industry", "status"] in ("ok", "separation", "not_converged")
    assert not (coefs["outcome"] == "industry").any() or not (
        (coefs["outcome"] == "industry") & (coefs["factor"] == "secretary_rating")).any()


def test_a_binary_factor_that_sorts_a_star_is_left_out():
    branches, stars = planted_frames(seed=5)
    weak = set(branches.loc[branches["weak_lax"], "branch_id"])
    stars = stars.copy()
    stars.loc[(stars["star"] == "ecology") & stars["branch_id"].isin(weak), "status"] = "none"
    _, fits, excluded = branch_models(County.from_frames(branches, stars, year=YEAR))
    row = excluded[(excluded["outcome"] == "ecology") & (excluded["factor"] == "weak_lax")]
    assert row["reason"].tolist() == ["separation"]
    assert fits.set_index("outcome").loc["ecology", "status"] == "ok"


# -- survey key drivers -----------------------------------------------------------------

def test_relative_weights_sum_to_r2_and_match_the_definition():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 3)) @ np.array([[1, 0.5, 0.2], [0, 1, 0.4], [0, 0, 1]])
    y = x @ np.array([0.6, 0.3, 0.0]) + rng.normal(size=2000)
    corr = np.corrcoef(np.column_stack([x, y]).T)
    rw = relative_weights(corr)
    r2 = sm.OLS(y, sm.add_constant(x)).fit().rsquared
    assert rw.sum() == pytest.approx(r2, rel=1e-10)
    # the definition, step by step: orthogonal Z closest to standardised X (via SVD)
    xs = (x - x.mean(0)) / x.std(0)
    ys = (y - y.mean()) / y.std()
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt * np.sqrt(len(xs))  # unit variance, mutually uncorrelated
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]
    lam = np.linalg.lstsq(z, xs, rcond=None)[0]
    assert rw == pytest.approx((lam**2).T @ (beta**2), rel=1e-8)


def _planted_survey(seed: int = 2) -> County:
    rng = np.random.default_rng(seed)
    branches, stars = planted_frames(seed=seed, n_townships=8, per_township=10)
    n = 2400
    bid = rng.choice(branches["branch_id"], n)
    branch_shift = dict(zip(branches["branch_id"], rng.normal(0, 0.3, len(branches))))
    shift = np.array([branch_shift[b] for b in bid])
    latent = {d: 3 + shift + rng.normal(0, 0.9, n) for d in STARS}
    overall = 3 + 0.7 * (latent["industry"] - 3) + 0.35 * (latent["ecology"] - 3) \
        + rng.normal(0, 0.6, n)
    survey = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)], "branch_id": bid,
                           "group": rng.choice(["resident", "member", "cadre"], n)})
    rows = []
    for d in STARS:
        for j in (1, 2):
            item = f"s_{d}_{j}"
            survey[item] = np.clip(np.round(latent[d] + rng.normal(0, 0.5, n)), 1, 5)
            rows.append({"item": item, "text": item, "dimension": d, "role": "satisfaction"})
        survey[f"i_{d}"] = np.clip(np.round(4 + (d == "civility") + rng.normal(0, 0.6, n)), 1, 5)
        rows.append({"item": f"i_{d}", "text": d, "dimension": d, "role": "importance"})
    survey["s_overall"] = np.clip(np.round(overall), 1, 5)
    rows.append({"item": "s_overall", "text": "overall", "dimension": "overall",
                 "role": "satisfaction"})
    cb = pd.DataFrame(rows).assign(scale_min=1.0, scale_max=5.0, reverse=False,
                                   options=[{}] * len(rows))
    return County.from_frames(branches, stars, year=YEAR, survey=survey, codebook=cb)


def test_key_drivers_rank_the_planted_areas():
    county = _planted_survey()
    table, info = key_drivers(county, bootstrap=60)
    assert info["outcome"] == "overall" and info["n_branches"] == 80
    assert table["dimension"].tolist()[:2] == ["industry", "ecology"]
    assert table["importance"].sum() == pytest.approx(1.0)
    top = table.iloc[0]
    assert top["ci_low"] < top["importance"] < top["ci_high"]
    nulls = table[~table["dimension"].isin(["industry", "ecology"])]
    assert (nulls["ci_high"] < table.iloc[1]["ci_low"]).all()
    # stated importance is the civility items' mean, highest by construction
    assert table.set_index("dimension").loc["civility", "stated_rank"] == 1
    again, _ = key_drivers(county, bootstrap=60)
    pd.testing.assert_frame_equal(table, again)  # seeded


# -- the command ---------------------------------------------------------------------------

def _write_package(folder, branches: pd.DataFrame, stars: pd.DataFrame) -> None:
    folder.mkdir(parents=True)
    wide = stars.pivot(index="branch_id", columns="star", values="status").reset_index()
    ledger = branches.merge(wide, on="branch_id")
    ledger["weak_lax"] = np.where(ledger["weak_lax"], "是", "否")
    ledger.to_csv(folder / "ledger.csv", index=False, encoding="utf-8")
    (folder / "county.yaml").write_text("name: 测试县\ncode: planted\nyear: 2024\n", "utf-8")


def test_cli_json_names_the_planted_factors(tmp_path, capsys):
    from fivestar_analysis.cli import main

    branches, stars = planted_frames()
    _write_package(tmp_path / "c", branches, stars)
    assert main(["drivers", str(tmp_path / "c"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"year", "branch", "survey"} and data["year"] == YEAR
    keys = {"outcome", "factor", "odds_ratio", "ci_low", "ci_high", "p_value", "n"}
    assert all(keys <= set(r) for r in data["branch"])
    level = {r["factor"]: r for r in data["branch"] if r["outcome"] == "level"}
    strong = {f for f, r in level.items() if r["odds_ratio"] > 1 and r["p_value"] < 0.05}
    assert strong == {"collective_income_wan", "secretary_rating"}
    assert level["party_members"]["p_value"] > 0.05
    assert {r["outcome"] for r in data["branch"]} >= {"level", "industry"}
    assert data["survey"] == []  # no survey in this package


def test_cli_text_says_associations(tmp_path, capsys):
    from fivestar_analysis.cli import main

    branches, stars = planted_frames()
    _write_package(tmp_path / "c", branches, stars)
    assert main(["drivers", str(tmp_path / "c"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Secretary rating" in out and "not proof of cause" in out
    assert main(["drivers", str(tmp_path / "c"), "--year", "1999"]) == 2


def test_analyse_drivers_bundle_and_findings(planted):
    result = analyse_drivers(planted)
    assert result.survey is None and result.year == YEAR
    subjects = {f.subject for f in result.findings}
    assert subjects == {"collective_income_wan", "secretary_rating"}
    assert all(f.kind == "driver" for f in result.findings)
    json.dumps(result.to_json())  # serialisable


# -- the report subsection and the recommendation rules --------------------------------

@pytest.fixture(scope="module")
def survey_county() -> County:
    return _planted_survey()


def _rep(county: County, language: str):
    from types import SimpleNamespace

    from fivestar_analysis.analysis.survey import compare_groups, estimate_scores

    return SimpleNamespace(drivers=analyse_drivers(county, bootstrap=40), language=language,
                           county=county, year=YEAR,
                           survey=SimpleNamespace(estimates=estimate_scores(county),
                                                  group_tests=compare_groups(county).omnibus))


@pytest.mark.parametrize("language, words", [
    ("zh", ["影响因素", "比值比", "不能证明因果", "设计效应", "书记星级", "调整Wald F"]),
    ("en", ["Factors", "odds ratio", "not proof of cause", "design effects", "Secretary rating",
            "adjusted Wald F"]),
])
def test_report_subsection_states_factors_method_and_caution(survey_county, language, words):
    from fivestar_analysis.present.drivers_section import drivers_html

    html = drivers_html(_rep(survey_county, language))
    for w in words:
        assert w in html, w
    assert html.count("<img") >= 2  # the forest plot and the derived-importance chart
    assert "n=" in html  # the method and n beside the figures


def test_report_subsection_without_survey(planted):
    from types import SimpleNamespace

    from fivestar_analysis.present.drivers_section import drivers_html

    rep = SimpleNamespace(drivers=analyse_drivers(planted), language="zh", county=planted,
                          year=YEAR, survey=None)
    html = drivers_html(rep)
    assert "比值比" in html and "<img" in html and "问卷方面" not in html


def test_a_driver_rule_fires_only_with_its_driver(planted):
    from fivestar_analysis.describe.recommend import recommend
    from fivestar_analysis.model.findings import Finding

    weak = Finding(kind="weak_secretaries", scope="county", subject="secretary_rating",
                   severity="medium", evidence={"rated": 100, "one_star": 5, "two_star": 10,
                                                "share_low": 0.15}, year=YEAR)
    drivers = analyse_drivers(planted).findings
    with_driver = recommend([weak], planted, drivers=drivers)
    without = recommend([weak], planted)
    assert "secretary_training_driver" in {r.rule_id for r in with_driver}
    assert "secretary_training_driver" not in {r.rule_id for r in without}
    text = next(r.text for r in with_driver if r.rule_id == "secretary_training_driver")
    odds = next(f.evidence["odds_ratio"] for f in drivers if f.subject == "secretary_rating")
    assert f"{odds:.1f}" in text and "相关关系" in text
