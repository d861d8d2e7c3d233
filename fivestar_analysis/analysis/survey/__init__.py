"""Survey analysis: scoring, estimates, reliability, comparisons, IPA, awareness, open answers.

Every function takes a :class:`~fivestar_analysis.model.county.County` whose ``survey`` and
``codebook`` follow the canonical form (see ``county.py``) and returns a tidy DataFrame or a
frozen dataclass. Settings come from ``resources/survey/config.yaml`` and can be overridden
per call (``config={...}``). Every aggregate table suppresses cells of fewer than k
respondents (``suppressed`` column). :func:`describe_survey` computes them all.
"""

from fivestar_analysis.analysis.survey.awareness import awareness_findings, awareness_rates
from fivestar_analysis.analysis.survey.choices import choice_frequencies
from fivestar_analysis.analysis.survey.compare import (
    GroupComparison,
    compare_choices,
    compare_groups,
    dunn_test,
)
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.describe import SurveyResults, describe_survey
from fivestar_analysis.analysis.survey.estimates import estimate_scores, satisfaction_by_level
from fivestar_analysis.analysis.survey.ipa import importance_performance
from fivestar_analysis.analysis.survey.ledger import branch_means, income_satisfaction
from fivestar_analysis.analysis.survey.likert import likert_distribution
from fivestar_analysis.analysis.survey.reliability import (
    alpha_if_item_deleted,
    cronbach_alpha,
    reliability,
)
from fivestar_analysis.analysis.survey.scoring import (
    clean_items,
    item_quality,
    parse_multi,
    score_respondents,
    value_labels,
)
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.analysis.survey.text import (
    mask_names,
    open_answers,
    segment,
    text_themes,
    theme_examples,
    top_terms,
)

__all__ = [
    "SurveyConfig", "load_survey_config",
    "value_labels", "item_quality", "clean_items", "score_respondents", "parse_multi",
    "estimate_scores", "satisfaction_by_level",
    "cronbach_alpha", "reliability", "alpha_if_item_deleted",
    "GroupComparison", "compare_groups", "compare_choices", "dunn_test",
    "branch_means", "income_satisfaction",
    "importance_performance", "likert_distribution",
    "awareness_rates", "awareness_findings",
    "choice_frequencies",
    "segment", "mask_names", "open_answers", "top_terms", "text_themes", "theme_examples",
    "suppress_small",
    "SurveyResults", "describe_survey",
]
