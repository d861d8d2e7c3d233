"""Charts: every chart draws its table's data with Chinese (or English) text, no missing
glyph, the style context leaves no global state behind, and the PNGs stay small.

One small demo county per module; each chart is drawn from the table its analysis returns.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh

import fivestar_analysis as fa
from fivestar_analysis import charts
from fivestar_analysis import stars as st
from fivestar_analysis import survey as sv
from fivestar_analysis.present.fonts import find_cjk_font
from fivestar_analysis.tools.demo import write_demo_package

CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_PNG = 120 * 1024


@dataclass
class Case:
    draw: Callable[..., Any]
    table: pd.DataFrame
    kwargs: dict[str, Any] = field(default_factory=dict)
    figsize: tuple[float, float] = (7.5, 4.0)  # as the report draws it


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = write_demo_package(tmp_path_factory.mktemp("charts-demo"), seed=2024,
                                n_townships=8, n_villages=80, n_communities=10,
                                n_respondents=600)
    return fa.load_county(folder)


@pytest.fixture(scope="module")
def cases(county) -> dict[str, Case]:
    y = county.year
    est = sv.estimate_scores(county, by=["county", "group"], measures=["index"])
    ipa = sv.importance_performance(county)
    return {
        "level_history": Case(charts.level_history, st.level_distribution(county)),
        "star_attainment": Case(charts.star_attainment, st.star_attainment(county), {"year": y}),
        "township_star_heatmap": Case(
            charts.township_star_heatmap,
            st.star_attainment(county, by="township", year=y, kinds=("rural", "community")),
            figsize=(7.5, 6.5)),
        "level_transitions": Case(charts.level_transitions, st.level_transitions(county),
                                  {"year_to": y}, (6.5, 5.0)),
        "income_by_level": Case(charts.income_by_level, county.branches_in(y)),
        "income_tiers_by_township": Case(charts.income_tiers_by_township,
                                         st.income_tier_table(county, year=y, by="township"),
                                         figsize=(7.5, 6.5)),
        "dimension_scores": Case(charts.dimension_scores, est),
        "ipa_quadrant": Case(charts.ipa_quadrant, ipa[ipa["group"] == "all"],
                             figsize=(7.0, 5.5)),
        "likert_bars": Case(charts.likert_bars, sv.likert_distribution(county),
                            figsize=(7.5, 4.5)),
        "awareness_by_group": Case(charts.awareness_by_group, sv.awareness_rates(county)),
    }


def draw(case: Case, language: str = "zh", *, ax=None, rubric=None, table=None,
         save: bool = True) -> tuple[Any, bytes]:
    """Draw in the report style with every warning an error (a missing glyph among them),
    save to PNG as the report does, close the figure; return the Axes and the PNG."""
    png = b""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with charts.chart_style(language):
            if ax is None:
                fig, target = plt.subplots(figsize=case.figsize)
            else:
                fig, target = ax.figure, ax
            try:
                out = case.draw(case.table if table is None else table, ax=target,
                                language=language, rubric=rubric, **case.kwargs)
                if save:
                    buf = BytesIO()
                    fig.savefig(buf, format="png", bbox_inches="tight")
                    png = buf.getvalue()
            finally:
                if ax is None:
                    plt.close(fig)
    return out, png


def texts(ax) -> list[str]:
    """The axes' texts, upright-stacked Chinese (样\n本\n过\n少) joined again."""
    return [x.get_text().replace("\n", "") for x in ax.texts]


def bar_heights(ax) -> list[np.ndarray]:
    return [np.array([p.get_height() for p in c]) for c in ax.containers
            if isinstance(c, mpl.container.BarContainer)]


NAMES = ["level_history", "star_attainment", "township_star_heatmap", "level_transitions",
         "income_by_level", "income_tiers_by_township", "dimension_scores", "ipa_quadrant",
         "likert_bars", "awareness_by_group"]


