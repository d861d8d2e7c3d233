"""Weak-link diagnosis: tables by hand, statistics against independent computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from test_stars_ledgers import make_county, tiny_county

from fivestar_analysis.analysis.stars import (
    bottleneck_table,
    diagnose,
    income_by_level,
    income_by_township,
    income_tests,
    income_tier_table,
    secretary_table,
    thresholds,
    township_comparison,
    weak_lax_table,
    weak_villages,
)
from fivestar_analysis.model.findings import Finding

INCOME = {"A1": 120, "A2": 60, "A3": 30, "A4": 8, "A5": 0, "B1": 15, "B2": 4, "B3": 2}
LEVEL = {"A1": 5, "A2": 4, "A3": 3, "A4": 2, "A5": 1, "B1": 3, "B2": 2, "B3": 0}
INDUSTRY = {"A1", "A2", "A3"}


def test_bottleneck_by_hand() -> None:
    t = bottleneck_table(tiny_county())
    r = t[t["kind"] == "rural"]
    near = r[r["from_level"].between(1, 3)]
    w = near.groupby("star")["missing_weighted"].sum()
    # A5 (C) lacks I E S -> 1/3 each; A4 (EC) lacks I S -> 1/2; B2 (SC) lacks I E -> 1/2;
    # A3 (IEC) lacks S -> 1; B1 (ESC) lacks I -> 1
    assert w["industry"] == pytest.approx(1 / 3 + 1 / 2 + 1 / 2 + 1)
    assert w["ecology"] == pytest.approx(1 / 3 + 1 / 2)
    assert w["safety"] == pytest.approx(1 / 3 + 1 / 2 + 1)
    assert w["civility"] == 0 and w["party_strong"] == 0
    assert w.sum() == pytest.approx(5)
    assert near.groupby("star")["n_missing"].sum()["industry"] == 4
    dna = near.groupby("star")["declared_not_awarded"].sum()
    assert dna["industry"] == 1 and dna["safety"] == 1  # A4 declared I, A3 declared S
    four = r[(r["from_level"] == 4)].set_index("star")
    assert four.loc["party_strong", "n_missing"] == 1 and four["n_missing"].sum() == 1


def test_findings_lowest_and_bottleneck() -> None:
    found = diagnose(tiny_county())
    assert all(isinstance(f, Finding) for f in found)
    by = {(f.kind, f.evidence.get("branch_kind")): f for f in found if f.scope == "county"}
    low = by[("lowest_star", "rural")]
    assert low.subject == "industry" and low.evidence["rate"] == pytest.approx(3 / 8)
    assert low.severity == "medium"  # 0.30 <= 0.375 < 0.50
    assert low.evidence["highest_star"] == "civility"
    bot = by[("bottleneck_star", "rural")]
    assert bot.subject == "industry"
    assert bot.evidence["n_near"] == 5
    assert bot.evidence["weighted_share"] == pytest.approx((1 / 3 + 1 + 1) / 5)
    assert bot.severity == "high"  # >= 0.40
    assert bot.evidence["runner_up"] == "safety"
    severities = [f.severity for f in found]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)


def test_township_comparison_matches_scipy_fisher() -> None:
    t = township_comparison(tiny_county()).set_index("township")
    # 甲镇 3 of 5 at 3+, 乙镇 2 of 5 (B1, K1)
    assert t.loc["乙镇", ["n_branches", "count_3plus", "rest_n", "rest_count"]].tolist() == \
        [5, 2, 5, 3]
    for town, table in {"乙镇": [[2, 3], [3, 2]], "甲镇": [[3, 2], [2, 3]]}.items():
        ref = stats.fisher_exact(table, alternative="less")
        assert t.loc[town, "p_value"] == pytest.approx(ref.pvalue)
        assert t.loc[town, "odds_ratio"] == pytest.approx(ref.statistic)
    assert t.loc["乙镇", "p_adj"] == pytest.approx(min(1, 2 * t["p_value"].min()))
    assert not t["behind"].any()


def test_lagging_township_found_in_a_bigger_county() -> None:
    recs = []
    for i in range(30):  # 甲 and 乙: mostly three stars; 丙: all two stars
        recs.append({"id": f"A{i}", "town": "甲镇", "aw": "ESC" if i % 5 else "EC"})
        recs.append({"id": f"B{i}", "town": "乙镇", "aw": "ESC" if i % 6 else "EC"})
        recs.append({"id": f"C{i}", "town": "丙镇", "aw": "EC" if i % 10 else "ESC"})
    found = [f for f in diagnose(make_county(recs)) if f.kind == "lagging_township"]
    assert [f.subject for f in found] == ["丙镇"]
    f = found[0]
    x = 3  # 丙镇: 3 of 30 at three stars; the rest 24 + 25 = 49 of 60
    ref = stats.fisher_exact([[x, 30 - x], [49, 11]], alternative="less").pvalue
    assert f.evidence["p_raw"] == pytest.approx(ref)
    assert f.p_value == pytest.approx(min(1.0, 3 * ref))  # smallest of three: Holm x3
    assert f.severity == "high" and f.scope == "township"
    assert f.test.startswith("Fisher exact")


def test_income_tiers_and_weak_villages_by_hand() -> None:
    t = income_tier_table(tiny_county()).set_index("tier")
    assert t["count"].to_dict() == {"zero": 1, "lt5": 2, "t5_10": 1, "t10_50": 2,
                                    "t50_100": 1, "ge100": 1}
    assert t["n_branches"].unique().tolist() == [8]
    assert t.loc["lt5", "share"] == pytest.approx(2 / 8)
    w = weak_villages(tiny_county())
    assert w["branch_id"].tolist() == ["A5", "B3", "B2"]
    by_t = income_tier_table(tiny_county(), by="township")
    assert by_t.groupby("township")["count"].sum().to_dict() == {"乙镇": 3, "甲镇": 5}


def test_income_by_level_and_township() -> None:
    lv = income_by_level(tiny_county()).set_index("level")
    assert lv.loc[2, "median_wan"] == 6 and lv.loc[3, "median_wan"] == 22.5
    assert lv.loc[2, "mean_log1p"] == pytest.approx((np.log(9) + np.log(5)) / 2)
    assert lv.loc[2, "geo_mean_wan"] == pytest.approx(np.sqrt(45) - 1)
    assert lv.loc[2, "share_weak"] == 0.5 and lv.loc[5, "share_strong"] == 1.0
    tw = income_by_township(tiny_county())
    assert tw["township"].tolist() == ["乙镇", "甲镇"]  # lower median first
    assert tw.set_index("township").loc["乙镇", "median_wan"] == 4


def test_income_tests_against_hand_formulas() -> None:
    t = income_tests(tiny_county()).set_index("method")
    ids = list(INCOME)
    x = np.array([INCOME[i] for i in ids], float)
    lv = np.array([LEVEL[i] for i in ids], float)
    # Spearman = Pearson correlation of the ranks
    rho = np.corrcoef(stats.rankdata(x), stats.rankdata(lv))[0, 1]
    assert t.loc["spearman", "estimate"] == pytest.approx(rho)
    # Bonett–Wright interval on Fisher's z: se = sqrt((1 + rho²/2) / (n − 3)), n = 8
    se = np.sqrt((1 + rho**2 / 2) / 5)
    assert t.loc["spearman", "ci_low"] == pytest.approx(np.tanh(np.arctanh(rho) - 1.959964 * se))
    assert t.loc["spearman", "ci_high"] == pytest.approx(np.tanh(np.arctanh(rho) + 1.959964 * se))
    t90 = income_tests(tiny_county(), confidence=0.90).set_index("method")
    assert t90.loc["spearman", "ci_low"] == pytest.approx(np.tanh(np.arctanh(rho) - 1.644854 * se))
    # Kruskal–Wallis, no ties in income: H = 12/(n(n+1)) sum R^2/n_i - 3(n+1)
    # ranks: L0 {2}, L1 {1}, L2 {4,3}, L3 {6,5}, L4 {7}, L5 {8} -> H = 203/6 - 27
    h = 203 / 6 - 27
    assert t.loc["kruskal_wallis", "statistic"] == pytest.approx(h)
    assert t.loc["kruskal_wallis", "effect_size"] == pytest.approx(h / 7)
    # Mann–Whitney: every industry village out-earns every other -> U = 3*5, r = 1
    pairs = [(INCOME[a] > INCOME[b]) - (INCOME[a] < INCOME[b])
             for a in INDUSTRY for b in set(ids) - INDUSTRY]
    assert t.loc["mann_whitney", "statistic"] == 15
    assert t.loc["mann_whitney", "effect_size"] == pytest.approx(sum(pairs) / 15)
    assert t.loc["mann_whitney", "estimate"] == 60 - 4


def test_rank_biserial_with_ties_matches_pair_count() -> None:
    rng = np.random.default_rng(3)
    recs = []
    for i in range(40):
        inc = float(rng.integers(0, 6))  # many ties
        recs.append({"id": f"V{i}", "town": "甲镇", "aw": "IE" if i % 3 == 0 else "EC",
                     "income": inc})
    c = make_county(recs)
    t = income_tests(c).set_index("method")
    b = c.branches
    ind = b["branch_id"].isin([f"V{i}" for i in range(0, 40, 3)]).to_numpy()
    x1, x0 = b["collective_income_wan"].to_numpy()[ind], b["collective_income_wan"].to_numpy()[~ind]
    diff = np.sign(x1[:, None] - x0[None, :]).sum() / (len(x1) * len(x0))
    assert t.loc["mann_whitney", "effect_size"] == pytest.approx(diff)


def test_collective_economy_finding() -> None:
    f = next(f for f in diagnose(tiny_county()) if f.kind == "collective_economy"
             and f.scope == "county")
    assert f.evidence["weak"] == 3 and f.evidence["share_weak"] == pytest.approx(3 / 8)
    assert f.severity == "high"  # >= 0.30
    assert f.evidence["zero"] == 1 and f.evidence["strong"] == 3  # 120, 60, 30
    assert f.statistic == pytest.approx(f.evidence["spearman_rho"])
    assert f.p_value is not None
    assert f.evidence["epsilon_squared"] == pytest.approx((203 / 6 - 27) / 7)


def test_cadres_tables_and_findings() -> None:
    wl = weak_lax_table(tiny_county()).set_index("weak_lax")
    assert wl.loc[True, "n"] == 1 and wl.loc[False, "n"] == 7  # communities unknown
    assert wl.loc[False, "mean_level"] == pytest.approx(20 / 7)
    sec = secretary_table(tiny_county()).set_index("rating")
    assert sec["count"].to_dict() == {1: 2, 2: 2, 3: 3, 4: 1, 5: 2}
    assert sec.loc[1, "action_zh"] == "调整撤换" and sec.loc[5, "action_en"] == "showcase"
    found = {f.kind: f for f in diagnose(tiny_county())}
    assert found["weak_lax"].evidence["branches"] == ["B3"]
    assert found["weak_lax"].severity == "high"  # 1/8 >= 0.05
    assert found["weak_secretaries"].evidence["share_low"] == pytest.approx(0.4)


def test_thresholds_from_yaml_and_overrides() -> None:
    th = thresholds()
    assert th["lowest_star"]["high_below"] == 0.30
    low = [f for f in diagnose(tiny_county(), thresholds={"lowest_star": {"high_below": 0.4}})
           if f.kind == "lowest_star" and f.evidence["branch_kind"] == "rural"]
    assert low[0].severity == "high"
    assert thresholds()["lowest_star"]["high_below"] == 0.30  # packaged values untouched


def test_no_optional_columns_means_no_cadre_findings() -> None:
    c = make_county([{"id": "X", "town": "甲镇", "aw": "IE", "income": 3.0},
                     {"id": "Y", "town": "甲镇", "aw": "ESC", "income": 30.0}])
    kinds = {f.kind for f in diagnose(c)}
    assert "weak_lax" not in kinds and "weak_secretaries" not in kinds
    assert weak_lax_table(c).empty and secretary_table(c).empty
