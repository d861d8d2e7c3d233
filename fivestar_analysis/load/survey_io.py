"""Parsing the questionnaire (问卷) and its codebook (编码表) into canonical frames.

Columns that identify a person are dropped here, before any analysis can see them, and
phone or ID numbers, the names of the survey's name column and names before a title typed
into open answers are masked.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

from fivestar_analysis.load.answers import option_key
from fivestar_analysis.load.codebook import parse_codebook
from fivestar_analysis.load.collect import Columns, ProblemLog, parse_numbers, report_bad_numbers
from fivestar_analysis.load.items import (
    NUMERIC_ROLES,
    flag_fast,
    item_counts,
    join_spread,
    masked_text,
    numeric_item,
    parse_multi_item,
)
from fivestar_analysis.load.privacy import is_identifying_header, roster_names
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.load.schemas import SURVEY_SCHEMA, check_frame
from fivestar_analysis.load.vocab import (
    each_distinct,
    fold,
    header_index,
    match_in,
    normalize_header,
    parse_group,
    platform_names,
    question_number,
)
from fivestar_analysis.model.county import GROUP_DTYPE

__all__ = ["parse_codebook", "parse_survey", "SurveyResult"]


class SurveyResult:
    def __init__(self, survey: pd.DataFrame, removed: list[str]):
        self.survey = survey
        self.removed = removed


def _item_index(codebook: pd.DataFrame) -> dict[str, str]:
    """Normalised header -> item, from each item's name, ``source`` and question ``text``."""
    index: dict[str, str] = {}
    for key in ("item", "source", "text"):
        if key not in codebook.columns:
            continue
        for item, name in zip(codebook["item"], codebook[key]):
            if isinstance(name, str) and name:
                index.setdefault(fold(name) if key == "item" else normalize_header(name), item)
    return index


_SPLIT_OPTION = re.compile(r"^(.+?)[(（]([^()（）]+)[)）]$|^(.+?)(?:—+|--|:|：|_)(.+)$")


def _split_option_column(header: str, codebook: pd.DataFrame, index: dict[str, str]
                         ) -> tuple[str, int] | None:
    """(item, option code) for one column of a multi-select question spread over columns:
    “8(集体经济薄弱)”, “Q8_集体经济薄弱”, “8、最突出的问题—集体经济薄弱”."""
    m = _SPLIT_OPTION.match(unicodedata.normalize("NFKC", header).strip())
    if not m:
        return None
    left, label = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    multi = codebook[codebook["role"] == "multi"]
    number = question_number(left) if question_number(left) is not None else (
        int(fold(left).lstrip("q")) if re.fullmatch(r"q?\d+", fold(left)) else None)
    item = index.get(normalize_header(left)) or index.get(fold(left))
    if item is None and number is not None:
        for _, r in multi.iterrows():
            names = [r["item"], r.get("source", ""), r["text"]]
            if any(n and (question_number(n) == number or fold(n) in (f"q{number}", str(number)))
                   for n in names):
                item = r["item"]
                break
    if item is None or item not in set(multi["item"]):
        return None
    options = multi.loc[multi["item"] == item, "options"].iloc[0]
    key = option_key(label)
    code = next((k for k, v in options.items() if option_key(v) == key), None)
    if code is None and re.fullmatch(r"\d+", key):
        code = int(key) if int(key) in options else None
    return None if code is None else (item, int(code))


class _Matched:
    """Where each survey column went: an item, a respondent column (in ``cols.pos``), a
    multi-select option spread over its own column, or out (identifying, platform)."""

    def __init__(self, raw: RawTable) -> None:
        self.cols = Columns(raw)
        self.removed: list[str] = []
        self.item_pos: dict[str, int] = {}
        self.spread: dict[str, dict[int, int]] = {}  # multi item -> option code -> position
        self.platform: list[str] = []


def _match_columns(raw: RawTable, codebook: pd.DataFrame, log: ProblemLog) -> _Matched:
    """Sort every survey column: an item (by name, source or question text), a respondent
    column (codebook roles, aliases), a platform column, or one to drop."""
    m = _Matched(raw)
    items = _item_index(codebook)
    pointers = {normalize_header(n): canonical for canonical, names in
                codebook.attrs.get("respondent_columns", {}).items() for n in names}
    survey_index = header_index("survey", platform_names())
    for i, header in enumerate(raw.headers):
        if header == "":
            continue
        norm = normalize_header(header)
        item = items.get(fold(header)) or items.get(norm)
        if item is not None and item not in m.item_pos:
            m.item_pos[item] = i
            continue
        canonical = pointers.get(norm) or match_in(survey_index, header)
        if canonical == "platform:identifying" or (canonical is None
                                                   and is_identifying_header(header)):
            m.removed.append(header)
            continue
        if canonical is not None and canonical.startswith("platform:"):
            if canonical == "platform:duration" and "duration" not in m.cols.pos:
                m.cols.pos["duration"] = i
            m.platform.append(header)
            continue
        if canonical is not None and canonical not in m.cols.pos:
            m.cols.pos[canonical] = i
            continue
        split = _split_option_column(header, codebook, items)
        if split is not None:
            m.spread.setdefault(split[0], {})[split[1]] = i
            continue
        log.warn("survey_column_not_in_codebook", raw.file, 1, header, col_index=i)
    if m.platform:
        log.note("platform_columns", raw.file, 1, None, columns="、".join(m.platform))
    return m


