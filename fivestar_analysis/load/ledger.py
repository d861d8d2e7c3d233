"""Parsing the branch ledger (台账), wide or long, into the canonical branch and star tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivestar_analysis.load.collect import (
    Columns,
    ProblemLog,
    parse_numbers,
    parse_rating,
    parse_years,
    report_bad_numbers,
)
from fivestar_analysis.load.parts import copies_of_one_ledger, cross_part_duplicates
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.load.schemas import LEDGER_SCHEMA, check_frame
from fivestar_analysis.load.vocab import (
    aliases,
    each_distinct,
    fold,
    match_header,
    parse_bool,
    parse_kind,
    parse_status,
)
from fivestar_analysis.model.county import add_levels, normalize_branches, normalize_stars
from fivestar_analysis.model.rubric import Rubric

__all__ = ["parse_ledger", "LedgerResult"]

REQUIRED = ("branch_id", "branch_name", "township", "kind", "year")
NUMBER_COLUMNS = ("collective_income_wan", "population", "households", "party_members",
                  "secretary_age")
ATTRIBUTES = REQUIRED[2:4] + ("branch_name",) + NUMBER_COLUMNS + (
    "secretary_rating", "secretary_education", "weak_lax")
STAR_PREFIX = "star:"


class LedgerResult:
    def __init__(self, branches: pd.DataFrame, stars: pd.DataFrame, extras: list[str],
                 origin: pd.DataFrame | None = None):
        self.branches = branches
        self.stars = stars
        self.extras = extras
        #: branch_id, year, _file, _row: where each branch-year was read (for messages)
        self.origin = origin


def star_header_names(rubric: Rubric) -> dict[str, str]:
    """Every header that names a star (Chinese, English, key, Chinese without 星)."""
    names: dict[str, str] = {}
    for _, spec in rubric.kinds.items():
        for s in spec.stars:
            for name in (s.zh, s.en, s.key, s.zh.removesuffix("星")):
                names[name] = STAR_PREFIX + s.key
    return names


def _map_headers(raw: RawTable, rubric: Rubric, log: ProblemLog) -> tuple[Columns, list[int]]:
    cols = Columns(raw)
    extras: list[int] = []
    seen: dict[str, list[int]] = {}
    star_names = star_header_names(rubric)
    for i, header in enumerate(raw.headers):
        if header == "":
            if (raw.frame[i] != "").any():
                log.warn("unnamed_column", raw.file, 1, f"#{i + 1}", col_index=i)
            continue
        canonical = match_header(header, "ledger", extra=star_names)
        if canonical is None:
            extras.append(i)
            log.warn("unknown_column", raw.file, 1, header, col_index=i)
            continue
        seen.setdefault(canonical, []).append(i)
    for canonical, positions in seen.items():
        if len(positions) > 1:
            names = "、".join(raw.headers[p] for p in positions)
            log.add("duplicate_column", raw.file, 1, raw.headers[positions[1]],
                    col_index=positions[1], canonical=canonical, columns=names)
        cols.pos[canonical] = positions[0]
    return cols, extras


def _aliases_hint(canonical: str) -> str:
    return "、".join([canonical, *aliases()["ledger"].get(canonical, [])[:4]])


def _text(cols: Columns, name: str, log: ProblemLog, required: bool) -> pd.Series:
    cells = cols.cells(name)
    if required:
        empty = cells.index[cells == ""]
        if len(empty):
            cols.report(log, "required_empty", name, empty)
    return cells.where(cells != "")


def _vocab_column(cols: Columns, name: str, parser, code: str, log: ProblemLog,
                  required: bool) -> pd.Series:
    cells = cols.cells(name)
    mapping = {u: parser(u) for u in cells.unique()}
    values = cells.map(mapping)
    blank = cells == ""
    if required:
        if blank.any():
            cols.report(log, "required_empty", name, cells.index[blank])
        bad = cells.index[~blank & values.isna()]
    else:
        bad = cells.index[~blank & values.isna()]
        values = values.where(~blank)
    if len(bad):
        cols.report(log, code, name, bad)
    return values


def parse_ledger(raws: RawTable | list[RawTable], rubric: Rubric,
                 log: ProblemLog) -> LedgerResult | None:
    """Validate a ledger — one table, or the parts of a split ledger — and build the
    canonical frames, logging every problem.

    Parts (one workbook or sheet per township or per year) are parsed one by one, so every
    message names the part's file and row; a branch-year found in two parts is an error
    naming both. Returns None when errors leave nothing sound to build on.
    """
    parts = [raws] if isinstance(raws, RawTable) else list(raws)
    done = [_parse_part(raw, rubric, log) for raw in parts]
    if any(d is None for d in done):
        return None
    branches = pd.concat([d[0] for d in done], ignore_index=True)
    stars = pd.concat([d[1] for d in done], ignore_index=True)
    extras = list(dict.fromkeys(e for d in done for e in d[2]))
    cols_by_file = {d[3].raw.file: d[3] for d in done}
    if len(parts) > 1 and (copies_of_one_ledger(done, log) or
                           not cross_part_duplicates(branches, cols_by_file, log)):
        return None
    return _finish(cols_by_file, branches, stars, rubric, log, extras)


def _parse_part(raw: RawTable, rubric: Rubric, log: ProblemLog):
    """One part of a ledger: (branches, stars, extras, columns) or None on errors."""
    cols, extra_pos = _map_headers(raw, rubric, log)
    star_cols = {c[len(STAR_PREFIX):]: p for c, p in cols.pos.items() if c.startswith(STAR_PREFIX)}
    long_form = not star_cols and "star" in cols.pos and "status" in cols.pos
    if not star_cols and not long_form:
        examples = "、".join(s.zh for s in next(iter(rubric.kinds.values())).stars[:3])
        log.add("no_star_columns", raw.file, 1, None, examples=examples)
    missing = [c for c in REQUIRED if c not in cols.pos]
    for c in missing:
        log.add("missing_column", raw.file, 1, c, canonical=c, aliases=_aliases_hint(c))
    if not long_form:
        for c in ("star", "status"):  # a wide ledger keeps such columns as extras
            if c in cols.pos:
                extra_pos.append(cols.pos.pop(c))

    typed = pd.DataFrame(index=raw.frame.index)
    for c in ("branch_id", "branch_name", "township"):
        if c in cols.pos:
            typed[c] = _text(cols, c, log, required=True)
    if "kind" in cols.pos:
        typed["kind"] = _vocab_column(cols, "kind", parse_kind, "bad_kind", log, required=True)
    if "year" in cols.pos:
        years, bad = parse_years(cols.cells("year"))
        empty = cols.cells("year").index[cols.cells("year") == ""]
        if len(empty):
            cols.report(log, "required_empty", "year", empty)
        if len(bad):
            cols.report(log, "bad_year", "year", bad)
        typed["year"] = years
    for c in NUMBER_COLUMNS:
        if c in cols.pos:
            values, bad = parse_numbers(cols.cells(c))
            if len(bad):
                unit = "（万元）" if c == "collective_income_wan" else ""
                report_bad_numbers(cols, log, c, bad, unit=unit)
            typed[c] = values
    if "secretary_rating" in cols.pos:
        values, bad = parse_rating(cols.cells("secretary_rating"))
        if len(bad):
            cols.report(log, "out_of_range", "secretary_rating", bad, low=1, high=5)
        typed["secretary_rating"] = values
    if "secretary_education" in cols.pos:
        typed["secretary_education"] = _text(cols, "secretary_education", log, required=False)
    if "weak_lax" in cols.pos:
        typed["weak_lax"] = _vocab_column(cols, "weak_lax", parse_bool, "bad_bool", log,
                                          required=False)
    check_frame(typed, LEDGER_SCHEMA, cols, log)

    extras = []
    for p in extra_pos:
        header = raw.headers[p]
        if header in typed.columns:  # the same extra header twice: keep both columns
            n = 2
            while f"{header}（{n}）" in typed.columns:
                n += 1
            header = f"{header}（{n}）"
        values, bad = parse_numbers(raw.frame[p])
        # an extra column is numeric when every filled cell is a number
        typed[header] = values if len(bad) == 0 and values.notna().any() else raw.frame[p].where(
            raw.frame[p] != "")
        extras.append(header)

    if missing or (not star_cols and not long_form):
        return None
    if long_form:
        return _long_form(raw, cols, typed, rubric, log, extras)
    return _wide_form(raw, cols, typed, star_cols, rubric, log, extras)


def _duplicates(cols: Columns, typed: pd.DataFrame, keys: list[str], log: ProblemLog,
                code: str = "duplicate_key") -> pd.Series:
    """Log rows repeating an earlier row's ``keys``; returns a mask of the repeats."""
    complete = typed[keys].notna().all(axis=1)
    sub = typed.loc[complete, keys]
    dup = sub.duplicated(keep="first")
    if dup.any():
        first_row = sub.reset_index().groupby(keys, sort=False)["index"].transform("first")
        first_row.index = sub.index
        rows = sub.index[dup.to_numpy()]
        for row in rows[:40]:
            cols.report(log, code, keys[0], pd.Index([row]), other=int(first_row.loc[row]),
                        what="支部编码与年度组合", what_en="branch_id and year")
    return dup.reindex(typed.index, fill_value=False)


