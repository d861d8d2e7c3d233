"""The workbook readers: calamine (the default for .xlsx) and openpyxl give the same grids,
error values read as Excel shows them, and cells become text column by column."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_package
from messy_fixtures import (
    clerk_workbook_package,
    platform_package,
    township_sheets_package,
    township_split_package,
)

from fivestar_analysis import load_county
from fivestar_analysis.load.reading import _cell_text
from fivestar_analysis.load.workbooks import _text_column, read_sav_grid, read_xlsx_grids

pytest.importorskip("python_calamine")


def _same_grids(path: Path) -> list:
    fast = read_xlsx_grids(path)
    slow = read_xlsx_grids(path, engine="openpyxl")
    assert [g.file for g in fast] == [g.file for g in slow]
    for a, b in zip(fast, slow):
        pd.testing.assert_frame_equal(a.cells, b.cells, check_exact=True)
        assert (a.sheet, a.hidden, a.merged_rows, a.default_name, a.formula_cells,
                a.control_cells) == (b.sheet, b.hidden, b.merged_rows, b.default_name,
                                     b.formula_cells, b.control_cells)
    return fast


@pytest.mark.parametrize("build", [clerk_workbook_package, township_sheets_package,
                                   township_split_package, platform_package])
def test_calamine_and_openpyxl_read_the_messy_workbooks_alike(tmp_path, build):
    folder = build(tmp_path / "pkg")
    books = sorted(folder.rglob("*.xlsx"))
    assert books
    for book in books:
        assert _same_grids(book)


def _tricky_workbook(path: Path) -> Path:
    """Leading blank rows and columns, numbers, dates, times, booleans, merged title,
    control characters, a formatted-only cell past the data, a hidden sheet, a formula
    whose result was never saved, and an error value written into the sheet XML."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.merge_cells("B2:F2")
    ws["B2"] = "测试县台账"
    for c, h in enumerate(["编码", "数", "日期", "真假", "时刻"], start=2):
        ws.cell(row=3, column=c, value=h)
    ws.append([None, "A-1", 1, dt.datetime(2024, 1, 2), True, dt.time(12, 30)])
    ws.append([None, "A-2", 0.1, dt.datetime(2024, 1, 2, 3, 4, 5), False, None])
    ws.append([None, "A\x7f-3", 2.5e20, None, None, None])
    ws["H5"] = "=1/0"
    ws["L20"].number_format = "0.00"  # formatted, never filled
    hidden = wb.create_sheet("旧表")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "旧"
    wb.save(path)
    _save_error_result(path, "H5")
    return path


def _save_error_result(path: Path, ref: str) -> None:
    """Give the formula cell ``ref`` of the first sheet the result Excel saves for 1/0:
    ``<c t="e"><f>1/0</f><v>#DIV/0!</v></c>`` (openpyxl writes formulas without results)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(f'<c r="{ref}"'.encode())
                end = data.index(b"</c>", start) + 4
                data = data[:start] + (f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
                                       .encode()) + data[end:]
            zout.writestr(info, data)
    tmp.replace(path)


def test_tricky_cells_read_alike_and_as_a_reader_sees_them(tmp_path):
    grids = _same_grids(_tricky_workbook(tmp_path / "t.xlsx"))
    g = grids[0]
    assert g.file == "t.xlsx[Sheet1]" and grids[1].hidden
    cells = g.cells
    assert list(cells.loc[2, 1:5]) == ["测试县台账"] * 5 and 2 in g.merged_rows
    assert list(cells.loc[4, 1:5]) == ["A-1", "1", "2024-01-02", "1", "12:30:00"]
    assert list(cells.loc[5, 1:5]) == ["A-2", "0.1", "2024-01-02T03:04:05", "0", ""]
    assert cells.loc[6, 1] == "A-3" and (6, 1) in g.control_cells
    assert cells.loc[6, 2] == "250000000000000000000"
    assert cells.loc[5, 7] == "#DIV/0!"  # Excel shows the error, and so does the grid
    # blank rows and columns after the data are not part of the grid
    assert cells.shape == (6, 8) and list(cells.index) == [1, 2, 3, 4, 5, 6]


def test_an_error_value_is_refused_with_its_text(tmp_path):
    """A #DIV/0! in a number column is quoted in the message, not read as blank."""
    from openpyxl import load_workbook

    folder = make_package(tmp_path / "p", fmt="xlsx-files")
    path = folder / "ledger.xlsx"
    wb = load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[1]].index("村集体经济收入（万元）") + 1
    ref = ws.cell(row=3, column=col).coordinate
    ws[ref] = "=1/0"
    wb.save(path)
    _save_error_result(path, ref)
    from fivestar_analysis import validate_package

    errors = validate_package(folder).errors
    assert any(p.row == 3 and p.found == "#DIV/0!" for p in errors), \
        [(p.code, p.row, p.found) for p in errors]


def test_a_workbook_calamine_cannot_open_is_read_by_openpyxl(tmp_path, monkeypatch):
    import python_calamine

    folder = make_package(tmp_path / "p", fmt="xlsx-files")
    want = load_county(folder).branches

    def broken(*args, **kwargs):
        raise RuntimeError("calamine cannot read this")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", broken)
    pd.testing.assert_frame_equal(load_county(folder).branches, want)


def test_text_column_converts_each_distinct_value_as_cell_text_does():
    values = np.array([1.0, 1, True, 0.0, False, -0.0, 0.1, None, np.nan, "x", " y",
                       dt.date(2024, 1, 2), dt.datetime(2024, 1, 2), pd.NaT,
                       pd.Timestamp("2024-01-02 03:04"), 1e20, 2.5], dtype=object)
    got = list(_text_column(values))
    assert got == [_cell_text(v) for v in values]
    assert got[:9] == ["1", "1", "1", "0", "0", "0", "0.1", "", ""]
    assert got[11:14] == ["2024-01-02", "2024-01-02", ""]


def test_sav_cells_are_text_column_by_column(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({"id": ["a", "b", "c"], "q1": [1.0, np.nan, 5.0],
                          "q2": [0.5, 2.0, 3.0]})
    pyreadstat.write_sav(frame, str(tmp_path / "s.sav"),
                         variable_value_labels={"q1": {1.0: "很不满意", 5.0: "很满意"}})
    g = read_sav_grid(tmp_path / "s.sav")
    assert g.cells.values.tolist() == [["id", "q1", "q2"], ["a", "1", "0.5"],
                                       ["b", "", "2"], ["c", "5", "3"]]
    assert g.value_labels["q1"] == {"1": "很不满意", "5": "很满意"}
