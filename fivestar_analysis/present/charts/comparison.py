"""Charts of the cross-county comparison, in the report style: ``ax=None`` in, the Axes out,
Chinese text by default (labels ``chart_cmp_*`` in ``resources/labels/compare.yaml``).
Each takes the table its comparison function returns and computes nothing of its own."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from fivestar_analysis.present.charts._text import (
    chart,
    lab,
    legend_below,
    no_data,
    note_below,
    paren,
    t,
)
from fivestar_analysis.present.charts.stars import _kind_headers, _star_ticks
from fivestar_analysis.present.charts.style import ACCENT, GROUP_COLORS, INK, MUTED, new_axes

__all__ = ["ranking_bars", "county_star_heatmap", "income_ranges", "survey_index_dots"]


def _height(n_rows: int, base: float = 1.6, per_row: float = 0.42) -> tuple[float, float]:
    return (7.5, max(3.2, base + per_row * n_rows))


@chart
def ranking_bars(ranking: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                 rubric: Any = None, lagging: set[str] | None = None) -> Axes:
    """Three-plus share of each county with its Wilson 95% interval, best on top.

    Parameters
    ----------
    ranking : DataFrame
        :func:`fivestar_analysis.analysis.comparison.county_ranking`.
    lagging : set of str, optional
        County codes flagged by :func:`~fivestar_analysis.analysis.comparison.lagging_counties`,
        drawn in the accent colour.
    """
    fig, ax = new_axes(ax, _height(len(ranking)))
    if ranking.empty:
        no_data(ax, language)
        return ax
    d = ranking.iloc[::-1]  # best at the top
    y = np.arange(len(d))
    flagged = lagging or set()
    colors = [ACCENT if c in flagged else "#de7a5b" for c in d["county_code"]]
    share = d["share_3plus"].to_numpy(dtype=float) * 100
    ax.barh(y, share, color=colors, height=0.6)
    lo = share - d["ci_low"].to_numpy(dtype=float) * 100
    hi = d["ci_high"].to_numpy(dtype=float) * 100 - share
    ax.errorbar(share, y, xerr=[lo, hi], fmt="none", ecolor=INK, elinewidth=1.0, capsize=3)
    for yi, s, top in zip(y, share, d["ci_high"].to_numpy(dtype=float) * 100):
        ax.text(top + 1.0, yi, f"{s:.1f}%", va="center", fontsize=8.5, color="#1f2933")
    names = [paren(n, f"n={int(k)}", language) for n, k in zip(d["county_name"], d["n_branches"])]
    ax.set_yticks(y, names)
    pooled = d["count_3plus"].sum() / max(d["n_branches"].sum(), 1) * 100
    ax.axvline(pooled, color=MUTED, linestyle="--", linewidth=1.0,
               label=t("cmp_pooled", language, value=pooled))
    ax.set_xlim(0, min(100, float(np.nanmax(d["ci_high"].to_numpy(dtype=float))) * 100 + 12))
    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_title(t("cmp_ranking", language))
    ax.set_xlabel(t("cmp_share_axis", language))
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    legend_below(ax, 1)
    return ax


@chart
def county_star_heatmap(matrix: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                        rubric: Any = None, order: list[str] | None = None) -> Axes:
    """Award rate (%) of each star (columns, rural then community) in each county (rows).

    Parameters
    ----------
    matrix : DataFrame
        :func:`fivestar_analysis.analysis.comparison.county_star_matrix`.
    order : list of str, optional
        County codes top to bottom (e.g. the ranking order); by mean rate otherwise.
    """
    import seaborn as sns

    d = matrix[matrix["n_branches"] > 0].copy()
    fig, ax = new_axes(ax, _height(d["county_code"].nunique(), base=2.4, per_row=0.5))
    if d.empty:
        no_data(ax, language)
        return ax
    d["column"] = d["kind"].astype(str) + ":" + d["star"].astype(str)
    kind_rank = {"rural": 0, "community": 1}
    cols = (d.drop_duplicates("column").assign(_k=lambda x: x["kind"].map(kind_rank))
            .sort_values("_k", kind="stable")["column"].tolist())
    wide = d.pivot_table(index="county_code", columns="column", values="award_rate",
                         aggfunc="mean").reindex(columns=cols) * 100
    if order:
        wide = wide.reindex([c for c in order if c in wide.index])
    else:
        wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False, kind="stable").index]
    names = d.drop_duplicates("county_code").set_index("county_code")["county_name"]
    sizes = d.drop_duplicates(["county_code", "kind"]).groupby("county_code")["n_branches"].sum()
    sns.heatmap(wide.to_numpy(), ax=ax, cmap="Reds", vmin=0, vmax=100, annot=True, fmt=".0f",
                annot_kws={"fontsize": 8}, linewidths=0.5, linecolor="white",
                xticklabels=False, yticklabels=False, cbar_kws={"shrink": 0.7, "pad": 0.02})
    ax.collections[0].colorbar.set_label(t("award_rate_pct", language))
    ax.set_yticks(np.arange(len(wide)) + 0.5,
                  [paren(names[c], int(sizes[c]), language) for c in wide.index], rotation=0,
                  fontsize=9)
    ax.set_xticks(np.arange(len(cols)) + 0.5,
                  _star_ticks([c.split(":", 1)[1] for c in cols], language, rubric),
                  rotation=0, fontsize=8 if language != "en" else 7)
    kinds = [c.split(":", 1)[0] for c in cols]
    if len(set(kinds)) > 1:
        _kind_headers(ax, kinds, language, offset=0.0)
    ax.set_title(t("cmp_heatmap", language), pad=20 if len(set(kinds)) > 1 else 8)
    ax.set_xlabel(t("star", language))
    ax.set_ylabel("")
    ax.grid(False)
    return ax


@chart
def income_ranges(income: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                  rubric: Any = None) -> Axes:
    """Median collective income of each county's villages with the interquartile range,
    highest median on top; the weak-village share printed at the right.

    Parameters
    ----------
    income : DataFrame
        :func:`fivestar_analysis.analysis.comparison.county_income`.
    """
    d = income[income["n"] > 0]
    fig, ax = new_axes(ax, _height(len(d)))
    if d.empty:
        no_data(ax, language)
        return ax
    d = d.iloc[::-1]
    y = np.arange(len(d))
    ax.hlines(y, d["q1_wan"], d["q3_wan"], color="#93c5fd", linewidth=7,
              label=t("cmp_iqr", language))
    ax.plot(d["median_wan"], y, "o", color="#1d4ed8", markersize=7, label=t("median", language))
    names = [paren(n, f"n={int(k)}", language) for n, k in zip(d["county_name"], d["n"])]
    ax.set_yticks(y, names)
    below = float(d["weak_below_wan"].iloc[0])
    ax.axvline(below, color=ACCENT, linestyle=":", linewidth=1.2,
               label=t("cmp_weak_line", language, value=below))
    right = float(d["q3_wan"].max()) * 1.08
    ax.set_xlim(0, right * 1.18)
    for yi, share in zip(y, d["share_weak"]):
        ax.text(right * 1.17, yi, t("cmp_weak_share", language, value=100 * float(share)),
                ha="right", va="center", fontsize=8, color=ACCENT)
    ax.set_title(t("cmp_income", language))
    ax.set_xlabel(t("cmp_income_axis", language))
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    legend_below(ax, 3)
    return ax


@chart
def survey_index_dots(indices: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                      rubric: Any = None) -> Axes:
    """Satisfaction index (0–100) of each county with its 95% interval, one marker per
    dimension (overall question, composite of the star areas); counties without a survey
    are named in a note.

    Parameters
    ----------
    indices : DataFrame
        :func:`fivestar_analysis.analysis.comparison.county_survey_indices`.
    """
    shown = indices[indices["estimate"].notna()]
    codes = list(dict.fromkeys(shown["county_code"]))
    fig, ax = new_axes(ax, _height(len(codes)))
    missing = list(dict.fromkeys(indices.loc[~indices["has_survey"], "county_name"]))
    if shown.empty:
        no_data(ax, language)
    else:
        comp = shown[shown["dimension"] == shown["dimension"].iloc[0]]
        order = comp.sort_values("estimate")["county_code"].tolist()
        order += [c for c in codes if c not in order]
        pos = {c: i for i, c in enumerate(order)}
        dims = list(dict.fromkeys(shown["dimension"]))
        colors = [GROUP_COLORS["all"], "#1d4ed8", ACCENT, "#15803d"]
        offsets = np.linspace(-0.15, 0.15, len(dims)) if len(dims) > 1 else [0.0]
        for dim, off, col in zip(dims, offsets, colors):
            s = shown[shown["dimension"] == dim]
            yy = s["county_code"].map(pos).to_numpy(dtype=float) + off
            est = s["estimate"].to_numpy(dtype=float)
            ax.errorbar(est, yy, xerr=[est - s["ci_low"].to_numpy(dtype=float),
                                       s["ci_high"].to_numpy(dtype=float) - est],
                        fmt="o", color=col, ecolor=col, elinewidth=1.2, capsize=3,
                        markersize=6, label=lab(dim, language))
        names = shown.drop_duplicates("county_code").set_index("county_code")["county_name"]
        ax.set_yticks(range(len(order)), [names[c] for c in order])
        ax.set_ylim(-0.6, len(order) - 0.4)
        lo = float(shown["ci_low"].min())
        hi = float(shown["ci_high"].max())
        ax.set_xlim(max(0.0, lo - 5), min(100.0, hi + 5))
    ax.set_title(t("cmp_survey", language))
    ax.set_xlabel(t("index_axis", language))
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    if not shown.empty:
        legend_below(ax, len(dims))
    if missing:
        sep = ", " if language == "en" else "、"
        note_below(ax, t("cmp_no_survey_note", language, names=sep.join(missing)))
    return ax
