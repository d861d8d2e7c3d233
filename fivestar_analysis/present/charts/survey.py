"""Charts of the survey analysis. Each takes the tidy table its analysis returns, draws on
``ax`` (a new figure when None) and returns the Axes.

Suppressed cells (``suppressed`` True: fewer than k respondents) are never drawn as values:
their place on the axis is kept and marked 样本过少, and a note says why.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from fivestar_analysis.present.charts._text import (
    SUPPRESSED_COLOR,
    chart,
    lab,
    legend_below,
    no_data,
    note_below,
    t,
    visible,
    wrap,
)
from fivestar_analysis.present.charts.style import (
    ACCENT,
    GROUP_COLORS,
    INK,
    LIKERT_COLORS,
    MUTED,
    STAR_COLORS,
    new_axes,
)

__all__ = ["dimension_scores", "ipa_quadrant", "likert_bars", "awareness_by_group"]

GROUP_ORDER = ("resident", "member", "cadre")


def _too_few(ax: Axes, x: float, y: float, language: str, *, vertical: bool = False,
             **kw: Any) -> None:
    """Mark a suppressed cell's place with 样本过少 (stacked upright in Chinese)."""
    text = t("too_few", language)
    if vertical:
        if language == "en":
            kw["rotation"] = 90
        else:
            text, kw["linespacing"] = "\n".join(text), 1.0
    ax.text(x, y, text, fontsize=7.5, color=SUPPRESSED_COLOR, **kw)


@chart
def dimension_scores(estimates: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                     rubric: Any = None) -> Axes:
    """Satisfaction index per area with 95% intervals, county-wide and per respondent group.

    Parameters
    ----------
    estimates : DataFrame
        Rows of ``SurveyResults.estimates`` (``estimate_scores``) with ``measure ==
        "index"`` and ``by`` in {county, group}: ``by, subgroup, dimension, estimate,
        ci_low, ci_high, suppressed``. Without group rows only the county is drawn.
    """
    fig, ax = new_axes(ax)
    shown, hidden = visible(estimates)
    dims = list(dict.fromkeys(estimates["dimension"]))
    groups = [("county", "all")] + [("group", g) for g in GROUP_ORDER
                                    if ((estimates["by"] == "group")
                                        & (estimates["subgroup"] == g)).any()]
    width = 0.8 / len(groups)
    low = float(np.nanmin(shown["ci_low"])) if len(shown) else 0.0
    for j, (by, sub) in enumerate(groups):
        rows = shown[(shown["by"] == by) & ((shown["subgroup"] == sub) | (by == "county"))]
        g = rows.drop_duplicates("dimension").set_index("dimension").reindex(dims)
        x = np.arange(len(dims)) + (j - (len(groups) - 1) / 2) * width
        est, lo, hi = (g[c].to_numpy(dtype=float, na_value=np.nan)
                       for c in ("estimate", "ci_low", "ci_high"))
        ax.errorbar(x, est, yerr=np.vstack([est - lo, hi - est]), fmt="o", ms=5, capsize=2.5,
                    lw=1.2,
                    color=GROUP_COLORS.get(sub, MUTED),
                    label=lab("all" if by == "county" else sub, language))
        cut = estimates[(estimates["by"] == by) & hidden
                        & ((estimates["subgroup"] == sub) | (by == "county"))]
        for dim in cut["dimension"]:
            _too_few(ax, x[dims.index(dim)], low, language, vertical=True, ha="center",
                     va="bottom")
    ax.set_xticks(np.arange(len(dims)),
                  [wrap(lab(x, language, rubric), language, 6 if language != "en" else 14)
                   for x in dims], fontsize=8)
    if len(shown):
        ax.set_ylim(max(0.0, low - 6), min(100.0, float(np.nanmax(shown["ci_high"])) + 6))
    ax.set_title(t("dimension_scores", language))
    ax.set_xlabel(t("area_axis", language))
    ax.set_ylabel(t("index_axis", language))
    legend_below(ax, ncol=len(groups))
    if hidden.any():
        note_below(ax, t("suppressed_note", language))
    return ax


