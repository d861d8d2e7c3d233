"""Files as offices and survey platforms really produce them load exactly as the canonical
shape does: clerk workbooks, township-by-township ledgers, online-survey exports."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_package, tree_digest
from messy_fixtures import (
    AUDITOR,
    CLERK,
    CLERK_PHONE,
    IP,
    canonical_respondent_ids,
    clerk_workbook_package,
    platform_package,
    township_sheets_package,
    township_split_package,
)

from fivestar_analysis import load_county, validate_package

BRANCH_COLUMNS = ["branch_id", "branch_name", "township", "kind", "year", "level",
                  "level_planned", "collective_income_wan", "population", "households",
                  "party_members", "secretary_age", "secretary_rating", "weak_lax"]
ITEMS = ["S1", "S2", "I1", "K1", "P1", "M1", "T1"]


@pytest.fixture(scope="module")
def canonical(tmp_path_factory):
    return load_county(make_package(tmp_path_factory.mktemp("canon") / "pkg"))


def _branches(county) -> pd.DataFrame:
    return county.branches[BRANCH_COLUMNS].sort_values(["year", "branch_id"]).reset_index(
        drop=True)


def _stars(county) -> pd.DataFrame:
    return county.stars.sort_values(["year", "branch_id", "star"]).reset_index(drop=True)


def _same_ledger(county, canonical) -> None:
    pd.testing.assert_frame_equal(_branches(county), _branches(canonical))
    pd.testing.assert_frame_equal(_stars(county), _stars(canonical))


def _notes(county) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in county.notes:
        out.setdefault(p.code, []).append(p)
    return out


@pytest.mark.parametrize("build", [clerk_workbook_package, township_split_package,
                                   township_sheets_package],
                         ids=["clerk-workbook", "workbook-per-township", "sheet-per-township"])
def test_clerk_shapes_give_the_canonical_ledger(tmp_path, canonical, build):
    folder = build(tmp_path / "pkg")
    before = tree_digest(folder)
    county = load_county(folder)
    assert tree_digest(folder) == before, "input files are never modified"
    _same_ledger(county, canonical)
    assert county.warnings == canonical.warnings
    text = " ".join(p.message("zh") + p.message("en") for p in county.notes)
    for secret in (CLERK, CLERK_PHONE, AUDITOR, "东镇小计"):
        assert secret not in text, "skipped rows are named by number, never quoted"


def test_clerk_workbook_notes_say_what_was_skipped(tmp_path):
    county = load_county(clerk_workbook_package(tmp_path / "pkg"))
    notes = _notes(county)
    sheet = "示范台账.xlsx[2024年度]"
    header = [p for p in notes["header_rows"] if p.file == sheet][0]
    assert header.params["rows"] == "3–4"
    totals = [p for p in notes["skipped_total"] if p.file == sheet][0]
    # 2024: 东镇 rows 5-6, 小计 7, blank 8, repeated header 9, 南乡 10, 小计 11, 西街道 12,
    # 小计 13, 合计 14, blank 15, footer 16-18
    assert totals.params["rows"] == "7、11、13、14"
    assert [p for p in notes["skipped_blank"] if p.file == sheet][0].params["rows"] == "8、15"
    assert [p for p in notes["skipped_repeated_header"]
            if p.file == sheet][0].params["rows"] == "9"
    assert [p for p in notes["skipped_footer"] if p.file == sheet][0].params["rows"] == "16、17、18"
    assert {p.file for p in notes["year_from_name"]} == {"示范台账.xlsx[2023年度]", sheet}
    assert any(p.found == "序号" for p in notes["index_column_dropped"])
    assert "示范台账.xlsx[说明]" in {p.file for p in notes["table_not_recognised"]}


def test_split_ledger_townships_come_from_file_names(tmp_path):
    county = load_county(township_split_package(tmp_path / "pkg"))
    towns = {p.file: p.params["township"] for p in _notes(county)["township_from_name"]}
    assert towns == {"台账/东镇台账.xlsx": "东镇", "台账/南乡台账.xlsx": "南乡",
                     "台账/西街道台账.xlsx": "西街道"} or set(towns.values()) == {
        "东镇", "南乡", "西街道"}


def test_split_gbk_csvs_per_township(tmp_path, canonical):
    _same_ledger(load_county(township_split_package(tmp_path / "pkg", fmt="csv")), canonical)


def test_a_branch_in_two_township_files_is_an_error_naming_both(tmp_path):
    folder = township_split_package(tmp_path / "pkg", fmt="csv")
    extra = (folder / "台账" / "东镇.csv").read_bytes().decode("gbk").splitlines()
    south = (folder / "台账" / "南乡.csv").read_bytes().decode("gbk").splitlines()
    (folder / "台账" / "南乡.csv").write_bytes(
        "\n".join(south + [extra[1]]).encode("gbk") + b"\n")
    errors = validate_package(folder).errors
    dup = [p for p in errors if p.code == "duplicate_across_files"]
    assert dup and dup[0].file.endswith("南乡.csv") and dup[0].row == 4
    assert "东镇.csv" in dup[0].message("zh")


def test_two_copies_of_one_ledger_are_ambiguous(tmp_path):
    folder = make_package(tmp_path / "p", survey=False)
    clerk_workbook_package(tmp_path / "q")
    (folder / "副本.xlsx").write_bytes((tmp_path / "q" / "示范台账.xlsx").read_bytes())
    codes = {p.code for p in validate_package(folder).errors}
    assert "ambiguous_file" in codes


def test_an_empty_ledger_is_reported_as_empty(tmp_path):
    folder = make_package(tmp_path / "p", ledger=[], survey=False)
    errors = validate_package(folder).errors
    assert [p.code for p in errors] == ["ledger_empty"]
    assert errors[0].file == "ledger.csv"


# -- survey exports --------------------------------------------------------------------------

def _survey(county) -> pd.DataFrame:
    s = county.survey.copy()
    ids = canonical_respondent_ids()
    s["respondent_id"] = s["respondent_id"].map(lambda v: ids.get(v, v))
    return s.sort_values("respondent_id").reset_index(drop=True)


@pytest.mark.parametrize("options", [dict(), dict(spread_multi=True), dict(by_text=True),
                                     dict(fmt="csv")],
                         ids=["joined-multi", "spread-multi", "matched-by-text", "gbk-csv"])
def test_platform_export_gives_the_canonical_survey(tmp_path, canonical, options):
    county = load_county(platform_package(tmp_path / "pkg", **options))
    got, want = _survey(county), _survey(canonical)
    for item in ITEMS:
        pd.testing.assert_series_equal(got[item], want[item], check_names=False,
                                       obj=f"item {item}")
    assert list(got["group"].astype(str)) == list(want["group"].astype(str))
    assert list(got["branch_id"]) == list(want["branch_id"])
    assert list(got["age"]) == list(want["age"])
    removed = set(county.removed_identifying_columns)
    assert {"来自IP", "姓名", "手机号"} <= removed
    assert not any(IP in str(v) for v in county.survey.astype(str).to_numpy().ravel())
    notes = _notes(county)
    assert "platform_columns" in notes and "提交答卷时间" in notes["platform_columns"][0].params[
        "columns"]


def test_fast_questionnaires_are_flagged_not_dropped(tmp_path):
    folder = platform_package(tmp_path / "pkg")
    county = load_county(folder)
    fast = [p for p in county.warnings if p.code == "too_fast"]
    # time taken is 30 + 17 i seconds: respondents 0 and 1 are under 60 s
    assert fast and fast[0].params["count"] == 2 and fast[0].row == 2
    assert len(county.survey) == 24
    (folder / "county.yaml").write_text((folder / "county.yaml").read_text(encoding="utf-8")
                                        + "survey:\n  min_seconds: 10\n", encoding="utf-8")
    assert not [p for p in load_county(folder).warnings if p.code == "too_fast"]


def test_an_unknown_word_names_file_row_and_column(tmp_path):
    from conftest import CODEBOOK_HEADERS, write_csv
    from messy_fixtures import platform_export

    folder = platform_package(tmp_path / "pkg", fmt="csv")
    headers, rows, book = platform_export()
    rows[3][12] = "还凑合吧"
    write_csv(folder / "问卷导出.csv", headers, rows, encoding="gbk")
    errors = validate_package(folder).errors
    assert [(p.code, p.file, p.row, p.column) for p in errors] == [
        ("bad_answer", "问卷导出.csv", 5, "5、您对村里产业发展满意吗？")]
    assert CODEBOOK_HEADERS  # the codebook stays as written


def test_declared_missing_codes(tmp_path):
    from conftest import CODEBOOK_HEADERS, SURVEY_HEADERS, codebook_rows, survey_rows

    rows = survey_rows()
    rows[2][7] = "9"
    rows[3][8] = "8"
    book = [r + ["9;8" if r[0] in ("S1", "S2") else ""] for r in codebook_rows()]
    folder = make_package(tmp_path / "p", survey_data=(SURVEY_HEADERS, rows),
                          codebook_data=([*CODEBOOK_HEADERS, "missing"], book))
    county = load_county(folder)
    note = [p for p in county.notes if p.code == "declared_missing"][0]
    assert note.params["count"] == 2
    assert county.survey.loc[2, "S1"] == 9  # kept as the code; the scoring treats it as missing
    from fivestar_analysis.analysis.survey import item_quality

    q = item_quality(county).set_index("item")
    assert q.loc["S1", "n_dont_know"] == 1 and q.loc["S2", "n_dont_know"] == 1
    # a survey-wide default in county.yaml does the same
    book = [r + [""] for r in codebook_rows()]
    folder2 = make_package(tmp_path / "q", survey_data=(SURVEY_HEADERS, rows),
                           codebook_data=([*CODEBOOK_HEADERS, "missing"], book),
                           county_yaml="name: 测试县\ncode: test\nsurvey:\n  missing: [8, 9]\n")
    assert validate_package(folder2).valid
    # undeclared, the same codes are refused with file, row and column
    folder3 = make_package(tmp_path / "r", survey_data=(SURVEY_HEADERS, rows))
    errs = [(p.code, p.row, p.column, p.found) for p in validate_package(folder3).errors]
    assert errs == [("answer_out_of_scale", 4, "S1", "9"), ("answer_out_of_scale", 5, "S2", "8")]


def test_hidden_and_chart_sheets(tmp_path):
    from conftest import LEDGER_HEADERS
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    folder = make_package(tmp_path / "p")
    (folder / "ledger.csv").unlink()
    wb = Workbook()
    ws = wb.active
    ws.title = "ledger"
    ws.append(LEDGER_HEADERS)
    for r in ledger_rows_numbers():
        ws.append(r)
    empty_hidden = wb.create_sheet("旧表")
    empty_hidden.sheet_state = "hidden"
    chart = wb.create_chartsheet("图表")
    bar = BarChart()
    bar.add_data(Reference(ws, min_col=14, min_row=1, max_row=9), titles_from_data=True)
    chart.add_chart(bar)
    wb.save(folder / "县台账.xlsx")
    county = load_county(folder)
    assert len(county.branches) == 8
    assert not [p for p in county.notes if "旧表" in p.file or "图表" in p.file]
    # a hidden stale copy of the ledger is not silently read in place of the visible one
    stale = wb.create_sheet("台账")
    stale.sheet_state = "hidden"
    stale.append(LEDGER_HEADERS)
    for r in ledger_rows_numbers()[:4]:
        stale.append(r)
    wb.save(folder / "县台账.xlsx")
    errors = validate_package(folder).errors
    assert [p.code for p in errors] == ["ambiguous_file"]
    assert "县台账.xlsx[台账]" in errors[0].message("zh") and "县台账.xlsx[ledger]" in errors[0].message("zh")


def ledger_rows_numbers():
    from conftest import _excel_value, ledger_rows

    return [[_excel_value(v) for v in r] for r in ledger_rows()]
