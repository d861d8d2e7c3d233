"""Charts of the star analysis. Each takes the tidy table its analysis returns, draws on
``ax`` (a new figure when None) and returns the Axes. Nothing here computes an analysis."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from fivestar_analysis.charts._text import lab, t
from fivestar_analysis.charts.style import (
    ACCENT,
    LEVEL_COLORS,
    MUTED,
    PLAN_COLOR,
    STAR_COLORS,
    new_axes,
)

__all__ = ["level_history", "star_attainment", "township_star_heatmap", "level_transitions",
           "income_by_level", "income_tiers_by_township"]


def _level_name(n: int, language: str) -> str:
    return f"{n} stars" if language == "en" else f"{'零一二三四五六七'[int(n)]}星"


def level_history(levels: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                  rubric: Any = None, kind: str = "all") -> Axes:
    """Stacked bars of branches at 0–5 stars per year, the three-plus share on top.

    ``levels``: :func:`fivestar_analysis.stars.level_distribution` (one basis).
    """
    fig, ax = new_axes(ax)
    d = levels[levels["kind"] == kind]
    wide = d.pivot_table(index="year", columns="level", values="count", aggfunc="sum",
                         observed=True).fillna(0)
    years = [str(y) for y in wide.index]
    bottom = np.zeros(len(wide))
    for level in wide.columns:
        values = wide[level].to_numpy(dtype=float)
        ax.bar(years, values, bottom=bottom, color=LEVEL_COLORS[int(level) % len(LEVEL_COLORS)],
               label=_level_name(level, language), width=0.62, edgecolor="white", linewidth=0.6)
        bottom += values
    share = wide[[c for c in wide.columns if c >= 3]].sum(axis=1) / wide.sum(axis=1)
    for x, (total, s) in enumerate(zip(bottom, share)):
        ax.annotate(f"{t('share_3plus_note', language)} {s:.0%}", (x, total), xytext=(0, 4),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9, color=ACCENT)
    ax.set_ylim(0, bottom.max() * 1.12 if len(bottom) else 1)
    ax.set_title(t("level_history", language))
    ax.set_xlabel(t("year", language))
    ax.set_ylabel(t("branches_count", language))
    ax.legend(ncol=min(6, len(wide.columns)), loc="upper center", bbox_to_anchor=(0.5, -0.14))
    return ax


def star_attainment(attainment: pd.DataFrame, *, year: int, ax: Axes | None = None,
                    language: str = "zh", rubric: Any = None) -> Axes:
    """Awarded stars as bars with the declared (planned) count as a wider outline behind.

    ``attainment``: :func:`fivestar_analysis.stars.star_attainment` (rural and community).
    """
    fig, ax = new_axes(ax)
    d = attainment[(attainment["year"] == year) & (attainment["kind"] != "all")
                   & (attainment["n_branches"] > 0)]
    community = "·社区" if language != "en" else " (community)"
    names = [lab(s, language, rubric) + (community if k == "community" else "")
             for s, k in zip(d["star"], d["kind"])]
    x = np.arange(len(d))
    ax.bar(x, d["n_declared"], width=0.78, color=PLAN_COLOR, label=t("declared", language))
    colors = [STAR_COLORS.get(s, MUTED) for s in d["star"]]
    ax.bar(x, d["n_awarded"], width=0.5, color=colors, label=t("awarded", language))
    for xi, (a, rate) in enumerate(zip(d["n_awarded"], d["award_rate"])):
        ax.annotate(f"{int(a)}", (xi, a), xytext=(0, 2), textcoords="offset points", ha="center",
                    va="bottom", fontsize=8)
    ax.set_xticks(x, names, fontsize=8, rotation=30, ha="right")
    ax.set_title(t("star_attainment", language, year=year))
    ax.set_ylabel(t("branches_count", language))
    ax.legend(loc="upper right")
    return ax


def township_star_heatmap(att_township: pd.DataFrame, *, ax: Axes | None = None,
                          language: str = "zh", rubric: Any = None) -> Axes:
    """Award rate of each star in each township (%), townships sorted by mean rate.

    ``att_township``: ``star_attainment(county, by="township", year=…)``.
    """
    import seaborn as sns

    fig, ax = new_axes(ax, (7.5, 6.5))
    d = att_township[att_township["n_branches"] > 0].copy()
    d["column"] = [lab(s, language, rubric) + ("" if k == "rural" else f"（{lab(k, language)}）")
                   for s, k in zip(d["star"], d["kind"])]
    order = list(dict.fromkeys(d["column"]))
    wide = d.pivot_table(index="township", columns="column", values="award_rate",
                         aggfunc="mean").reindex(columns=order) * 100
    wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False).index]
    sizes = d.groupby("township")["n_branches"].max()
    wide.index = [f"{town}（{int(sizes[town])}）" for town in wide.index]
    sns.heatmap(wide, ax=ax, cmap="Reds", vmin=0, vmax=100, annot=len(wide) <= 30, fmt=".0f",
                annot_kws={"fontsize": 7}, linewidths=0.4, linecolor="white",
                cbar_kws={"label": t("share_pct", language), "shrink": 0.7})
    ax.set_title(t("township_heatmap", language))
    ax.set_xlabel(t("star", language))
    ax.set_ylabel(t("township", language))
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.tick_params(axis="y", labelsize=8)
    for lbl in ax.get_xticklabels():
        lbl.set_ha("right")
    ax.grid(False)
    return ax


def level_transitions(transitions: pd.DataFrame, *, year_to: int, ax: Axes | None = None,
                      language: str = "zh", rubric: Any = None, kind: str = "all") -> Axes:
    """The from-level × to-level matrix of branch counts for one pair of years.

    ``transitions``: :func:`fivestar_analysis.stars.level_transitions`. Cells above the
    diagonal are promotions, below it demotions.
    """
    import seaborn as sns

    fig, ax = new_axes(ax, (6.5, 5.0))
    d = transitions[(transitions["year_to"] == year_to) & (transitions["kind"] == kind)]
    year_from = int(d["year_from"].iloc[0]) if len(d) else year_to - 1
    levels = list(range(0, 6))
    wide = d.pivot_table(index="level_from", columns="level_to", values="count", aggfunc="sum",
                         observed=True).reindex(index=levels, columns=levels).fillna(0)
    sns.heatmap(wide, ax=ax, cmap="Blues", annot=True, fmt=".0f", annot_kws={"fontsize": 9},
                linewidths=0.5, linecolor="white", cbar=False)
    for i in levels:
        ax.add_patch(_diag_box(ax, i))
    ax.set_title(t("transitions", language, year_from=year_from, year_to=year_to))
    ax.set_ylabel(t("level_from", language, year=year_from))
    ax.set_xlabel(t("level_to", language, year=year_to))
    ax.set_xticklabels([_level_name(n, language) for n in levels], rotation=0)
    ax.set_yticklabels([_level_name(n, language) for n in levels], rotation=0)
    ax.grid(False)
    return ax


def _diag_box(ax: Axes, i: int):
    from matplotlib.patches import Rectangle

    return Rectangle((i, i), 1, 1, fill=False, edgecolor=MUTED, linewidth=1.2)


def income_by_level(branches: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                    rubric: Any = None) -> Axes:
    """Collective income of village branches per level on a log axis, medians marked.

    ``branches``: the report year's branch rows (``county.branches_in()``). Zero incomes
    cannot sit on a log axis: they are drawn at a floor line and counted in a note.
    """
    fig, ax = new_axes(ax)
    d = branches[(branches["kind"] == "rural") & branches["collective_income_wan"].notna()]
    positive = d["collective_income_wan"][d["collective_income_wan"] > 0]
    floor = float(positive.min()) / 2 if len(positive) else 0.1
    levels = sorted(d["level"].unique())
    rng = np.random.default_rng(0)
    data = []
    for i, level in enumerate(levels):
        x = d.loc[d["level"] == level, "collective_income_wan"].to_numpy(dtype=float)
        y = np.where(x > 0, x, floor)
        data.append(y)
        ax.scatter(i + rng.uniform(-0.18, 0.18, len(y)), y, s=7, alpha=0.35,
                   color=LEVEL_COLORS[int(level)], edgecolors="none")
    ax.boxplot(data, positions=range(len(levels)), widths=0.5, showfliers=False,
               medianprops={"color": ACCENT, "linewidth": 2}, boxprops={"color": "#52606d"},
               whiskerprops={"color": "#52606d"}, capprops={"color": "#52606d"})
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xticks(range(len(levels)), [_level_name(lv, language) for lv in levels])
    zeros = int((d["collective_income_wan"] == 0).sum())
    if zeros:
        ax.axhline(floor, color=MUTED, linewidth=0.8, linestyle=":")
        ax.text(0.01, 0.98, t("zero_note", language, n=zeros), transform=ax.transAxes,
                ha="left", va="top", fontsize=8, color=MUTED)
    ax.set_title(t("income_by_level", language))
    ax.set_xlabel(t("level_axis", language))
    ax.set_ylabel(t("income_axis", language))
    return ax


def income_tiers_by_township(tiers: pd.DataFrame, *, ax: Axes | None = None,
                             language: str = "zh", rubric: Any = None) -> Axes:
    """100% stacked horizontal bars of income tiers per township, weakest on top.

    ``tiers``: ``income_tier_table(county, by="township")``.
    """
    fig, ax = new_axes(ax, (7.5, 6.5))
    order = list(dict.fromkeys(tiers["tier"]))
    wide = tiers.pivot_table(index="township", columns="tier", values="share", aggfunc="sum",
                             observed=True).reindex(columns=order).fillna(0) * 100
    weak_cols = order[:2]
    wide = wide.loc[wide[weak_cols].sum(axis=1).sort_values(ascending=True).index]
    colors = ["#7f1d1d", "#dc2626", "#fca5a5", "#d1d5db", "#93c5fd", "#1d4ed8"]
    left = np.zeros(len(wide))
    for i, tier in enumerate(order):
        values = wide[tier].to_numpy()
        ax.barh(range(len(wide)), values, left=left, color=colors[i % len(colors)],
                label=lab(tier, language, rubric), height=0.75, edgecolor="white", linewidth=0.4)
        left += values
    sizes = tiers.groupby("township")["n_branches"].max()
    ax.set_yticks(range(len(wide)), [f"{town}（{int(sizes[town])}）" for town in wide.index], fontsize=8)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.set_xlim(0, 100)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_title(t("income_tiers", language))
    ax.set_xlabel(t("share_pct", language))
    ax.set_ylabel(t("township", language))
    ax.legend(ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.09), fontsize=8)
    return ax