def _quadrant_corners(language: str) -> list[tuple[str, str, bool, bool]]:
    """(key, name, importance high, satisfaction high) of each quadrant, from the survey
    settings, so the corner names always match the table's ``quadrant`` keys."""
    from fivestar_analysis.analysis.survey import load_survey_config

    cfg = load_survey_config()
    return [(key, cfg.quadrant_label(key, language), spec.importance == "high",
             spec.satisfaction == "high") for key, spec in cfg.ipa_quadrants.items()]


@chart
def ipa_quadrant(ipa: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                 rubric: Any = None) -> Axes:
    """Importance (x) against satisfaction (y) per area, crosshair at the table's cut points.

    Parameters
    ----------
    ipa : DataFrame
        ``SurveyResults.ipa`` (``importance_performance``) for one group, e.g. ``group ==
        "all"``: ``dimension, importance, satisfaction, importance_cut, satisfaction_cut,
        quadrant, suppressed``.
    """
    fig, ax = new_axes(ax, (7.0, 5.5))
    d, hidden = visible(ipa)
    d = d.dropna(subset=["importance", "satisfaction"])
    if len(d):
        x_cut, y_cut = float(d["importance_cut"].iloc[0]), float(d["satisfaction_cut"].iloc[0])
    else:
        x_cut, y_cut = 3.0, 3.0
    ax.axvline(x_cut, color=MUTED, lw=1, ls="--", zorder=1)
    ax.axhline(y_cut, color=MUTED, lw=1, ls="--", zorder=1)
    xs = pd.concat([d["importance"], pd.Series([x_cut])])
    ys = pd.concat([d["satisfaction"], pd.Series([y_cut])])
    pad_x = max(0.25, float(xs.max() - xs.min()) * 0.3)
    pad_y = max(0.25, float(ys.max() - ys.min()) * 0.3)
    ax.set_xlim(xs.min() - pad_x, xs.max() + pad_x)
    ax.set_ylim(ys.min() - pad_y, ys.max() + pad_y)
    for _, r in d.iterrows():
        color = STAR_COLORS.get(r["dimension"], ACCENT)
        ax.scatter(r["importance"], r["satisfaction"], s=70, color=color, zorder=3,
                   edgecolors="white", linewidths=0.8)
        # label on the side away from the vertical line, so labels stay inside the plot
        right = r["importance"] <= xs.max() - pad_x * 0.1
        ax.annotate(lab(r["dimension"], language, rubric), (r["importance"], r["satisfaction"]),
                    xytext=(7 if right else -7, 4), textcoords="offset points", fontsize=9,
                    ha="left" if right else "right", va="bottom")
    ax.annotate(t("crosshair", language, value=x_cut), (x_cut, 0),
                xycoords=("data", "axes fraction"),
                xytext=(3, 3), textcoords="offset points", fontsize=7.5, color=MUTED)
    ax.annotate(t("crosshair", language, value=y_cut), (0, y_cut),
                xycoords=("axes fraction", "data"),
                xytext=(3, 3), textcoords="offset points", fontsize=7.5, color=MUTED)
    for key, name, imp_high, sat_high in _quadrant_corners(language):
        ax.text(0.98 if imp_high else 0.02, 0.97 if sat_high else 0.06, name,
                transform=ax.transAxes, ha="right" if imp_high else "left",
                va="top" if sat_high else "bottom", fontsize=9.5,
                color=ACCENT if (imp_high and not sat_high) else MUTED)
    ax.grid(True, axis="both")
    ax.set_title(t("ipa", language))
    ax.set_xlabel(t("importance_axis", language))
    ax.set_ylabel(t("satisfaction_axis", language))
    if hidden.any():
        names = "、".join(lab(x, language, rubric) for x in ipa.loc[hidden, "dimension"])
        note_below(ax, f"{t('suppressed_note', language)}: {names}" if language == "en"
                   else f"{t('suppressed_note', language)}：{names}")
    return ax


