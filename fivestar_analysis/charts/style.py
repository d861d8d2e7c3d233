"""The charts' one style, set and restored by a context (never left as global state)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from fivestar_analysis.fonts import find_cjk_font

__all__ = ["chart_style", "new_axes", "STAR_COLORS", "LEVEL_COLORS", "GROUP_COLORS", "ACCENT",
           "MUTED", "PLAN_COLOR"]

ACCENT = "#b42318"
MUTED = "#8a94a6"
PLAN_COLOR = "#f2c9c4"
#: one fixed colour per star key, the same in every chart
STAR_COLORS = {
    "industry": "#c2410c", "ecology": "#15803d", "safety": "#1d4ed8", "civility": "#a16207",
    "party_strong": "#b42318", "co_build": "#7c3aed", "harmony": "#0f766e", "livelihood": "#be185d",
}
#: 0 to 5 stars, light to deep
LEVEL_COLORS = ["#d9dee7", "#f6d5c9", "#eea98f", "#de7a5b", "#c4472f", "#8f1d14"]
GROUP_COLORS = {"resident": "#1d4ed8", "member": "#b42318", "cadre": "#a16207", "all": "#52606d"}


@contextmanager
def chart_style(language: str = "zh", dpi: int = 110) -> Iterator[None]:
    """Report style: the CJK font, white background, light grid, embedding-sized PNGs."""
    font = find_cjk_font()
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": [font.family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "figure.dpi": dpi,
        "savefig.dpi": dpi,
        "figure.figsize": (7.5, 4.0),
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "axes.edgecolor": "#9aa5b1",
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#e4e7eb",
        "grid.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12.5,
        "axes.titleweight": "normal",
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "axes.prop_cycle": mpl.cycler(color=list(STAR_COLORS.values())),
    }
    with plt.rc_context(rc):
        yield


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (7.5, 4.0)) -> tuple[Figure, Axes]:
    """The given axes and its figure, or a new figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax
