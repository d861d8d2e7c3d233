"""Parsing the questionnaire (问卷) and its codebook (编码表) into canonical frames.

Columns that identify a person are dropped here, before any analysis can see them, and
phone or ID numbers, the names of the survey's name column and names before a title typed
into open answers are masked.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fivestar_analysis.load.collect import Columns, ProblemLog, parse_numbers, report_bad_numbers
from fivestar_analysis.county import GROUP_DTYPE
from fivestar_analysis.load.privacy import is_identifying_header, mask_text, roster_names
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.rubric import Rubric
from fivestar_analysis.load.schemas import SURVEY_SCHEMA, check_frame
from fivestar_analysis.load.answers import MISSING, AnswerMap, multi_codes, option_key
from fivestar_analysis.load.detect import skipped_note_rows
from fivestar_analysis.load.vocab import (
    aliases,
    fold,
    header_index,
    match_header,
    match_in,
    normalize_header,
    parse_bool,
    parse_group,
    parse_role,
    question_number,
)

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
_MISSING_WORDS = frozenset(option_key(w) for w in aliases()["answers"]["missing"])
#: what a platform writes into an open question nobody answered
_NO_TEXT = frozenset(option_key(w) for w in ("(跳过)", "(空)", "跳过", "-3", "-2"))


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


def parse_survey(raw: RawTable, codebook: pd.DataFrame, branch_ids: set[str],
                 log: ProblemLog, *, min_seconds: float | None = None) -> SurveyResult | None:
    """Validate the survey against the codebook and the ledger's branches.

    Columns are matched to items by name, ``source`` or question text; answers may be codes
    or words (see :mod:`fivestar_analysis.load.answers`). Columns that identify a person
    (names, phone numbers, IP addresses …) are dropped; a survey platform's other columns
    are recognised and left out of the analysis.
    """
    cols = Columns(raw)
    items = _item_index(codebook)
    pointers = {normalize_header(n): canonical for canonical, names in
                codebook.attrs.get("respondent_columns", {}).items() for n in names}
    platform = {name: f"platform:{kind}" for kind, names in aliases()["platform"].items()
                for name in names}
    survey_index = header_index("survey", platform)
    removed: list[str] = []
    item_pos: dict[str, int] = {}
    spread: dict[str, dict[int, int]] = {}  # multi item -> option code -> position
    platform_cols: list[str] = []
    for i, header in enumerate(raw.headers):
        if header == "":
            continue
        norm = normalize_header(header)
        item = items.get(fold(header)) or items.get(norm)
        if item is not None and item not in item_pos:
            item_pos[item] = i
            continue
        canonical = pointers.get(norm) or match_in(survey_index, header)
        if canonical == "platform:identifying" or (canonical is None
                                                   and is_identifying_header(header)):
            removed.append(header)
            continue
        if canonical is not None and canonical.startswith("platform:"):
            if canonical == "platform:duration" and "duration" not in cols.pos:
                cols.pos["duration"] = i
            platform_cols.append(header)
            continue
        if canonical is not None and canonical not in cols.pos:
            cols.pos[canonical] = i
            continue
        split = _split_option_column(header, codebook, items)
        if split is not None:
            spread.setdefault(split[0], {})[split[1]] = i
            continue
        log.warn("survey_column_not_in_codebook", raw.file, 1, header, col_index=i)
    if platform_cols:
        log.note("platform_columns", raw.file, 1, None, columns="、".join(platform_cols))
    for c in ("respondent_id", "branch_id", "group"):
        if c not in cols.pos:
            log.add("missing_column", raw.file, 1, c, canonical=c,
                    aliases={"respondent_id": "问卷编号、序号", "branch_id": "支部编码",
                             "group": "身份/类别"}[c])
    for item in codebook["item"]:
        if item not in item_pos and item not in spread:
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
            out[c] = (cells.map(lambda v, lab=labels: lab.get(v, v)) if labels
                      else cells).where(cells != "")
        else:
            out[c] = None
    out["age"] = typed["age"].round().astype("Int64") if "age" in typed else pd.array(
        [pd.NA] * len(out), dtype="Int64")
    if "weight" in typed:
        out["weight"] = typed["weight"]

    # people named in the survey's own name columns are masked in its open answers
    names = roster_names((h, raw.frame[i]) for i, h in enumerate(raw.headers) if h in removed)
    declared: dict[str, int] = {}
    words_missing: dict[str, int] = {}
    for _, entry in codebook.iterrows():
        item = entry["item"]
        role = entry["role"]
        if item in spread:
            out[item] = _join_spread(raw, spread[item])
            continue
        if item not in item_pos:
            continue
        pos = item_pos[item]
        cols.pos[f"item:{item}"] = pos
        cells = raw.frame[pos]
        if role in NUMERIC_ROLES:
            out[item], n_declared, n_words = _numeric_item(
                cells, entry, cols, f"item:{item}", log,
                raw.value_labels.get(raw.headers[pos], {}))
            if n_declared:
                declared[item] = n_declared
            if n_words:
                words_missing[item] = n_words
        elif role == "multi":
            out[item] = _parse_multi(cells, entry, cols, f"item:{item}", log)
        else:
            out[item] = _masked(cells, names)
    if declared:
        log.note("declared_missing", raw.file, None, None, count=sum(declared.values()),
                 items=_item_counts(declared))
    if words_missing:
        log.note("missing_words", raw.file, None, None, count=sum(words_missing.values()),
                 items=_item_counts(words_missing))
    if "duration" in cols.pos:
        _flag_fast(cols, log, min_seconds)
    if len(log.errors) > errors_before:
        return None
    out["group"] = out["group"].astype(GROUP_DTYPE)
    for c in ("respondent_id", "branch_id"):
        out[c] = out[c].astype(object)
    return SurveyResult(out.reset_index(drop=True), removed)


@lru_cache(maxsize=1)
def loading_settings() -> dict[str, Any]:
    """The packaged defaults of ``resources/loading.yaml``."""
    path = resources.files("fivestar_analysis") / "resources" / "loading.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _item_counts(counts: dict[str, int], limit: int = 12) -> str:
    text = "、".join(f"{k}（{v}）" for k, v in list(counts.items())[:limit])
    return text + ("…" if len(counts) > limit else "")


_SELECTED = {"1", "1.0", "是", "√", "✓", "✔", "☑", "选中", "已选", "yes", "y", "true"}
_UNSELECTED = {"", "0", "0.0", "否", "未选", "no", "n", "false", "(跳过)", "(空)", "-3", "-2"}


def _join_spread(raw: RawTable, positions: dict[int, int]) -> pd.Series:
    """One multi-select answer (``"1;3"``) from one 0/1 column per option; a column whose
    cell holds the option's own text counts as ticked too."""
    ticked = pd.DataFrame(index=raw.frame.index)
    for code, pos in sorted(positions.items()):
        cells = raw.frame[pos].map(fold)
        ticked[code] = ~cells.isin(_UNSELECTED) | cells.isin(_SELECTED)
    answered = pd.concat([raw.frame[p] != "" for p in positions.values()], axis=1).any(axis=1)
    joined = ticked.apply(lambda r: ";".join(str(c) for c in r.index[r.to_numpy()]), axis=1)
    dtype = raw.frame[next(iter(positions.values()))].dtype
    return joined.where(answered & (joined != ""), np.nan).astype(dtype)