REQUIRED = {"respondent_id": "问卷编号、序号", "branch_id": "支部编码", "group": "身份/类别"}


def _respondents(raw: RawTable, cols: Columns, branch_ids: set[str],
                 log: ProblemLog) -> pd.DataFrame:
    """The respondent columns: id (unique), branch (in the ledger), group, and the optional
    gender, education, age and weight."""
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
    labels = raw.value_labels.get(cols.header("group"), {})
    mapping = {u: parse_group(u) or parse_group(labels.get(u, "")) for u in groups.unique()}
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
                report_bad_numbers(cols, log, c, bad, unit="")
            typed[c] = values
    check_frame(typed, SURVEY_SCHEMA, cols, log)
    for c in ("gender", "education"):
        if c in cols.pos:
            cells = cols.cells(c)
            labels = raw.value_labels.get(cols.header(c), {})
            out[c] = (each_distinct(cells, lambda v, lab=labels: lab.get(v, v)).astype(
                cells.dtype) if labels else cells).where(cells != "")
        else:
            out[c] = None
    out["age"] = typed["age"].round().astype("Int64") if "age" in typed else pd.array(
        [pd.NA] * len(out), dtype="Int64")
    if "weight" in typed:
        out["weight"] = typed["weight"]
    return out


def _answers(raw: RawTable, codebook: pd.DataFrame, m: _Matched, out: pd.DataFrame,
             log: ProblemLog) -> None:
    """Every item's answers into ``out``: codes (words and labels read as codes, declared
    missing codes counted), multi-select sets, open answers with people masked."""
    cols = m.cols
    # people named in the survey's own name columns are masked in its open answers
    names = roster_names((h, raw.frame[i]) for i, h in enumerate(raw.headers) if h in m.removed)
    declared: dict[str, int] = {}
    words_missing: dict[str, int] = {}
    for _, entry in codebook.iterrows():
        item, role = entry["item"], entry["role"]
        if item in m.spread:
            out[item] = join_spread(raw, m.spread[item])
            continue
        if item not in m.item_pos:
            continue
        pos = m.item_pos[item]
        cols.pos[f"item:{item}"] = pos
        cells = raw.frame[pos]
        if role in NUMERIC_ROLES:
            out[item], n_declared, n_words = numeric_item(
                cells, entry, cols, f"item:{item}", log,
                raw.value_labels.get(raw.headers[pos], {}))
            if n_declared:
                declared[item] = n_declared
            if n_words:
                words_missing[item] = n_words
        elif role == "multi":
            out[item] = parse_multi_item(cells, entry, cols, f"item:{item}", log)
        else:
            out[item] = masked_text(cells, names)
    if declared:
        log.note("declared_missing", raw.file, None, None, count=sum(declared.values()),
                 items=item_counts(declared))
    if words_missing:
        log.note("missing_words", raw.file, None, None, count=sum(words_missing.values()),
                 items=item_counts(words_missing))


def parse_survey(raw: RawTable, codebook: pd.DataFrame, branch_ids: set[str],
                 log: ProblemLog, *, min_seconds: float | None = None) -> SurveyResult | None:
    """Validate the survey against the codebook and the ledger's branches.

    Columns are matched to items by name, ``source`` or question text; answers may be codes
    or words (see :mod:`fivestar_analysis.load.answers`). Columns that identify a person
    (names, phone numbers, IP addresses …) are dropped; a survey platform's other columns
    are recognised and left out of the analysis.
    """
    m = _match_columns(raw, codebook, log)
    cols = m.cols
    for c, aliases in REQUIRED.items():
        if c not in cols.pos:
            log.add("missing_column", raw.file, 1, c, canonical=c, aliases=aliases)
    for item in codebook["item"]:
        if item not in m.item_pos and item not in m.spread:
            log.add("item_not_in_survey", raw.file, 1, item, item=item)
    if any(c not in cols.pos for c in REQUIRED):
        return None
    errors_before = len(log.errors)
    out = _respondents(raw, cols, branch_ids, log)
    _answers(raw, codebook, m, out, log)
    if "duration" in cols.pos:
        flag_fast(cols, log, min_seconds)
    if len(log.errors) > errors_before:
        return None
    out["group"] = out["group"].astype(GROUP_DTYPE)
    for c in ("respondent_id", "branch_id"):
        out[c] = out[c].astype(object)
    return SurveyResult(out.reset_index(drop=True), m.removed)
