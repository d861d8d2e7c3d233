"""Finding the tables in a county package by what they hold, whatever the files are called.

A clerk's workbook rarely starts with its header: a title line, the reporting unit and a
date come first, then a header that may span two rows (a merged group cell such as
“创建情况（已创成的打√）” above the star names), then data broken by 小计 rows, blank rows
and repeated headers, and a footer with the clerk's name and phone number. This module turns
each sheet or CSV (:class:`~fivestar_analysis.load.reading.Grid`) into a
:class:`DetectedTable`: its role (ledger, survey or codebook), the header row(s), the
header of each column, and the rows that are not data with the reason each was skipped.
Only row numbers of skipped rows are kept — never their text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from fivestar_analysis.load.reading import Grid, RawTable
from fivestar_analysis.load.vocab import aliases, fold, header_index, match_in, platform_names

__all__ = ["DetectedTable", "detect_table", "Vocabulary", "ROLES", "HEADER_SEARCH_ROWS", "is_table_file",
           "skipped_note_rows"]

ROLES = ("ledger", "survey", "codebook")
#: the header is looked for among this many first rows of a sheet
HEADER_SEARCH_ROWS = 15
_SKIP_ORDER = ("title", "blank", "total", "repeated_header", "footer")


@dataclass
class Vocabulary:
    """Header indexes for each role; ``ledger`` includes the rubric's star names, ``survey``
    the platform columns and any item names, sources and question texts of a codebook."""

    ledger: dict[str, str]
    survey: dict[str, str]
    codebook: dict[str, str]

    @classmethod
    def build(cls, star_names: dict[str, str], survey_extra: dict[str, str] | None = None
              ) -> Vocabulary:
        platform = platform_names()
        return cls(
            ledger=header_index("ledger", star_names),
            survey=header_index("survey", {**platform, **(survey_extra or {})}),
            codebook=header_index("codebook"),
        )

    def match(self, role: str, header: str) -> str | None:
        return match_in(getattr(self, role), header) if header else None


@dataclass
class DetectedTable:
    """How one sheet or CSV was understood."""

    grid: Grid
    role: str | None
    how: str = "headers"  # headers | name | empty | unrecognised
    header_rows: tuple[int, ...] = ()
    headers: list[str] = field(default_factory=list)
    #: canonical name (or None) of each header position, for the role
    canonical: list[str | None] = field(default_factory=list)
    #: reason -> spreadsheet rows skipped for it (title, blank, total, repeated_header, footer)
    skipped: dict[str, list[int]] = field(default_factory=dict)
    #: header positions dropped (a 序号 column)
    dropped_columns: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    table: RawTable | None = None
    #: the grid column of each kept header position
    kept: list[int] = field(default_factory=list)

    def header_of(self, grid_column: int) -> str | None:
        """The header of a column of the grid, if that column was kept."""
        return self.headers[self.kept.index(grid_column)] if grid_column in self.kept else None

    @property
    def file(self) -> str:
        return self.grid.file


# -- header rows -------------------------------------------------------------------------

def _row(cells: pd.DataFrame, r: int) -> list[str]:
    return cells.loc[r].tolist() if r in cells.index else []


def _known(vocab: Vocabulary, header: str) -> str | None:
    for role in ROLES:
        hit = vocab.match(role, header)
        if hit is not None:
            return hit
    return None


def combine_headers(top: list[str], sub: list[str], vocab: Vocabulary) -> list[str]:
    """One header from a group row above a sub-header row.

    A column whose two cells agree (a vertically merged cell) or whose sub-header is blank
    keeps the upper value; under a group cell the sub-header is taken, prefixed with the
    group's name when the sub-header alone is ambiguous (it repeats in the row, or only the
    two together are a known name, e.g. “书记” over “年龄”).
    """
    repeats = Counter(fold(s) for s in sub if s)
    out = []
    for t, s in zip(top, sub):
        if not s or fold(s) == fold(t):
            out.append(t)
        elif not t:
            out.append(s)
        elif repeats[fold(s)] > 1 or (_known(vocab, s) is None
                                       and _known(vocab, t + s) is not None):
            out.append(t + s)
        else:
            out.append(s)
    return out


def _scores(headers: list[str], vocab: Vocabulary) -> dict[str, int]:
    """Distinct canonical columns each role recognises in a header."""
    out = {}
    for role in ROLES:
        hits = {vocab.match(role, h) for h in headers if h}
        hits.discard(None)
        out[role] = len(hits)
    return out


def find_header(cells: pd.DataFrame, vocab: Vocabulary) -> tuple[tuple[int, ...], list[str]]:
    """The header row(s) among the first rows: where the most cells are known names."""
    rows = [r for r in cells.index[:HEADER_SEARCH_ROWS]]
    best: tuple[int, tuple[int, ...], list[str]] | None = None
    for r in rows:
        single = _row(cells, r)
        if sum(1 for c in single if c) < 2 and r + 1 not in cells.index:
            continue
        candidates = [((r,), single)]
        if r + 1 in cells.index:
            candidates.append(((r, r + 1), combine_headers(single, _row(cells, r + 1), vocab)))
        for rws, headers in candidates:
            score = max(_scores(headers, vocab).values())
            if best is None or score > best[0]:
                best = (score, rws, headers)
    if best is None or best[0] < 2:
        # nothing recognisable: the first row with two filled cells (or the first row), so
        # the usual "missing column" messages name the header the user wrote
        for r in rows:
            if sum(1 for c in _row(cells, r) if c) >= 2:
                return (r,), _row(cells, r)
        first = rows[0] if rows else 1
        return (first,), _row(cells, first)
    return best[1], best[2]


# -- role ---------------------------------------------------------------------------------

def classify(headers: list[str], vocab: Vocabulary) -> tuple[str | None, dict[str, int]]:
    """ledger, survey, codebook or None, from the canonical columns each role finds."""
    found = {role: {vocab.match(role, h) for h in headers if h} - {None} for role in ROLES}
    scores = {role: len(v) for role, v in found.items()}
    cb = found["codebook"]
    if "item" in cb and ({"role", "dimension"} & cb):
        return "codebook", scores
    led = found["ledger"]
    stars = {c for c in led if c.startswith("star:")}
    ledger_ids = {"branch_id", "branch_name", "township"} & led
    if (stars or {"star", "status"} <= led) and ledger_ids:
        return "ledger", scores
    sv = found["survey"]
    own = {"respondent_id", "group"} & sv
    platform = {c for c in sv if c.startswith("platform:")}
    items = {c for c in sv if c.startswith("item:")}
    if (own and ("branch_id" in sv or items or platform)) or len(platform) >= 2 or (
            items and (own or "branch_id" in sv)):
        return "survey", scores
    return None, scores


_NAMES = {
    "ledger": ("ledger", "台账"),
    "survey": ("survey", "问卷", "调查问卷", "问卷数据"),
    "codebook": ("codebook", "编码表", "编码"),
}


def role_by_name(grid: Grid) -> str | None:
    """The role a file or sheet name announces (ledger.csv, sheet 问卷 …), if any."""
    names = [fold(grid.sheet)] if grid.sheet is not None else []
    names.append(fold(grid.path.stem))
    for name in names:
        for role, words in _NAMES.items():
            if name in words:
                return role
    return None


# -- rows that are not data ----------------------------------------------------------------

@lru_cache(maxsize=1)
def _row_words() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    rows = aliases()["rows"]
    return (frozenset(fold(w) for w in rows["total"]),
            tuple(fold(w) for w in rows["footer"]),
            frozenset(fold(w) for w in rows["index"]))


@lru_cache(maxsize=1)
def _row_word_pattern() -> str:
    totals, footers, _ = _row_words()
    words = sorted({w for w in (*totals, *footers) if w} | {"小计", "合计", "总计"},
                   key=len, reverse=True)
    return "|".join(re.escape(w) for w in words) + r"|\s"


_TOTAL_END = re.compile(r"(小计|合计|总计|汇总)$")


def _is_total(text: str) -> bool:
    totals, _, _ = _row_words()
    f = fold(text)
    return f in totals or bool(_TOTAL_END.search(f))


def _is_footer_start(text: str) -> bool:
    _, footers, _ = _row_words()
    f = fold(text)
    return any(f.startswith(w) for w in footers)


def _distinct_map(col: pd.Series, func) -> np.ndarray:
    """``col.map(func)`` as a boolean array, calling ``func`` once per distinct text."""
    codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=False)
    return np.array([bool(u) and bool(func(u)) for u in uniques], dtype=bool)[codes]


def _skip_rows(body: pd.DataFrame, headers: list[str], id_pos: int | None
               ) -> dict[str, list[int]]:
    """Rows of the body that are not data, by reason (row numbers only).

    Only rows whose id cell is empty, or holds a total, footer or header word, can be
    anything but data, so the costly checks look at those rows alone (a survey of a million
    rows has a handful).
    """
    skipped: dict[str, list[int]] = {k: [] for k in _SKIP_ORDER}
    if body.empty:
        return skipped
    folded_headers = [fold(h) for h in headers]
    has_id = id_pos is not None and id_pos in body.columns
    if has_id:
        id_header = folded_headers[id_pos]
        ids = body[id_pos]
        # a cheap vectorised filter first: ids are codes; only a cell holding one of the
        # row words (or the header) needs the exact check
        maybe = ids.str.contains(_row_word_pattern(), regex=True).to_numpy(dtype=bool) | (
            ids.str.len().to_numpy() > 0) & (ids == headers[id_pos]).to_numpy()
        special = np.zeros(len(ids), dtype=bool)
        if maybe.any():
            special[maybe] = _distinct_map(ids[maybe], lambda t: _is_total(t) or
                                           _is_footer_start(t) or fold(t) == id_header)
        rows = body[(ids == "").to_numpy() | special]
    else:
        rows = body
    if rows.empty:
        return skipped
    filled = rows != ""
    blank = ~filled.any(axis=1)
    # a row repeating the header (tables printed page by page): two or more cells equal to
    # their column's header, and they are most of the row
    same = pd.Series(0, index=rows.index)
    n_headers = sum(1 for h in folded_headers if h)
    for pos, h in enumerate(folded_headers):
        if h and pos in rows.columns:
            same += _distinct_map(rows[pos], lambda t, h=h: fold(t) == h).astype(int)
    repeated = ~blank & (same >= 2) & (same * 2 >= filled.sum(axis=1)) & (n_headers > 0)
    id_empty = (rows[id_pos] == "") if has_id else pd.Series(True, index=rows.index)
    first_text = pd.Series("", index=rows.index)
    for pos in reversed(list(rows.columns)):
        col = rows[pos]
        first_text = col.where(col != "", first_text)
    total = pd.Series(False, index=rows.index)
    for pos in rows.columns:
        total |= _distinct_map(rows[pos], _is_total)
    if has_id:
        total &= id_empty | _distinct_map(rows[id_pos], _is_total)
    total &= ~blank & ~repeated
    footer_start = pd.Series(_distinct_map(first_text, _is_footer_start), index=rows.index)
    id_is_footer = (pd.Series(_distinct_map(rows[id_pos], _is_footer_start), index=rows.index)
                    if has_id else id_empty)
    footer = footer_start & (id_empty | id_is_footer) & ~blank
    # everything after the first footer line whose id is empty is footer too
    if footer.any():
        first = footer.idxmax()
        footer |= (rows.index >= first) & id_empty & ~blank
    for name, mask in (("blank", blank), ("repeated_header", repeated),
                       ("total", total & ~footer), ("footer", footer & ~repeated)):
        skipped[name] = [int(r) for r in rows.index[mask.to_numpy()]]
    return skipped


# -- one grid -----------------------------------------------------------------------------

def _id_position(canonical: list[str | None], role: str | None) -> int | None:
    key = {"ledger": "branch_id", "survey": "respondent_id", "codebook": "item"}.get(role or "")
    if key is None:
        return None
    return next((i for i, c in enumerate(canonical) if c == key), None)


def detect_table(grid: Grid, vocab: Vocabulary) -> DetectedTable:
    """Header, role, skipped rows and the data as a :class:`RawTable` for one grid."""
    cells = grid.cells
    if cells.empty or not (cells != "").any().any():
        return DetectedTable(grid=grid, role=None, how="empty")
    header_rows, headers = find_header(cells, vocab)
    headers = [h.strip() for h in headers]
    role, scores = classify(headers, vocab)
    how = "headers"
    if role is None:
        role = role_by_name(grid)
        how = "name" if role else "unrecognised"
    canonical = [vocab.match(role, h) if role and h else None for h in headers]
    last = header_rows[-1]
    body = cells.loc[cells.index > last]
    # trailing columns with neither a header nor any value are spreadsheet noise
    width = len(headers)
    while width and headers[width - 1] == "" and (body.shape[1] < width or
                                                  not (body[width - 1] != "").any()):
        width -= 1
    headers, canonical = headers[:width], canonical[:width]
    body = body.iloc[:, :width] if body.shape[1] >= width else body
    dropped: list[str] = []
    _, _, index_words = _row_words()
    keep = list(range(width))
    if role in ("ledger", "survey"):
        has_id = any(c == "respondent_id" and fold(h) not in index_words
                     for h, c in zip(headers, canonical))
        for i, h in enumerate(headers):
            if fold(h) in index_words and (role == "ledger" or has_id):
                keep.remove(i)  # a row counter, not data (a survey platform's 序号 is the id)
                dropped.append(h)
                canonical[i] = None
    id_pos = _id_position(canonical, role)
    skipped = _skip_rows(body, headers, id_pos)
    skipped["title"] = [int(r) for r in cells.index[cells.index < header_rows[0]]
                        if (cells.loc[r] != "").any()]
    drop_rows = {r for rows in skipped.values() for r in rows}
    data = body.loc[[r for r in body.index if r not in drop_rows], keep]
    data.columns = range(len(keep))
    kept_headers = [headers[i] for i in keep]
    table = RawTable(file=grid.file, headers=kept_headers, frame=data, encoding=grid.encoding,
                     value_labels=grid.value_labels, variable_labels=grid.variable_labels)
    return DetectedTable(
        grid=grid, role=role, how=how, header_rows=tuple(header_rows), headers=kept_headers,
        canonical=[canonical[i] for i in keep], skipped={k: v for k, v in skipped.items() if v},
        dropped_columns=dropped, scores=scores, table=table, kept=keep)


from fivestar_analysis.load.files import is_table_file  # noqa: E402  (one definition, re-exported)


def skipped_note_rows(rows: list[int], limit: int = 30) -> str:
    text = "、".join(map(str, rows[:limit]))
    return text + (" …" if len(rows) > limit else "")
