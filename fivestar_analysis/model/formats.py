"""One formatter for the numbers every output prints: counts, decimals, shares, p-values,
years and star levels, in Chinese or English.

The HTML sections, the narrative templates, the recommendation texts, the workbook and the
Word document all format through these functions, so a figure reads the same everywhere.
A missing value (None, NaN, an undefined template variable) prints as ``—``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["is_missing", "format_int", "format_num", "format_pct", "format_pp", "format_p",
           "format_pv", "format_year", "format_level", "format_signed", "MISSING"]

MISSING = "—"
_CN_DIGITS = "零一二三四五六七八九十"


def is_missing(x: Any) -> bool:
    """None, NaN/NA, or a Jinja2 undefined value."""
    if x is None:
        return True
    if type(x).__name__.endswith("Undefined"):
        return True
    try:
        return bool(x != x)  # NaN, pd.NA raise or compare unequal to themselves
    except (TypeError, ValueError):
        return True


def format_int(x: Any) -> str:
    """A count with thousands separators: ``12,345``."""
    return MISSING if is_missing(x) else f"{int(round(float(x))):,}"


def format_num(x: Any, digits: int = 0) -> str:
    """A number with thousands separators; ``digits=0`` prints whole numbers bare and other
    numbers with one decimal."""
    if is_missing(x):
        return MISSING
    x = float(x)
    if digits == 0 and x.is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits if digits else 1}f}"


def format_pct(x: Any, digits: int = 1) -> str:
    """A share (0–1) as a percentage: ``0.4123 → 41.2%``."""
    return MISSING if is_missing(x) else f"{100 * float(x):.{digits}f}%"


def format_pp(x: Any, digits: int = 1) -> str:
    """A difference of two shares in percentage points, signed: ``+3.2``."""
    if is_missing(x):
        return MISSING
    v = 100 * float(x)
    return ("+" if v > 0 else "") + f"{v:.{digits}f}"


def format_signed(x: Any, digits: int = 0) -> str:
    """A change with its sign: ``+12``, ``-0.35``."""
    if is_missing(x):
        return MISSING
    return ("+" if float(x) > 0 else "") + format_num(x, digits)


def format_p(p: Any) -> str:
    """p-values as reports print them: ``<0.001`` or three decimals."""
    if is_missing(p):
        return MISSING
    return "<0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def format_pv(p: Any) -> str:
    """``p<0.001`` or ``p=0.042``."""
    shown = format_p(p)
    return "p" + (shown if shown.startswith("<") or shown == MISSING else "=" + shown)


def format_year(x: Any) -> str:
    """A calendar year, never with a thousands separator: ``2025``."""
    return MISSING if is_missing(x) else str(int(float(x)))


def format_level(n: Any, language: str = "zh") -> str:
    """A star level: ``三星`` (a level past the Chinese numerals here is ``12星``, never an
    error); in English ``1 star``, ``3 stars``, ``no star`` for 0."""
    if is_missing(n):
        return MISSING
    n = int(n)
    if language == "en":
        return "no star" if n == 0 else f"{n} star" + ("" if n == 1 else "s")
    return f"{_CN_DIGITS[n]}星" if 0 <= n < len(_CN_DIGITS) else f"{n}星"


def finite(x: Any) -> float | None:
    """``float(x)``, or None for a missing or infinite value (for facts handed to templates)."""
    if is_missing(x):
        return None
    v = float(x)
    return v if math.isfinite(v) else None