def _numeric_item(cells: pd.Series, entry, cols: Columns, name: str, log: ProblemLog,
                  value_labels: dict[str, str]) -> tuple[pd.Series, int, int]:
    """Codes of one numeric item from codes or words; (values, declared missing, words
    meaning no answer). Unknown words and undeclared codes off the scale are errors."""
    mapper = AnswerMap(entry["scale_min"], entry["scale_max"], entry["options"], value_labels)
    missing = set(entry.get("missing", ()) or ())
    missing_code = min(missing) if missing else np.nan
    # each distinct answer is coded once: a column holds a handful of different texts
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object), use_na_sentinel=False)
    coded = [np.nan if u == "" else mapper.code(u) for u in uniques]
    is_word_missing = np.array([c == MISSING for c in coded], dtype=bool)
    is_unknown = np.array([c is None for c in coded], dtype=bool)
    distinct = np.array([missing_code if c == MISSING else (np.nan if c is None else c)
                         for c in coded], dtype="float64")
    unknown = cells.index[is_unknown[codes]]
    if len(unknown):
        low, high = entry["scale_min"], entry["scale_max"]
        words = "、".join(list(entry["options"].values())[:5]) or "非常满意 … 非常不满意"
        cols.report(log, "bad_answer", name, unknown,
                    scale=f"{low:g}–{high:g} 的数字或选项文字（如 {words}）",
                    scale_en=f"a number from {low:g} to {high:g} or an option's words")
    values = pd.Series(distinct[codes], index=cells.index)
    numbers = values
    allowed = set(entry["options"]) if entry["role"] == "choice" and entry["options"] else None
    in_scale = numbers.isin(allowed) if allowed else (
        (numbers >= entry["scale_min"]) & (numbers <= entry["scale_max"]))
    labelled = numbers.isin([float(c) for c in entry["options"]])
    is_declared = numbers.isin(list(missing))
    outside = numbers.notna() & ~in_scale & ~labelled & ~is_declared
    if outside.any():
        shown = numbers[outside].map(lambda v: f"{v:g}")
        scale = (f"选项 {'、'.join(str(c) for c in sorted(allowed))}" if allowed
                 else f"{entry['scale_min']:g}–{entry['scale_max']:g}")
        cols.report(log, "answer_out_of_scale", name, cells.index[outside.to_numpy()],
                    found=shown, scale=scale)
    n_words = int(is_word_missing[codes].sum())
    n_declared = int((is_declared.to_numpy() & ~is_word_missing[codes]).sum())
    return numbers, n_declared, n_words