@chart
def likert_bars(distribution: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                rubric: Any = None) -> Axes:
    """Diverging bars: dissatisfied answers left of zero, satisfied right, neutral centred.

    Parameters
    ----------
    distribution : DataFrame
        :func:`fivestar_analysis.analysis.survey.likert_distribution` (``dimension, answer, share,
        scale_min, scale_max, suppressed``), one bar per dimension in table order.
    """
    fig, ax = new_axes(ax, (7.5, 4.5))
    d, hidden = visible(distribution)
    dims = list(dict.fromkeys(distribution["dimension"]))
    lo = int(distribution["scale_min"].min()) if len(distribution) else 1
    hi = int(distribution["scale_max"].max()) if len(distribution) else 5
    mid = (lo + hi) / 2
    for i, dim in enumerate(dims):
        g = d[d["dimension"] == dim].set_index("answer")["share"].dropna() * 100
        if g.empty:
            _too_few(ax, 0, i, language, ha="center", va="center",
                     bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
            continue
        neutral = float(g.get(mid, 0.0)) if float(mid).is_integer() else 0.0
        left = -neutral / 2 - sum(float(g.get(a, 0)) for a in range(lo, int(np.ceil(mid)))
                                  if a != mid)
        for a in range(lo, hi + 1):
            v = float(g.get(a, 0.0))
            step = a - lo + 1
            ax.barh(i, v, left=left, color=LIKERT_COLORS.get(step, MUTED), height=0.62,
                    edgecolor="white", linewidth=0.4)
            left += v
    ax.axvline(0, color=INK, lw=0.8)
    ax.set_yticks(range(len(dims)), [lab(x, language, rubric) for x in dims])
    ax.set_ylim(len(dims) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_title(t("likert", language))
    ax.set_xlabel(t("likert_axis", language))
    ax.set_ylabel(t("area_axis", language))
    # legend from explicit swatches: it is complete even when every bar is suppressed
    five = hi - lo == 4  # the named answers are those of a five-point scale
    swatches = [Patch(color=LIKERT_COLORS.get(a - lo + 1, MUTED),
                      label=t(f"answer_{a - lo + 1}", language) if five else str(a))
                for a in range(lo, hi + 1)]
    legend_below(ax, ncol=hi - lo + 1, fontsize=8, handles=swatches)
    if hidden.any():
        note_below(ax, t("suppressed_note", language))
    return ax


@chart
def awareness_by_group(awareness: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                       rubric: Any = None, item_labels: dict[str, str] | None = None) -> Axes:
    """Awareness and participation rates per respondent group with Wilson intervals.

    Parameters
    ----------
    awareness : DataFrame
        ``SurveyResults.awareness`` (``awareness_rates``: ``measure, item, group, estimate,
        ci_low, ci_high, suppressed``); the rows of the three groups are drawn, items side
        by side.
    item_labels : dict, optional
        Item code -> short question text for the tick labels (default: the item code).
    """
    fig, ax = new_axes(ax)
    d = awareness[awareness["group"] != "all"]
    names = item_labels or {}
    width_chars = 8 if language != "en" else 18
    d = d.assign(label=[f"{lab(m, language)}\n{wrap(names.get(i, i), language, width_chars)}"
                        for m, i in zip(d["measure"], d["item"])])
    shown, hidden = visible(d)
    bars = list(dict.fromkeys(d["label"]))
    groups = [g for g in GROUP_ORDER if (d["group"] == g).any()]
    width = 0.8 / max(1, len(groups))
    for j, g in enumerate(groups):
        sub = shown[shown["group"] == g].drop_duplicates("label").set_index("label").reindex(bars)
        x = np.arange(len(bars)) + (j - (len(groups) - 1) / 2) * width
        err = np.vstack([sub["estimate"] - sub["ci_low"], sub["ci_high"] - sub["estimate"]]) * 100
        ok = sub["estimate"].notna().to_numpy()
        ax.bar(x[ok], sub["estimate"].to_numpy()[ok] * 100, width=width * 0.92,
               color=GROUP_COLORS[g], label=lab(g, language), yerr=err[:, ok], capsize=2,
               error_kw={"lw": 0.8, "ecolor": INK})
        for xi in x[~ok]:
            _too_few(ax, xi, 2, language, vertical=True, ha="center", va="bottom")
    ax.set_xticks(np.arange(len(bars)), bars, fontsize=8)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylim(0, 105)
    if not bars:
        no_data(ax, language)
    ax.set_title(t("awareness", language))
    ax.set_xlabel(t("item_axis", language))
    ax.set_ylabel(t("rate_pct", language))
    legend_below(ax, ncol=len(groups))
    if hidden.any():
        note_below(ax, t("suppressed_note", language))
    return ax
