"""Cross-county comparison (跨县比较): many county packages side by side.

Tables (each a tidy DataFrame keyed by ``county_code, county_name``): :func:`county_ranking`,
:func:`county_star_matrix`, :func:`county_income`, :func:`county_survey_indices`,
:func:`between_county_tests` and :func:`lagging_counties` (a table and ``lagging_county``
findings). :func:`describe_comparison` computes them all once into a
:class:`CountyComparison`; ``sections`` turns that into the report's HTML and
:func:`render_comparison` executes the packaged ``compare_counties.ipynb`` into
``compare-<year>.html``.

>>> from fivestar_analysis.compare import load_counties, county_ranking  # doctest: +SKIP
>>> counties, failures = load_counties(["data/c001", "data/c002"])      # doctest: +SKIP
>>> county_ranking(counties)                                            # doctest: +SKIP
"""

from fivestar_analysis.compare.describe import CountyComparison, describe_comparison
from fivestar_analysis.compare.render import (
    ComparisonResult,
    TooFewCounties,
    render_comparison,
)
from fivestar_analysis.compare.tables import (
    LaggingCounties,
    between_county_tests,
    comparison_year,
    county_income,
    county_ranking,
    county_star_matrix,
    county_survey_indices,
    lagging_counties,
    load_counties,
)

__all__ = [
    "load_counties", "comparison_year", "county_ranking", "county_star_matrix", "county_income",
    "county_survey_indices", "between_county_tests", "lagging_counties", "LaggingCounties",
    "CountyComparison", "describe_comparison",
    "render_comparison", "ComparisonResult", "TooFewCounties",
]
