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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fivestar_analysis.errors import DataProblem

__all__ = ["RawTable", "TableUnreadable", "decode_bytes", "read_csv_table", "read_excel_sheet"]


class TableUnreadable(Exception):
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
