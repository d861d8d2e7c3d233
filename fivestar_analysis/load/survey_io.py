"""Parsing the questionnaire (问卷) and its codebook (编码表) into canonical frames.

Columns that identify a person are dropped here, before any analysis can see them, and
phone or ID numbers, the names of the survey's name column and names before a title typed
into open answers are masked.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from fivestar_analysis.load.collect import Columns, ProblemLog, parse_numbers
from fivestar_analysis.county import GROUP_DTYPE
from fivestar_analysis.load.privacy import is_identifying_header, mask_text, roster_names
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.rubric import Rubric
from fivestar_analysis.load.schemas import SURVEY_SCHEMA, check_frame
from fivestar_analysis.load.vocab import fold, match_header, parse_bool, parse_group, parse_role

__all__ = ["parse_codebook", "parse_survey", "SurveyResult"]

NUMERIC_ROLES = ("satisfaction", "importance", "knowledge", "choice")
DIMENSIONS = {
    "overall": ["总体", "总体满意度", "整体"],
    "awareness": ["知晓", "知晓度", "知晓率", "认知"],
    "participation": ["参与", "参与度", "参与率"],
    "problems": ["问题", "突出问题", "最大问题"],
    "suggestions": ["建议", "意见建议"],
}
_OPTION_SPLIT = re.compile(r"[;；\n]+")
_MULTI_SPLIT = re.compile(r"[;；,，、\s/|]+")


def parse_options(text: str) -> dict[int, str] | None:
    """``1=是;0=否`` (also with ；, ＝ or ：) as {1: '是', 0: '否'}; None if malformed."""
    text = text.strip()
    if not text:
        return {}
    out: dict[int, str] = {}
    for part in _OPTION_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^\s*(-?\d+)\s*[=＝:：]\s*(.+?)\s*$", part)
        if not m:
            return None
        out[int(m.group(1))] = m.group(2)
    return out


def _dimension_index(rubric: Rubric) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in rubric.kinds.values():
        for s in spec.stars:
            for name in (s.key, s.zh, s.en, s.zh.removesuffix("星")):
                index[fold(name)] = s.key
    for key, names in DIMENSIONS.items():
        for name in (key, *names):
            index[fold(name)] = key
    return index


def parse_codebook(raw: RawTable, rubric: Rubric, log: ProblemLog) -> pd.DataFrame | None:
    """Validate the codebook; returns the canonical codebook frame or None on errors."""
    cols = Columns(raw)
    for i, header in enumerate(raw.headers):
        canonical = match_header(header, "codebook")
        if canonical is not None and canonical not in cols.pos:
            cols.pos[canonical] = i
    missing = [c for c in ("item", "dimension", "role") if c not in cols.pos]
    for c in missing:
        log.add("missing_column", raw.file, 1, c, canonical=c,
                aliases="item/题号、dimension/维度、role/题型")
    if missing:
        return None
    errors_before = len(log.errors)
    cb = pd.DataFrame(index=raw.frame.index)
    cb["item"] = cols.cells("item")
    empty = cb.index[cb["item"] == ""]
    if len(empty):
        cols.report(log, "required_empty", "item", empty)
    dup = cb["item"].duplicated() & (cb["item"] != "")
    for row in cb.index[dup]:
        first = cb.index[cb["item"] == cb.at[row, "item"]][0]
        cols.report(log, "duplicate_item", "item", pd.Index([row]), other=int(first))
    cb["text"] = cols.cells("text") if "text" in cols.pos else ""
    dims = _dimension_index(rubric)
    dim_cells = cols.cells("dimension")
    cb["dimension"] = dim_cells.map(lambda s: dims.get(fold(s)))
    bad = cb.index[cb["dimension"].isna()]
    if len(bad):
        cols.report(log, "bad_dimension", "dimension", bad,
                    stars=", ".join(rubric.all_star_keys()))
    cb["role"] = cols.cells("role").map(parse_role)
    bad = cb.index[cb["role"].isna()]
    if len(bad):
        cols.report(log, "bad_role", "role", bad)
    for c, default in (("scale_min", 1.0), ("scale_max", 5.0)):
        if c in cols.pos:
            values, bad = parse_numbers(cols.cells(c))
            if len(bad):
                cols.report(log, "bad_number", c, bad, unit="")
            cb[c] = values
        else:
            cb[c] = np.nan
    # knowledge items are yes/no (0/1) unless a scale is given
    is_know = cb["role"] == "knowledge"
    cb.loc[is_know & cb["scale_min"].isna(), "scale_min"] = 0.0
    cb.loc[is_know & cb["scale_max"].isna(), "scale_max"] = 1.0
    cb["scale_min"] = cb["scale_min"].fillna(1.0)
    cb["scale_max"] = cb["scale_max"].fillna(5.0)
    bad = cb.index[cb["scale_min"] >= cb["scale_max"]]
    for row in bad:
        col = "scale_min" if "scale_min" in cols.pos else "scale_max"
        if col in cols.pos:
            cols.report(log, "bad_scale", col, pd.Index([row]), low=f"{cb.at[row, 'scale_min']:g}",
                        high=f"{cb.at[row, 'scale_max']:g}")
    if "reverse" in cols.pos:
        rev = cols.cells("reverse").map(parse_bool)
        bad = cb.index[rev.isna() & (cols.cells("reverse") != "")]
        if len(bad):
            cols.report(log, "bad_bool", "reverse", bad)
        cb["reverse"] = rev.fillna(False).astype(bool)
    else:
        cb["reverse"] = False
    if "options" in cols.pos:
        opts = cols.cells("options").map(parse_options)
        bad = cb.index[opts.isna()]
        if len(bad):
            cols.report(log, "bad_options", "options", bad)
        cb["options"] = opts.map(lambda o: o if isinstance(o, dict) else {})
    else:
        cb["options"] = [{} for _ in range(len(cb))]
    needs = cb["role"].isin(["multi"]) & (cb["options"].map(len) == 0)
    for row in cb.index[needs]:
        log.add("choice_without_options", raw.file, row,
                raw.headers[cols.pos["options"]] if "options" in cols.pos else "options",
                cb.at[row, "item"])
    if len(log.errors) > errors_before:
        return None
    cb = cb[cb["item"] != ""].reset_index(drop=True)
    cb["text"] = cb["text"].astype(object)
    cb["scale_min"] = cb["scale_min"].astype("float64")
    cb["scale_max"] = cb["scale_max"].astype("float64")
    return cb[["item", "text", "dimension", "role", "scale_min", "scale_max", "reverse",
               "options"]]


class SurveyResult:
    def __init__(self, survey: pd.DataFrame, removed: list[str]):
        self.survey = survey
        self.removed = removed


def parse_survey(raw: RawTable, codebook: pd.DataFrame, branch_ids: set[str],
                 log: ProblemLog) -> SurveyResult | None:
    """Validate the survey against the codebook and the ledger's branches."""
    cols = Columns(raw)
    items = {fold(i): i for i in codebook["item"]}
    removed: list[str] = []
    item_pos: dict[str, int] = {}
    for i, header in enumerate(raw.headers):
        if header == "":
            continue
        if fold(header) in items:
            item_pos[items[fold(header)]] = i
            continue
        if is_identifying_header(header):
            removed.append(header)
            continue
        canonical = match_header(header, "survey")
        if canonical is not None and canonical not in cols.pos:
            cols.pos[canonical] = i
        else:
            log.warn("survey_column_not_in_codebook", raw.file, 1, header, col_index=i)
    for c in ("respondent_id", "branch_id", "group"):
        if c not in cols.pos:
            log.add("missing_column", raw.file, 1, c, canonical=c,
                    aliases={"respondent_id": "问卷编号", "branch_id": "支部编码",
                             "group": "身份/类别"}[c])
    for item in codebook["item"]:
        if item not in item_pos:
            log.add("item_not_in_survey", raw.file, 1, item, item=item)
    if any(c not in cols.pos for c in ("respondent_id", "branch_id", "group")):
        return None
    errors_before = len(log.errors)

    out = pd.DataFrame(index=raw.frame.index)
    rid = cols.cells("respondent_id")
    out["respondent_id"] = rid
    if (rid == "").any():
        cols.report(log, "required_empty", "respondent_id", rid.index[rid == ""])
    dup = rid.duplicated() & (rid != "")
    if dup.any():
        first = rid.reset_index().groupby(cols.pos["respondent_id"])["index"].transform("first")
        first.index = rid.index
        for row in rid.index[dup][:40]:
            cols.report(log, "respondent_duplicate", "respondent_id", pd.Index([row]),
                        other=int(first[row]))
    bid = cols.cells("branch_id")
    out["branch_id"] = bid
    if (bid == "").any():
        cols.report(log, "required_empty", "branch_id", bid.index[bid == ""])
    unknown = bid.index[(bid != "") & ~bid.isin(branch_ids)]
    if len(unknown):
        cols.report(log, "branch_unknown", "branch_id", unknown)
    groups = cols.cells("group")
    mapping = {u: parse_group(u) for u in groups.unique()}
    out["group"] = groups.map(mapping)
    if (groups == "").any():
        cols.report(log, "required_empty", "group", groups.index[groups == ""])
    bad = groups.index[(groups != "") & out["group"].isna()]
    if len(bad):
        cols.report(log, "bad_group", "group", bad)

    typed = pd.DataFrame(index=raw.frame.index)
    for c in ("age", "weight"):
        if c in cols.pos:
            values, bad = parse_numbers(cols.cells(c))
            if len(bad):
                cols.report(log, "bad_number", c, bad, unit="")
            typed[c] = values
    check_frame(typed, SURVEY_SCHEMA, cols, log)
    for c in ("gender", "education"):
        if c in cols.pos:
            cells = cols.cells(c)
            out[c] = cells.where(cells != "")
        else:
            out[c] = None
    out["age"] = typed["age"].round().astype("Int64") if "age" in typed else pd.array(
        [pd.NA] * len(out), dtype="Int64")
    if "weight" in typed:
        out["weight"] = typed["weight"]

    # people named in the survey's own name columns are masked in its open answers
    names = roster_names((h, raw.frame[i]) for i, h in enumerate(raw.headers) if h in removed)
    outside: list[tuple] = []
    for _, entry in codebook.iterrows():
        item = entry["item"]
        if item not in item_pos:
            continue
        pos = item_pos[item]
        cols.pos[f"item:{item}"] = pos
        cells = raw.frame[pos]
        role = entry["role"]
        if role in NUMERIC_ROLES:
            values, bad = parse_numbers(cells)
            if len(bad):
                scale = f"{entry['scale_min']:g}–{entry['scale_max']:g} 的数字"
                cols.report(log, "bad_answer", f"item:{item}", bad, scale=scale,
                            scale_en=f"a number from {entry['scale_min']:g} to {entry['scale_max']:g}")
            out[item] = values
            hit = _out_of_scale(values, entry)
            if hit is not None:
                outside.append((item, pos, *hit))
        elif role == "multi":
            out[item] = _parse_multi(cells, entry, cols, f"item:{item}", log)
        else:
            out[item] = _masked(cells, names)
    if outside:  # one warning for the whole survey: don't-know codes are common and harmless
        item, pos, count, examples, first_row, first_value = outside[0]
        codes = sorted({c for *_, ex, _, _ in outside for c in ex})
        log.warn("answers_out_of_scale", raw.file, first_row, raw.headers[pos], found=first_value,
                 col_index=pos,
                 count=sum(o[2] for o in outside), n_items=len(outside),
                 items="、".join(f"{o[0]}（{o[2]}）" for o in outside[:12]) + ("…" if len(outside) > 12 else ""),
                 examples="、".join(codes[:5]))
    if len(log.errors) > errors_before:
        return None
    out["group"] = out["group"].astype(GROUP_DTYPE)
    for c in ("respondent_id", "branch_id"):
        out[c] = out[c].astype(object)
    return SurveyResult(out.reset_index(drop=True), removed)


