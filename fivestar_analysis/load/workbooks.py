"""Workbooks and SPSS files as grids: every sheet of an .xlsx (merged cells filled, hidden
sheets and formula cells without a saved value noted) or an old .xls, and an SPSS .sav with
its variable and value labels."""

from __future__ import annotations

import re
from pathlib import Path

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


def _merged_ranges(path: Path, part: str) -> list[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col), 1-based rows and 0-based columns."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        try:
            xml = z.read(part)
        except KeyError:
            return []
    out = []
    for m in _MERGE.finditer(xml):
        c1, r1 = _col_index(m.group(1)), int(m.group(2))
        c2, r2 = (_col_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
        out.append((r1, c1, r2, c2))
    return out


_SAVED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</")
_CELL_OPEN = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]+)(\d+)"')


def _formulas_without_value(path: Path, part: str, limit: int = 200) -> list[tuple[int, int]]:
    """Cells holding a formula whose result was never saved (a workbook written by a
    program and never opened in Excel): openpyxl reads them as empty."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        try:
            xml = z.read(part)
        except KeyError:
            return []
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


def _fill_merged(rows: list[list[str]], ranges, width: int) -> set[int]:
    """Copy each merged range's value into every cell it covers; rows of horizontal merges."""
    horizontal: set[int] = set()
    for r1, c1, r2, c2 in ranges:
        if r1 - 1 >= len(rows) or c1 >= width:
            continue
        value = rows[r1 - 1][c1]
        for r in range(r1, min(r2, len(rows)) + 1):
            for c in range(c1, min(c2, width - 1) + 1):
                rows[r - 1][c] = value
        if c2 > c1:
            horizontal.add(r1)
    return horizontal


def read_xlsx_grids(path: Path) -> list[Grid]:
    """Every worksheet of an .xlsx workbook (chart sheets have no cells and are left out)."""
    from openpyxl import load_workbook

    try:
        parts = _xlsx_sheet_parts(path)
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip errors, encrypted files, .xls renamed to .xlsx …
        raise TableUnreadable(DataProblem("bad_excel", file=path.name,
                                          params={"reason": type(exc).__name__})) from None
    grids = []
    single = len(wb.worksheets) == 1
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue
            rows = [[_cell_text(v) for v in row] for row in
                    ws.iter_rows(min_row=1, values_only=True)]
            width = max((len(r) for r in rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            part, hidden = parts.get(ws.title, ("", False))
            merged = _fill_merged(rows, _merged_ranges(path, part), width) if part else set()
            cells, controls = _grid_frame(rows)
            grids.append(Grid(file=path.name if single else f"{path.name}[{ws.title}]",
                              path=path, sheet=ws.title, control_cells=controls,
                              formula_cells=_formulas_without_value(path, part) if part else [],
                              cells=cells, hidden=hidden, merged_rows=merged,
                              default_name=bool(DEFAULT_SHEET.match(ws.title.strip()))))
    finally:
        wb.close()
    return grids


def read_xls_grids(path: Path) -> list[Grid]:
    """Every sheet of an old-style .xls workbook (Excel 97-2003), merged cells filled."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:
        raise TableUnreadable(DataProblem("bad_excel", file=path.name,
                                          params={"reason": type(exc).__name__})) from None
    grids = []
    single = book.nsheets == 1
    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            rows = []
            for r in range(sh.nrows):
                row = []
                for c in range(sh.ncols):
                    cell = sh.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        value = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        value = bool(cell.value)
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        value = None
                    else:
                        value = cell.value
                    row.append(_cell_text(value))
                rows.append(row)
            ranges = [(r1 + 1, c1, r2, c2 - 1) for r1, r2, c1, c2 in sh.merged_cells]
            merged = _fill_merged(rows, ranges, sh.ncols)
            cells, controls = _grid_frame(rows)
            grids.append(Grid(file=path.name if single else f"{path.name}[{sh.name}]",
                              path=path, sheet=sh.name, control_cells=controls,
                              cells=cells, hidden=sh.visibility != 0,
                              merged_rows=merged,
                              default_name=bool(DEFAULT_SHEET.match(sh.name.strip()))))
    finally:
        book.release_resources()
    return grids


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
    cells = frame.map(_cell_text) if hasattr(frame, "map") else frame.applymap(_cell_text)
    header = pd.DataFrame([list(frame.columns)], columns=frame.columns)
    rows = pd.concat([header, cells], ignore_index=True)
    labels = {}
    for var, mapping in (meta.variable_value_labels or {}).items():
        labels[var] = {_cell_text(k): str(v) for k, v in mapping.items()}
    var_labels = {v: str(lab) for v, lab in zip(meta.column_names, meta.column_labels or [])
                  if lab}
    cells, controls = _grid_frame(rows)
    return Grid(file=path.name, path=path, cells=cells, value_labels=labels,
                variable_labels=var_labels, control_cells=controls)


