"""Faults found by probing the loader as a hostile or careless user would: each test failed
before its fix."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import COUNTY_YAML, LEDGER_HEADERS, ledger_rows, make_package, write_xlsx

from fivestar_analysis import load_county, validate_package


def _ledger_with(row: int, col: int, value: str) -> list[list[str]]:
    rows = ledger_rows()
    rows[row][col] = value
    return rows


def _codes(folder) -> list[tuple]:
    return [(p.code, p.row, p.column) for p in validate_package(folder).errors]


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path):
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")) + "name: *i\ncode: bomb\n"
    folder = make_package(tmp_path / "p", county_yaml=bomb, survey=False)
    start = time.perf_counter()
    errors = validate_package(folder).errors
    assert time.perf_counter() - start < 2
    assert errors[0].code == "yaml_alias" and errors[0].file == "county.yaml"


def test_python_tags_and_huge_yaml_are_refused(tmp_path):
    folder = make_package(tmp_path / "p", survey=False,
                          county_yaml="name: !!python/object/apply:os.system ['true']\ncode: x\n")
    assert [p.code for p in validate_package(folder).errors] == ["yaml_syntax"]
    folder = make_package(tmp_path / "q", survey=False,
                          county_yaml=COUNTY_YAML + "# " + "x" * 400_000 + "\n")
    assert [p.code for p in validate_package(folder).errors] == ["yaml_too_large"]


def test_yaml_values_are_shown_as_written(tmp_path):
    folder = make_package(tmp_path / "p", survey=False,
                          county_yaml="name: 测试县\ncode: yes\nyear: '2024'\n")
    county = load_county(folder)
    assert county.meta.code == "yes" and county.year == 2024
    folder = make_package(tmp_path / "q", survey=False,
                          county_yaml="name: 测试县\ncode: Yes Please\nyear: 二〇二四\n")
    found = {p.column: p.found for p in validate_package(folder).errors}
    assert found == {"code": "Yes Please", "year": "二〇二四"}


@pytest.mark.parametrize("value,code", [("inf", "number_not_finite"), ("1e309", "number_not_finite"),
                                        ("1e308", "number_not_finite"), ("12,5", "bad_thousands"),
                                        ("1,2,3", "bad_thousands")])
def test_numbers_that_are_no_plausible_figure(tmp_path, value, code):
    folder = make_package(tmp_path / "p", ledger=_ledger_with(0, 13, value), survey=False)
    assert (code, 2, "村集体经济收入（万元）") in _codes(folder)


def test_thousands_separators_in_groups_of_three(tmp_path):
    folder = make_package(tmp_path / "p", ledger=_ledger_with(4, 13, "1,234.5"), survey=False)
    b = load_county(folder).branches_in(2024).set_index("branch_id")
    assert b.loc["V1", "collective_income_wan"] == 1234.5


def test_control_characters_are_removed_with_a_warning(tmp_path):
    rows = _ledger_with(4, 1, "甲\x00村\x1b[31m")
    folder = make_package(tmp_path / "p", ledger=rows, survey=False)
    county = load_county(folder)
    assert "甲村[31m" in set(county.branches["branch_name"])
    warn = [p for p in county.warnings if p.code == "control_characters"]
    assert warn and warn[0].row == 6 and warn[0].column == "村名"
    # and nothing raw reaches a terminal
    rows = _ledger_with(4, 3, "街\x1b[2J区")
    bad = make_package(tmp_path / "q", ledger=rows, survey=False)
    line = validate_package(bad).errors[0].line("en")
    assert "\x1b" not in line


def test_formula_cells_without_a_saved_value_are_named(tmp_path):
    from openpyxl import Workbook

    folder = make_package(tmp_path / "p", survey=False)
    (folder / "ledger.csv").unlink()
    wb = Workbook()
    ws = wb.active
    ws.append(LEDGER_HEADERS)
    from test_real_inputs import ledger_rows_numbers

    for r in ledger_rows_numbers():
        ws.append(r)
    ws["O2"] = "=1000+200"  # population written as a formula, never calculated
    wb.save(folder / "台账.xlsx")
    assert ("formula_without_value", 2, "人口") in _codes(folder)


def test_a_link_out_of_the_package_is_refused(tmp_path):
    folder = make_package(tmp_path / "p", survey=False)
    (folder / "ledger.csv").rename(tmp_path / "elsewhere.csv")
    os.symlink(tmp_path / "elsewhere.csv", folder / "ledger.csv")
    errors = validate_package(folder).errors
    assert [p.code for p in errors] == ["outside_package", "ledger_missing"] or \
        errors[0].code == "outside_package"
    assert errors[0].file == "ledger.csv"


def test_a_truncated_workbook_gives_one_error(tmp_path):
    folder = make_package(tmp_path / "p", survey=False, fmt="xlsx-files")
    data = (folder / "ledger.xlsx").read_bytes()
    (folder / "ledger.xlsx").write_bytes(data[: len(data) // 2])
    assert [p.code for p in validate_package(folder).errors] == ["bad_excel"]


def test_a_repeated_extra_column_keeps_both(tmp_path):
    headers = [*LEDGER_HEADERS, "备注", "备注"]
    rows = [r + ["甲", "乙"] for r in ledger_rows()]
    county = load_county(make_package(tmp_path / "p", ledger=rows, ledger_headers=headers,
                                      survey=False))
    assert {"备注", "备注（2）"} <= set(county.extra_columns)
    b = county.branches
    assert set(b["备注"]) == {"甲"} and set(b["备注（2）"]) == {"乙"}


def test_letters_stay_excel_letters_after_a_dropped_index_column(tmp_path):
    headers = ["序号", *LEDGER_HEADERS]
    rows = [[str(i + 1), *r] for i, r in enumerate(_ledger_with(3, 3, "街区"))]
    folder = make_package(tmp_path / "p", ledger=rows, ledger_headers=headers, survey=False)
    p = validate_package(folder).errors[0]
    assert (p.code, p.row, p.column, p.col_letter) == ("bad_kind", 5, "类型", "E")


def test_cli_prints_no_traceback_for_hostile_yaml(tmp_path):
    folder = make_package(tmp_path / "p", survey=False, county_yaml="name: [unclosed\n")
    res = subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", "validate", str(folder)],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr + res.stdout


def test_workbook_with_xlsx_helper_still_loads(tmp_path):
    folder = make_package(tmp_path / "p", survey=False)
    (folder / "ledger.csv").unlink()
    write_xlsx(folder / "x.xlsx", {"Sheet1": (LEDGER_HEADERS, ledger_rows())})
    assert validate_package(folder).valid
