"""The parts of a ledger made ready to parse: a ledger split into one file or sheet per
township or year gets its township or year from the sheet name, the file name or the title
line when it has no such column, and a CSV row with cells beyond its header is named."""

from __future__ import annotations

import re

import pandas as pd

from fivestar_analysis.load.collect import Columns, ProblemLog
from fivestar_analysis.load.detect import DetectedTable, skipped_note_rows
from fivestar_analysis.load.reading import Grid, RawTable
from fivestar_analysis.load.vocab import fold

__all__ = ["prepare_ledger_parts", "note_layout", "copies_of_one_ledger", "cross_part_duplicates", "year_from_names", "township_from_name", "ragged_rows"]


def ragged_rows(grid: Grid, header_rows: tuple[int, ...], width: int) -> list[int]:
    """CSV rows with filled cells beyond the header (a stray comma shifts a whole row)."""
    if grid.row_widths is None:
        return []
    out = []
    cells = grid.cells
    for r in cells.index[cells.index > header_rows[-1]]:
        if grid.row_widths[r - 1] > width and (cells.loc[r, width:] != "").any():
            out.append(int(r))
    return out


def year_from_names(grid: Grid, title_rows: list[int]) -> int | None:
    """A single four-digit year in the sheet name, file name or title lines, if any."""
    texts = [grid.sheet or "", grid.path.stem]
    texts += [" ".join(grid.cells.loc[r].tolist()) for r in title_rows[:3]]
    for text in texts:
        years = set(re.findall(r"(?<!\d)(20\d\d|19\d\d)(?!\d)", text))
        if len(years) == 1:
            return int(years.pop())
    return None


_NAME_NOISE = re.compile(
    r"(?:(?:19|20)\d\d年?度?|[“”\"'‘’]?五星[“”\"'‘’]?(?:支部)?|支部|创建|台账|统计表|汇总表|明细表?|"
    r"情况表?|数据|一览表|表$|[_\-\s（）()\[\]【】]+)")


def township_from_name(grid: Grid) -> str:
    """The township a part of a split ledger belongs to: its sheet's name, or the file's."""
    raw = grid.sheet if grid.sheet is not None and not grid.default_name else grid.path.stem
    cleaned = _NAME_NOISE.sub("", raw).strip()
    return cleaned or raw.strip()



def prepare_ledger_parts(tables: list[DetectedTable], log: ProblemLog) -> list[RawTable]:
    """The ledger's tables ready to parse: a township or year missing from a part's columns
    is taken from its sheet or file name (or, for the year, its title line), and said so."""
    parts = []
    split = len(tables) > 1
    for t in tables:
        if t.table is None:
            continue
        note_layout(t, log)
        raw = t.table
        width = _header_width(t)
        bad = ragged_rows(t.grid, t.header_rows, width)
        if bad:
            from fivestar_analysis.errors import column_letter

            log.add("ragged_row", t.file, bad[0], column_letter(width), col_index=width,
                    width=width, rows="、".join(map(str, bad[:10])) + (" …" if len(bad) > 10
                                                                      else ""))
        canonical = set(t.canonical)
        named = t.grid.sheet is not None and not t.grid.default_name or fold(
            t.grid.path.stem) not in ("ledger", "台账")
        if "township" not in canonical and (split or named):
            town = township_from_name(t.grid)
            raw = _with_column(raw, "乡镇（取自表名）", town)
            log.note("township_from_name", t.file, None, None, township=town)
        if "year" not in canonical:
            year = year_from_names(t.grid, t.skipped.get("title", []))
            if year is not None:
                raw = _with_column(raw, "年度（取自表名）", str(year))
                log.note("year_from_name", t.file, None, None, year=year)
        parts.append(raw)
    return parts


def _header_width(t: DetectedTable) -> int:
    """How many cells the header row of a CSV has (the table's width as written)."""
    widths = t.grid.row_widths
    if widths is None:
        return len(t.grid.cells.columns)
    return max(widths[r - 1] for r in t.header_rows)


def _with_column(raw: RawTable, header: str, value: str) -> RawTable:
    frame = raw.frame.copy()
    frame[len(raw.headers)] = value
    return RawTable(file=raw.file, headers=[*raw.headers, header], frame=frame,
                    encoding=raw.encoding)


def note_layout(t: DetectedTable, log: ProblemLog) -> None:
    """Info notes on how a table was read: header rows, rows skipped, columns dropped."""
    if t.header_rows and t.header_rows != (1,):
        rows = "–".join(str(r) for r in (t.header_rows[0], t.header_rows[-1])) if len(
            t.header_rows) > 1 else str(t.header_rows[0])
        log.note("header_rows", t.file, t.header_rows[0], rows=rows)
    for reason, rows in t.skipped.items():
        if reason == "title" and t.header_rows != (1,):
            continue  # the header note says the lines above it were skipped
        log.note(f"skipped_{reason}", t.file, rows[0], rows=skipped_note_rows(rows),
                 count=len(rows))
    for header in t.dropped_columns:
        log.note("index_column_dropped", t.file, t.header_rows[-1] if t.header_rows else 1,
                 header, header)


def copies_of_one_ledger(done, log: ProblemLog) -> bool:
    """Two ledgers of which one holds nothing but branch-years of the other are two
    versions of one ledger, not parts of a split one: say which and stop."""
    keys = [set(zip(d[0]["branch_id"], d[0]["year"])) for d in done]
    files = [d[3].raw.file for d in done]
    for i in range(len(done)):
        for j in range(len(done)):
            if i != j and keys[i] and keys[i] <= keys[j] and (i > j or keys[i] != keys[j]):
                log.add("ambiguous_file", files[i], None, None, table="ledger",
                        files=f"{files[j]}、{files[i]}")
                return True
    return False


def cross_part_duplicates(branches: pd.DataFrame, cols_by_file: dict[str, Columns],
                           log: ProblemLog) -> bool:
    """A branch-year in two parts of a split ledger is an error naming both files."""
    dup = branches.duplicated(["branch_id", "year"], keep=False)
    if not dup.any():
        return True
    rows = branches[dup]
    by_key = rows.groupby(["branch_id", "year"], sort=False)
    for _, g in list(by_key)[:40]:
        first = g.iloc[0]
        for _, r in g.iloc[1:].iterrows():
            cols = cols_by_file[r["_file"]]
            pos = cols.pos.get("branch_id")
            log.add("duplicate_across_files", r["_file"], int(r["_row"]),
                    cols.raw.headers[pos] if pos is not None else "branch_id", r["branch_id"],
                    col_index=pos, other_file=first["_file"], other=int(first["_row"]))
    return False
