"""Collecting every problem of a package in one pass, and shared cell parsers."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.errors import DataProblem, column_letter
from fivestar_analysis.load.reading import RawTable  # noqa: F401  (re-exported for parsers)

#: rows listed one by one for the same problem in the same column; the rest are summarised
MAX_ROWS_PER_PROBLEM = 20


class ProblemLog:
    """Errors and warnings found while loading, capped per file, column and problem."""

    def __init__(self) -> None:
        self.problems: list[DataProblem] = []
        #: file -> the spreadsheet column of each table position, where they differ (a
        #: dropped 序号 column shifts the positions; letters in messages stay Excel's)
        self.column_maps: dict[str, list[int]] = {}
        self._counts: dict[tuple, int] = defaultdict(int)
        self._last: dict[tuple, DataProblem] = {}

    def add(self, code: str, file: str, row: int | None = None, column: str | None = None,
            found: Any = None, *, severity: str = "error", col_index: int | None = None,
            **params: Any) -> None:
        key = (file, column, code, severity)
        self._counts[key] += 1
        if self._counts[key] > MAX_ROWS_PER_PROBLEM:
            return
        problem = DataProblem(
            code=code, file=file, row=None if row is None else int(row), column=column,
            found=None if found is None else str(found), params=params, severity=severity,
            col_letter=None if col_index is None else column_letter(self._grid_column(
                file, col_index)),
        )
        self.problems.append(problem)
        self._last[key] = problem

    def _grid_column(self, file: str, position: int) -> int:
        mapping = self.column_maps.get(file)
        if mapping is None:
            return position
        if position < len(mapping):
            return mapping[position]
        return max(mapping, default=-1) + 1 + position - len(mapping)  # a column we added

    def warn(self, code: str, file: str, row: int | None = None, column: str | None = None,
             found: Any = None, **kw: Any) -> None:
        self.add(code, file, row, column, found, severity="warning", **kw)

    def note(self, code: str, file: str, row: int | None = None, column: str | None = None,
             found: Any = None, **params: Any) -> None:
        """An info-level note on how a file was read (never stops a run; never quotes the
        text of a skipped row)."""
        self.problems.append(DataProblem(code=code, file=file, row=row, column=column,
                                         found=None if found is None else str(found),
                                         params=params, severity="info"))

    def finish(self) -> None:
        """Append a summary line for problems cut off by the per-column cap."""
        for key, count in self._counts.items():
            extra = count - MAX_ROWS_PER_PROBLEM
            if extra > 0:
                last = self._last[key]
                self.problems.append(DataProblem(
                    code="more_rows", file=last.file, column=last.column, row=None,
                    params={"count": extra}, severity=last.severity, col_letter=last.col_letter,
                ))
        self._counts.clear()

    @property
    def errors(self) -> list[DataProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[DataProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def notes(self) -> list[DataProblem]:
        return [p for p in self.problems if p.severity == "info"]


class Columns:
    """The mapping of a raw table's header positions to canonical names."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.pos: dict[str, int] = {}  # canonical -> position

    def header(self, canonical: str) -> str:
        return self.raw.headers[self.pos[canonical]]

    def cells(self, canonical: str) -> pd.Series:
        return self.raw.frame[self.pos[canonical]]

    def report(self, log: ProblemLog, code: str, canonical: str, rows: pd.Series | pd.Index,
               found: pd.Series | None = None, severity: str = "error", **params: Any) -> None:
        """Record ``code`` for each of ``rows`` (spreadsheet row numbers) in a column."""
        col = self.pos[canonical]
        cells = self.raw.frame[col]
        for row in list(rows)[: MAX_ROWS_PER_PROBLEM + 1]:
            value = cells.loc[row] if found is None else found.loc[row]
            log.add(code, self.raw.file, row, self.raw.headers[col], value,
                    severity=severity, col_index=col, **params)
        # keep the count right for the "more rows" summary without building every problem
        remaining = len(rows) - (MAX_ROWS_PER_PROBLEM + 1)
        if remaining > 0:
            log._counts[(self.raw.file, self.raw.headers[col], code, severity)] += remaining


