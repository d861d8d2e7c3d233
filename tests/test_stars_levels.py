"""Level distribution, three-plus share and per-star attainment on hand-built ledgers."""

from __future__ import annotations

import pytest
from test_stars_ledgers import seed001_district_plan, tiny_county

from fivestar_analysis.analysis.stars import level_distribution, share_3plus_table, star_attainment


def _levels(df, **where):
    for k, v in where.items():
        df = df[df[k] == v]
    return dict(zip(df["level"], df["count"]))


def test_awarded_levels_per_kind_by_hand() -> None:
    d = level_distribution(tiny_county())
    assert list(d.columns) == ["year", "kind", "level", "count", "share"]
    assert _levels(d, kind="rural") == {0: 1, 1: 1, 2: 2, 3: 2, 4: 1, 5: 1}
    assert _levels(d, kind="community") == {0: 0, 1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert _levels(d, kind="all") == {0: 1, 1: 1, 2: 3, 3: 2, 4: 1, 5: 2}
    rural = d[d["kind"] == "rural"]
    assert rural["share"].sum() == pytest.approx(1.0)
    assert rural.loc[rural["level"] == 2, "share"].item() == pytest.approx(2 / 8)


def test_planned_basis_uses_declared_stars() -> None:
    d = level_distribution(tiny_county(), basis="planned", kinds="rural")
    # A3 IEC+S -> 4, A4 EC+I -> 3, B3 EC -> 2
    assert _levels(d) == {0: 0, 1: 1, 2: 2, 3: 2, 4: 2, 5: 1}


def test_by_township() -> None:
    d = level_distribution(tiny_county(), by="township", kinds=["all"])
    assert list(d.columns) == ["year", "township", "kind", "level", "count", "share"]
    assert _levels(d, township="甲镇") == {0: 0, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    assert _levels(d, township="乙镇") == {0: 1, 1: 0, 2: 2, 3: 1, 4: 0, 5: 1}


def test_share_3plus_by_hand() -> None:
    t = share_3plus_table(tiny_county(), by="township")
    got = {(r.township, r.kind): (r.n_branches, r.count_3plus) for r in t.itertuples()}
    assert got[("甲镇", "rural")] == (5, 3)
    assert got[("乙镇", "rural")] == (3, 1)
    assert got[("乙镇", "community")] == (2, 1)
    assert got[("乙镇", "all")] == (5, 2)
    assert ("甲镇", "community") not in got  # no communities there
    whole = share_3plus_table(tiny_county(), kinds="all")
    assert whole["share_3plus"].item() == pytest.approx(0.5)
    planned = share_3plus_table(tiny_county(), basis="planned", kinds="rural")
    assert planned["share_3plus"].item() == pytest.approx(5 / 8)


def test_seed_district_plan_levels() -> None:
    d = level_distribution(seed001_district_plan(), basis="planned", kinds="rural")
    assert _levels(d) == {0: 4, 1: 0, 2: 48, 3: 41, 4: 10, 5: 1}
    t = share_3plus_table(seed001_district_plan(), basis="planned", kinds="rural")
    assert t["count_3plus"].item() == 52


def test_star_attainment_by_hand() -> None:
    a = star_attainment(tiny_county())
    assert list(a.columns) == ["year", "kind", "star", "n_branches", "n_declared", "n_awarded",
                               "declare_rate", "award_rate", "achievement_rate"]
    rural = a[a["kind"] == "rural"].set_index("star")
    assert list(rural.index) == ["industry", "ecology", "safety", "civility", "party_strong"]
    assert rural["n_awarded"].to_dict() == {"industry": 3, "ecology": 5, "safety": 4,
                                            "civility": 7, "party_strong": 1}
    assert rural["n_declared"].to_dict() == {"industry": 4, "ecology": 6, "safety": 5,
                                             "civility": 8, "party_strong": 1}
    assert rural.loc["industry", "achievement_rate"] == pytest.approx(0.75)
    assert rural.loc["industry", "award_rate"] == pytest.approx(3 / 8)
    everyone = a[a["kind"] == "all"].set_index("star")
    assert everyone.loc["safety", "n_awarded"] == 6  # 4 rural + 2 community pooled
    assert everyone.loc["party_strong", "n_awarded"] == 2
    assert everyone.loc["livelihood", "n_declared"] == 2
    assert everyone["n_branches"].unique().tolist() == [10]


def test_star_attainment_by_township_and_no_declaration_gives_nan() -> None:
    a = star_attainment(tiny_county(), by="township", kinds="community")
    k = a.set_index("star")
    assert k.loc["livelihood", "n_declared"] == 2 and k.loc["livelihood", "n_awarded"] == 1
    assert (a["township"] == "乙镇").all()
    rural = star_attainment(tiny_county(), by="township", kinds="rural")
    b_ind = rural[(rural["township"] == "乙镇") & (rural["star"] == "industry")]
    assert b_ind["n_declared"].item() == 0
    assert b_ind["achievement_rate"].isna().item()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="basis"):
        level_distribution(tiny_county(), basis="results")
    with pytest.raises(ValueError, match="kinds"):
        level_distribution(tiny_county(), kinds=["village"])
    with pytest.raises(ValueError, match="by"):
        level_distribution(tiny_county(), by="county")
