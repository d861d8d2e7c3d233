"""The charts' one style, set and restored by a context (never left as global state),
and the CJK font named on every chart text so it renders after the context too.

The palettes are fixed so that a star, a level or a respondent group has the same colour in
every chart of a report.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from fivestar_analysis.present.fonts import find_cjk_font

__all__ = ["chart_style", "new_axes", "pin_fonts", "font_families", "STAR_COLORS",
           "LEVEL_COLORS", "GROUP_COLORS", "TIER_COLORS", "LIKERT_COLORS", "ACCENT", "MUTED",
           "INK", "PLAN_COLOR", "FIGSIZE", "DPI"]

#: figure size (inches) and resolution for embedding: ~825 × 440 px, 25–120 kB per PNG
FIGSIZE = (7.5, 4.0)
DPI = 110

ACCENT = "#b42318"
MUTED = "#8a94a6"
INK = "#52606d"
PLAN_COLOR = "#52606d"
#: one fixed colour per star key (both kinds), the same in every chart
STAR_COLORS = {
    "industry": "#c2410c", "ecology": "#15803d", "safety": "#1d4ed8", "civility": "#a16207",
    "party_strong": "#b42318", "co_build": "#7c3aed", "harmony": "#0f766e", "livelihood": "#be185d",
}
#: 0 to 5 stars as a sequential scale, light to deep
LEVEL_COLORS = ["#d9dee7", "#f6d5c9", "#eea98f", "#de7a5b", "#c4472f", "#8f1d14"]
#: respondent groups; ``all`` is the county as a whole
GROUP_COLORS = {"resident": "#1d4ed8", "member": "#b42318", "cadre": "#a16207", "all": "#52606d"}
#: income tiers, lowest first: reds for shell/weak villages, grey middle, blues for strong
TIER_COLORS = ["#7f1d1d", "#dc2626", "#fca5a5", "#d1d5db", "#93c5fd", "#1d4ed8"]
#: Likert answers 1 (very dissatisfied) … 5 (very satisfied)
LIKERT_COLORS = {1: "#b91c1c", 2: "#f87171", 3: "#d1d5db", 4: "#60a5fa", 5: "#1d4ed8"}


def _rc(dpi: int) -> dict[str, object]:
    font = find_cjk_font()
    return {
        "font.family": "sans-serif",
        # the CJK font first: it also has Latin glyphs, and township names stay Chinese in
        # English charts; DejaVu Sans only as a last resort for symbols
        "font.sans-serif": [font.family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        # names come from users' files: "$…$" in a township is text, never mathtext
        "text.parse_math": False,
        "figure.dpi": dpi,
        "savefig.dpi": dpi,
        "figure.figsize": FIGSIZE,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.facecolor": "white",
        "axes.edgecolor": "#9aa5b1",
        "axes.linewidth": 0.8,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "grid.color": "#e4e7eb",
        "grid.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12.5,
        "axes.titleweight": "normal",
        "axes.titlepad": 8.0,
        "axes.labelsize": 10,
        "axes.labelcolor": "#1f2933",
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "xtick.color": "#3e4c59",
        "ytick.color": "#3e4c59",
        "legend.fontsize": 9,
        "legend.frameon": False,
        "axes.prop_cycle": mpl.cycler(color=list(STAR_COLORS.values())),
    }


@contextmanager
def chart_style(language: str = "zh", dpi: int = DPI) -> Iterator[None]:
    """Report style for the charts drawn inside the block; rcParams are restored on exit.

    Parameters
    ----------
    language : {"zh", "en"}
        Language of the charts. Both use the CJK font (from
        :func:`fivestar_analysis.present.fonts.find_cjk_font`), since English charts still show
        Chinese township names.
    dpi : int
        Resolution of the figures and saved PNGs; 110 keeps a report of a dozen charts
        well under 1.5 MB.

    Examples
    --------
    >>> from fivestar_analysis import charts, stars            # doctest: +SKIP
    >>> with charts.chart_style("zh"):                          # doctest: +SKIP
    ...     charts.level_history(stars.level_distribution(county))
    """
    rc = _rc(dpi)
    # restore exactly the keys set here: a Jupyter backend that switches itself on inside
    # the block (rcParams["interactive"]) must stay on, or later cells show no figures
    saved = {key: mpl.rcParams[key] for key in rc}
    try:
        mpl.rcParams.update(rc)
        yield
    finally:
        mpl.rcParams.update(saved)


def font_families() -> list[str]:
    """Concrete font families for chart text: the CJK font, then DejaVu Sans for symbols."""
    return [find_cjk_font().family, "DejaVu Sans"]


def pin_fonts(fig: Figure) -> None:
    """Give every text of ``fig`` (and its future tick labels) the CJK font by name.

    Text drawn with the generic ``sans-serif`` family is resolved when the figure is
    rendered, and Jupyter renders after the ``with chart_style()`` block has ended, when
    rcParams no longer name the CJK font; naming it on each text keeps Chinese legible
    wherever and whenever the figure is drawn, and also outside :func:`chart_style`.
    """
    families = font_families()
    for text in fig.findobj(Text):
        text.set_fontfamily(families)
    for ax in fig.axes:
        ax.tick_params(axis="both", which="both", labelfontfamily=families)


def new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    """The given axes and its figure, or a new figure of ``figsize`` with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax
