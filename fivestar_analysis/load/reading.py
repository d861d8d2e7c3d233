"""Reading a user's table (CSV in any common Chinese encoding, or an Excel sheet) as text.

Every cell comes back as a string ("" for blank) so that validation can quote exactly what
the user typed; the row number a spreadsheet shows is kept for each record (header = 1).
Files are opened read-only and never written.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fivestar_analysis.errors import DataProblem, FivestarError, InvalidArgument

__all__ = [
    "RawTable",
    "Grid",
    "TableUnreadable",
    "decode_bytes",
    "read_csv_table",
    "read_excel_sheet",
    "read_grids",
    "DEFAULT_SHEET",
]


class TableUnreadable(FivestarError):
    """A file could not be read at all; carries the problem to report."""

    def __init__(self, problem: DataProblem):
        super().__init__(problem.line("en"))
        self.problem = problem


@dataclass
class RawTable:
    """A table as the user wrote it.

    ``frame`` has one column per header position (named 0, 1, …) holding strings, and an
    index of spreadsheet row numbers. ``headers`` are the header cells as written.
    """

    file: str
    headers: list[str]
    frame: pd.DataFrame
    encoding: str | None = None
    #: SPSS value labels by header: {"q1": {"1": "非常满意", …}}, and variable labels
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)


def decode_bytes(data: bytes, file: str) -> tuple[str, str]:
    """Decode a text file, detecting UTF-8 (with or without BOM), UTF-16 and GBK/GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:  # a last, statistical guess for anything else (Big5, …)
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding:
            return str(best), best.encoding
    except Exception:  # pragma: no cover - the detector itself failed
        pass
    raise TableUnreadable(DataProblem("unreadable_encoding", file=file))


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _strip(cells: pd.Series) -> pd.Series:
    """``cells.str.strip()``, stripping each distinct text once (columns repeat a lot)."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    distinct = pd.Series(uniques, dtype=cells.dtype).str.strip().to_numpy(dtype=object)
    return pd.Series(distinct[codes], index=cells.index, name=cells.name, dtype=cells.dtype)


def _finish(file: str, rows: pd.DataFrame, encoding: str | None) -> RawTable:
    """Split off the header row, number rows as a spreadsheet does, drop blank records."""
    if rows.empty:
        raise TableUnreadable(DataProblem("empty_file", file=file))
    rows = rows.fillna("").astype(str)
    headers = [h.strip() for h in rows.iloc[0].tolist()]
    body = rows.iloc[1:]
    body.index = np.arange(2, len(body) + 2)
    # trailing columns with neither a header nor any value are Excel/CSV noise
    while headers and headers[-1] == "" and (body.shape[1] == 0 or
                                              (body.iloc[:, len(headers) - 1].str.strip() == "").all()):
        headers.pop()
        body = body.iloc[:, : len(headers)]
    body = body.iloc[:, : len(headers)]
    body.columns = range(len(headers))
    if len(headers) == 0:
        raise TableUnreadable(DataProblem("empty_file", file=file))
    stripped = pd.DataFrame({k: _strip(body[k]) for k in body.columns}, index=body.index,
                            columns=body.columns)
    blank = (stripped == "").all(axis=1)
    return RawTable(file=file, headers=headers, frame=stripped[~blank], encoding=encoding)


def read_csv_table(path: Path, file: str | None = None) -> RawTable:
    """Read a CSV (comma, tab or semicolon separated) in any supported encoding."""
    file = file or path.name
    data = path.read_bytes()
    text, enc = decode_bytes(data, file)
    delimiter = _sniff_delimiter(text)
    # UTF-8 goes to the parser as the bytes read (no round trip through a str buffer)
    source = (io.BytesIO(data[len(codecs.BOM_UTF8):] if enc == "utf-8-sig" else data)
              if enc in ("utf-8", "utf-8-sig") else io.StringIO(text))
    try:
        rows = pd.read_csv(source, sep=delimiter, header=None, dtype=str, encoding="utf-8",
                           keep_default_na=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError:
        rows = _ragged(text, delimiter, file)
    except pd.errors.EmptyDataError:
        raise TableUnreadable(DataProblem("empty_file", file=file)) from None
    return _finish(file, rows, enc)


def _ragged(text: str, delimiter: str, file: str) -> pd.DataFrame:
    """Find the records with more cells than the header, to report them by row."""
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = len(records[0]) if records else 0
    bad = [i + 1 for i, r in enumerate(records) if len(r) > width and any(c.strip() for c in r[width:])]
    if bad:
        first = bad[0]
        from fivestar_analysis.errors import column_letter

        raise TableUnreadable(DataProblem(
            "ragged_row", file=file, row=first, column=column_letter(width),
            col_letter=column_letter(width),
            found=str(len(records[first - 1])),
            params={"width": width, "rows": ", ".join(map(str, bad[:10])) + (" …" if len(bad) > 10 else "")},
        ))
    return pd.DataFrame([r[:width] + [""] * (width - len(r)) for r in records])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def read_excel_sheet(path: Path, sheet: str | int, file: str | None = None) -> RawTable:
    """Read one sheet of an .xlsx workbook as text."""
    file = file or (f"{path.name}[{sheet}]" if isinstance(sheet, str) else path.name)
    rows = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
    rows = rows.map(_cell_text) if hasattr(rows, "map") else rows.applymap(_cell_text)
    return _finish(file, rows, None)


def excel_sheet_names(path: Path, file: str | None = None) -> list[str]:
    """Sheet names of a workbook, or a problem if it is not a readable .xlsx file."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as exc:  # zip errors, encrypted files, .xls renamed to .xlsx …
        raise TableUnreadable(DataProblem("bad_excel", file=file or path.name,
                                          params={"reason": type(exc).__name__})) from None
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


