"""The CLI summary: exact shape, seed 001's plan reproduced, text rendering."""

from __future__ import annotations

import json

import pytest
from test_stars_ledgers import seed001_district_plan, tiny_county

from fivestar_analysis.analysis.stars import check_published_counts, format_summary, summary


def test_seed_district_plan_reproduced_exactly() -> None:
    s = summary(seed001_district_plan(), basis="planned")
    assert s["year"] == 2022 and s["basis"] == "planned"
    assert s["rural"] == {
        "levels": {"0": 4, "1": 0, "2": 48, "3": 41, "4": 10, "5": 1},
        "stars": {"产业兴旺星": 34, "生态宜居星": 73, "平安法治星": 62, "文明幸福星": 94,
                  "支部过硬星": 1},
        "share_3plus": 52 / 104,
    }
    assert s["all"]["levels"] == s["rural"]["levels"]
    # the summary's figures pass the published-figures check
    levels = {int(k): v for k, v in s["rural"]["levels"].items() if int(k) > 0}
    assert check_published_counts(levels, s["rural"]["stars"]).ok
    # nothing is awarded in a plan
    done = summary(seed001_district_plan(), basis="awarded")
    assert done["rural"]["levels"]["0"] == 104 and sum(done["rural"]["stars"].values()) == 0


def test_shape_and_all_sums_shared_stars() -> None:
    s = summary(tiny_county())
    assert list(s) == ["year", "basis", "rural", "community", "all"]
    for scope in ("rural", "community", "all"):
        assert list(s[scope]) == ["levels", "stars", "share_3plus"]
        assert list(s[scope]["levels"]) == ["0", "1", "2", "3", "4", "5"]
    assert s["community"]["stars"] == {"共建共享星": 1, "平安法治星": 2, "幸福和谐星": 2,
                                       "宜业兴业星": 1, "支部过硬星": 1}
    assert s["all"]["stars"] == {"产业兴旺星": 3, "生态宜居星": 5, "平安法治星": 6,
                                 "文明幸福星": 7, "支部过硬星": 2, "共建共享星": 1,
                                 "幸福和谐星": 2, "宜业兴业星": 1}
    assert s["all"]["share_3plus"] == pytest.approx(0.5)
    assert json.loads(json.dumps(s, ensure_ascii=False)) == s


def test_empty_kind_and_year_argument() -> None:
    s = summary(seed001_district_plan(), year=2022, basis="planned")
    assert s["community"]["share_3plus"] is None
    assert sum(s["community"]["levels"].values()) == 0
    with pytest.raises(ValueError, match="year"):
        summary(tiny_county(), year=1999)
    with pytest.raises(ValueError, match="basis"):
        summary(tiny_county(), basis="plan")


def test_format_summary_zh_and_en() -> None:
    s = summary(seed001_district_plan(), basis="planned")
    zh = format_summary(s)
    assert "2022年" in zh and "三星以上占比" in zh and "50.0%" in zh
    assert "产业兴旺星 34" in zh and "支部过硬星 1" in zh
    row = next(line for line in zh.splitlines() if line.startswith("农村"))
    assert row.split()[1:8] == ["4", "0", "48", "41", "10", "1", "104"]
    en = format_summary(json.loads(json.dumps(s)), language="en")
    assert "Thriving industry 34" in en and "Rural" in en and "—" in en


def test_integration_with_demo_package(tmp_path) -> None:
    import fivestar_analysis as fa
    from fivestar_analysis.tools import demo

    path = demo.write_demo_package(tmp_path / "demo")
    county = fa.load_county(path)
    from fivestar_analysis.analysis.stars import consistency_table, diagnose, level_distribution

    s = summary(county)
    assert s["year"] == county.year
    assert sum(s["all"]["levels"].values()) == len(county.branches_in(county.year))
    assert consistency_table(county)["total_difference"].eq(0).all()
    assert not level_distribution(county).empty
    assert all(f.severity in ("low", "medium", "high") for f in diagnose(county))