def _duration_seconds(text: str) -> float:
    """``125``, ``125秒``, ``2分5秒``, ``1时2分``, ``00:02:05`` as seconds (NaN if unreadable)."""
    t = fold(text)
    if not t:
        return np.nan
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return float(t)
    m = re.fullmatch(r"(?:(\d+):)?(\d+):(\d+)", t)
    if m:
        h, mi, se = (int(g) if g else 0 for g in m.groups())
        return h * 3600 + mi * 60 + se
    m = re.fullmatch(r"(?:(\d+)(?:小时|时))?(?:(\d+)(?:分钟|分))?(?:(\d+(?:\.\d+)?)秒)?", t)
    if m and any(m.groups()):
        h, mi, se = (float(g) if g else 0.0 for g in m.groups())
        return h * 3600 + mi * 60 + se
    return np.nan


def _flag_fast(cols: Columns, log: ProblemLog, min_seconds: float | None) -> None:
    """Questionnaires finished implausibly fast are a warning (they stay in the data)."""
    limit = float(min_seconds if min_seconds is not None
                  else loading_settings()["survey"]["min_seconds"])
    seconds = cols.cells("duration").map(_duration_seconds)
    fast = seconds.index[(seconds < limit).to_numpy()]
    if len(fast):
        log.warn("too_fast", cols.raw.file, int(fast[0]), cols.header("duration"),
                 cols.cells("duration").loc[fast[0]], col_index=cols.pos["duration"],
                 count=len(fast), seconds=f"{limit:g}",
                 rows=skipped_note_rows([int(r) for r in fast]))


def _masked(cells: pd.Series, names: frozenset[str] = frozenset()) -> pd.Series:
    """Open answers with phone and ID numbers and the survey's own names masked (blank
    cells and a platform's “(跳过)”/“(空)” NaN); each distinct answer is masked once."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    empty = np.array([u == "" or option_key(u) in _NO_TEXT for u in uniques], dtype=bool)
    masked = np.array([mask_text(u, names) if not e else "" for u, e in zip(uniques, empty)],
                      dtype=object)
    return pd.Series(masked[codes], index=cells.index, name=cells.name,
                     dtype=cells.dtype).where(~empty[codes])


def _parse_multi(cells: pd.Series, entry, cols: Columns, name: str, log: ProblemLog) -> pd.Series:
    codes = set(entry["options"])

    def one(s: str):
        if s == "":
            return np.nan
        if option_key(s) in _MISSING_WORDS:
            return np.nan
        nums = multi_codes(s, entry["options"])
        if nums is None or (codes and not set(nums) <= codes):
            return None
        return ";".join(str(n) for n in nums) if nums else np.nan

    mapping = {u: one(u) for u in cells.unique()}
    values = cells.map(mapping)
    bad = cells.index[values.isna() & (cells != "")]
    bad = bad[[mapping[cells[r]] is None for r in bad]]
    if len(bad):
        cols.report(log, "bad_multi", name, bad, codes="、".join(map(str, sorted(codes))))
    return values.where(values.notna(), np.nan)
