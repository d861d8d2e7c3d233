"""SPSS files, old .xls workbooks, drafted codebooks, `fivestar inspect`, and nothing of a
skipped row or an IP column in any output."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    COUNTY_YAML,
    LEDGER_HEADERS,
    codebook_rows,
    ledger_rows,
    make_package,
    survey_rows,
    write_csv,
)
from messy_fixtures import (
    IP,
    SECRETS,
    canonical_respondent_ids,
    clerk_workbook_package,
    platform_export,
    platform_package,
)

from fivestar_analysis import load_county, validate_package
from fivestar_analysis.cli import main

ITEMS = ["S1", "S2", "I1", "K1", "P1", "M1"]


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    return load_county(make_package(tmp_path_factory.mktemp("canon") / "pkg"))


def _by_id(survey: pd.DataFrame) -> pd.DataFrame:
    return survey.sort_values("respondent_id").reset_index(drop=True)


# -- SPSS -------------------------------------------------------------------------------------

def _write_sav(path: Path) -> None:
    import pyreadstat

    groups = {"群众": 1, "党员": 2, "村干部": 3, "居民": 1}
    rows = survey_rows()
    df = pd.DataFrame({
        "respondent_id": [r[0] for r in rows],
        "branch_id": [r[1] for r in rows],
        "shenfen": [float(groups[r[2]]) for r in rows],
        "age": [float(r[3]) for r in rows],
        **{item: [float(r[7 + k]) for r in rows] for k, item in enumerate(["S1", "S2", "I1", "K1", "P1"])},
        "M1": [r[12] for r in rows],
        "T1": [r[13] for r in rows],
    })
    sat = {1.0: "非常不满意", 2.0: "不太满意", 3.0: "一般", 4.0: "比较满意", 5.0: "非常满意"}
    pyreadstat.write_sav(
        df, str(path),
        column_labels=["问卷编号", "支部编码", "您的身份", "年龄", "您对村里产业发展满意吗",
                       "村里环境脏乱差问题突出", "产业发展有多重要", "是否听说过五星支部创建",
                       "是否参与过创建活动", "最突出的问题", "您的建议"],
        variable_value_labels={"shenfen": {1.0: "群众", 2.0: "党员", 3.0: "村干部"},
                               "S1": sat, "S2": sat,
                               "K1": {1.0: "是", 0.0: "否"}, "P1": {1.0: "参与过", 0.0: "未参与"}})


def test_spss_survey_with_labels_as_codebook(tmp_path, canonical):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    write_csv(folder / "ledger.csv", LEDGER_HEADERS, ledger_rows())
    _write_sav(folder / "调查数据.sav")
    # the codebook names items, dimensions and roles only; texts and options come from SPSS
    book = [[r[0], r[2], r[3], r[4], r[5], r[6]] for r in codebook_rows()]
    book = [[*b[:4], b[4], b[5], ""] for b in book]
    book[5][6] = "1=集体经济薄弱;2=环境短板;3=参与不足"
    book.append(["shenfen", "group", "group", "", "", ""])
    write_csv(folder / "codebook.csv", ["item", "dimension", "role", "scale_min", "scale_max",
                                        "reverse", "options"], book)
    county = load_county(folder)
    got, want = _by_id(county.survey), _by_id(canonical.survey)
    for item in ITEMS:
        pd.testing.assert_series_equal(got[item], want[item], check_names=False,
                                       check_dtype=False, obj=item)
    assert list(got["group"].astype(str)) == list(want["group"].astype(str))
    cb = county.codebook.set_index("item")
    assert cb.loc["S1", "text"] == "您对村里产业发展满意吗"
    assert cb.loc["K1", "options"] == {1: "是", 0: "否"}


# -- old .xls -------------------------------------------------------------------------------

def test_xls_workbook_with_a_title_and_merged_cells(tmp_path, canonical):
    import xlwt

    folder = make_package(tmp_path / "pkg", survey=True)
    (folder / "ledger.csv").unlink()
    book = xlwt.Workbook(encoding="utf-8")
    sh = book.add_sheet("Sheet1")
    sh.write_merge(0, 0, 0, len(LEDGER_HEADERS) - 1, "测试县“五星”支部创建台账")
    sh.write(1, 0, "填报日期：2024年12月")
    for c, h in enumerate(LEDGER_HEADERS):
        sh.write(2, c, h)
    r = 3
    for row in ledger_rows():
        for c, v in enumerate(row):
            try:
                sh.write(r, c, float(v) if v and c >= 13 else v)
            except ValueError:
                sh.write(r, c, v)
        r += 1
    sh.write(r, 0, "合计")
    sh.write(r + 1, 0, "填表人：王小明")
    book.save(str(folder / "台账2024.xls"))
    county = load_county(folder)
    pd.testing.assert_frame_equal(
        county.branches[["branch_id", "year", "level", "collective_income_wan"]]
        .sort_values(["year", "branch_id"]).reset_index(drop=True),
        canonical.branches[["branch_id", "year", "level", "collective_income_wan"]]
        .sort_values(["year", "branch_id"]).reset_index(drop=True))
    assert {p.code for p in county.notes} >= {"header_rows", "skipped_total", "skipped_footer"}


# -- drafted codebooks ------------------------------------------------------------------------

def test_a_drafted_codebook_loads_the_export_it_was_drafted_from(tmp_path, canonical, capsys):
    folder = platform_package(tmp_path / "pkg")
    (folder / "编码表.csv").unlink()
    export = next(folder.glob("*.xlsx"))
    assert main(["codebook", str(export), "--out", str(tmp_path / "draft.xlsx")]) == 0
    assert "7" in capsys.readouterr().out
    draft = pd.read_excel(tmp_path / "draft.xlsx", dtype=str, engine="calamine").fillna("")
    roles = dict(zip(draft["item"], draft["role"]))
    assert roles == {"respondent_id": "id", "group": "group", "branch_id": "branch",
                     "Q5": "satisfaction", "Q6": "satisfaction", "Q7": "importance",
                     "Q8": "knowledge", "Q9": "choice", "Q10": "multi", "Q11": "text"}
    dims = dict(zip(draft["item"], draft["dimension"]))
    assert dims["Q5"] == "industry" and dims["Q6"] == "ecology" and dims["Q10"] == "problems"
    assert draft["note"].str.contains("猜测").any()
    assert not draft.apply(lambda c: c.str.contains("1390000")).any().any(), \
        "no open answer is copied into a codebook"
    (tmp_path / "draft.xlsx").rename(folder / "编码表.xlsx")
    county = load_county(folder)
    ids = canonical_respondent_ids()
    got = county.survey.assign(respondent_id=county.survey["respondent_id"].map(ids))
    got, want = _by_id(got), _by_id(canonical.survey)
    for mine, theirs in (("Q5", "S1"), ("Q6", "S2"), ("Q7", "I1"), ("Q8", "K1"), ("Q9", "P1")):
        assert list(got[mine]) == list(want[theirs]), mine


# -- inspect ----------------------------------------------------------------------------------

def test_inspect_says_how_every_sheet_was_read(tmp_path, capsys):
    folder = clerk_workbook_package(tmp_path / "pkg")
    assert main(["inspect", str(folder), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    tables = {t["file"]: t for t in info["tables"]}
    sheet = tables["示范台账.xlsx[2024年度]"]
    assert sheet["role"] == "ledger" and sheet["header_rows"] == [3, 4]
    assert {"header": "产业兴旺星", "canonical": "star:industry"} in sheet["columns"]
    assert sheet["skipped"]["footer"] == [16, 17, 18] and sheet["dropped_columns"] == ["序号"]
    assert tables["示范台账.xlsx[说明]"]["role"] is None
    assert tables["示范台账.xlsx[Sheet3]"]["how"] == "empty"
    assert tables["survey.csv"]["role"] == "survey"
    assert main(["inspect", str(folder)]) == 0
    text = capsys.readouterr().out
    assert "表头：第3–4行" in text and "跳过表尾" in text


# -- nothing of a footer or an IP column reaches an output -------------------------------------

def test_no_footer_or_ip_text_in_any_output(tmp_path):
    from fivestar_analysis.render.report import render_report

    folder = clerk_workbook_package(tmp_path / "pkg")
    for name in ("survey.csv", "codebook.csv"):
        (folder / name).unlink()
    headers, rows, book = platform_export()
    from conftest import CODEBOOK_HEADERS, write_xlsx

    write_xlsx(folder / "问卷星导出.xlsx", {"Sheet1": (headers, rows)})
    write_csv(folder / "编码表.csv", [*CODEBOOK_HEADERS, "source"], book)
    assert validate_package(folder).valid
    result = render_report(folder, tmp_path / "out", formats=("html", "ipynb", "xlsx"))
    texts = {
        "html": result.html.read_text(encoding="utf-8"),
        "ipynb": result.ipynb.read_text(encoding="utf-8"),
    }
    with zipfile.ZipFile(result.xlsx) as z:
        texts["xlsx"] = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist()
                                if n.endswith(".xml"))
    for fmt, text in texts.items():
        for secret in [*SECRETS, IP, "10.0.3.3"]:
            assert secret not in text, f"{secret!r} reached the {fmt} output"
    assert "小计" in texts["html"]  # the data-quality appendix says rows were skipped
