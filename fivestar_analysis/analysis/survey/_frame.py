"""Shared input views: the codebook with defaults, and respondents joined to the ledger."""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.load.privacy import is_identifying_header
from fivestar_analysis.model.county import GROUPS, County

__all__ = ["codebook", "respondent_frame", "require_survey", "items_of", "BASE_COLUMNS",
           "shared_inputs", "memoized", "group_positions", "as_categories",
           "GROUP_COLUMNS"]

#: respondent columns every long table carries (no identifying column among them)
BASE_COLUMNS = ["respondent_id", "branch_id", "group", "township", "kind", "level", "weight"]
LIKERT_ROLES = ("satisfaction", "importance")


_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar("survey_memo", default=None)


@contextlib.contextmanager
def shared_inputs() -> Iterator[None]:
    """Within this block, each derived input (the codebook with defaults, the respondent
    frame, the cleaned items, the scores, the open answers) is computed once per county
    and settings, however many tables ask for it.

    ``describe_survey`` and ``describe_county`` compute every table inside one block; the
    county is not changed meanwhile. Outside a block nothing is kept. Callers get a
    shallow copy (copy-on-write: changing it never reaches the shared frame).
    """
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memoized(name: str, county: County, key: Any, compute: Callable[[], pd.DataFrame]
             ) -> pd.DataFrame:
    """``compute()``, or inside :func:`shared_inputs` its shared result for this county."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    k = (name, id(county), key)
    if k not in memo:
        memo[k] = (county, compute())  # the county is kept alive, so its id stays its own
    return memo[k][1].copy(deep=False)


def group_positions(frame: pd.DataFrame, keys: str | list[str], *, sort: bool = True
                    ) -> list[tuple[Any, np.ndarray]]:
    """``[(key, positions)]`` of ``frame.groupby(keys, sort=sort, observed=True)``: the
    same groups, in the same order, each with the row positions (in frame order) that
    ``for key, g in groupby`` would give as ``g`` — without building a frame per group."""
    gb = frame.groupby(keys, sort=sort, observed=True)
    ids = gb.ngroup().fillna(-1).to_numpy(dtype=np.int64)  # -1: a missing key, left out
    labels = gb.size().index
    valid = ids >= 0
    order = np.flatnonzero(valid)[np.argsort(ids[valid], kind="stable")]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(ids[valid], minlength=len(labels)))])
    keyed = [(k,) if isinstance(keys, list) and not isinstance(k, tuple) else k
             for k in labels]  # a list of keys gives tuples, as groupby does
    return [(keyed[i], order[bounds[i]:bounds[i + 1]]) for i in range(len(labels))]


def require_survey(county: County) -> None:
    if county.survey is None or county.codebook is None:
        raise InvalidArgument("this county has no survey (survey and codebook are both needed)")


def _options(value: Any) -> dict[int, str]:
    if isinstance(value, dict):
        return {int(k): str(v) for k, v in value.items()}
    return {}


def _float(value: Any, default: float) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(f) else f


def codebook(county: County) -> pd.DataFrame:
    """The codebook rows of items present in the survey, with defaults filled in.

    Knowledge items are 0/1 (1 = knows) whatever scale the codebook states.
    """
    require_survey(county)
    return memoized("codebook", county, None, lambda: _codebook(county))


def _codebook(county: County) -> pd.DataFrame:
    cb = county.codebook.copy()
    cb = cb[cb["item"].astype(str).isin(set(map(str, county.survey.columns)))].copy()
    cb["item"] = cb["item"].astype(str)
    cb["role"] = cb["role"].astype(str).str.strip().str.lower()
    cb["dimension"] = cb["dimension"].astype(str).str.strip()
    if "text" not in cb.columns:
        cb["text"] = cb["item"]
    cb["scale_min"] = [_float(v, 1.0) for v in cb.get("scale_min", pd.Series(index=cb.index))]
    cb["scale_max"] = [_float(v, 5.0) for v in cb.get("scale_max", pd.Series(index=cb.index))]
    know = cb["role"] == "knowledge"
    cb.loc[know, "scale_min"] = 0.0
    cb.loc[know, "scale_max"] = 1.0
    rev = cb["reverse"] if "reverse" in cb.columns else pd.Series(False, index=cb.index)
    cb["reverse"] = rev.fillna(False).astype(bool)
    opts = cb["options"] if "options" in cb.columns else pd.Series(None, index=cb.index)
    cb["options"] = [_options(v) for v in opts]
    if "missing" not in cb.columns:
        cb["missing"] = [()] * len(cb)
    cb["missing"] = [tuple(v) if isinstance(v, (tuple, list)) else () for v in cb["missing"]]
    cols = ["item", "text", "dimension", "role", "scale_min", "scale_max", "reverse", "options",
            "missing"]
    return cb[cols].reset_index(drop=True)


def items_of(cb: pd.DataFrame, role: str | tuple[str, ...]) -> pd.DataFrame:
    roles = (role,) if isinstance(role, str) else role
    return cb[cb["role"].isin(roles)]


def respondent_frame(county: County) -> pd.DataFrame:
    """Survey rows joined to their branch in the report year (township, kind, level).

    Identifying columns are dropped again here (the loader already removes them), so no
    table built on this frame can reach a name or phone number. ``weight`` is 1.0 when the
    survey has no weight column.
    """
    require_survey(county)
    return memoized("respondent_frame", county, None, lambda: _respondent_frame(county))


def _respondent_frame(county: County) -> pd.DataFrame:
    s = county.survey
    keep = set(BASE_COLUMNS) | set(county.codebook["item"].astype(str))
    s = s[[c for c in s.columns if str(c) in keep or not is_identifying_header(c)]].copy()
    s["respondent_id"] = s["respondent_id"].astype(str)
    s["branch_id"] = s["branch_id"].astype(str)
    s["group"] = pd.Categorical(s["group"].astype(object), categories=GROUPS)
    if "weight" in s.columns:
        s["weight"] = pd.to_numeric(s["weight"], errors="coerce").astype("float64")
    else:
        s["weight"] = 1.0
    b = county.branches_in()[["branch_id", "township", "kind", "level", "collective_income_wan"]]
    b = b.assign(branch_id=b["branch_id"].astype(str)).drop_duplicates("branch_id")
    s = s.drop(columns=[c for c in b.columns if c != "branch_id" and c in s.columns])
    out = s.merge(b, on="branch_id", how="left")
    out["level"] = out["level"].astype("Int64")
    for col in GROUP_COLUMNS:  # factorised once here, not by every groupby that follows
        out[col] = as_categories(out[col])
    return out


#: text columns every survey table groups by: categorical in the respondent frame
GROUP_COLUMNS = ("branch_id", "township", "kind")


def as_categories(values: pd.Series) -> pd.Series:
    """Text as a categorical whose categories are sorted as text, so that grouping and
    sorting give the order the text would (missing stays missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    codes, uniques = pd.factorize(values.astype(object), sort=True)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object)),
                     index=values.index, name=values.name)
