"""Charts for the report and for exploration: one function per chart, ``ax=None`` in, the
Axes out, one consistent style (:func:`chart_style`), Chinese titles and labels by default
(``language="en"`` for English).

Each chart takes the tidy table its analysis function returns, so charts never recompute:

==========================  ==========================================================
chart                       table
==========================  ==========================================================
level_history               ``stars.level_distribution(county)``
star_attainment             ``stars.star_attainment(county)`` (``year=`` picks the year)
township_star_heatmap       ``stars.star_attainment(county, by="township", year=…)``
level_transitions           ``stars.level_transitions(county)`` (``year_to=``)
income_by_level             ``county.branches_in(year)``
income_tiers_by_township    ``stars.income_tier_table(county, year=…, by="township")``
dimension_scores            ``survey.estimate_scores(…)`` rows with ``measure == "index"``
ipa_quadrant                ``survey.importance_performance(county)``, one group
likert_bars                 ``survey.likert_distribution(county)``
awareness_by_group          ``survey.awareness_rates(county)``
odds_ratio_forest           ``analysis.drivers.analyse_drivers(county).coefficients``
derived_importance          ``analysis.drivers.analyse_drivers(county).survey``
derived_vs_stated           ``analysis.drivers.analyse_drivers(county).survey``
==========================  ==========================================================

Suppressed survey cells are never drawn as values. Every text of a chart is given the CJK
font by name (:func:`fivestar_analysis.present.fonts.find_cjk_font`), so Chinese renders even when
the figure is drawn after the style block has ended, as Jupyter does.

Examples
--------
>>> from fivestar_analysis import charts, stars                    # doctest: +SKIP
>>> with charts.chart_style("zh"):                                  # doctest: +SKIP
...     ax = charts.level_history(stars.level_distribution(county))
...     ax.figure.savefig("levels.png", bbox_inches="tight")
"""

from fivestar_analysis.present.charts.drivers import (
    derived_importance,
    derived_vs_stated,
    odds_ratio_forest,
)
from fivestar_analysis.present.charts.stars import (
    income_by_level,
    income_tiers_by_township,
    level_history,
    level_transitions,
    star_attainment,
    township_star_heatmap,
)
from fivestar_analysis.present.charts.style import chart_style, new_axes
from fivestar_analysis.present.charts.survey import (
    awareness_by_group,
    dimension_scores,
    ipa_quadrant,
    likert_bars,
)

__all__ = [
    "chart_style", "new_axes",
    "level_history", "star_attainment", "township_star_heatmap", "level_transitions",
    "income_by_level", "income_tiers_by_township",
    "dimension_scores", "ipa_quadrant", "likert_bars", "awareness_by_group",
    "odds_ratio_forest", "derived_importance", "derived_vs_stated",
]