def _masked(cells: pd.Series, names: frozenset[str] = frozenset()) -> pd.Series:
    """Open answers with phone and ID numbers and names masked (blank cells NaN); each
    distinct answer is masked once."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    masked = np.array([mask_text(u, names) if u != "" else u for u in uniques], dtype=object)
    return pd.Series(masked[codes], index=cells.index, name=cells.name,
                     dtype=cells.dtype).where(cells != "")


def _out_of_scale(values: pd.Series, entry) -> tuple[int, list[str], int, str] | None:
    """Answers outside an item's scale or options: (count, codes, first row, first value)."""
    valid_codes = set(entry["options"]) if entry["role"] == "choice" and entry["options"] else None
    if valid_codes:
        outside = values.notna() & ~values.isin(valid_codes)
    else:
        outside = values.notna() & ((values < entry["scale_min"]) | (values > entry["scale_max"]))
    if not outside.any():
        return None
    codes = [f"{v:g}" for v in values[outside].unique()[:5]]
    return int(outside.sum()), codes, int(values.index[outside][0]), f"{values[outside].iloc[0]:g}"


def _parse_multi(cells: pd.Series, entry, cols: Columns, name: str, log: ProblemLog) -> pd.Series:
    codes = set(entry["options"])

    def one(s: str):
        if s == "":
            return np.nan
        parts = [p for p in _MULTI_SPLIT.split(s) if p]
        try:
            nums = sorted({int(float(p)) for p in parts})
        except ValueError:
            return None
        if codes and not set(nums) <= codes:
            return None
        return ";".join(str(n) for n in nums)

    mapping = {u: one(u) for u in cells.unique()}
    values = cells.map(mapping)
    bad = cells.index[values.isna() & (cells != "")]
    bad = bad[[mapping[cells[r]] is None for r in bad]]
    if len(bad):
        cols.report(log, "bad_multi", name, bad, codes="、".join(map(str, sorted(codes))))
    return values.where(values.notna(), np.nan)
