"""Every table of a report in one .xlsx workbook: one sheet per table, labelled headers and
values in the report's language, nothing a spreadsheet could run.

Both reports have ``tables()`` (name → DataFrame), a ``language`` and a rubric, so one writer
serves the county report and the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from fivestar_analysis.model.labels import label
from fivestar_analysis.present.display import LABELLED, LABELLED_LISTS, label_list
from fivestar_analysis.present.escape import cell_value, harden_sheet

__all__ = ["write_tables_xlsx", "sheet_names"]


def sheet_names(names: list[str], language: str) -> list[str]:
    """A sheet name per table: its label (``table_<name>`` in the label files), at most 31
    characters, made unique with ``_2``, ``_3`` …"""
    used: set[str] = set()
    out = []
    for name in names:
        sheet = label(f"table_{name}", language)
        sheet = (name if sheet == f"table_{name}" else sheet)[:31]
        base, k = sheet, 2
        while sheet in used:
            sheet = f"{base[:28]}_{k}"
            k += 1
        used.add(sheet)
        out.append(sheet)
    return out


def _other_language_columns(columns: list[str], language: str) -> list[str]:
    """``action_en`` in a Chinese workbook when ``action_zh`` is there too (and the reverse)."""
    mine, other = ("_en", "_zh") if language == "en" else ("_zh", "_en")
    return [c for c in columns if c.endswith(other) and c[:-3] + mine in columns]


def _shown(table: pd.DataFrame, language: str, rubric: Any) -> pd.DataFrame:
    shown = table.drop(columns=_other_language_columns([str(c) for c in table.columns],
                                                       language))
    for col in shown.columns:
        if shown[col].map(lambda v: isinstance(v, (dict, list, tuple))).any():
            shown[col] = shown[col].map(str)
        elif col in LABELLED:
            shown[col] = shown[col].map(
                lambda v: v if v is None or (isinstance(v, float) and v != v)
                else label(v, language, rubric))
        elif col in LABELLED_LISTS:
            shown[col] = shown[col].map(lambda v: label_list(v, language, rubric))
        if shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col]):
            shown[col] = shown[col].map(cell_value).astype(object)
    shown.columns = [cell_value(str(label(c, language, rubric))) for c in shown.columns]
    return shown


def write_tables_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
                      language: str = "zh", rubric: Any = None) -> Path:
    """Write ``tables`` to ``path``, one sheet each.

    No cell is ever a formula: every string (a village named ``=HYPERLINK(…)`` included) is
    stored as text and shown as typed; characters a workbook cannot hold are dropped.
    """
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for sheet, table in zip(sheet_names(list(tables), language), tables.values()):
            _shown(table, language, rubric).to_excel(xw, sheet_name=sheet, index=False)
            harden_sheet(xw.sheets[sheet])
    return path
