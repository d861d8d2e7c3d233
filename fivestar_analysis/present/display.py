"""Presenting tables and charts in the report: labels, number formats, method notes.

Tables are shown with Chinese (or English) headers and values from the label map,
shares as percentages, p-values as reports print them, suppressed cells marked, and a
note under each table saying the method and n.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pandas as pd

from fivestar_analysis.model.formats import MISSING, format_int, format_p, format_year
from fivestar_analysis.model.labels import label
from fivestar_analysis.present.escape import clean_text, html_text
from fivestar_analysis.present.text import text

__all__ = ["format_table", "table_html", "chart_png", "chart_html", "markdown_html",
           "label_list", "is_year_column", "LABELLED", "LABELLED_LISTS"]

log = logging.getLogger(__name__)

#: columns whose values are keys with display labels
LABELLED = {"star", "kind", "group", "tier", "dimension", "honour", "subgroup", "theme",
            "quadrant", "measure", "severity", "scope", "reason", "nearest_star", "by",
            "mentoring_rule", "target_name", "method", "effect_size_name", "group_a", "group_b",
            "branch_kind", "basis", "weak_lax", "side", "unit", "role", "nearest_reason",
            "subject"}
#: columns holding several keys joined with ";" (e.g. the stars declared but not awarded)
LABELLED_LISTS = {"declared_not_awarded"}
PERCENT_HINTS = ("share", "rate", "progress")
P_COLUMNS = {"p_value", "p_adj", "p_raw"}
ESTIMATE_COLUMNS = {"estimate", "ci_low", "ci_high", "sd"}


def label_list(value: Any, language: str, rubric: Any = None) -> str:
    """``industry;ecology`` → ``产业兴旺星、生态宜居星``."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return MISSING
    sep = text("list.sep", language)
    return sep.join(label(v, language, rubric) for v in str(value).split(";") if v)


def is_year_column(col: str) -> bool:
    """``year``, ``year_from``, ``first_year`` …: printed bare (2025, never 2,025)."""
    c = str(col).lower()
    return c == "year" or c.startswith("year_") or c.endswith("_year")


def _is_percent(col: str) -> bool:
    c = col.lower()
    return not c.startswith("n_") and any(h in c for h in PERCENT_HINTS)


def format_table(df: pd.DataFrame, *, language: str = "zh", rubric: Any = None,
                 percent: list[str] | None = None, decimals: dict[str, int] | None = None,
                 columns: list[str] | None = None) -> pd.DataFrame:
    """A display copy of ``df``: formatted strings, labelled values and headers.

    Rows flagged ``suppressed`` show their estimates as "样本过少" / "suppressed".
    """
    out = df.copy() if columns is None else df[[c for c in columns if c in df.columns]].copy()
    decimals = decimals or {}
    percent = set(percent or [c for c in out.columns if _is_percent(str(c))])
    suppressed = df["suppressed"].fillna(False).astype(bool) if "suppressed" in df.columns else None
    shown: dict[str, pd.Series] = {}
    for col in out.columns:
        s = out[col]
        if col in P_COLUMNS or str(col).endswith("_p_value"):
            shown[col] = s.map(format_p)
        elif is_year_column(col) and pd.api.types.is_numeric_dtype(s):
            shown[col] = s.map(format_year)
        elif col in percent:
            d = decimals.get(col, 1)
            shown[col] = s.map(lambda v, d=d: "—" if pd.isna(v) else f"{100 * float(v):.{d}f}%")
        elif col in LABELLED:
            shown[col] = s.map(lambda v: "—" if v is None or (isinstance(v, float) and pd.isna(v))
                               else label(v, language, rubric))
        elif col in LABELLED_LISTS:
            shown[col] = s.map(lambda v: label_list(v, language, rubric))
        elif pd.api.types.is_bool_dtype(s):
            yes, no = text("bool.yes", language), text("bool.no", language)
            shown[col] = s.map(lambda v: MISSING if pd.isna(v) else (yes if v else no))
        elif pd.api.types.is_integer_dtype(s):
            shown[col] = s.map(format_int)
        elif pd.api.types.is_float_dtype(s):
            d = decimals.get(col, 2)
            whole = s.dropna().map(float.is_integer).all() and col not in ESTIMATE_COLUMNS
            shown[col] = s.map(lambda v, d=d, w=whole: "—" if pd.isna(v) else (
                f"{int(v):,}" if w else f"{float(v):,.{d}f}"))
        else:
            shown[col] = s.map(lambda v: "—" if v is None or (isinstance(v, float) and pd.isna(v))
                               else str(v))
    if "target_name" in df.columns:  # a share target and count targets share two columns
        is_share = df["target_name"].astype(str).str.startswith("share").reindex(out.index)
        for col in ("target_value", "actual_value"):
            if col in out.columns:
                shown[col] = pd.Series([
                    "—" if pd.isna(v) else (f"{100 * float(v):.1f}%" if share else f"{v:,.0f}")
                    for v, share in zip(out[col], is_share)], index=out.index)
    result = pd.DataFrame(shown, index=out.index)
    if suppressed is not None:
        mark = label("suppressed", language)
        for col in result.columns:
            if col in ESTIMATE_COLUMNS or col in percent or col in {"statistic", "effect_size", "alpha"}:
                result.loc[suppressed.to_numpy(), col] = mark
        result = result.drop(columns=[c for c in ("suppressed",) if c in result.columns])
    result.columns = [label(c, language, rubric) for c in result.columns]
    return result


