"""Bad packages: every problem is reported in one pass, naming file, row and column."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import (
    CODEBOOK_HEADERS,
    COUNTY_YAML,
    LEDGER_HEADERS,
    SURVEY_HEADERS,
    codebook_rows,
    ledger_rows,
    make_package,
    survey_rows,
    tree_digest,
)

from fivestar_analysis import PackageInvalid, load_county, validate_package


def ledger_with(**cells):
    """ledger_rows() with cells replaced: key 'r<row>c<col>' uses 0-based data row/col."""
    rows = ledger_rows()
    for key, value in cells.items():
        r, c = key[1:].split("c")
        rows[int(r)][int(c)] = value
    return rows


def survey_with(row: int, col: int, value: str):
    rows = survey_rows()
    rows[row][col] = value
    return rows


def codebook_with(row: int, col: int, value: str):
    rows = codebook_rows()
    rows[row][col] = value
    return rows


# Each case: (id, package keyword arguments, expected file, row, column, code).
# Data row i (0-based) is spreadsheet row i + 2.
CASES = [
    ("empty-id", dict(ledger=ledger_with(r0c0="")), "ledger.csv", 2, "支部编码", "required_empty"),
    ("empty-name", dict(ledger=ledger_with(r1c1="")), "ledger.csv", 3, "村名", "required_empty"),
    ("empty-township", dict(ledger=ledger_with(r2c2="")), "ledger.csv", 4, "乡镇（街道）", "required_empty"),
    ("bad-kind", dict(ledger=ledger_with(r3c3="街区")), "ledger.csv", 5, "类型", "bad_kind"),
    ("empty-kind", dict(ledger=ledger_with(r4c3="")), "ledger.csv", 6, "类型", "required_empty"),
    ("bad-year", dict(ledger=ledger_with(r5c4="二〇二四")), "ledger.csv", 7, "年度", "bad_year"),
    ("year-range", dict(ledger=ledger_with(r6c4="1850")), "ledger.csv", 8, "年度", "out_of_range"),
    ("income-text", dict(ledger=ledger_with(r0c13="十二万")), "ledger.csv", 2, "村集体经济收入（万元）", "bad_number"),
    ("income-negative", dict(ledger=ledger_with(r1c13="-3")), "ledger.csv", 3, "村集体经济收入（万元）", "negative_number"),
    ("income-missing", dict(ledger=ledger_with(r6c13="")), "ledger.csv", 8, "村集体经济收入（万元）", "income_missing"),
    ("bad-status", dict(ledger=ledger_with(r2c6="也许")), "ledger.csv", 4, "生态宜居星", "bad_status"),
    ("duplicate-branch-year", dict(ledger=ledger_rows() + [ledger_rows()[1]]), "ledger.csv", 10, "支部编码", "duplicate_key"),
    ("population-decimal", dict(ledger=ledger_with(r0c14="1200.5")), "ledger.csv", 2, "人口", "not_integer"),
    ("households-negative", dict(ledger=ledger_with(r1c15="-1")), "ledger.csv", 3, "户数", "negative_number"),
    ("rating-range", dict(ledger=ledger_with(r2c18="7")), "ledger.csv", 4, "书记星级", "out_of_range"),
    ("age-range", dict(ledger=ledger_with(r3c17="150")), "ledger.csv", 5, "书记年龄", "out_of_range"),
    ("weak-lax-word", dict(ledger=ledger_with(r4c19="可能")), "ledger.csv", 6, "软弱涣散", "bad_bool"),
    ("missing-year-column", dict(ledger_headers=["支部编码", "村名", "乡镇（街道）", "类型", "年月", *LEDGER_HEADERS[5:]]),
     "ledger.csv", 1, "year", "missing_column"),
    ("duplicate-column", dict(ledger_headers=["支部编码", "村名", "支部名称", *LEDGER_HEADERS[3:]]),
     "ledger.csv", 1, "支部名称", "duplicate_column"),
    ("missing-capstone-column", dict(ledger_headers=[*LEDGER_HEADERS[:9], "备用", *LEDGER_HEADERS[10:]]),
     "ledger.csv", 1, "支部过硬星", "missing_column"),
    ("survey-unknown-branch", dict(survey_data=(SURVEY_HEADERS, survey_with(3, 1, "X9"))), "survey.csv", 5, "支部编码", "branch_unknown"),
    ("survey-bad-group", dict(survey_data=(SURVEY_HEADERS, survey_with(4, 2, "游客"))), "survey.csv", 6, "身份", "bad_group"),
    ("survey-duplicate-id", dict(survey_data=(SURVEY_HEADERS, survey_with(5, 0, "R000"))), "survey.csv", 7, "问卷编号", "respondent_duplicate"),
    ("survey-likert-word", dict(survey_data=(SURVEY_HEADERS, survey_with(6, 7, "还凑合吧"))), "survey.csv", 8, "S1", "bad_answer"),
    ("survey-undeclared-code", dict(survey_data=(SURVEY_HEADERS, survey_with(6, 7, "9"))), "survey.csv", 8, "S1", "answer_out_of_scale"),
    ("survey-choice-off-options", dict(survey_data=(SURVEY_HEADERS, survey_with(2, 11, "3"))), "survey.csv", 4, "P1", "answer_out_of_scale"),
    ("survey-multi-code", dict(survey_data=(SURVEY_HEADERS, survey_with(7, 12, "1;9"))), "survey.csv", 9, "M1", "bad_multi"),
    ("survey-age-text", dict(survey_data=(SURVEY_HEADERS, survey_with(8, 3, "三十"))), "survey.csv", 10, "年龄", "bad_number"),
    ("codebook-role", dict(codebook_data=(CODEBOOK_HEADERS, codebook_with(0, 3, "评分"))), "codebook.csv", 2, "role", "bad_role"),
    ("codebook-dimension", dict(codebook_data=(CODEBOOK_HEADERS, codebook_with(1, 2, "经济"))), "codebook.csv", 3, "dimension", "bad_dimension"),
    ("codebook-scale", dict(codebook_data=(CODEBOOK_HEADERS, codebook_with(2, 4, "5"))), "codebook.csv", 4, "scale_min", "bad_scale"),
    ("codebook-options", dict(codebook_data=(CODEBOOK_HEADERS, codebook_with(5, 7, "集体经济;环境"))), "codebook.csv", 7, "options", "bad_options"),
    ("codebook-item-not-in-survey", dict(codebook_data=(CODEBOOK_HEADERS, codebook_rows() + [["S9", "x", "safety", "satisfaction", "1", "5", "", ""]])),
     "survey.csv", 1, "S9", "item_not_in_survey"),
    ("yaml-bad-code", dict(county_yaml="name: 测试县\ncode: Test County\n"), "county.yaml", 2, "code", "yaml_bad_value"),
    ("yaml-bad-share", dict(county_yaml=COUNTY_YAML.replace("0.6", "1.5")), "county.yaml", 5, "targets.share_3plus", "yaml_bad_value"),
    ("yaml-year-not-in-ledger", dict(county_yaml=COUNTY_YAML + "year: 2019\n"), "county.yaml", None, "year", "year_not_in_ledger"),
    ("gbk-bad-cell", dict(ledger=ledger_with(r7c6="可能吧"), encoding="gbk"), "ledger.csv", 9, "生态宜居星", "bad_status"),
    ("workbook-bad-cell", dict(ledger=ledger_with(r3c13="-2"), fmt="workbook"), "县级数据.xlsx[台账]", 5,
     "村集体经济收入（万元）", "negative_number"),
    ("excel-file-bad-year", dict(ledger=ledger_with(r2c4="2024年上半年"), fmt="xlsx-files"), "ledger.xlsx", 4, "年度", "bad_year"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_package_names_file_row_and_column(tmp_path, case):
    _, kwargs, file, row, column, code = case
    folder = make_package(tmp_path / "pkg", **kwargs)
    before = tree_digest(folder)
    report = validate_package(folder)
    assert tree_digest(folder) == before
    assert not report.valid
    hits = [p for p in report.errors if p.code == code]
    assert hits, [p.line("en") for p in report.errors]
    p = hits[0]
    assert (p.file, p.row, p.column) == (file, row, column), p.line("en")
    # the printed line names all three and carries what was expected and a fix
    line = p.line("zh")
    assert file in line and column in line and (row is None or f"第{row}行" in line)
    assert "应为" in line and "修改" in line
    en = p.line("en")
    assert "expected" in en and "Fix:" in en


def test_all_problems_in_one_pass(tmp_path):
    folder = make_package(
        tmp_path / "pkg",
        ledger=ledger_with(r0c3="街区", r1c13="abc", r2c6="也许"),
        survey_data=(SURVEY_HEADERS, survey_with(2, 2, "游客")),
        codebook_data=(CODEBOOK_HEADERS, codebook_with(0, 3, "评分")),
    )
    with pytest.raises(PackageInvalid) as exc:
        load_county(folder)
    codes = {p.code for p in exc.value.problems}
    # the survey cannot be checked against a broken codebook, but all else is reported
    assert {"bad_kind", "bad_number", "bad_status", "bad_role"} <= codes


def test_structural_problems(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    report = validate_package(empty)
    assert {p.code for p in report.errors} == {"county_yaml_missing", "ledger_missing"}
    assert validate_package(tmp_path / "nowhere").errors[0].code == "folder_missing"
    folder = make_package(tmp_path / "p")
    (folder / "codebook.csv").unlink()
    assert "survey_without_codebook" in {p.code for p in validate_package(folder).errors}


def test_yaml_syntax_error_names_the_line(tmp_path):
    folder = make_package(tmp_path / "p", county_yaml="name: 测试县\ncode: test\ntargets:\n  share_3plus 0.6\n  five_star: 2\n")
    p = validate_package(folder).errors[0]
    assert p.code == "yaml_syntax" and p.file == "county.yaml" and p.row in (4, 5)


def test_ragged_csv_row(tmp_path):
    folder = make_package(tmp_path / "p", survey=False)
    text = (folder / "ledger.csv").read_text(encoding="utf-8").splitlines()
    text[3] += ",多余,内容"
    (folder / "ledger.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    p = validate_package(folder).errors[0]
    assert (p.code, p.file, p.row) == ("ragged_row", "ledger.csv", 4)


def test_two_ledgers_are_ambiguous(tmp_path):
    folder = make_package(tmp_path / "p", survey=False)
    make_package(tmp_path / "q", survey=False, fmt="workbook")
    (folder / "县级数据.xlsx").write_bytes((tmp_path / "q" / "县级数据.xlsx").read_bytes())
    assert "ambiguous_file" in {p.code for p in validate_package(folder).errors}


def test_many_bad_rows_are_summarised(tmp_path):
    rows = ledger_rows() * 1
    big = []
    for i in range(60):
        r = list(rows[i % 4])
        r[0] = f"B{i}"
        r[4] = "2024"
        r[13] = "很多"
        big.append(r)
    report = validate_package(make_package(tmp_path / "p", ledger=big, survey=False))
    bad = [p for p in report.errors if p.code == "bad_number"]
    more = [p for p in report.errors if p.code == "more_rows"]
    assert len(bad) == 20 and more and more[0].params["count"] == 40


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_exit_2_one_line_per_problem_no_traceback(tmp_path):
    folder = make_package(tmp_path / "pkg", ledger=ledger_with(r0c3="街区", r1c13="abc"))
    res = _cli("validate", str(folder))
    assert res.returncode == 2
    assert "Traceback" not in res.stdout + res.stderr
    lines = [l for l in res.stdout.splitlines() if l.startswith("错误 ")]
    assert len(lines) == 2
    assert any("ledger.csv" in l and "第2行" in l and "类型" in l for l in lines)


def test_cli_json(tmp_path):
    good = _cli("validate", str(make_package(tmp_path / "good")), "--json")
    data = json.loads(good.stdout)
    assert good.returncode == 0 and data["valid"] is True
    assert data["branches"] == 4 and data["years"] == [2023, 2024] and data["respondents"] == 24
    bad = _cli("validate", str(make_package(tmp_path / "bad", ledger=ledger_with(r0c3="街区"))), "--json")
    data = json.loads(bad.stdout)
    assert bad.returncode == 2 and data["valid"] is False
    err = data["errors"][0]
    assert set(err) >= {"file", "row", "column", "message"}
    assert (err["file"], err["row"], err["column"]) == ("ledger.csv", 2, "类型")


def test_cli_english_messages(tmp_path):
    res = _cli("validate", str(make_package(tmp_path / "p", ledger=ledger_with(r0c3="街区"))), "--lang", "en")
    assert res.returncode == 2 and "ERROR ledger.csv, row 2, column 类型" in res.stdout


def test_cli_missing_folder_is_not_a_traceback(tmp_path):
    res = _cli("validate", str(tmp_path / "missing"))
    assert res.returncode == 2 and "Traceback" not in res.stderr


@pytest.mark.parametrize("kind", ["demo", "gbk-csv", "workbook-chinese"])
def test_cli_accepts_the_demo_a_gbk_package_and_a_chinese_workbook(tmp_path, kind, demo):
    folder = {"demo": lambda: demo,
              "gbk-csv": lambda: make_package(tmp_path / "gbk", encoding="gbk"),
              "workbook-chinese": lambda: make_package(tmp_path / "wb", fmt="workbook")}[kind]()
    res = _cli("validate", str(folder))
    assert res.returncode == 0, res.stdout
    assert res.stdout.startswith("数据包有效")
