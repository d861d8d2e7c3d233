"""Workbooks and SPSS files as grids: every sheet of an .xlsx (merged cells filled, hidden
sheets and formula cells without a saved value noted) or an old .xls, and an SPSS .sav with
its variable and value labels."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from fivestar_analysis.errors import DataProblem
from fivestar_analysis.load.reading import (
    DEFAULT_SHEET,
    Grid,
    TableUnreadable,
    _cell_text,
    _grid_frame,
)

__all__ = ["read_xlsx_grids", "read_xls_grids", "read_sav_grid"]

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xlsx_sheet_parts(path: Path) -> dict[str, tuple[str, bool]]:
    """Sheet name -> (its XML part in the zip, hidden?) for the worksheets of a workbook."""
    import posixpath
    import zipfile
    from xml.etree import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out: dict[str, tuple[str, bool]] = {}
    for sheet in book.iter(f"{ns_main}sheet"):
        target = targets.get(sheet.get(f"{ns_rel}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
        out[sheet.get("name")] = (part, sheet.get("state") in ("hidden", "veryHidden"))
    return out


def _sheet_xml(path: Path, part: str) -> bytes:
    """The XML of one worksheet part of a workbook (empty when it is missing)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        try:
            return z.read(part)
        except KeyError:
            return b""


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col), 1-based rows and 0-based columns."""
    out = []
    for m in _MERGE.finditer(xml):
        c1, r1 = _col_index(m.group(1)), int(m.group(2))
        c2, r2 = (_col_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
        out.append((r1, c1, r2, c2))
    return out


_SAVED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</")
_CELL_OPEN = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]+)(\d+)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*?\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.DOTALL)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")


def _formulas_without_value(xml: bytes, limit: int = 200) -> list[tuple[int, int]]:
    """Cells holding a formula whose result was never saved (a workbook written by a
    program and never opened in Excel): they read as empty."""
    out: list[tuple[int, int]] = []
    pos = xml.find(b"<f")
    while pos != -1 and len(out) < limit:
        if xml[pos + 2:pos + 3] in (b">", b" ", b"/"):
            start = xml.rfind(b"<c ", 0, pos)
            end = xml.find(b"</c>", pos)
            m = _CELL_OPEN.match(xml, start) if start != -1 else None
            if m and end != -1 and not _SAVED_VALUE.search(xml, pos, end):
                out.append((int(m.group(2)), _col_index(m.group(1))))
        pos = xml.find(b"<f", pos + 2)
    return out


def _error_cells(xml: bytes) -> list[tuple[int, int, str]]:
    """Cells whose saved value is an error (``#DIV/0!``, ``#N/A`` …): (row, col, text).
    Excel shows the error's text, and so does the grid (calamine reads them as blank)."""
    if b't="e"' not in xml:
        return []
    out = []
    for m in _ERROR_CELL.finditer(xml):
        ref, value = _CELL_REF.search(m.group(1)), _VALUE.search(m.group(2))
        if ref and value:
            out.append((int(ref.group(2)), _col_index(ref.group(1)),
                        value.group(1).decode("utf-8", "replace")))
    return out


def _fill_merged(cells: np.ndarray, ranges) -> set[int]:
    """Copy each merged range's value into every cell it covers; rows of horizontal merges."""
    horizontal: set[int] = set()
    n_rows, width = cells.shape
    for r1, c1, r2, c2 in ranges:
        if r1 - 1 >= n_rows or c1 >= width:
            continue
        cells[r1 - 1:min(r2, n_rows), c1:min(c2, width - 1) + 1] = cells[r1 - 1, c1]
        if c2 > c1:
            horizontal.add(r1)
    return horizontal


def _text_column(values: np.ndarray) -> np.ndarray:
    """Cell values (an object array) as text, each distinct value converted once (a survey
    column of a million answers holds a handful); values that compare equal give the same
    text (``1``, ``1.0`` and ``True`` are all ``"1"``)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    text = np.array([_cell_text(v) for v in uniques] or [""], dtype=object)
    return text[codes]


def _text_cells(rows: list[list[object]] | list[tuple]) -> np.ndarray:
    """A 2-D array of text ("" for blank) from rows of cell values of any length."""
    width = max((len(r) for r in rows), default=0)
    cells = np.full((len(rows), width), None, dtype=object)
    for i, row in enumerate(rows):
        cells[i, :len(row)] = row
    for j in range(width):
        cells[:, j] = _text_column(cells[:, j])
    return cells


def _trimmed(cells: np.ndarray) -> np.ndarray:
    """Without the blank rows and columns after the last cell holding text: a sheet's
    recorded size also counts cells that are only formatted."""
    filled = cells != ""
    rows = np.flatnonzero(filled.any(axis=1))
    cols = np.flatnonzero(filled.any(axis=0))
    if not rows.size:
        return cells[:0, :0]
    return cells[:rows[-1] + 1, :cols[-1] + 1]


def _xlsx_grid(path: Path, sheet: str, rows, part: str, hidden: bool, single: bool) -> Grid:
    """One worksheet's grid from its cell values (either reader) and its XML part."""
    cells = _text_cells(rows)
    xml = _sheet_xml(path, part) if part else b""
    for r, c, text in _error_cells(xml):
        if r - 1 < cells.shape[0] and c < cells.shape[1]:
            cells[r - 1, c] = text
    merged = _fill_merged(cells, _merged_ranges(xml))
    frame, controls = _grid_frame(pd.DataFrame(_trimmed(cells)))
    return Grid(file=path.name if single else f"{path.name}[{sheet}]", path=path,
                sheet=sheet, control_cells=controls,
                formula_cells=_formulas_without_value(xml) if xml else [], cells=frame,
                hidden=hidden, merged_rows=merged,
                default_name=bool(DEFAULT_SHEET.match(sheet.strip())))


def _bad_excel(path: Path, exc: BaseException) -> TableUnreadable:
    return TableUnreadable(DataProblem("bad_excel", file=path.name,
                                       params={"reason": type(exc).__name__}))


def read_xlsx_grids(path: Path, engine: str = "calamine") -> list[Grid]:
    """Every worksheet of an .xlsx workbook (chart sheets have no cells and are left out).

    ``engine="calamine"`` (python-calamine, a Rust reader: about 10x faster than openpyxl
    on a survey export, see docs/benchmarks.md) reads the cell values; openpyxl is used
    when calamine is not installed or cannot open the file, and gives the same grids.
    Merged ranges, hidden sheets, error values and formulas without a saved result are
    read from the sheet's XML either way.
    """
    try:
        parts = _xlsx_sheet_parts(path)
    except Exception as exc:  # zip errors, encrypted files, .xls renamed to .xlsx …
        raise _bad_excel(path, exc) from None
    if engine == "calamine":
        try:
            return _read_xlsx_calamine(path, parts)
        except Exception:  # noqa: BLE001,S110 - not installed, or cannot read it: openpyxl may
            pass
    return _read_xlsx_openpyxl(path, parts)


def _read_xlsx_calamine(path: Path, parts: dict[str, tuple[str, bool]]) -> list[Grid]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    book = CalamineWorkbook.from_path(str(path))
    try:
        sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        single = len(book.sheets_metadata) == 1
        grids = []
        for meta in sheets:
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            part, hidden = parts.get(meta.name, ("", False))
            grids.append(_xlsx_grid(path, meta.name, rows, part, hidden, single))
        return grids
    finally:
        book.close()


def _read_xlsx_openpyxl(path: Path, parts: dict[str, tuple[str, bool]]) -> list[Grid]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise _bad_excel(path, exc) from None
    grids = []
    single = len(wb.worksheets) == 1
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue
            rows = list(ws.iter_rows(min_row=1, values_only=True))
            part, hidden = parts.get(ws.title, ("", False))
            grids.append(_xlsx_grid(path, ws.title, rows, part, hidden, single))
    finally:
        wb.close()
    return grids


def read_xls_grids(path: Path) -> list[Grid]:
    """Every sheet of an old-style .xls workbook (Excel 97-2003), merged cells filled;
    error cells read as the error's text, as in an .xlsx."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:
        raise _bad_excel(path, exc) from None
    grids = []
    single = book.nsheets == 1
    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            rows = [_xls_row(book, sh.row_types(r), sh.row_values(r)) for r in range(sh.nrows)]
            cells = _text_cells(rows)
            ranges = [(r1 + 1, c1, r2, c2 - 1) for r1, r2, c1, c2 in sh.merged_cells]
            merged = _fill_merged(cells, ranges)
            frame, controls = _grid_frame(pd.DataFrame(_trimmed(cells)))
            grids.append(Grid(file=path.name if single else f"{path.name}[{sh.name}]",
                              path=path, sheet=sh.name, control_cells=controls,
                              cells=frame, hidden=sh.visibility != 0,
                              merged_rows=merged,
                              default_name=bool(DEFAULT_SHEET.match(sh.name.strip()))))
    finally:
        book.release_resources()
    return grids


def _xls_row(book, types, values) -> list[object]:
    """One .xls row's values: numbers and text as stored, dates as datetimes, booleans,
    error codes as their text, blanks as None (only the few special cells are touched)."""
    import xlrd

    row = list(values)
    for c, kind in enumerate(types):
        if kind in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_TEXT):
            continue
        if kind == xlrd.XL_CELL_DATE:
            row[c] = xlrd.xldate.xldate_as_datetime(row[c], book.datemode)
        elif kind == xlrd.XL_CELL_BOOLEAN:
            row[c] = bool(row[c])
        elif kind == xlrd.XL_CELL_ERROR:
            row[c] = xlrd.error_text_from_code.get(row[c])
        else:
            row[c] = None
    return row


def read_sav_grid(path: Path) -> Grid:
    """An SPSS .sav file: the header row is the variable names, then one row per case.

    Value labels and variable labels travel with the grid; they serve as the codebook's
    ``options`` and ``text`` where the codebook does not say otherwise.
    """
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False,
                                          user_missing=False)
    except Exception as exc:
        raise TableUnreadable(DataProblem("bad_sav", file=path.name,
                                          params={"reason": type(exc).__name__})) from None
    header = np.array(list(frame.columns), dtype=object)[None, :]
    texts = np.empty(frame.shape, dtype=object)
    for j, col in enumerate(frame.columns):
        texts[:, j] = _text_column(frame[col].to_numpy(dtype=object))
    rows = pd.DataFrame(np.vstack([header, texts]) if len(frame) else header)
    labels = {}
    for var, mapping in (meta.variable_value_labels or {}).items():
        labels[var] = {_cell_text(k): str(v) for k, v in mapping.items()}
    var_labels = {v: str(lab) for v, lab in zip(meta.column_names, meta.column_labels or [])
                  if lab}
    cells, controls = _grid_frame(rows)
    return Grid(file=path.name, path=path, cells=cells, value_labels=labels,
                variable_labels=var_labels, control_cells=controls)


