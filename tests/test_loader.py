"""The loader on good input of every shape the data contract accepts."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import (
    COUNTY_YAML,
    LEDGER_HEADERS,
    A,
    ledger_rows,
    make_package,
    tree_digest,
    write_csv,
)

from fivestar_analysis import County, load_county

SHAPES = [
    ("csv", "utf-8"),
    ("csv", "utf-8-sig"),
    ("csv", "gbk"),
    ("csv", "gb18030"),
    ("xlsx-files", "utf-8"),
    ("workbook", "utf-8"),
]


@pytest.mark.parametrize("fmt,encoding", SHAPES)
def test_every_shape_loads_to_the_same_county(tmp_path, fmt, encoding):
    folder = make_package(tmp_path / "pkg", fmt=fmt, encoding=encoding)
    before = tree_digest(folder)
    county = load_county(folder)
    assert tree_digest(folder) == before, "input files must never be modified"
    assert isinstance(county, County)
    assert county.meta.name == "测试县" and county.meta.code == "test"
    assert county.years == [2023, 2024] and county.year == 2024
    b = county.branches_in(2024).set_index("branch_id")
    assert b.loc["V1", "level"] == 5 and b.loc["V2", "level"] == 3
    assert b.loc["V2", "level_planned"] == 4
    assert b.loc["C1", "level"] == 4 and b.loc["C1", "kind"] == "community"
    assert b.loc["V2", "kind"] == "rural"  # 村 is an alias of 农村
    assert b.loc["V3", "collective_income_wan"] == pytest.approx(1.5)
    assert county.branches_in(2023).set_index("branch_id").loc["V2", "weak_lax"]
    # stars of the branch's own kind only, five per branch-year
    assert county.stars.groupby(["branch_id", "year"]).size().eq(5).all()
    assert set(county.stars.loc[county.stars["kind"] == "community", "star"]) == {
        "co_build", "safety", "harmony", "livelihood", "party_strong"}
    # survey: identifying columns removed, phone numbers in text masked, groups mapped
    s = county.survey
    assert "姓名" not in s.columns and "手机号" not in s.columns
    assert set(county.removed_identifying_columns) == {"姓名", "手机号"}
    assert not s["T1"].dropna().str.contains(r"1390000\d{4}").any()
    assert s["T1"].dropna().str.contains("电话已隐去").any()
    assert set(s["group"].astype(str)) == {"resident", "member", "cadre"}
    assert s["S1"].dtype == "float64" and s["M1"].dropna().isin(["1;3", "2"]).all()
    cb = county.codebook.set_index("item")
    assert bool(cb.loc["S2", "reverse"]) and cb.loc["K1", "scale_max"] == 1
    assert cb.loc["M1", "options"] == {1: "集体经济薄弱", 2: "环境短板", 3: "参与不足"}
    assert county.meta.targets.share_3plus == 0.6 and county.meta.targets.level_counts == {5: 2}


def test_canonical_dtypes(package):
    county = load_county(package)
    b = county.branches
    assert b["year"].dtype == "int64" and b["level"].dtype == "int64"
    assert b["collective_income_wan"].dtype == "float64"
    assert str(b["kind"].dtype) == "category" and str(b["population"].dtype) == "Int64"
    assert str(b["weak_lax"].dtype) == "boolean"
    assert list(county.stars["status"].cat.categories) == ["none", "planned", "awarded"]
    assert county.stars["status"].cat.ordered


def test_english_canonical_headers_and_long_form(tmp_path):
    # long form: one row per branch, year and star, with the branch attributes repeated
    wide = pd.DataFrame(ledger_rows(), columns=LEDGER_HEADERS)
    stars = ["产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星", "支部过硬星", "共建共享星", "幸福和谐星", "宜业兴业星"]
    long = wide.melt(id_vars=["支部编码", "村名", "乡镇（街道）", "类型", "年度", "村集体经济收入（万元）"],
                     value_vars=stars, var_name="star", value_name="status")
    long = long[long["status"] != ""]
    long = long.rename(columns={"支部编码": "branch_id", "村名": "branch_name", "乡镇（街道）": "township",
                                "类型": "kind", "年度": "year", "村集体经济收入（万元）": "collective_income_wan"})
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    write_csv(folder / "ledger.csv", list(long.columns), long.astype(str).values.tolist())
    county = load_county(folder)
    wide_county = load_county(make_package(tmp_path / "wide", survey=False))
    cols = ["branch_id", "year", "level", "level_planned", "collective_income_wan"]
    pd.testing.assert_frame_equal(county.branches[cols], wide_county.branches[cols])
    pd.testing.assert_frame_equal(county.stars, wide_county.stars)


def test_header_variants_fold_width_spaces_and_units(tmp_path):
    headers = ["  支部编码 ", "支部名称", "乡镇", "类 型", "年份", "产业兴旺", "生态宜居星", "平安法治星",
               "文明幸福星", "支部过硬星", "共建共享星", "幸福和谐星", "宜业兴业星",
               "集体经济收入(万元)", "人口（人）", "户数", "党员数", "书记年龄", "书记星级", "软弱涣散"]
    county = load_county(make_package(tmp_path / "p", ledger_headers=headers, survey=False))
    assert county.branches_in().set_index("branch_id").loc["V1", "collective_income_wan"] == 20
    assert county.branches_in().set_index("branch_id").loc["V1", "population"] == 1210


def test_status_vocabulary_and_ratings(tmp_path):
    rows = ledger_rows()
    rows[4][5:10] = ["√", "评定", "1", "是", "获得"]   # all awarded, written five ways
    rows[5][5:10] = ["申报", "争创", "创建中", "×", "无"]
    rows[5][18] = "三星"
    rows[6][18] = "★★"
    county = load_county(make_package(tmp_path / "p", ledger=rows, survey=False))
    b = county.branches_in().set_index("branch_id")
    assert b.loc["V1", "level"] == 5
    assert (b.loc["V2", "level"], b.loc["V2", "level_planned"]) == (0, 3)
    assert b.loc["V2", "secretary_rating"] == 3 and b.loc["V3", "secretary_rating"] == 2


def test_report_year_from_yaml_and_extra_columns_kept(tmp_path):
    headers = LEDGER_HEADERS + ["脱贫户数"]
    rows = [r + [str(i)] for i, r in enumerate(ledger_rows())]
    county = load_county(make_package(tmp_path / "p", ledger=rows, ledger_headers=headers,
                                      county_yaml=COUNTY_YAML + "year: 2023\n", survey=False))
    assert county.year == 2023
    assert "脱贫户数" in county.extra_columns
    assert county.branches["脱贫户数"].dtype == "float64"
    assert any(w.code == "unknown_column" and w.column == "脱贫户数" for w in county.warnings)


def test_single_year_package(tmp_path):
    rows = [r for r in ledger_rows() if r[4] == "2024"]
    county = load_county(make_package(tmp_path / "p", ledger=rows, survey=False))
    assert county.years == [2024] and county.survey is None


def test_warnings_capstone_and_other_kind_star(tmp_path):
    rows = ledger_rows()
    rows[5][9] = A  # V2 2024: capstone without the other four
    rows[6][10] = A  # V3 (rural) with a community star
    county = load_county(make_package(tmp_path / "p", ledger=rows, survey=False))
    codes = {(w.code, w.row) for w in county.warnings}
    assert ("capstone_broken", 7) in codes
    assert ("other_kind_star", 8) in codes
    # the community star of a rural branch is ignored, not counted
    assert county.branches_in().set_index("branch_id").loc["V3", "level"] == 1


def test_codebook_as_yaml(tmp_path):
    folder = make_package(tmp_path / "p")
    (folder / "codebook.csv").unlink()
    (folder / "codebook.yaml").write_text(
        "S1: {text: 产业满意度, dimension: 产业兴旺星, role: 满意度}\n"
        "S2: {text: 环境, dimension: ecology, role: satisfaction, reverse: true}\n"
        "I1: {dimension: industry, role: importance}\n"
        "K1: {dimension: awareness, role: knowledge}\n"
        "P1: {dimension: participation, role: choice, options: {1: 参与过, 0: 未参与}}\n"
        "M1: {dimension: problems, role: multi, options: '1=a;2=b;3=c'}\n"
        "T1: {dimension: suggestions, role: text}\n", encoding="utf-8")
    county = load_county(folder)
    cb = county.codebook.set_index("item")
    assert cb.loc["S1", "dimension"] == "industry" and bool(cb.loc["S2", "reverse"])
    assert (cb.loc["K1", "scale_min"], cb.loc["K1", "scale_max"]) == (0, 1)
    assert cb.loc["P1", "options"] == {1: "参与过", 0: "未参与"}