def _status_column(raw: RawTable, pos: int, log: ProblemLog, name: str,
                   cols: Columns) -> pd.Series:
    cells = raw.frame[pos]
    mapping = {u: parse_status(u) for u in cells.unique()}
    status = cells.map(mapping)
    bad = cells.index[status.isna()]
    if len(bad):
        cols.pos.setdefault(name, pos)
        cols.report(log, "bad_status", name, bad)
    return status.fillna("none")


def _wide_form(raw, cols, typed, star_cols, rubric, log, extras) -> LedgerResult | None:
    statuses = {key: _status_column(raw, pos, log, STAR_PREFIX + key, cols)
                for key, pos in star_cols.items()}
    kinds_present = set(typed["kind"].dropna().unique())
    for kind in kinds_present:
        for star in rubric.kinds[kind].stars:
            if star.key not in star_cols:
                log.add("missing_column", raw.file, 1, star.zh, canonical=star.zh,
                        aliases=f"{star.zh}、{star.key}")
    dup = _duplicates(cols, typed, ["branch_id", "year"], log)
    if log.errors:
        return None
    rows = []
    for kind in kinds_present:
        own = set(rubric.star_keys(kind))
        mask = (typed["kind"] == kind) & ~dup
        for key, status in statuses.items():
            if key in own:
                rows.append(pd.DataFrame({
                    "branch_id": typed.loc[mask, "branch_id"], "year": typed.loc[mask, "year"],
                    "star": key, "status": status[mask]}))
            else:
                wrong = status[mask & (status != "none")]
                pos = star_cols[key]
                for row in wrong.index:
                    log.warn("other_kind_star", raw.file, row, raw.headers[pos], raw.frame.at[row, pos],
                             col_index=pos, kind=rubric.kind_label(kind),
                             star=raw.headers[pos])
    stars = pd.concat(rows) if rows else pd.DataFrame(columns=["branch_id", "year", "star", "status"])
    return _part(raw, cols, typed[~dup], stars, extras)


