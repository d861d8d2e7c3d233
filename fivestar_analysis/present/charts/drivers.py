"""Charts of the driver analysis: a forest plot of odds ratios and derived importance.

Each takes the tidy table :mod:`fivestar_analysis.analysis.drivers` returns, draws on ``ax``
(a new figure when None) and returns the Axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, NullFormatter

from fivestar_analysis.present.charts._text import chart, lab, no_data, note_below, t, wrap
from fivestar_analysis.present.charts.style import ACCENT, INK, MUTED, STAR_COLORS, new_axes

__all__ = ["derived_importance", "derived_vs_stated", "odds_ratio_forest"]


@chart
def odds_ratio_forest(coefficients: pd.DataFrame, *, ax: Axes | None = None,
                      language: str = "zh", rubric: Any = None,
                      outcomes: tuple[str, ...] | None = ("level",), alpha: float = 0.05
                      ) -> Axes:
    """Odds ratios with 95% intervals on a log axis, one row per factor (and outcome).

    Parameters
    ----------
    coefficients : DataFrame
        ``DriverResults.coefficients``: ``outcome, factor, per, odds_ratio, ci_low,
        ci_high, p_value``.
    outcomes
        Outcomes to draw, in this order (None: all). Rows below 1 lower the odds, above 1
        raise them; intervals that miss 1 (p < ``alpha``) are drawn in the accent colour.
    """
    d = coefficients if outcomes is None else coefficients[
        coefficients["outcome"].isin(outcomes)]
    d = d.dropna(subset=["odds_ratio", "ci_low", "ci_high"])
    n_rows = max(len(d), 1)
    _, ax = new_axes(ax, (7.5, 1.2 + 0.38 * n_rows))
    if d.empty:
        no_data(ax, language)
        ax.set_title(t("forest", language))
        return ax
    many = d["outcome"].nunique() > 1
    labels = []
    for i, r in enumerate(d.itertuples()):
        sig = r.p_value < alpha
        color = ACCENT if sig else MUTED
        ax.plot([r.ci_low, r.ci_high], [i, i], color=color, lw=1.6, solid_capstyle="butt")
        ax.scatter([r.odds_ratio], [i], s=36, color=color, zorder=3, marker="s")
        name = f"{lab(r.factor, language, rubric)}（{lab(r.per, language)}）" if language != "en" \
            else f"{lab(r.factor, language, rubric)} ({lab(r.per, language)})"
        if many:
            name = f"{lab(r.outcome, language, rubric)}: {name}"
        labels.append(wrap(name, language, 18 if language != "en" else 40))
    ax.axvline(1.0, color=INK, lw=0.9)
    ax.set_xscale("log")
    lo = float(min(d["ci_low"].min(), 0.8))
    hi = float(max(d["ci_high"].max(), 1.25))
    ax.set_xlim(lo / 1.15, hi * 1.15)
    ticks = [v for v in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if lo / 1.15 <= v <= hi * 1.15]
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(range(len(labels)), labels, fontsize=8.5)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_title(t("forest", language))
    ax.set_xlabel(t("forest_axis", language))
    note_below(ax, t("forest_note", language))
    return ax


def _importance_axes(ax: Axes, table: pd.DataFrame, y: str, language: str, rubric: Any,
                     y_label: str, title: str) -> Axes:
    d = table.dropna(subset=["importance", y])
    if d.empty:
        no_data(ax, language)
        ax.set_title(title)
        return ax
    x_cut, y_cut = 100 * float(d["importance"].mean()), float(d[y].mean())
    ax.axvline(x_cut, color=MUTED, lw=1, ls="--", zorder=1)
    ax.axhline(y_cut, color=MUTED, lw=1, ls="--", zorder=1)
    for r in d.itertuples():
        color = STAR_COLORS.get(r.dimension, ACCENT)
        xv, yv = 100 * r.importance, getattr(r, y)
        if np.isfinite(r.ci_low) and np.isfinite(r.ci_high):
            ax.plot([100 * r.ci_low, 100 * r.ci_high], [yv, yv], color=color, lw=1.2, alpha=0.7)
        ax.scatter([xv], [yv], s=60, color=color, zorder=3, edgecolors="white", linewidths=0.8)
        ax.annotate(lab(r.dimension, language, rubric), (xv, yv), xytext=(6, 4),
                    textcoords="offset points", fontsize=9)
    ax.set_title(title)
    ax.set_xlabel(t("derived_axis", language))
    ax.set_ylabel(y_label)
    ax.grid(True, axis="both")
    return ax


@chart
def derived_importance(table: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                       rubric: Any = None) -> Axes:
    """Importance–performance with derived importance on the x axis: each area's share of
    the explained variance of overall satisfaction (bootstrap interval as a bar) against
    its mean satisfaction; dashed lines at the means.

    Parameters
    ----------
    table : DataFrame
        ``DriverResults.survey``: ``dimension, importance, ci_low, ci_high, satisfaction``.
    """
    _, ax = new_axes(ax, (7.0, 5.0))
    return _importance_axes(ax, table, "satisfaction", language, rubric,
                            t("satisfaction_axis", language), t("derived_ipa", language))


@chart
def derived_vs_stated(table: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                      rubric: Any = None) -> Axes:
    """Derived importance (x) against stated importance (y, the mean importance answer).

    Areas to the right of the dashed line but below it move satisfaction more than people
    say they matter.
    """
    _, ax = new_axes(ax, (7.0, 5.0))
    return _importance_axes(ax, table, "stated_importance", language, rubric,
                            t("stated_axis", language), t("derived_vs_stated", language))
