"""The blank Excel template: sheets, headers, drop-down lists, instructions; a filled copy loads."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
import yaml

import fivestar_analysis
from fivestar_analysis.tools.template import (
    CODEBOOK_HEADERS,
    SURVEY_BASE_HEADERS,
    ledger_headers,
    star_headers,
    write_template,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "模板.xlsx")


@pytest.fixture(scope="module")
def wb(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def _header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _lists(ws) -> dict[str, list[str]]:
    """Header of each validated column -> the values of its drop-down list."""
    headers = _header(ws)
    out: dict[str, list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list" and dv.allow_blank
        values = dv.formula1.strip('"').split(",")
        for rng in dv.sqref.ranges:
            assert rng.min_row == 2 and rng.max_row >= 1000 and rng.min_col == rng.max_col
            out[headers[rng.min_col - 1]] = values
    return out


def test_sheets_and_headers(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == ["填表说明", "台账", "问卷", "编码表"]
    assert wb.active.title == "填表说明"
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets] == [True, False, False, False]
    assert _header(wb["台账"]) == ledger_headers()
    assert _header(wb["问卷"]) == SURVEY_BASE_HEADERS
    assert _header(wb["编码表"]) == CODEBOOK_HEADERS
    for star in ["产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星", "支部过硬星",
                 "共建共享星", "幸福和谐星", "宜业兴业星"]:
        assert star in _header(wb["台账"])
    assert "村集体经济收入（万元）" in _header(wb["台账"])
    for name in ("台账", "问卷", "编码表"):
        assert wb[name].max_row == 1, f"{name} should be blank below the header"


def test_ledger_drop_downs(wb: openpyxl.Workbook) -> None:
    lists = _lists(wb["台账"])
    assert lists["类型"] == ["农村", "社区"]
    for star in star_headers():
        assert lists[star] == ["已创成", "计划"], star
    assert lists["软弱涣散"] == ["是", "否"]
    assert lists["书记星级"] == ["1", "2", "3", "4", "5"]


def test_survey_and_codebook_drop_downs(wb: openpyxl.Workbook) -> None:
    assert _lists(wb["问卷"])["身份"] == ["群众", "党员", "村干部"]
    book = _lists(wb["编码表"])
    assert set(book["role"]) == {"satisfaction", "importance", "knowledge", "choice", "multi",
                                 "text"}
    assert {"industry", "co_build", "party_strong", "overall", "awareness", "participation",
            "problems", "suggestions"} <= set(book["dimension"])


def test_layout(wb: openpyxl.Workbook) -> None:
    for name in ("台账", "问卷", "编码表"):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws["A1"].fill.fgColor.rgb.endswith("DDEBF7") and ws["A1"].font.bold
        assert ws.column_dimensions["A"].width >= 10
    assert wb["台账"].column_dimensions["N"].width >= 20  # 村集体经济收入（万元）


def test_instructions(wb: openpyxl.Workbook) -> None:
    lines = [c.value or "" for c in wb["填表说明"]["A"]]
    text = "\n".join(lines)
    for phrase in ("台账", "问卷", "编码表", "每个年度填一行", "已创成", "计划", "万元",
                   "county.yaml", "支部过硬星"):
        assert phrase in text, phrase
    start = lines.index(next(x for x in lines if x.startswith("name:")))
    end = lines.index(next(x for x in lines if x.startswith("rubric:")))
    example = yaml.safe_load("\n".join(lines[start:end + 1]))
    assert re.fullmatch(r"[a-z0-9_-]+", example["code"])
    assert isinstance(example["year"], int) and example["rubric"] == "henan-2022"


def test_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "t.xlsx"
    assert write_template(target) == target and target.exists()
    write_template(target)  # overwrite in place
    assert [p.name for p in target.parent.iterdir()] == ["t.xlsx"]
    with pytest.raises(ValueError):
        write_template(tmp_path / "en.xlsx", language="en")


def test_filled_template_loads(template: Path, tmp_path: Path) -> None:
    load_county = fivestar_analysis.load_county
    wb = openpyxl.load_workbook(template)
    ws = wb["台账"]
    headers = _header(ws)
    base = {"乡镇（街道）": "某镇", "类型": "农村", "年度": 2024}
    rows = [
        {**base, "支部编码": "T-01", "支部名称": "甲村", "产业兴旺星": "计划",
         "生态宜居星": "已创成", "平安法治星": "已创成", "文明幸福星": "已创成",
         "村集体经济收入（万元）": 12.5, "书记星级": 3, "软弱涣散": "否"},
        {**base, "支部编码": "T-02", "支部名称": "乙村", "产业兴旺星": "已创成",
         "生态宜居星": "已创成", "平安法治星": "已创成", "文明幸福星": "已创成",
         "支部过硬星": "已创成", "村集体经济收入（万元）": 86, "人口": 2100, "书记星级": 5,
         "软弱涣散": "否"},
        {**base, "支部编码": "T-03", "支部名称": "丙社区", "乡镇（街道）": "某街道",
         "类型": "社区", "共建共享星": "已创成", "幸福和谐星": "已创成", "宜业兴业星": "计划"},
        {**base, "支部编码": "T-01", "支部名称": "甲村", "年度": 2023, "文明幸福星": "已创成",
         "生态宜居星": "计划", "村集体经济收入（万元）": 9.8},
    ]
    for row in rows:
        ws.append([row.get(h) for h in headers])
    folder = tmp_path / "filled"
    folder.mkdir()
    wb.save(folder / "某县.xlsx")
    (folder / "county.yaml").write_text(
        "name: 某县\ncode: mouxian\nyear: 2024\nrubric: henan-2022\n", encoding="utf-8")
    county = load_county(folder)
    assert county.meta.code == "mouxian" and county.years == [2023, 2024]
    levels = county.branches.set_index(["branch_id", "year"])["level"]
    assert levels[("T-01", 2024)] == 3 and levels[("T-02", 2024)] == 5
    assert levels[("T-03", 2024)] == 2 and levels[("T-01", 2023)] == 1
    assert county.survey is None or len(county.survey) == 0
