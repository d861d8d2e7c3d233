"""Parsing the codebook (编码表): items, dimensions, roles, scales, options, declared
missing codes, export headers (``source``), and rows naming the respondent's own columns."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.load.collect import Columns, ProblemLog, parse_numbers, report_bad_numbers
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.load.vocab import (
    fold,
    match_header,
    parse_bool,
    parse_role,
)
from fivestar_analysis.model.rubric import Rubric

__all__ = ["parse_codebook", "parse_options", "POINTER_ROLES", "DIMENSIONS"]

DIMENSIONS = {
    "overall": ["总体", "总体满意度", "整体"],
    "awareness": ["知晓", "知晓度", "知晓率", "认知"],
    "participation": ["参与", "参与度", "参与率"],
    "problems": ["问题", "突出问题", "最大问题"],
    "suggestions": ["建议", "意见建议"],
}
_OPTION_SPLIT = re.compile(r"[;；\n]+")


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


POINTER_ROLES = {"id": "respondent_id", "group": "group", "branch": "branch_id"}


def _codes(text: str) -> tuple[float, ...] | None:
    """Declared missing codes: ``9`` or ``8;9`` (also with , 、 or spaces); None if malformed."""
    parts = [p for p in re.split(r"[;；,，、\s]+", str(text).strip()) if p]
    try:
        return tuple(sorted({float(p) for p in parts}))
    except ValueError:
        return None


def parse_codebook(raw: RawTable, rubric: Rubric, log: ProblemLog, *,
                   default_missing: Any = (), labels_from: RawTable | None = None
                   ) -> pd.DataFrame | None:
    """Validate the codebook; returns the canonical codebook frame or None on errors.

    Rows of role ``id``/``group``/``branch`` name the respondent's own columns of a survey
    export; they are kept in ``attrs["respondent_columns"]`` (canonical -> header names),
    not as items. ``default_missing`` (from ``county.yaml``) applies to items whose
    ``missing`` cell is empty. An SPSS survey (``labels_from``) lends its variable labels as
    ``text`` and its value labels as ``options`` where the codebook leaves them empty.
    """
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
    cb["role"] = cols.cells("role").map(parse_role) if "role" in cols.pos else None
    bad = cb.index[cb["role"].isna()]
    if len(bad):
        cols.report(log, "bad_role", "role", bad)
    pointer = cb["role"].isin(list(POINTER_ROLES))  # respondent columns need no dimension
    dims = _dimension_index(rubric)
    dim_cells = cols.cells("dimension")
    cb["dimension"] = dim_cells.map(lambda s: dims.get(fold(s)))
    bad = cb.index[cb["dimension"].isna() & ~pointer]
    if len(bad):
        cols.report(log, "bad_dimension", "dimension", bad,
                    stars=", ".join(rubric.all_star_keys()))
    for c, default in (("scale_min", 1.0), ("scale_max", 5.0)):
        if c in cols.pos:
            values, bad = parse_numbers(cols.cells(c))
            if len(bad):
                report_bad_numbers(cols, log, c, bad, unit="")
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
    cb["source"] = cols.cells("source") if "source" in cols.pos else ""
    default = _codes(";".join(map(str, default_missing)) if isinstance(
        default_missing, (list, tuple)) else str(default_missing or "")) or ()
    if "missing" in cols.pos:
        declared = cols.cells("missing").map(_codes)
        bad = cb.index[declared.isna()]
        if len(bad):
            cols.report(log, "bad_missing_codes", "missing", bad)
        cb["missing"] = [d if d else default for d in declared.map(lambda d: d or ())]
    else:
        cb["missing"] = [default] * len(cb)
    if labels_from is not None:
        _labels_from_sav(cb, labels_from)
    needs = cb["role"].isin(["multi"]) & (cb["options"].map(len) == 0)
    for row in cb.index[needs]:
        log.add("choice_without_options", raw.file, row,
                raw.headers[cols.pos["options"]] if "options" in cols.pos else "options",
                cb.at[row, "item"])
    if len(log.errors) > errors_before:
        return None
    cb = cb[cb["item"] != ""].reset_index(drop=True)
    pointers: dict[str, list[str]] = {}
    for _, r in cb[cb["role"].isin(list(POINTER_ROLES))].iterrows():
        names = [n for n in (r["source"], r["text"], r["item"]) if n]
        pointers.setdefault(POINTER_ROLES[r["role"]], []).extend(names)
    cb = cb[~cb["role"].isin(list(POINTER_ROLES))].reset_index(drop=True)
    cb["text"] = cb["text"].astype(object)
    cb["scale_min"] = cb["scale_min"].astype("float64")
    cb["scale_max"] = cb["scale_max"].astype("float64")
    out = cb[["item", "text", "dimension", "role", "scale_min", "scale_max", "reverse",
              "options", "missing", "source"]].copy()
    out.attrs["respondent_columns"] = pointers
    return out


def _labels_from_sav(cb: pd.DataFrame, sav: RawTable) -> None:
    """Fill empty ``text`` and ``options`` from an SPSS file's variable and value labels."""
    if not (sav.value_labels or sav.variable_labels):
        return
    for i, r in cb.iterrows():
        name = r["source"] or r["item"]
        if not r["text"] and name in sav.variable_labels:
            cb.at[i, "text"] = sav.variable_labels[name]
        labels = sav.value_labels.get(name)
        if labels and not r["options"]:
            try:
                cb.at[i, "options"] = {int(float(k)): v for k, v in labels.items()}
            except ValueError:
                continue


