"""Charts of the star analysis. Each takes the tidy table its analysis returns, draws on
``ax`` (a new figure when None) and returns the Axes. Nothing here computes an analysis:
the functions only select, pivot and order the rows they draw."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, PercentFormatter

from fivestar_analysis.present.charts._text import (
    chart,
    lab,
    legend_below,
    level_name,
    no_data,
    note_below,
    paren,
    t,
    wrap,
)
from fivestar_analysis.present.charts.style import (
    ACCENT,
    INK,
    LEVEL_COLORS,
    MUTED,
    PLAN_COLOR,
    STAR_COLORS,
    TIER_COLORS,
    new_axes,
)

__all__ = ["level_history", "star_attainment", "township_star_heatmap", "level_transitions",
           "income_by_level", "income_tiers_by_township"]


@chart
def level_history(levels: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                  rubric: Any = None, kind: str = "all") -> Axes:
    """Stacked bars of branches at 0–5 stars per year, the three-plus share on top.

    Parameters
    ----------
    levels : DataFrame
        :func:`fivestar_analysis.analysis.stars.level_distribution` (``year, kind, level, count``).
    kind : {"all", "rural", "community"}
        The kind scope to draw.
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
               label=level_name(level, language), width=0.62, edgecolor="white", linewidth=0.6)
        bottom += values
    top = wide[[c for c in wide.columns if c >= 3]].sum(axis=1).to_numpy()
    for x, (total, n3) in enumerate(zip(bottom, top)):
        share = n3 / total if total else float("nan")
        ax.annotate(f"{t('share_3plus_note', language)} {share:.0%}", (x, total), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9,
                    color=ACCENT)
    ax.set_ylim(0, bottom.max() * 1.12 if len(bottom) and bottom.max() > 0 else 1)
    ax.set_title(t("level_history", language))
    ax.set_xlabel(t("year", language))
    ax.set_ylabel(t("branches_count", language))
    legend_below(ax, ncol=len(wide.columns))
    return ax


@chart
def star_attainment(attainment: pd.DataFrame, *, year: int, ax: Axes | None = None,
                    language: str = "zh", rubric: Any = None) -> Axes:
    """Stars awarded as coloured bars inside an outline of the stars declared (the plan).

    Parameters
    ----------
    attainment : DataFrame
        :func:`fivestar_analysis.analysis.stars.star_attainment` (``year, kind, star, n_branches,
        n_declared, n_awarded``); the rural and community rows of ``year`` are drawn.
    year : int
    """
    fig, ax = new_axes(ax)
    d = attainment[(attainment["year"] == year) & (attainment["kind"] != "all")
                   & (attainment["n_branches"] > 0)]
    kinds = list(dict.fromkeys(d["kind"]))
    x = np.arange(len(d))
    ax.bar(x, d["n_declared"], width=0.8, facecolor="#f3f4f6", edgecolor=PLAN_COLOR,
           linewidth=1.0, label=t("declared", language), zorder=2)
    colors = [STAR_COLORS.get(s, MUTED) for s in d["star"]]
    ax.bar(x, d["n_awarded"], width=0.5, color=colors, label=t("awarded", language), zorder=3)
    for xi, (a, p) in enumerate(zip(d["n_awarded"], d["n_declared"])):
        ax.annotate(f"{int(a)}/{int(p)}", (xi, max(a, p)), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=7.5)
    ax.set_xticks(x, _star_ticks(d["star"], language, rubric), fontsize=8)
    if len(kinds) > 1:  # shared stars (平安法治星, 支部过硬星) appear once per kind
        _kind_headers(ax, list(d["kind"]), language, offset=-0.5)
    ax.set_xlim(-0.6, len(d) - 0.4)
    ax.set_ylim(0, max(1, float(d["n_declared"].max()) if len(d) else 1) * 1.1)
    ax.set_title(t("star_attainment", language, year=year), pad=20 if len(kinds) > 1 else 8)
    ax.set_xlabel(t("star", language))
    ax.set_ylabel(t("branches_count", language))
    ax.legend(loc="upper right")
    return ax


def _tall(n_rows: int) -> tuple[float, float]:
    """Figure size of a chart with one row per township (when no axes is given)."""
    return (7.5, max(4.5, min(11.0, 1.6 + 0.24 * n_rows)))


def _star_ticks(stars: Any, language: str, rubric: Any) -> list[str]:
    """Star names over two lines (产业 / 兴旺星), so a dozen columns fit side by side."""
    return [wrap(lab(s, language, rubric), language, 4 if language != "en" else 9)
            for s in stars]


def _kind_headers(ax: Axes, col_kinds: list[str], language: str, offset: float) -> None:
    """农村 / 城市社区 above each block of star columns, with a line between the blocks.

    ``offset`` is the data x of the left edge of column 0 (-0.5 for bars, 0 for heatmaps).
    """
    from matplotlib.transforms import blended_transform_factory

    tr = blended_transform_factory(ax.transData, ax.transAxes)
    for k in dict.fromkeys(col_kinds):
        idx = [i for i, ck in enumerate(col_kinds) if ck == k]
        ax.text(offset + (idx[0] + idx[-1] + 1) / 2, 1.01, lab(k, language), transform=tr,
                ha="center", va="bottom", fontsize=9, color=INK)
        if idx[0] > 0:
            ax.axvline(offset + idx[0], color=INK, linewidth=1.0)