_CELL = re.compile(r"<(td|th)(?=[ >])")


def _mark_text_columns(body: str, is_text: list[bool]) -> str:
    """Give the cells of text columns ``class="text"`` so the stylesheet left-aligns them
    (numbers stay right-aligned). The table's cells hold escaped text only, so cutting it at
    ``<tr>`` and counting ``<td>``/``<th>`` finds each cell's column."""
    if not any(is_text):
        return body
    parts = body.split("<tr")
    for i in range(1, len(parts)):
        column = iter(range(10_000))

        def mark(m: re.Match) -> str:
            k = next(column)
            return f'<{m.group(1)} class="text"' if k < len(is_text) and is_text[k] else m.group(0)

        head, sep, rest = parts[i].partition("</tr>")
        parts[i] = _CELL.sub(mark, head) + sep + rest
    return "<tr".join(parts)


def table_html(df: pd.DataFrame, *, caption: str | None = None, note: str | None = None,
               language: str = "zh", rubric: Any = None, max_rows: int | None = None,
               **fmt: Any) -> str:
    """HTML of a formatted table with its caption and a method/n note below it."""
    shown = format_table(df, language=language, rubric=rubric, **fmt)
    more = ""
    if max_rows is not None and len(shown) > max_rows:
        extra = len(shown) - max_rows
        shown = shown.head(max_rows)
        more = text("table.more_rows", language, extra=format_int(extra))
    # pandas escapes every cell and header (escape=True); control characters go first
    shown = shown.map(clean_text)
    shown.columns = [clean_text(c) for c in shown.columns]
    body = shown.to_html(index=False, escape=True, border=0, classes="report-table")
    if len(df.columns) == len(shown.columns):
        body = _mark_text_columns(body, [not pd.api.types.is_numeric_dtype(df[c])
                                         and not pd.api.types.is_bool_dtype(df[c])
                                         for c in df.columns])
    if caption:
        head = f'<table class="report-table"><caption>{html_text(caption)}</caption>'
        body = re.sub(r"<table[^>]*>", lambda _: head, body, count=1)
    if note or more:
        body += f'<p class="table-note">{html_text((note or "") + more)}</p>'
    return body


def chart_png(draw: Callable[..., Any], *args: Any, language: str = "zh",
              figsize: tuple[float, float] = (7.5, 4.0), dpi: int | None = None,
              **kwargs: Any) -> bytes:
    """Draw one chart in the report style and return it as PNG bytes (at ``dpi``, default
    the report style's screen resolution; the Word page asks for print resolution)."""
    import matplotlib.pyplot as plt

    from fivestar_analysis.present.charts import chart_style
    from fivestar_analysis.present.charts._png import save_png

    with chart_style(language=language, **({"dpi": dpi} if dpi else {})):
        fig, ax = plt.subplots(figsize=figsize)
        try:
            draw(*args, ax=ax, language=language, **kwargs)
            buf = io.BytesIO()
            # the same bytes as savefig(bbox_inches="tight"), laid out once
            save_png(fig, buf, dpi=dpi)
        finally:
            plt.close(fig)
    return buf.getvalue()


def chart_html(draw: Callable[..., Any], *args: Any, alt: str = "", note: str | None = None,
               language: str = "zh", **kwargs: Any) -> str:
    """An embedded (base64) PNG of a chart; a failed chart shows a notice, not a traceback."""
    import base64

    try:
        png = chart_png(draw, *args, language=language, **kwargs)
    except Exception as exc:  # one broken chart must not take the report down
        log.warning("chart %s failed: %s", getattr(draw, "__name__", draw), exc)
        msg = text("chart.failed", language, alt=alt, error=type(exc).__name__)
        return f'<p class="chart-failed">{html_text(msg)}</p>'
    data = base64.b64encode(png).decode("ascii")
    out = f'<img alt="{html_text(alt)}" src="data:image/png;base64,{data}">'
    if note:
        out += f'<p class="table-note">{html_text(note)}</p>'
    return out


@lru_cache(maxsize=1)
def _markdown():
    import mistune

    # escape=True: raw HTML in the Markdown is shown as text, never passed through
    return mistune.create_markdown(escape=True, plugins=["strikethrough", "footnotes", "table"])


def markdown_html(text: str) -> str:
    """Markdown written by the project (narrative templates, fixed sentences) to HTML.

    Values from the data must already be escaped with
    :func:`~fivestar_analysis.present.escape.md_text` (the narrative templates do it by themselves);
    raw HTML in the Markdown is escaped, not passed through.
    """
    return _markdown()(text)