def _long_form(raw, cols, typed, rubric, log, extras) -> LedgerResult | None:
    names = {fold(k): v[len(STAR_PREFIX):] for k, v in star_header_names(rubric).items()}
    star_cells = cols.cells("star")
    star = each_distinct(star_cells, lambda s: names.get(fold(s)))
    bad = star_cells.index[star.isna()]
    if len(bad):
        known = "、".join(s.zh for spec in rubric.kinds.values() for s in spec.stars)
        cols.report(log, "unknown_star", "star", bad, known=known)
    status = _status_column(raw, cols.pos["status"], log, "status", cols)
    typed = typed.assign(star=star, status=status)
    dup = _duplicates(cols, typed.rename(columns={"branch_id": "branch_id"}),
                      ["branch_id", "year", "star"], log)
    # attributes must agree across a branch-year's rows
    attrs = [c for c in ATTRIBUTES if c in typed.columns] + extras
    keyed = typed.reset_index().rename(columns={"index": "_row"})
    first_row = keyed.groupby(["branch_id", "year"], sort=False)["_row"].transform("first")
    for c in attrs:
        if c not in cols.pos and c not in extras:
            continue
        g = keyed.groupby(["branch_id", "year"], sort=False)[c]
        first = g.transform("first")
        conflict = keyed[c].notna() & first.notna() & (keyed[c].astype(str) != first.astype(str))
        for i in keyed.index[conflict][:20]:
            log.add("inconsistent_attribute", raw.file, keyed.at[i, "_row"], c,
                    keyed.at[i, c], column=cols.header(c) if c in cols.pos else c,
                    other=int(first_row[i]), value=first[i])
    if log.errors:
        return None
    typed = typed[~dup]
    branch_cols = [c for c in typed.columns if c not in ("star", "status")]
    branches = typed.groupby(["branch_id", "year"], sort=False, as_index=False)[
        [c for c in branch_cols if c not in ("branch_id", "year")]].first()
    # one row per star of the branch's kind; stars not listed are "none"
    grid = []
    for kind in branches["kind"].dropna().unique():
        b = branches.loc[branches["kind"] == kind, ["branch_id", "year"]]
        grid.append(b.merge(pd.DataFrame({"star": rubric.star_keys(kind)}), how="cross"))
    full = pd.concat(grid, ignore_index=True)
    given = typed[["branch_id", "year", "star", "status"]]
    stars = full.merge(given, on=["branch_id", "year", "star"], how="left")
    stars["status"] = stars["status"].fillna("none")
    # stars listed for a branch of the other kind
    kinds = branches.set_index(["branch_id", "year"])["kind"]
    own = {k: set(rubric.star_keys(k)) for k in rubric.kinds}
    rows_kind = kinds.reindex(pd.MultiIndex.from_frame(typed[["branch_id", "year"]])).to_numpy()
    for row, k, s, st in zip(typed.index, rows_kind, typed["star"], typed["status"]):
        if isinstance(k, str) and s not in own[k] and st != "none":
            log.warn("other_kind_star", raw.file, row, cols.header("star"), s,
                     col_index=cols.pos["star"], kind=rubric.kind_label(k), star=s)
    branches.index = typed.drop_duplicates(["branch_id", "year"]).index
    return _part(raw, cols, branches, stars, extras)