@chart
def township_star_heatmap(att_township: pd.DataFrame, *, ax: Axes | None = None,
                          language: str = "zh", rubric: Any = None) -> Axes:
    """Award rate (创成率, %) of each star in each township, best townships on top.

    Parameters
    ----------
    att_township : DataFrame
        ``star_attainment(county, by="township", year=…, kinds=("rural", "community"))``.
        Columns are the stars (rural first); a township without branches of a kind shows
        blank cells. The number in brackets is the township's branches.
    """
    import seaborn as sns

    d = att_township[(att_township["kind"] != "all") & (att_township["n_branches"] > 0)].copy()
    fig, ax = new_axes(ax, _tall(d["township"].nunique()))
    kinds = list(dict.fromkeys(d["kind"]))
    d["column"] = [f"{k}:{s}" for k, s in zip(d["kind"], d["star"])]
    order = list(dict.fromkeys(d["column"]))
    wide = d.pivot_table(index="township", columns="column", values="award_rate",
                         aggfunc="mean").reindex(columns=order) * 100
    wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False, kind="stable").index]
    sizes = d.drop_duplicates(["township", "kind"]).groupby("township")["n_branches"].sum()
    rows = [paren(town, int(sizes[town]), language) for town in wide.index]
    n_rows = len(wide)
    sns.heatmap(wide.to_numpy(), ax=ax, cmap="Reds", vmin=0, vmax=100,
                annot=n_rows <= 40, fmt=".0f",
                annot_kws={"fontsize": 7 if n_rows <= 25 else 6}, linewidths=0.4,
                linecolor="white", xticklabels=False, yticklabels=False,
                cbar_kws={"shrink": 0.6, "pad": 0.02})
    # labelled after seaborn has finished (it may draw while laying out), so the label gets
    # the CJK font pinned with the rest
    ax.collections[0].colorbar.set_label(t("award_rate_pct", language))
    ax.set_yticks(np.arange(n_rows) + 0.5, rows, rotation=0,
                  fontsize=8 if n_rows <= 30 else 6.5)
    ax.set_xticks(np.arange(len(order)) + 0.5,
                  _star_ticks([c.split(":", 1)[1] for c in order], language, rubric),
                  rotation=0, fontsize=7.5 if language != "en" else 6.8)
    if len(kinds) > 1:
        _kind_headers(ax, [c.split(":", 1)[0] for c in order], language, offset=0.0)
    ax.set_title(t("township_heatmap", language), pad=20 if len(kinds) > 1 else 8)
    ax.set_xlabel(t("star", language))
    ax.set_ylabel(t("township", language))
    ax.grid(False)
    return ax


@chart
def level_transitions(transitions: pd.DataFrame, *, year_to: int, ax: Axes | None = None,
                      language: str = "zh", rubric: Any = None, kind: str = "all") -> Axes:
    """The from-level × to-level matrix of branch counts for one pair of years.

    Parameters
    ----------
    transitions : DataFrame
        :func:`fivestar_analysis.analysis.stars.level_transitions` (``year_from, year_to, kind,
        level_from, level_to, count``).
    year_to : int
        The later year of the pair.
    kind : {"all", "rural", "community"}

    Notes
    -----
    The diagonal (boxed) is no change; cells right of it are promotions (晋星), left of it
    demotions (降星), shaded green and red at the edges of the matrix.
    """
    import seaborn as sns

    fig, ax = new_axes(ax, (6.5, 5.0))
    d = transitions[(transitions["year_to"] == year_to) & (transitions["kind"] == kind)]
    year_from = int(d["year_from"].iloc[0]) if len(d) else year_to - 1
    top = int(max(5, d["level_from"].max(), d["level_to"].max())) if len(d) else 5
    levels = list(range(0, top + 1))
    wide = d.pivot_table(index="level_from", columns="level_to", values="count",
                         aggfunc="sum", observed=True).reindex(index=levels, columns=levels)
    wide = wide.fillna(0)
    sns.heatmap(wide.to_numpy(), ax=ax, cmap="Blues", annot=True, fmt=".0f",
                annot_kws={"fontsize": 9}, linewidths=0.5, linecolor="white", cbar=False,
                xticklabels=False, yticklabels=False)
    for i in levels:
        ax.add_patch(Rectangle((i, i), 1, 1, fill=False, edgecolor=INK, linewidth=1.2))
    ticks = np.arange(len(levels)) + 0.5
    ax.set_xticks(ticks, [level_name(n, language) for n in levels], rotation=0)
    ax.set_yticks(ticks, [level_name(n, language) for n in levels], rotation=0)
    ax.set_title(t("transitions", language, year_from=year_from, year_to=year_to))
    ax.set_ylabel(t("level_from", language, year=year_from))
    ax.set_xlabel(t("level_to", language, year=year_to))
    ax.text(len(levels) - 0.1, 0.12, "↗ " + lab("promoted", language), ha="right", va="top",
            fontsize=9, color="#15803d")
    ax.text(0.1, len(levels) - 0.12, lab("demoted", language) + " ↙", ha="left",
            va="bottom", fontsize=9, color=ACCENT)
    ax.grid(False)
    note_below(ax, t("transitions_note", language))
    return ax


