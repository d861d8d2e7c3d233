"""One survey column into analysis values: numeric items from codes or words, multi-select
answers (joined or spread over columns), open answers masked, and the time taken checked."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fivestar_analysis.load.answers import MISSING, AnswerMap, multi_codes, option_key
from fivestar_analysis.load.collect import Columns, ProblemLog
from fivestar_analysis.load.detect import skipped_note_rows
from fivestar_analysis.load.privacy import mask_text
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.load.vocab import (
    aliases,
    each_distinct,
    fold,
)

__all__ = ["NUMERIC_ROLES", "numeric_item", "parse_multi_item", "join_spread", "masked_text",
           "flag_fast", "loading_settings", "item_counts"]

NUMERIC_ROLES = ("satisfaction", "importance", "knowledge", "choice")
_MULTI_SPLIT = re.compile(r"[;；,，、\s/|]+")
_MISSING_WORDS = frozenset(option_key(w) for w in aliases()["answers"]["missing"])
#: what a platform writes into an open question nobody answered
_NO_TEXT = frozenset(option_key(w) for w in ("(跳过)", "(空)", "跳过", "-3", "-2"))


@lru_cache(maxsize=1)
def loading_settings() -> dict[str, Any]:
    """The packaged defaults of ``resources/loading.yaml``."""
    path = resources.files("fivestar_analysis") / "resources" / "loading.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def item_counts(counts: dict[str, int], limit: int = 12) -> str:
    text = "、".join(f"{k}（{v}）" for k, v in list(counts.items())[:limit])
    return text + ("…" if len(counts) > limit else "")


_SELECTED = {"1", "1.0", "是", "√", "✓", "✔", "☑", "选中", "已选", "yes", "y", "true"}
_UNSELECTED = {"", "0", "0.0", "否", "未选", "no", "n", "false", "(跳过)", "(空)", "-3", "-2"}


def join_spread(raw: RawTable, positions: dict[int, int]) -> pd.Series:
    """One multi-select answer (``"1;3"``) from one 0/1 column per option; a column whose
    cell holds the option's own text counts as ticked too."""
    options = sorted(positions.items())
    ticked = np.zeros((len(raw.frame), len(options)), dtype=bool)
    for j, (_, pos) in enumerate(options):
        cells = each_distinct(raw.frame[pos], fold)
        ticked[:, j] = (~cells.isin(_UNSELECTED) | cells.isin(_SELECTED)).to_numpy()
    answered = pd.concat([raw.frame[p] != "" for p in positions.values()], axis=1).any(axis=1)
    # each distinct pattern of ticks is joined once
    patterns, which = np.unique(ticked, axis=0, return_inverse=True)
    texts = np.array([";".join(str(code) for (code, _), t in zip(options, row) if t)
                      for row in patterns] or [""], dtype=object)
    joined = pd.Series(texts[np.ravel(which)], index=raw.frame.index)
    dtype = raw.frame[next(iter(positions.values()))].dtype
    return joined.where(answered & (joined != ""), np.nan).astype(dtype)


def numeric_item(cells: pd.Series, entry, cols: Columns, name: str, log: ProblemLog,
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
        words = "、".join(list(entry["options"].values())[:5]) or "…"
        cols.report(log, "bad_answer", name, unknown, low=f"{entry['scale_min']:g}",
                    high=f"{entry['scale_max']:g}", words=words)
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
        scale = ("、".join(str(c) for c in sorted(allowed)) if allowed
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


def flag_fast(cols: Columns, log: ProblemLog, min_seconds: float | None) -> None:
    """Questionnaires finished implausibly fast are a warning (they stay in the data)."""
    limit = float(min_seconds if min_seconds is not None
                  else loading_settings()["survey"]["min_seconds"])
    seconds = each_distinct(cols.cells("duration"), _duration_seconds).astype("float64")
    fast = seconds.index[(seconds < limit).to_numpy()]
    if len(fast):
        log.warn("too_fast", cols.raw.file, int(fast[0]), cols.header("duration"),
                 cols.cells("duration").loc[fast[0]], col_index=cols.pos["duration"],
                 count=len(fast), seconds=f"{limit:g}",
                 rows=skipped_note_rows([int(r) for r in fast]))


def masked_text(cells: pd.Series, names: frozenset[str] = frozenset()) -> pd.Series:
    """Open answers with phone and ID numbers and the survey's own names masked (blank
    cells and a platform's “(跳过)”/“(空)” NaN); each distinct answer is masked once."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    empty = np.array([u == "" or option_key(u) in _NO_TEXT for u in uniques], dtype=bool)
    masked = np.array([mask_text(u, names) if not e else "" for u, e in zip(uniques, empty)],
                      dtype=object)
    return pd.Series(masked[codes], index=cells.index, name=cells.name,
                     dtype=cells.dtype).where(~empty[codes])


def parse_multi_item(cells: pd.Series, entry, cols: Columns, name: str, log: ProblemLog) -> pd.Series:
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

