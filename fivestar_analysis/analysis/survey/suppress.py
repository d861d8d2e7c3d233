"""Small-cell suppression: no table cell may describe fewer than k respondents.

Every table of the survey analysis passes through :func:`suppress_small` before it is
returned. A suppressed row keeps its labels and its ``n`` (how many respondents the cell
holds) but loses every figure computed from their answers, and says so in ``suppressed``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["suppress_small", "FIGURE_COLUMNS"]

#: columns computed from answers; blanked in a suppressed row when present
FIGURE_COLUMNS = (
    "estimate", "ci_low", "ci_high", "sd", "n_eff", "share", "count", "statistic", "df",
    "p_value", "p_adj", "effect_size", "importance", "satisfaction", "gap", "alpha",
    "alpha_if_deleted", "item_total_r", "mean_inter_item_r", "min_expected",
    "se", "deff", "design_statistic", "design_p_value", "design_rank_statistic",
    "design_rank_p_value",
)
#: text columns computed from answers; set to None in a suppressed row
_TEXT_FIGURES = ("quadrant", "quadrant_label", "example", "small_expected")


def suppress_small(
    table: pd.DataFrame,
    k: int = 5,
    count_columns: Sequence[str] = ("n",),
    figure_columns: Sequence[str] | None = None,
    *,
    count_min: int | None = None,
) -> pd.DataFrame:
    """Blank the figures of rows that describe fewer than ``k`` respondents.

    Parameters
    ----------
    table
        A tidy result table.
    k
        Smallest number of respondents a published cell may describe.
    count_columns
        Columns holding respondent counts; a row is suppressed when any of them is
        below ``k`` (a missing count counts as zero).
    figure_columns
        Columns to blank; default: every column of :data:`FIGURE_COLUMNS` (and quadrant,
        example text) present in ``table``.
    count_min
        Also suppress a row whose ``count`` column is between 1 and ``k - 1`` (frequency
        tables: a few people choosing an option are themselves a small cell). Pass ``k``.

    Returns
    -------
    pandas.DataFrame
        A copy with a boolean ``suppressed`` column (combined with any existing one).
    """
    out = table.copy(deep=False)  # copy-on-write: the caller's table is never changed
    small = np.zeros(len(out), dtype=bool)
    for col in count_columns:
        small |= (pd.to_numeric(out[col], errors="coerce").fillna(0) < k).to_numpy()
    if count_min is not None and "count" in out.columns:
        c = pd.to_numeric(out["count"], errors="coerce").fillna(0).to_numpy()
        small |= (c > 0) & (c < count_min)
    if "suppressed" in out.columns:
        small |= out["suppressed"].fillna(False).astype(bool).to_numpy()
    cols = list(figure_columns) if figure_columns is not None else [
        c for c in (*FIGURE_COLUMNS, *_TEXT_FIGURES) if c in out.columns
    ]
    any_small = bool(small.any())
    for col in cols:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype("boolean")
            if any_small:
                out.loc[small, col] = pd.NA
        elif pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype("float64")
            if any_small:
                out.loc[small, col] = np.nan
        else:
            out[col] = out[col].astype(object)
            if any_small:
                out.loc[small, col] = None
    out["suppressed"] = small
    return out
