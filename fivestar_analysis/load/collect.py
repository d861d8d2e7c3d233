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
            col_letter=None if col_index is None else column_letter(col_index),
        )
        self.problems.append(problem)
        self._last[key] = problem

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


_NUMBER_CLEAN = re.compile(r"[,，\s]|(?:万元|万)$")


def parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Index]:
    """Numbers from text cells (thousand separators and a trailing 万元 allowed).

    Returns the float values (NaN for blanks) and the rows whose text is not a number.
    """
    # a column holds few distinct texts (answer codes, years): parse each one once
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    distinct = pd.Series(uniques, dtype=cells.dtype, name=cells.name)
    text = distinct.str.replace(_NUMBER_CLEAN, "", regex=True)
    parsed = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    values = pd.Series(parsed.to_numpy()[codes], index=cells.index, name=cells.name)
    bad = cells.index[((text != "") & parsed.isna()).to_numpy()[codes]]
    return values, bad


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
