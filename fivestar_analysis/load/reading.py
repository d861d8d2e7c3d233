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


def _cell_text(value: object) -> str:
    if value is None or value is pd.NaT:
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


def read_grids(path: Path) -> list[Grid]:
    """All grids of one file: a CSV, every sheet of a workbook, or an SPSS file."""
    from fivestar_analysis.load.workbooks import read_sav_grid, read_xls_grids, read_xlsx_grids

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