# -- whole grids: every cell of a sheet or CSV, before the header row is known ---------------

#: sheet names a spreadsheet program gives by default (not a township's name)
DEFAULT_SHEET = re.compile(r"^(sheet|工作表|表|页|wps表格|spreadsheet)\s*\d*$", re.IGNORECASE)


@dataclass
class Grid:
    """Every cell of one CSV file or one sheet, as text ("" for blank).

    ``cells`` is indexed by the row number a spreadsheet shows (first row = 1) and has one
    column per position (0, 1, …). Merged cells of a workbook are filled with their value in
    every cell they cover, as a reader sees them.
    """

    file: str                      # the label used in messages: "x.xlsx[Sheet1]" or "x.csv"
    path: Path
    sheet: str | None = None
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    hidden: bool = False
    encoding: str | None = None
    #: the positions (row, col) merged horizontally in the first rows: group headers
    merged_rows: set[int] = field(default_factory=set)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    default_name: bool = False
    #: for a CSV whose rows differ in length: the number of cells of each row
    row_widths: list[int] | None = None
    #: (row, column) of cells whose control characters were removed
    control_cells: list[tuple[int, int]] = field(default_factory=list)
    #: (row, column) of formula cells with no saved result (they read as blank)
    formula_cells: list[tuple[int, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The sheet's name, or the file's stem for a CSV or a default-named sheet."""
        if self.sheet is not None and not self.default_name:
            return self.sheet
        return self.path.stem


# control characters (NUL, ESC of a terminal escape sequence …): never data; tab, line feed
# and carriage return inside a cell become spaces
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\t\r\n]+")


def _clean(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Strip each distinct text once and remove control characters; also the rows changed
    by that removal (a boolean array)."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    text = pd.Series(uniques, dtype=cells.dtype)
    has = text.str.contains(_CONTROL, regex=True).fillna(False).to_numpy(dtype=bool)
    if has.any():
        text = text.where(~has, text.str.replace(_CONTROL, "", regex=True))
    text = text.str.replace(_BREAKS, " ", regex=True) if text.str.contains(
        _BREAKS, regex=True).any() else text
    distinct = text.str.strip().to_numpy(dtype=object)
    cleaned = pd.Series(distinct[codes], index=cells.index, name=cells.name, dtype=cells.dtype)
    return cleaned, has[codes]


def _grid_frame(rows: list[list[str]] | pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """The grid as a frame of text, rows numbered from 1, and the (row, column) of cells
    whose control characters were removed."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame = frame.fillna("").astype(str) if len(frame) else frame
    frame.index = np.arange(1, len(frame) + 1)
    frame.columns = range(frame.shape[1])
    controls: list[tuple[int, int]] = []
    if len(frame):
        cols = {}
        for k in frame.columns:
            cols[k], changed = _clean(frame[k])
            if changed.any():
                controls += [(int(r), int(k)) for r in frame.index[changed]]
        frame = pd.DataFrame(cols, index=frame.index)
    return frame, controls


def read_csv_grid(path: Path, file: str | None = None) -> Grid:
    """Every cell of a CSV (comma, tab or semicolon separated), in any supported encoding.

    Rows may have different lengths (a title line above the table has one cell): the grid
    is as wide as the longest row.
    """
    file = file or path.name
    data = path.read_bytes()
    text, enc = decode_bytes(data, file)
    delimiter = _sniff_delimiter(_first_table_line(text))
    source = (io.BytesIO(data[len(codecs.BOM_UTF8):] if enc == "utf-8-sig" else data)
              if enc in ("utf-8", "utf-8-sig") else io.StringIO(text))
    try:
        rows = pd.read_csv(source, sep=delimiter, header=None, dtype=str, encoding="utf-8",
                           keep_default_na=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError:  # rows of different widths: title lines, stray cells
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise TableUnreadable(DataProblem("bad_csv", file=file,
                                              params={"reason": str(exc)[:80]})) from None
        width = max((len(r) for r in records), default=0)
        rows = pd.DataFrame([r + [""] * (width - len(r)) for r in records])
        widths = [len(r) for r in records]
    except pd.errors.EmptyDataError:
        raise TableUnreadable(DataProblem("empty_file", file=file)) from None
    else:
        widths = None
    cells, controls = _grid_frame(rows)
    return Grid(file=file, path=path, cells=cells, encoding=enc, row_widths=widths,
                control_cells=controls)


def _first_table_line(text: str) -> str:
    """The first line with more than one cell: title lines above a table hold one."""
    for line in text[:200_000].split("\n", 20)[:20]:
        if max(line.count(d) for d in (",", "\t", ";")) > 0:
            return line
    return text.split("\n", 1)[0]


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


def read_grids(path: Path) -> list[Grid]:
    """All grids of one file: a CSV, every sheet of a workbook, or an SPSS file."""
    ext = path.suffix.lower()
    if ext in (".csv", ".txt", ".tsv"):
        return [read_csv_grid(path)]
    if ext in (".xlsx", ".xlsm"):
        return read_xlsx_grids(path)
    if ext == ".xls":
        return read_xls_grids(path)
    if ext == ".sav":
        return [read_sav_grid(path)]
    raise InvalidArgument(f"not a table file: {path.name}")