@chart
def income_by_level(branches: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                    rubric: Any = None) -> Axes:
    """Collective income of village branches per level on a log axis, medians marked.

    Parameters
    ----------
    branches : DataFrame
        ``level, collective_income_wan`` per village branch: the report's ``income_points``
        (:func:`fivestar_analysis.stars.income_points`), or branch rows with a ``kind``
        column, of which the rural ones with a known income are drawn.

    Notes
    -----
    Zero incomes cannot sit on a log axis: they are drawn at a floor line (half the smallest
    positive income, labelled 0) and counted in a note.
    """
    fig, ax = new_axes(ax)
    keep = branches["collective_income_wan"].notna()
    if "kind" in branches.columns:
        keep &= branches["kind"] == "rural"
    d = branches[keep]
    income = d["collective_income_wan"].astype(float)
    positive = income[income > 0]
    floor = float(positive.min()) / 2 if len(positive) else 0.1
    levels = sorted(int(v) for v in d["level"].unique())
    rng = np.random.default_rng(0)  # fixed jitter: the same PNG on every run
    data = []
    for i, level in enumerate(levels):
        x = income[d["level"] == level].to_numpy(dtype=float)
        y = np.where(x > 0, x, floor)
        data.append(y)
        ax.scatter(i + rng.uniform(-0.2, 0.2, len(y)), y, s=7, alpha=0.45,
                   color=LEVEL_COLORS[max(2, level) % len(LEVEL_COLORS)], edgecolors="none",
                   zorder=2)
    if data:
        ax.boxplot(data, positions=range(len(levels)), widths=0.5, showfliers=False,
                   medianprops={"color": ACCENT, "linewidth": 2},
                   boxprops={"color": INK}, whiskerprops={"color": INK},
                   capprops={"color": INK}, zorder=3)
        for i, y in enumerate(data):
            med = float(np.median(y))
            ax.annotate(f"{med:.3g}", (i + 0.27, med), xytext=(2, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=8, color=ACCENT)
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "0" if v == floor else f"{v:g}"))
    ax.set_xticks(range(len(levels)), [level_name(lv, language) for lv in levels])
    zeros = int((income == 0).sum())
    if zeros:
        ax.axhline(floor, color=MUTED, linewidth=0.8, linestyle=":", zorder=1)
        top = ax.get_ylim()[1]
        ax.set_yticks([floor] + [v for v in ax.get_yticks() if floor < v <= top])
        ax.set_ylim(floor / 1.6, top)
    ax.set_title(t("income_by_level", language))
    ax.set_xlabel(t("level_axis", language))
    ax.set_ylabel(t("income_axis", language))
    if data:
        ax.plot([], [], color=ACCENT, linewidth=2, label=t("median", language))
        ax.legend(loc="upper left")
    else:
        no_data(ax, language)
    if zeros:
        note_below(ax, t("zero_note", language, n=zeros))
    return ax


@chart
def income_tiers_by_township(tiers: pd.DataFrame, *, ax: Axes | None = None,
                             language: str = "zh", rubric: Any = None) -> Axes:
    """100% stacked horizontal bars of income tiers per township, weakest on top.

    Parameters
    ----------
    tiers : DataFrame
        ``income_tier_table(county, year=…, by="township")`` (``township, tier, share,
        n_branches``), tiers lowest first. The number in brackets is the township's villages
        with a known income.
    """
    fig, ax = new_axes(ax, _tall(tiers["township"].nunique()))
    order = list(dict.fromkeys(tiers["tier"]))
    wide = tiers.pivot_table(index="township", columns="tier", values="share", aggfunc="sum",
                             observed=True).reindex(columns=order).fillna(0) * 100
    weak_cols = order[:2]
    wide = wide.loc[wide[weak_cols].sum(axis=1).sort_values(ascending=True, kind="stable").index]
    left = np.zeros(len(wide))
    for i, tier in enumerate(order):
        values = wide[tier].to_numpy()
        ax.barh(range(len(wide)), values, left=left, color=TIER_COLORS[i % len(TIER_COLORS)],
                label=lab(tier, language, rubric), height=0.75, edgecolor="white",
                linewidth=0.4)
        left += values
    sizes = tiers.groupby("township")["n_branches"].max()
    ax.set_yticks(range(len(wide)), [paren(town, int(sizes[town]), language)
                                     for town in wide.index],
                  fontsize=8 if len(wide) <= 30 else 6.5)
    ax.set_ylim(-0.6, len(wide) - 0.4)
    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.set_xlim(0, 100)
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_title(t("income_tiers", language))
    ax.set_xlabel(t("share_pct", language))
    ax.set_ylabel(t("township", language))
    legend_below(ax, ncol=3 if len(order) > 4 else len(order), fontsize=8)
    return ax