@pytest.mark.parametrize("name", NAMES)
def test_chinese_chart_without_missing_glyphs_and_small_png(cases, county, name):
    ax, png = draw(cases[name], "zh", rubric=county.rubric)
    assert CJK.search(ax.get_title()), ax.get_title()
    assert CJK.search(ax.get_xlabel()) and CJK.search(ax.get_ylabel())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) < MAX_PNG, f"{name}: {len(png) / 1024:.0f} kB"


@pytest.mark.parametrize("name", NAMES)
def test_english_chart(cases, county, name):
    ax, _ = draw(cases[name], "en", rubric=county.rubric)
    title = ax.get_title()
    assert title and not CJK.search(title), title
    assert not CJK.search(ax.get_xlabel()) and not CJK.search(ax.get_ylabel())
    assert ax.get_xlabel() and ax.get_ylabel()


@pytest.mark.parametrize("name", ["level_history", "township_star_heatmap", "ipa_quadrant"])
def test_draws_on_the_given_axes(cases, name):
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    try:
        out, _ = draw(cases[name], ax=right, save=False)
        assert out is right
        assert right.get_title() and not left.get_title()
    finally:
        plt.close(fig)


def test_style_restores_rcparams_and_puts_the_cjk_font_first():
    before = dict(mpl.rcParams)
    with charts.chart_style("zh"):
        assert mpl.rcParams["font.sans-serif"][0] == find_cjk_font().family
        assert mpl.rcParams["axes.unicode_minus"] is False
        fig, ax = charts.new_axes(None)
        assert tuple(fig.get_size_inches()) == (7.5, 4.0)
        assert charts.new_axes(ax) == (fig, ax)
        plt.close(fig)
    after = dict(mpl.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_style_keeps_what_it_did_not_set():
    # Jupyter's inline backend turns "interactive" on when the first figure of a session is
    # made, often inside the block; restoring it would stop later cells showing figures
    before = mpl.rcParams["interactive"]
    try:
        with charts.chart_style("zh"):
            mpl.rcParams["interactive"] = not before
        assert mpl.rcParams["interactive"] is (not before)
    finally:
        mpl.rcParams["interactive"] = before


@pytest.mark.parametrize("name", ["level_history", "township_star_heatmap", "likert_bars"])
def test_chinese_renders_after_the_style_block_and_without_it(cases, name):
    """Jupyter renders a cell's figures after ``with chart_style()`` has ended, and a
    researcher may skip the context altogether: Chinese must still find its glyphs."""
    case = cases[name]
    with charts.chart_style("zh"):
        fig, ax = plt.subplots(figsize=case.figsize)
        case.draw(case.table, ax=ax, **case.kwargs)
    bare, bare_ax = plt.subplots(figsize=case.figsize)  # default rcParams
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            case.draw(case.table, ax=bare_ax, **case.kwargs)
            for f in (fig, bare):
                f.savefig(BytesIO(), format="png")
    finally:
        plt.close(fig)
        plt.close(bare)


# -- each chart draws its table's numbers ---------------------------------------------------

def test_level_history_bars_are_the_counts(cases):
    case = cases["level_history"]
    ax, _ = draw(case, save=False)
    d = case.table[case.table["kind"] == "all"]
    heights = bar_heights(ax)
    assert len(heights) == d["level"].nunique()  # one stack layer per level
    for level, h in zip(sorted(d["level"].unique()), heights):
        assert list(h) == list(d[d["level"] == level].sort_values("year")["count"])
    assert sum(1 for s in texts(ax) if "三星以上" in s) == d["year"].nunique()


def test_star_attainment_bars_are_declared_and_awarded(cases, county):
    case = cases["star_attainment"]
    ax, _ = draw(case, save=False)
    t = case.table
    d = t[(t["year"] == county.year) & (t["kind"] != "all") & (t["n_branches"] > 0)]
    declared, awarded = bar_heights(ax)
    assert list(declared) == list(d["n_declared"]) and list(awarded) == list(d["n_awarded"])
    assert len(ax.get_xticklabels()) == len(d)


def test_heatmap_cells_are_the_award_rates(cases):
    case = cases["township_star_heatmap"]
    ax, _ = draw(case, save=False)
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    t = case.table[case.table["n_branches"] > 0]
    n_town, n_col = t["township"].nunique(), len(t.drop_duplicates(["kind", "star"]))
    values = np.ma.masked_invalid(mesh.get_array()).compressed()
    assert len(values) == len(t) and mesh.get_array().size == n_town * n_col
    assert np.allclose(np.sort(values), np.sort(t["award_rate"].to_numpy() * 100))
    rows = np.ma.filled(mesh.get_array().reshape(n_town, n_col), np.nan)
    means = np.nanmean(rows, axis=1)
    assert np.all(np.diff(means) <= 1e-9)  # best townships on top
    assert len(ax.get_yticklabels()) == n_town


def test_transition_cells_are_the_counts(cases, county):
    case = cases["level_transitions"]
    ax, _ = draw(case, save=False)
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    t = case.table
    d = t[(t["year_to"] == county.year) & (t["kind"] == "all")]
    wide = d.pivot_table(index="level_from", columns="level_to", values="count", aggfunc="sum")
    assert np.array_equal(np.asarray(mesh.get_array()).reshape(wide.shape), wide.to_numpy())
    assert any("晋星" in s for s in texts(ax)) and any("降星" in s for s in texts(ax))


def test_income_points_and_boxes(cases):
    case = cases["income_by_level"]
    ax, _ = draw(case, save=False)
    b = case.table
    rural = b[(b["kind"] == "rural") & b["collective_income_wan"].notna()]
    points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert points == len(rural)
    medians = [ln for ln in ax.lines if ln.get_linewidth() == 2 and len(ln.get_xdata()) == 2]
    assert len(medians) == rural["level"].nunique()
    assert ax.get_yscale() == "log"
    if (rural["collective_income_wan"] == 0).any():
        assert "0" in [x.get_text() for x in ax.get_yticklabels()]


def test_income_tier_bars_are_the_shares(cases):
    case = cases["income_tiers_by_township"]
    ax, _ = draw(case, save=False)
    widths = [np.array([p.get_width() for p in c]) for c in ax.containers]
    t = case.table
    assert len(widths) == t["tier"].nunique()
    assert all(len(w) == t["township"].nunique() for w in widths)
    assert np.allclose(np.sum(widths, axis=0), 100) or t["share"].isna().any()
    assert np.isclose(sorted(np.concatenate(widths))[-1], t["share"].max() * 100)


def test_dimension_scores_points(cases):
    case = cases["dimension_scores"]
    ax, _ = draw(case, save=False)
    t = case.table
    groups = 1 + t.loc[t["by"] == "group", "subgroup"].nunique()
    assert len(ax.containers) == groups
    points = [c.lines[0] for c in ax.containers]
    assert all(len(p.get_xdata()) == t["dimension"].nunique() for p in points)
    county_row = t[(t["by"] == "county")].drop_duplicates("dimension")
    assert np.allclose(points[0].get_ydata(), county_row["estimate"])


def test_ipa_points_and_quadrant_names(cases):
    case = cases["ipa_quadrant"]
    ax, _ = draw(case, save=False)
    t = case.table
    offsets = np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])
    assert np.allclose(np.sort(offsets[:, 0]), np.sort(t["importance"]))
    quadrants = {"重点改进区", "继续保持区", "次要改进区", "过度投入区"}
    assert quadrants <= set(texts(ax))
    assert {"产业兴旺星", "支部过硬星"} <= set(texts(ax))