_NUMBER_SUFFIX = re.compile(r"(?:万元|万)$")
# a comma or space may only separate thousands: 1,234 or 12,345.6 — not 12,5 or 1,2,3
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:[,，\s]\d{3})+(?:\.\d+)?$")
#: the largest magnitude accepted in any numeric column (far beyond any real county figure)
MAX_MAGNITUDE = 1e12


def _number_text(text: str) -> str | None:
    """The text of a number as float() reads it, or None when its separators are wrong."""
    t = _NUMBER_SUFFIX.sub("", text.strip()).strip()
    if re.search(r"[,，\s]", t):
        if not _THOUSANDS.match(t):
            return None
        t = re.sub(r"[,，\s]", "", t)
    return t


def parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Index]:
    """Numbers from text cells (thousand separators in groups of three, a trailing 万元).

    Returns the float values (NaN for blanks) and the rows whose text is not a number, a
    misplaced separator (``12,5``), or not a finite number of plausible size (``inf``,
    ``1e309``, ``1e308``); :func:`report_bad_numbers` tells these apart in its messages.
    """
    # a column holds few distinct texts (answer codes, years): parse each one once
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    distinct = pd.Series(uniques, dtype=cells.dtype, name=cells.name)
    text = distinct.map(lambda u: "" if u == "" else (_number_text(u) or "x"))
    parsed = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    absurd = ~np.isfinite(parsed.to_numpy()) & parsed.notna().to_numpy() | (
        np.abs(parsed.fillna(0).to_numpy()) > MAX_MAGNITUDE)
    parsed = parsed.where(~absurd)
    values = pd.Series(parsed.to_numpy()[codes], index=cells.index, name=cells.name)
    bad = cells.index[((text != "") & parsed.isna()).to_numpy()[codes]]
    return values, bad


def report_bad_numbers(cols: Columns, log: ProblemLog, name: str, bad: pd.Index,
                       **params: Any) -> None:
    """Log the rows :func:`parse_numbers` refused, each with the message that fits it."""
    if not len(bad):
        return
    cells = cols.cells(name).loc[bad]
    kinds: dict[str, list] = {"bad_number": [], "bad_thousands": [], "number_not_finite": []}
    for row, text in cells.items():
        t = _number_text(text)
        if t is None and re.search(r"\d[,，\s]\d", text):
            kinds["bad_thousands"].append(row)
            continue
        try:
            float(t if t is not None else "x")
            kinds["number_not_finite"].append(row)
        except ValueError:
            kinds["bad_number"].append(row)
    for code, rows in kinds.items():
        if rows:
            cols.report(log, code, name, pd.Index(rows), **params)


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}


def parse_rating(cells: pd.Series) -> tuple[pd.Series, pd.Index]:
    """Star ratings written as 3, 3星, 三星 or ★★★."""
    def one(s: str) -> float:
        if s == "":
            return np.nan
        if set(s) <= {"★", "☆"} and "★" in s:
            return float(s.count("★"))
        t = s.removesuffix("星级").removesuffix("星")
        if t in _CN_DIGITS:
            return float(_CN_DIGITS[t])
        try:
            return float(t)
        except ValueError:
            return -999.0

    uniq = {u: one(u) for u in cells.unique()}
    values = cells.map(uniq).astype("float64")
    bad = cells.index[values == -999.0]
    return values.where(values != -999.0), bad


def parse_years(cells: pd.Series) -> tuple[pd.Series, pd.Index]:
    """Four-digit years; ``2024年`` and ``2024.0`` are accepted."""
    text = cells.str.replace(r"(?:年度|年)$", "", regex=True).str.replace(r"\.0+$", "", regex=True)
    ok = text.str.fullmatch(r"\d{4}")
    values = pd.to_numeric(text.where(ok), errors="coerce")
    bad = cells.index[(cells != "") & ~ok]
    return values, bad