def _part(raw, cols, typed, stars, extras):
    branches = typed.copy()
    branches["year"] = branches["year"].astype("int64")
    branches["_row"] = branches.index
    branches["_file"] = raw.file
    stars = stars.copy()
    stars["year"] = stars["year"].astype("int64")
    return branches.reset_index(drop=True), stars.reset_index(drop=True), extras, cols


def _finish(cols_by_file, branches, stars, rubric, log, extras) -> LedgerResult:
    b = normalize_branches(branches)
    s = normalize_stars(stars, b)
    b = add_levels(b, s)
    _warn_capstone(cols_by_file, b, s, rubric, log)
    _warn_kind_changes(cols_by_file, b, log)
    _warn_income_outliers(cols_by_file, b, rubric, log)
    origin = b[["branch_id", "year", "_file", "_row"]].copy()
    b = b.drop(columns=["_row", "_file"])
    return LedgerResult(b, s, extras, origin)


def _where(cols: Columns, name: str) -> dict:
    """Header and column letter of a canonical column, for a warning."""
    if name in cols.pos:
        return {"column": cols.header(name), "col_index": cols.pos[name]}
    return {"column": name}


def _warn_capstone(cols_by_file, b, s, rubric, log) -> None:
    if rubric.capstone is None:
        return
    cap = s[(s["star"] == rubric.capstone) & (s["status"] == "awarded")]
    merged = cap.merge(b[["branch_id", "year", "level", "_row", "_file"]],
                       on=["branch_id", "year"])
    broken = merged[merged["level"] < rubric.max_level]
    for _, r in broken.iterrows():
        cols = cols_by_file[r["_file"]]
        where = _where(cols, STAR_PREFIX + rubric.capstone)
        if where["column"].startswith(STAR_PREFIX):
            where = _where(cols, "star")
        log.warn("capstone_broken", r["_file"], int(r["_row"]), found="已创成",
                 held=int(r["level"]), **where)


def _warn_kind_changes(cols_by_file, b, log) -> None:
    kinds = b.groupby("branch_id")["kind"].nunique()
    for bid in kinds.index[kinds > 1]:
        rows = b[b["branch_id"] == bid].sort_values("year")
        first = rows.iloc[0]
        for _, r in rows.iloc[1:].iterrows():
            if r["kind"] != first["kind"]:
                log.warn("kind_changed", r["_file"], int(r["_row"]), found=r["kind"],
                         other=int(first["_row"]), value=first["kind"],
                         **_where(cols_by_file[r["_file"]], "kind"))


def _warn_income_outliers(cols_by_file, b, rubric, log) -> None:
    income = b.loc[(b["kind"] == "rural"), ["collective_income_wan", "_row", "_file"]]
    income = income[income["collective_income_wan"].notna()]
    if len(income) < 20:
        return
    x = np.log1p(income["collective_income_wan"])
    q1, q3 = np.percentile(x, [25, 75])
    k = rubric.quality.income_outlier_log_iqr
    high = income[x > q3 + k * (q3 - q1)]
    median = round(float(income["collective_income_wan"].median()), 1)
    for _, r in high.iterrows():
        log.warn("income_outlier", r["_file"], int(r["_row"]), found=r["collective_income_wan"],
                 median=median, **_where(cols_by_file[r["_file"]], "collective_income_wan"))
