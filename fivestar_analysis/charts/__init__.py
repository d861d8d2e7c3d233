"""Charts for the report and for exploration: one function per chart, ``ax=None`` in, the
Axes out, one consistent style (:func:`chart_style`), Chinese titles and labels by default.

Each chart takes the tidy table its analysis function returns, so charts never recompute.
"""

from fivestar_analysis.charts.stars import (
    income_by_level,
    income_tiers_by_township,
    level_history,
    level_transitions,
    star_attainment,
    township_star_heatmap,
)
from fivestar_analysis.charts.style import chart_style, new_axes
from fivestar_analysis.charts.survey import (
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
]
