"""The demo county: determinism, shape, and the calibration promised in the domain brief.

Every figure is recomputed here from the written frames with plain pandas, independently of
the generator's internals, so a change to the model that breaks a published pattern fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import fivestar_analysis
from fivestar_analysis.load.privacy import mask_text
from fivestar_analysis.tools.demo import DemoPackage, generate_demo, write_demo_package
from fivestar_analysis.tools.template import CODEBOOK_HEADERS, ledger_headers

RURAL = ["产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星", "支部过硬星"]
COMMUNITY = ["共建共享星", "平安法治星", "幸福和谐星", "宜业兴业星", "支部过硬星"]
COMMUNITY_ONLY = ["共建共享星", "幸福和谐星", "宜业兴业星"]
ALL_STARS = RURAL + COMMUNITY_ONLY
AWARDED = {"已创成", "评定", "✓"}
PLANNED = {"计划", "申报", "争创"}
SMALL = dict(n_townships=5, n_villages=40, n_communities=6, n_respondents=300)


@pytest.fixture(scope="module")
def pkg() -> DemoPackage:
    return generate_demo(2024)


@pytest.fixture(scope="module")
def ledger(pkg: DemoPackage) -> pd.DataFrame:
    """The ledger with two helper columns: stars awarded (level) and declared."""
    led = pkg.ledger
    return led.assign(level=led[ALL_STARS].isin(AWARDED).sum(axis=1),
                      declared=(led[ALL_STARS] != "").sum(axis=1))


@pytest.fixture(scope="module")
def last(ledger: pd.DataFrame) -> pd.DataFrame:
    return ledger[ledger["年度"] == ledger["年度"].max()]


def _awarded(ledger: pd.DataFrame) -> pd.DataFrame:
    return ledger.set_index(["支部编码", "年度"])[ALL_STARS].isin(AWARDED)


# -- determinism ---------------------------------------------------------------------------
def test_same_seed_gives_identical_frames(pkg: DemoPackage) -> None:
    again = generate_demo(2024)
    pd.testing.assert_frame_equal(pkg.ledger, again.ledger)
    pd.testing.assert_frame_equal(pkg.survey, again.survey)
    pd.testing.assert_frame_equal(pkg.codebook, again.codebook)
    assert pkg.county_yaml == again.county_yaml


def test_different_seed_gives_different_county(pkg: DemoPackage) -> None:
    other = generate_demo(2025)
    assert not pkg.ledger.equals(other.ledger)
    assert not pkg.survey.equals(other.survey)


def test_csv_files_are_byte_identical_for_a_seed(tmp_path: Path) -> None:
    a = write_demo_package(tmp_path / "a", seed=11, **SMALL)
    b = write_demo_package(tmp_path / "b", seed=11, **SMALL)
    c = write_demo_package(tmp_path / "c", seed=12, **SMALL)
    names = ["county.yaml", "ledger.csv", "survey.csv", "codebook.csv"]
    assert sorted(p.name for p in a.iterdir()) == sorted(names)
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "ledger.csv").read_bytes() != (c / "ledger.csv").read_bytes()
    for name in names[1:]:
        assert (a / name).read_bytes().startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"


def test_writing_keeps_other_files_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    (out / "ledger.csv").write_text("old", encoding="utf-8")
    write_demo_package(out, seed=3, **SMALL)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (out / "ledger.csv").read_text(encoding="utf-8-sig").startswith("支部编码,")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_folder_holding_the_other_format_is_refused(tmp_path: Path) -> None:
    write_demo_package(tmp_path, seed=3, **SMALL)
    write_demo_package(tmp_path, seed=4, **SMALL)  # same format: overwritten in place
    with pytest.raises(FileExistsError, match="ledger.csv") as caught:
        write_demo_package(tmp_path, seed=3, fmt="xlsx", **SMALL)
    assert not (tmp_path / "county.xlsx").exists()
    assert isinstance(caught.value, fivestar_analysis.FivestarError)  # the CLI's clean message


def test_xlsx_package_has_the_three_sheets(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = write_demo_package(tmp_path / "x", seed=5, fmt="xlsx", **SMALL)
    assert sorted(p.name for p in out.iterdir()) == ["county.xlsx", "county.yaml"]
    wb = openpyxl.load_workbook(out / "county.xlsx", read_only=True)
    assert wb.sheetnames == ["台账", "问卷", "编码表"]
    header = next(wb["台账"].iter_rows(max_row=1, values_only=True))
    assert list(header) == ledger_headers()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_demo_package(tmp_path, fmt="parquet", **SMALL)
    with pytest.raises(ValueError):
        generate_demo(1, n_townships=2, n_villages=5000, n_communities=0, n_respondents=10)


# -- shape ---------------------------------------------------------------------------------
def test_scale_and_identifiers(pkg: DemoPackage, ledger: pd.DataFrame) -> None:
    assert list(pkg.ledger.columns) == ledger_headers()
    assert sorted(ledger["年度"].unique()) == [2022, 2023, 2024, 2025]
    per_year = ledger.groupby("年度")["类型"].value_counts().unstack()
    assert (per_year["农村"] == 400).all() and (per_year["社区"] == 30).all()
    assert ledger["乡镇（街道）"].nunique() == 20
    assert ledger["支部编码"].str.fullmatch(r"DM-\d{4}").all()
    assert not ledger.duplicated(["支部编码", "年度"]).any()
    # A branch keeps its code, name, township and kind across the years.
    stable = ledger.groupby("支部编码")[["支部名称", "乡镇（街道）", "类型"]].nunique()
    assert (stable == 1).all().all()
    assert ledger.drop_duplicates("支部编码")["支部名称"].is_unique
    community_towns = ledger.loc[ledger["类型"] == "社区", "乡镇（街道）"]
    assert community_towns.str.endswith("街道").all()
    assert ledger["乡镇（街道）"].str.contains(r"(?:镇|乡|街道)$").all()


def test_star_cells_use_the_contract_vocabulary(ledger: pd.DataFrame) -> None:
    values = set(np.unique(ledger[ALL_STARS].to_numpy().astype(str)))
    assert values <= AWARDED | PLANNED | {""}
    assert {"评定", "✓", "申报"} <= values  # a few clerks write it their own way
    rural = ledger["类型"] == "农村"
    assert (ledger.loc[rural, COMMUNITY_ONLY] == "").all().all()
    assert (ledger.loc[~rural, ["产业兴旺星", "生态宜居星", "文明幸福星"]] == "").all().all()
    # Some stars are declared but not achieved in every year.
    assert ledger[ALL_STARS].isin(PLANNED).sum().sum() > 100


def test_indicator_columns(ledger: pd.DataFrame) -> None:
    assert set(ledger["软弱涣散"]) == {"是", "否"}
    assert ledger["书记星级"].between(1, 5).all()
    assert ledger["书记年龄"].between(25, 70).all()
    assert (ledger["党员数"] < ledger["人口"]).all() and (ledger["户数"] < ledger["人口"]).all()
    community = ledger["类型"] == "社区"
    assert ledger.loc[community, "村集体经济收入（万元）"].isna().all()
    assert ledger.loc[~community, "村集体经济收入（万元）"].notna().all()


# -- star calibration ------------------------------------------------------------------------
def test_levels_rise_every_year(ledger: pd.DataFrame) -> None:
    means = ledger.groupby("年度")["level"].mean()
    assert means.is_monotonic_increasing and means.diff().dropna().gt(0).all()
    share3 = ledger.groupby("年度")["level"].apply(lambda s: (s >= 3).mean())
    assert 0.50 <= share3.iloc[-1] <= 0.65
    assert share3.iloc[0] < 0.35 and share3.iloc[0] < share3.iloc[-1] - 0.2


def test_some_branches_lose_a_star(ledger: pd.DataFrame) -> None:
    awarded = _awarded(ledger)
    years = sorted(ledger["年度"].unique())
    for before, after in zip(years, years[1:]):
        lost = (awarded.xs(before, level=1) & ~awarded.xs(after, level=1)).any(axis=1)
        assert 0.005 <= lost.mean() <= 0.08, (before, after, lost.mean())


def test_capstone_only_crowns_a_full_set(ledger: pd.DataFrame) -> None:
    awarded = _awarded(ledger).reset_index()
    for year, a in awarded.groupby("年度"):
        level = a[ALL_STARS].sum(axis=1)
        assert a["支部过硬星"].sum() == (level == 5).sum(), year
        rural = a["产业兴旺星"] | a["生态宜居星"] | a["文明幸福星"]
        others = np.where(rural, a[RURAL[:4]].all(axis=1), a[COMMUNITY[:4]].all(axis=1))
        assert not (a["支部过硬星"] & ~others).any(), year


def test_identity_of_levels_and_star_counts(ledger: pd.DataFrame) -> None:
    for _, year in ledger.groupby("年度"):
        by_level = year["level"].value_counts()
        star_counts = year[ALL_STARS].isin(AWARDED).sum()
        assert (by_level.index * by_level).sum() == star_counts.sum()
        declared = year["declared"].value_counts()
        assert (declared.index * declared).sum() == (year[ALL_STARS] != "").sum().sum()


def test_awarded_stars_were_declared(ledger: pd.DataFrame) -> None:
    awarded = ledger[ALL_STARS].isin(AWARDED)
    declared = ledger[ALL_STARS].isin(AWARDED | PLANNED)
    assert not (awarded & ~declared).any().any()
    assert (ledger["declared"] >= ledger["level"]).all()


def test_industry_is_scarce_and_civility_common(ledger: pd.DataFrame) -> None:
    rural = ledger[ledger["类型"] == "农村"]
    for basis in (AWARDED, AWARDED | PLANNED):
        share = rural[RURAL].isin(basis).groupby(rural["年度"]).mean()
        non_capstone = share[RURAL[:4]]
        assert (non_capstone.idxmin(axis=1) == "产业兴旺星").all()
        assert (non_capstone.idxmax(axis=1) == "文明幸福星").all()
    first = rural[rural["年度"] == rural["年度"].min()][RURAL].isin(AWARDED | PLANNED).mean()
    # Seed 001 plans for 104 villages: 产业34, 生态73, 平安62, 文明94, 过硬1.
    assert 0.25 <= first["产业兴旺星"] <= 0.42
    assert 0.62 <= first["生态宜居星"] <= 0.82
    assert 0.50 <= first["平安法治星"] <= 0.72
    assert first["文明幸福星"] >= 0.85
    assert first["支部过硬星"] <= 0.05


def test_a_few_five_star_branches_and_a_silver_one(ledger: pd.DataFrame, last) -> None:
    five = (last["level"] == 5).sum()
    assert 5 <= five <= 0.08 * len(last)
    wide = (ledger["level"] == 5).groupby([ledger["支部编码"], ledger["年度"]]).any().unstack()
    silver = wide.iloc[:, -3:].all(axis=1).sum()
    assert 1 <= silver < five


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), strength=st.floats(-1.5, 1.5),
       n_villages=st.integers(0, 60), n_communities=st.integers(0, 12))
def test_rules_hold_for_any_seed_and_strength(seed: int, strength: float, n_villages: int,
                                              n_communities: int) -> None:
    if n_villages + n_communities == 0:
        n_villages = 1
    pkg = generate_demo(seed, strength=strength, n_townships=6, n_villages=n_villages,
                        n_communities=n_communities, n_respondents=120)
    led = pkg.ledger
    awarded = led[ALL_STARS].isin(AWARDED)
    level = awarded.sum(axis=1)
    assert (awarded["支部过硬星"] == (level == 5)).all()  # capstone crowns a full set only
    assert led[ALL_STARS].isin(AWARDED | PLANNED | {""}).all().all()
    other = np.where((led["类型"] == "农村").to_numpy()[:, None],
                     led[COMMUNITY_ONLY].ne("").to_numpy(),
                     led[["产业兴旺星", "生态宜居星", "文明幸福星"]].ne("").to_numpy())
    assert not other.any()  # no star of the other kind
    assert not led.duplicated(["支部编码", "年度"]).any()
    assert (led["村集体经济收入（万元）"].dropna() >= 0).all()
    assert set(pkg.survey["支部编码"]) <= set(led["支部编码"])
    assert list(pkg.survey.columns[8:]) == pkg.codebook["item"].tolist()


# -- indicators ------------------------------------------------------------------------------
def test_collective_income_is_skewed_and_tied_to_level(last: pd.DataFrame) -> None:
    rural = last[last["类型"] == "农村"]
    income = rural["村集体经济收入（万元）"]
    assert (income >= 0).all() and (income == 0).sum() >= 1
    assert income.mean() > income.median()
    assert 0.05 <= (income < 5).mean() <= 0.25  # shell and weak villages: the weak link
    assert 1 <= (income >= 100).sum() <= 0.08 * len(income)
    assert income.corr(rural["level"], method="spearman") > 0.3
    industry = rural["产业兴旺星"].isin(AWARDED)
    assert income[industry].median() > 1.5 * income[~industry].median()


def test_weak_lax_branches_are_few_and_low(ledger: pd.DataFrame) -> None:
    weak = ledger["软弱涣散"] == "是"
    share = weak.groupby(ledger["年度"]).mean()
    assert (share > 0).all() and (share <= 0.08).all()
    assert ledger.loc[weak, "level"].mean() < ledger.loc[~weak, "level"].mean() - 0.8


def test_secretary_rating_follows_level(last: pd.DataFrame) -> None:
    assert last["书记星级"].astype(float).corr(last["level"], method="spearman") > 0.3


def test_strength_shifts_the_county(ledger: pd.DataFrame) -> None:
    strong = generate_demo(9, strength=1.0, **SMALL).ledger
    weak = generate_demo(9, strength=-1.0, **SMALL).ledger
    lv = {name: led[ALL_STARS].isin(AWARDED).sum(axis=1).mean() for name, led in
          (("strong", strong), ("weak", weak))}
    assert lv["strong"] > lv["weak"] + 1
    assert strong["村集体经济收入（万元）"].median() > weak["村集体经济收入（万元）"].median()


# -- survey ----------------------------------------------------------------------------------
def test_survey_shape_groups_and_privacy_columns(pkg: DemoPackage, last: pd.DataFrame) -> None:
    s = pkg.survey
    assert len(s) == 6000 and s["问卷编号"].is_unique
    assert set(s["支部编码"]) <= set(last["支部编码"])
    shares = s["身份"].value_counts(normalize=True)
    assert abs(shares["群众"] - 0.7) < 0.03 and abs(shares["党员"] - 0.2) < 0.03
    assert abs(shares["村干部"] - 0.1) < 0.03
    assert set(s["性别"]) == {"男", "女"} and s["年龄"].between(18, 90).all()
    assert s["姓名"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert s["手机号"].str.fullmatch(r"1[3-9]\d{9}").all()
    kinds = last.set_index("支部编码")["类型"]
    per_branch = s["支部编码"].map(kinds).value_counts() / kinds.value_counts()
    assert per_branch["农村"] > 2 * per_branch["社区"] and per_branch["社区"] > 0


def test_codebook_matches_the_item_columns(pkg: DemoPackage) -> None:
    book, s = pkg.codebook, pkg.survey
    assert list(book.columns) == CODEBOOK_HEADERS
    demographics = ["问卷编号", "支部编码", "身份", "年龄", "性别", "文化程度", "姓名", "手机号"]
    assert list(s.columns) == demographics + book["item"].tolist()
    roles = book.groupby("role")["item"].count()
    assert roles["satisfaction"] == 16 and roles["importance"] == 5
    sat = book[(book["role"] == "satisfaction") & (book["dimension"] != "overall")]
    assert sorted(sat["dimension"].unique()) == sorted(
        ["industry", "ecology", "safety", "civility", "party_strong"])
    assert (sat.groupby("dimension")["reverse"].sum() == 1).all()
    assert set(book["role"]) == {"satisfaction", "importance", "knowledge", "choice", "multi",
                                 "text"}
    assert {"overall", "awareness", "participation", "problems", "suggestions"} <= set(
        book["dimension"])


def test_likert_answers(pkg: DemoPackage, last: pd.DataFrame) -> None:
    book, s = pkg.codebook, pkg.survey
    likert = book.loc[book["role"].isin(["satisfaction", "importance"]), "item"].tolist()
    values = s[likert].to_numpy(dtype=float, na_value=np.nan).ravel()
    assert set(np.unique(values[~np.isnan(values)])) <= {1, 2, 3, 4, 5, 9}
    dont_know = (s[likert] == 9).sum().sum() / s[likert].size
    assert 0.01 <= dont_know <= 0.03
    assert s[likert].isna().sum().sum() > 0
    valid = s[likert].astype(float).where(s[likert] <= 5)
    # A reverse-coded item runs against its area's other items.
    assert valid["S2_3"].corr(valid["S2_1"]) < 0 < valid["S2_2"].corr(valid["S2_1"])
    importance = valid[["I1", "I2", "I3", "I4", "I5"]].mean()
    assert importance.idxmax() == "I1"
    level = s["支部编码"].map(last.set_index("支部编码")["level"])
    by_branch = valid["S0"].groupby(s["支部编码"]).mean()
    assert by_branch.corr(level.groupby(s["支部编码"]).first(), method="spearman") > 0.3


def test_awareness_participation_and_choices(pkg: DemoPackage) -> None:
    s = pkg.survey
    for item in ("K1", "K2", "P1"):
        assert set(s[item].unique()) <= {0, 1}
        rate = s.groupby("身份")[item].mean()
        assert rate["村干部"] > rate["党员"] > rate["群众"], item
    multi = s["M1"].fillna("")
    assert multi.str.fullmatch(r"([1-6](;[1-6])*)?").all()
    assert (multi.str.contains(";")).mean() > 0.05 and (multi == "").mean() < 0.6
    assert all(codes == sorted(codes) for codes in multi[multi != ""].str.split(";"))


def test_open_answers(pkg: DemoPackage) -> None:
    text = pkg.survey["T1"].fillna("")
    written = text[text != ""]
    assert 0.2 <= len(written) / len(text) <= 0.6
    assert written.str.contains(r"[\u4e00-\u9fff]").all()
    assert written.str.contains("集体经济").any() and written.str.contains("软弱涣散").any()
    phone = written.str.contains(r"1[3-9]\d{9}")
    assert 1 <= phone.sum() <= 0.05 * len(written)
    assert not written[phone].map(mask_text).str.contains(r"1[3-9]\d{9}").any()


# -- county.yaml -----------------------------------------------------------------------------
def test_county_yaml(pkg: DemoPackage, tmp_path: Path) -> None:
    meta = pkg.county_yaml
    assert list(meta)[:2] == ["name", "code"]
    assert meta["name"] == "示范县" and re.fullmatch(r"[a-z0-9_-]+", meta["code"])
    assert meta["year"] == 2025 and meta["rubric"] == "henan-2022" and meta["language"] == "zh"
    assert meta["province"] == "河南省" and meta["city"].endswith("市")
    assert 0.55 <= meta["targets"]["share_3plus"] <= 0.8
    assert meta["targets"]["five_star"] >= 1
    write_demo_package(tmp_path, seed=2024, n_respondents=10)
    text = (tmp_path / "county.yaml").read_text(encoding="utf-8")
    assert "示范县" in text  # written as Chinese, not escaped
    assert yaml.safe_load(text)["targets"] == meta["targets"]


# -- loading through the project's loader ----------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_demo_package_loads(tmp_path: Path, fmt: str) -> None:
    load_county = fivestar_analysis.load_county
    out = write_demo_package(tmp_path / fmt, seed=2024, fmt=fmt, **SMALL)
    county = load_county(out)
    assert county.meta.name == "示范县" and county.years == [2022, 2023, 2024, 2025]
    assert len(county.branches) == 46 * 4
    assert set(county.branches["kind"].astype(str)) == {"rural", "community"}
    assert {"姓名", "手机号"} <= set(county.removed_identifying_columns)
    assert len(county.survey) == 300
    ledger = generate_demo(2024, **SMALL).ledger
    expected = ledger.set_index(["支部编码", "年度"])[ALL_STARS].isin(AWARDED).sum(axis=1)
    got = county.branches.set_index(["branch_id", "year"])["level"]
    assert (got.sort_index() == expected.sort_index().to_numpy()).all()
    assert not [w for w in county.warnings if "capstone" in w.code]