def test_likert_bars_diverge_at_zero(cases):
    case = cases["likert_bars"]
    ax, _ = draw(case, save=False)
    t = case.table
    bars = [p for c in ax.containers for p in c]
    assert len(bars) == len(t)
    for dim_i in range(t["dimension"].nunique()):
        row = sorted((p for p in bars if np.isclose(p.get_y() + p.get_height() / 2, dim_i)),
                     key=lambda p: p.get_x())
        neutral = row[2]
        assert np.isclose(neutral.get_x() + neutral.get_width() / 2, 0)  # neutral centred
        assert np.isclose(sum(p.get_width() for p in row), 100)


def test_awareness_bars_are_the_rates(cases):
    case = cases["awareness_by_group"]
    ax, _ = draw(case, save=False)
    t = case.table[case.table["group"] != "all"]
    heights = bar_heights(ax)
    assert len(heights) == t["group"].nunique()
    resident = t[t["group"] == "resident"]
    assert np.allclose(heights[0], resident["estimate"] * 100)


# -- suppressed cells ---------------------------------------------------------------------

def test_suppressed_cells_are_not_drawn(cases, county):
    k = {"privacy": {"k": 100}}  # the demo's 59 cadres fall under k
    est = sv.estimate_scores(county, by=["county", "group"], measures=["index"], config=k)
    assert est["suppressed"].any()
    ax, png = draw(cases["dimension_scores"], table=est)
    cadre_color = charts.style.GROUP_COLORS["cadre"]
    cadre = [c for c in ax.containers if c.lines[0].get_color() == cadre_color]
    assert np.isnan(np.asarray(cadre[0].lines[0].get_ydata(), dtype=float)).all()
    assert "样本过少" in texts(ax)
    assert any("样本过少的格不显示" in s for s in texts(ax))

    aware = sv.awareness_rates(county, config=k)
    ax, _ = draw(cases["awareness_by_group"], table=aware)
    n_items = aware["item"].nunique()
    assert [len(h) for h in bar_heights(ax)] == [n_items, n_items, 0]
    assert texts(ax).count("样本过少") == n_items

    likert = sv.likert_distribution(county, config={"privacy": {"k": 100_000}})
    ax, _ = draw(cases["likert_bars"], table=likert)
    assert not [p for c in ax.containers for p in c]
    assert texts(ax).count("样本过少") == likert["dimension"].nunique()

    ipa = cases["ipa_quadrant"].table.copy()
    ipa.loc[ipa.index[0], ["importance", "satisfaction", "suppressed"]] = [np.nan, np.nan, True]
    ax, _ = draw(cases["ipa_quadrant"], table=ipa)
    points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert points == len(ipa) - 1
    assert any("样本过少" in s for s in texts(ax))


