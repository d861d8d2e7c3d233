"""Issue 15 (speed) on the charts: the cheaper ways of saving and measuring give the same
PNG bytes as the plain ones, and leave no state behind between charts."""

from __future__ import annotations

from io import BytesIO

import matplotlib.pyplot as plt
import pytest

import fivestar_analysis as fa
from fivestar_analysis import charts
from fivestar_analysis import stars as st
from fivestar_analysis import survey as sv
from fivestar_analysis.present.charts._png import save_png
from fivestar_analysis.present.display import chart_png
from fivestar_analysis.tools.demo import write_demo_package


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = write_demo_package(tmp_path_factory.mktemp("speed-demo"), seed=7, n_townships=6,
                                n_villages=50, n_communities=6, n_respondents=400)
    return fa.load_county(folder)


def _cases(county):
    y = county.year
    est = sv.estimate_scores(county, by=["county", "group"], measures=["index"])
    return [
        (charts.level_history, st.level_distribution(county), {}, (7.5, 4.0)),
        (charts.township_star_heatmap,  # seaborn, a colour bar, kind headers above the axes
         st.star_attainment(county, by="township", year=y, kinds=("rural", "community")), {},
         (7.5, 6.5)),
        (charts.level_transitions, st.level_transitions(county), {"year_to": y}, (6.5, 5.0)),
        (charts.income_by_level, county.branches_in(y), {}, (7.5, 4.0)),  # log axis, note
        (charts.income_tiers_by_township, st.income_tier_table(county, year=y, by="township"),
         {}, (7.5, 6.5)),  # legend below the axes
        (charts.dimension_scores, est, {}, (7.5, 4.0)),
        (charts.likert_bars, sv.likert_distribution(county), {}, (7.5, 4.5)),
    ]


def _tight(draw, table, kwargs, figsize, language):
    """The PNG as ``savefig(bbox_inches="tight")`` saves it."""
    with charts.chart_style(language):
        fig, ax = plt.subplots(figsize=figsize)
        try:
            draw(table, ax=ax, language=language, **kwargs)
            buf = BytesIO()
            fig.savefig(buf, format="png", bbox_inches="tight")
        finally:
            plt.close(fig)
    return buf.getvalue()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_report_pngs_are_the_bytes_of_a_tight_savefig(county, language):
    for draw, table, kwargs, figsize in _cases(county):
        png = chart_png(draw, table, language=language, figsize=figsize, **kwargs)
        assert png == _tight(draw, table, kwargs, figsize, language), draw.__name__


def _figure_png(save, layout, dpi) -> bytes:
    with charts.chart_style("zh"):
        fig, ax = plt.subplots(figsize=(4, 3), layout=layout)
        try:
            ax.plot([1, 3, 2])
            ax.set_title("标题 title")
            ax.legend(["a line"], loc="upper left", bbox_to_anchor=(0, -0.15))
            buf = BytesIO()
            save(fig, buf, dpi)
        finally:
            plt.close(fig)
    return buf.getvalue()


@pytest.mark.parametrize("layout, dpi", [(None, None), ("constrained", None), (None, 72)])
def test_save_png_is_a_tight_savefig_also_where_it_falls_back(layout, dpi):
    def plain(fig, buf, dpi):
        fig.savefig(buf, format="png", bbox_inches="tight", dpi=dpi)

    assert _figure_png(save_png, layout, dpi) == _figure_png(plain, layout, dpi)


def test_charts_in_turn_do_not_change_each_other(county):
    """A chart drawn after others (in the other language) is the chart drawn first."""
    cases = _cases(county)
    first = chart_png(cases[1][0], cases[1][1], language="en", figsize=cases[1][3])
    for draw, table, kwargs, figsize in cases:
        chart_png(draw, table, language="zh", figsize=figsize, **kwargs)
    assert chart_png(cases[1][0], cases[1][1], language="en", figsize=cases[1][3]) == first
