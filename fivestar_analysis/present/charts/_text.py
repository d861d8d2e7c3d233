"""Text and layout helpers shared by the charts: labels from ``resources/labels/charts.yaml``,
wrapped tick labels, and legends and notes placed below everything an axes has drawn."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.legend import Legend

from fivestar_analysis.model.labels import label

__all__ = ["chart", "t", "lab", "level_name", "paren", "wrap", "visible", "legend_below",
           "note_below", "no_data",
           "SUPPRESSED_COLOR"]

SUPPRESSED_COLOR = "#8a94a6"
_LEVEL_ZH = "零一二三四五六七八九"
_NO_LINE_START = "）】」』”’，。、：；！？…)]}%"
_NO_LINE_END = "（【「『“‘([{"


F = TypeVar("F", bound=Callable[..., Axes])


def chart(draw: F) -> F:
    """Mark a chart function: after it has drawn, name the CJK font on every text of the
    figure (see :func:`fivestar_analysis.present.charts.style.pin_fonts`)."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Axes:
        from fivestar_analysis.present.charts.style import pin_fonts

        ax = draw(*args, **kwargs)
        pin_fonts(ax.figure)
        return ax

    return wrapper  # type: ignore[return-value]


def t(key: str, language: str, **fmt: Any) -> str:
    """Chart text ``chart_<key>`` in ``language``, with ``{placeholders}`` filled."""
    text = label(f"chart_{key}", language)
    return text.format(**fmt) if fmt else text


@lru_cache(maxsize=1)
def _default_rubric() -> Any:
    from fivestar_analysis.model.rubric import load_rubric

    return load_rubric()


def lab(key: Any, language: str, rubric: Any = None) -> str:
    """Display label of a column or category value; star and tier names via the rubric
    (the packaged default rubric when none is given, so star keys never show raw)."""
    return label(key, language, rubric if rubric is not None else _default_rubric())


def level_name(n: int, language: str) -> str:
    """``三星`` / ``3 stars``."""
    n = int(n)
    if language == "en":
        return "1 star" if n == 1 else f"{n} stars"
    return f"{_LEVEL_ZH[n]}星" if n < len(_LEVEL_ZH) else f"{n}星"


def paren(text: str, inner: Any, language: str) -> str:
    """``text（inner）`` in Chinese, ``text (inner)`` in English."""
    return f"{text} ({inner})" if language == "en" else f"{text}（{inner}）"


def wrap(text: str, language: str, width: int | None = None) -> str:
    """Break a long tick label over lines: by words in English, by characters in Chinese."""
    if language == "en":
        return "\n".join(textwrap.wrap(text, width or 16, break_long_words=False)) or text
    width = width or 6
    if len(text) <= width:
        return text
    # balanced lines, the shorter first: 产业兴旺星 -> 产业 / 兴旺星
    n_lines = -(-len(text) // width)
    bounds = [0]
    for left in range(n_lines, 1, -1):  # aim each break at an even share of what is left
        rest = len(text) - bounds[-1]
        target = bounds[-1] + rest // left
        bounds.append(_break_near(text, target, bounds[-1] + 1))
    bounds.append(len(text))
    return "\n".join(text[a:b] for a, b in zip(bounds[:-1], bounds[1:]))


def _break_near(text: str, c: int, lo: int) -> int:
    """A break point within two characters of ``c``: never before ）” or after （“, and
    preferably at a bracket or quote (“五星” stays on one line)."""
    best: tuple[int, int, int] | None = None
    for pos in range(max(lo, c - 2), min(len(text) - 1, c + 2) + 1):
        if text[pos] in _NO_LINE_START or text[pos - 1] in _NO_LINE_END:
            continue
        natural = text[pos - 1] in _NO_LINE_START or text[pos] in _NO_LINE_END
        rank = (0 if natural else 1, abs(pos - c), -pos)
        if best is None or rank < best:
            best = rank
    return c if best is None else -best[2]


def visible(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The rows that may be drawn, and the mask of suppressed rows (too few respondents)."""
    if "suppressed" not in df.columns:
        return df, pd.Series(False, index=df.index)
    hidden = df["suppressed"].fillna(False).astype(bool)
    return df[~hidden], hidden


def _bottom(ax: Axes) -> float:
    """The lowest point (axes fraction) of everything drawn on ``ax``: ticks, labels, legend."""
    from fivestar_analysis.present.charts.style import pin_fonts

    fig = ax.figure
    pin_fonts(fig)  # measure with the font the texts will be drawn in
    renderer = fig.canvas.get_renderer()
    box = ax.get_tightbbox(renderer)
    if box is None:
        return 0.0
    return float(ax.transAxes.inverted().transform((0.0, box.y0))[1])


def _points(ax: Axes, pt: float) -> float:
    """``pt`` typographic points as a fraction of the axes height."""
    height_in = ax.get_position().height * ax.figure.get_figheight()
    return pt / 72.0 / max(height_in, 1e-6)


def legend_below(ax: Axes, ncol: int, **kwargs: Any) -> Legend | None:
    """A legend centred just below the tick labels and axis label, so it never overlaps them
    (none when nothing was drawn with a label)."""
    if "handles" not in kwargs and not ax.get_legend_handles_labels()[0]:
        return None
    y = _bottom(ax) - _points(ax, 4)
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, y), ncol=max(1, ncol),
                     **kwargs)


def no_data(ax: Axes, language: str) -> None:
    """Say so in the middle of an empty chart, rather than leave a blank frame."""
    ax.text(0.5, 0.5, t("no_data", language), transform=ax.transAxes, ha="center",
            va="center", fontsize=10, color=SUPPRESSED_COLOR)


def note_below(ax: Axes, text: str) -> None:
    """A small grey note at the bottom left, below the legend (e.g. 样本过少 …)."""
    y = _bottom(ax) - _points(ax, 3)
    ax.text(0.0, y, text, transform=ax.transAxes, ha="left", va="top", fontsize=8,
            color=SUPPRESSED_COLOR)