def test_tick_labels_wrap_without_stranded_punctuation():
    from fivestar_analysis.present.charts._text import wrap

    assert wrap("产业兴旺星", "zh", 4) == "产业\n兴旺星"
    assert wrap("您知道本村（社区）今年争创哪几…", "zh", 8) == "您知道本村（社区）\n今年争创哪几…"
    for line in wrap("您听说过“五星”支部创建吗", "zh", 4).split("\n"):
        assert line[0] not in "）”，" and line[-1] not in "（“"
    assert wrap("Safety and rule of law", "en", 9) == "Safety\nand rule\nof law"


def test_edge_cases_draw_without_warnings(cases, county):
    att = cases["star_attainment"].table
    ax, _ = draw(cases["star_attainment"], table=att[att["kind"] == "rural"], save=False)
    assert "农村" not in texts(ax)  # one kind: no kind headers
    b = cases["income_by_level"].table
    ax, _ = draw(cases["income_by_level"], table=b[b["kind"] == "community"])
    assert "没有可显示的数据" in texts(ax)
    ax, _ = draw(cases["awareness_by_group"], table=cases["awareness_by_group"].table.iloc[0:0])
    assert "没有可显示的数据" in texts(ax)
    one_year = st.level_distribution(county, year=county.year)
    ax, _ = draw(cases["level_history"], table=one_year, save=False)
    assert len(bar_heights(ax)[0]) == 1


def test_dollar_signs_in_a_township_name_are_drawn_as_typed(cases):
    """A name is text: "$…$" from a user's file is not read as mathtext (which fails on an
    unknown command and would lose the chart)."""
    case = cases["township_star_heatmap"]
    first = case.table["township"].iloc[0]
    table = case.table.replace({"township": {first: "$\\notacommand{x}$镇"}})
    ax, png = draw(case, table=table)
    assert png
    labels = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
    assert any(x.startswith("$\\notacommand{x}$镇") for x in labels), labels
