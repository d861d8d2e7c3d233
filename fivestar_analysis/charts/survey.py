"""Charts of the survey analysis. Each takes the tidy table its analysis returns, draws on
``ax`` (a new figure when None) and returns the Axes. Suppressed cells are not drawn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from fivestar_analysis.charts._text import lab, t
from fivestar_analysis.charts.style import ACCENT, GROUP_COLORS, MUTED, STAR_COLORS, new_axes

__all__ = ["dimension_scores", "ipa_quadrant", "likert_bars", "awareness_by_group"]


def _visible(df: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    if "suppressed" not in df.columns:
        return df, False
    hidden = df["suppressed"].fillna(False).astype(bool)
    return df[~hidden], bool(hidden.any())


def _note_suppressed(ax: Axes, language: str) -> None:
    ax.text(0.0, -0.16, t("suppressed_note", language), transform=ax.transAxes, fontsize=8,
            color=MUTED, ha="left", va="top")


def dimension_scores(estimates: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                     rubric: Any = None) -> Axes:
    """Satisfaction index per area with 95% intervals, county and each respondent group.

    ``estimates``: rows of ``SurveyResults.estimates`` with ``measure == "index"`` and
    ``by`` in {county, group}.
    """
    fig, ax = new_axes(ax)
    d, hidden = _visible(estimates)
    dims = list(dict.fromkeys(d["dimension"]))
    groups = [("county", "all")] + [("group", g) for g in ("resident", "member", "cadre")
                                    if ((d["by"] == "group") & (d["subgroup"] == g)).any()]
    width = 0.8 / len(groups)
    for j, (by, sub) in enumerate(groups):
        g = d[(d["by"] == by) & ((d["subgroup"] == sub) | (by == "county"))].set_index("dimension")
        g = g.reindex(dims)
        x = np.arange(len(dims)) + (j - (len(groups) - 1) / 2) * width
        err = np.vstack([g["estimate"] - g["ci_low"], g["ci_high"] - g["estimate"]])
        ax.errorbar(x, g["estimate"], yerr=err, fmt="o", ms=5, capsize=2.5, lw=1.2,
                    color=GROUP_COLORS.get(sub, MUTED),
                    label=lab("all" if by == "county" else sub, language))
    ax.set_xticks(np.arange(len(dims)), [lab(x, language, rubric) for x in dims], fontsize=8)
    ax.set_ylim(max(0, float(np.nanmin(d["ci_low"])) - 8) if len(d) else 0,
                min(100, float(np.nanmax(d["ci_high"])) + 8) if len(d) else 100)
    ax.set_title(t("dimension_scores", language))
    ax.set_ylabel(t("index_axis", language))
    ax.legend(ncol=len(groups), loc="upper center", bbox_to_anchor=(0.5, -0.12))
    if hidden:
        _note_suppressed(ax, language)
    return ax


def ipa_quadrant(ipa: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                 rubric: Any = None) -> Axes:
    """Importance (x) against satisfaction (y) per area, crosshair at the table's cut points.

    ``ipa``: ``SurveyResults.ipa`` for one group (e.g. ``group == "all"``).
    """
    fig, ax = new_axes(ax, (7.0, 5.5))
    d, hidden = _visible(ipa)
    x_cut, y_cut = float(d["importance_cut"].iloc[0]), float(d["satisfaction_cut"].iloc[0])
    ax.axvline(x_cut, color=MUTED, lw=1, ls="--")
    ax.axhline(y_cut, color=MUTED, lw=1, ls="--")
    for _, r in d.iterrows():
        color = STAR_COLORS.get(r["dimension"], ACCENT)
        ax.scatter(r["importance"], r["satisfaction"], s=70, color=color, zorder=3)
        ax.annotate(lab(r["dimension"], language, rubric), (r["importance"], r["satisfaction"]),
                    xytext=(6, 4), textcoords="offset points", fontsize=9)
    pad_x = max(0.25, float(d["importance"].max() - d["importance"].min()) * 0.35)
    pad_y = max(0.25, float(d["satisfaction"].max() - d["satisfaction"].min()) * 0.35)
    ax.set_xlim(d["importance"].min() - pad_x, d["importance"].max() + pad_x)
    ax.set_ylim(d["satisfaction"].min() - pad_y, d["satisfaction"].max() + pad_y)
    names = (d.drop_duplicates("quadrant").set_index("quadrant")["quadrant_label"].to_dict()
             if language != "en" else {})
    corners = {"concentrate_here": (0.98, 0.03, "right", "bottom"),
               "keep_up": (0.98, 0.97, "right", "top"),
               "low_priority": (0.02, 0.03, "left", "bottom"),
               "possible_overkill": (0.02, 0.97, "left", "top")}
    english = {"concentrate_here": "Concentrate here", "keep_up": "Keep up the good work",
               "low_priority": "Low priority", "possible_overkill": "Possible overkill"}
    fallback = {"concentrate_here": "重点改进区", "keep_up": "继续保持区", "low_priority": "次要改进区",
                "possible_overkill": "过度投入区"}
    for key, (x, y, ha, va) in corners.items():
        text = english[key] if language == "en" else names.get(key, fallback[key])
        ax.text(x, y, text, transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                color=ACCENT if key == "concentrate_here" else MUTED)
    ax.grid(True, axis="both")
    ax.set_title(t("ipa", language))
    ax.set_xlabel(t("importance_axis", language))
    ax.set_ylabel(t("satisfaction_axis", language))
    if hidden:
        _note_suppressed(ax, language)
    return ax


def likert_bars(distribution: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                rubric: Any = None) -> Axes:
    """Diverging bars: dissatisfied answers left of zero, satisfied right, neutral centred.

    ``distribution``: :func:`fivestar_analysis.survey.likert_distribution`.
    """
    fig, ax = new_axes(ax, (7.5, 4.5))
    d, hidden = _visible(distribution)
    dims = list(dict.fromkeys(d["dimension"]))
    colors = {1: "#b91c1c", 2: "#f87171", 3: "#d1d5db", 4: "#60a5fa", 5: "#1d4ed8"}
    lo, hi = int(d["scale_min"].min()), int(d["scale_max"].max())
    mid = (lo + hi) / 2
    for i, dim in enumerate(dims):
        g = d[d["dimension"] == dim].set_index("answer")["share"] * 100
        neutral = float(g.get(mid, 0.0)) if float(mid).is_integer() else 0.0
        left = -neutral / 2 - sum(float(g.get(a, 0)) for a in range(lo, int(np.ceil(mid))) if a != mid)
        for a in range(lo, hi + 1):
            v = float(g.get(a, 0.0))
            ax.barh(i, v, left=left, color=colors.get(a - lo + 1, MUTED), height=0.62,
                    edgecolor="white", linewidth=0.4,
                    label=t(f"answer_{a - lo + 1}", language) if i == 0 else None)
            left += v
    ax.axvline(0, color="#52606d", lw=0.8)
    ax.set_yticks(range(len(dims)), [lab(x, language, rubric) for x in dims])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_title(t("likert", language))
    ax.set_xlabel(t("likert_axis", language))
    ax.legend(ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8)
    if hidden:
        _note_suppressed(ax, language)
    return ax


def awareness_by_group(awareness: pd.DataFrame, *, ax: Axes | None = None, language: str = "zh",
                       rubric: Any = None, item_labels: dict[str, str] | None = None) -> Axes:
    """Awareness and participation rates per respondent group with Wilson intervals.

    ``awareness``: ``SurveyResults.awareness`` (one row per measure, item and group); items
    of a measure are shown side by side, named by ``item_labels`` (item -> short question
    text) when given.
    """
    fig, ax = new_axes(ax)
    d, hidden = _visible(awareness[awareness["group"] != "all"])
    names = item_labels or {}
    d = d.assign(label=[f"{lab(m, language)}\n{names.get(i, i)}" for m, i in zip(d["measure"], d["item"])])
    bars = list(dict.fromkeys(d["label"]))
    groups = [g for g in ("resident", "member", "cadre") if (d["group"] == g).any()]
    width = 0.8 / max(1, len(groups))
    for j, g in enumerate(groups):
        sub = d[d["group"] == g].set_index("label").reindex(bars)
        x = np.arange(len(bars)) + (j - (len(groups) - 1) / 2) * width
        err = np.vstack([sub["estimate"] - sub["ci_low"], sub["ci_high"] - sub["estimate"]]) * 100
        ax.bar(x, sub["estimate"] * 100, width=width * 0.92, color=GROUP_COLORS[g],
               label=lab(g, language), yerr=err, capsize=2, error_kw={"lw": 0.8})
    ax.set_xticks(np.arange(len(bars)), bars, fontsize=8)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.set_ylim(0, 105)
    ax.set_title(t("awareness", language))
    ax.set_ylabel(t("rate_pct", language))
    ax.legend(ncol=len(groups), loc="upper center", bbox_to_anchor=(0.5, -0.1))
    if hidden:
        _note_suppressed(ax, language)
    return ax
