"""One call that computes every survey table of a county for the report."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from fivestar_analysis.analysis.survey._frame import require_survey, shared_inputs
from fivestar_analysis.analysis.survey.awareness import awareness_findings, awareness_rates
from fivestar_analysis.analysis.survey.choices import choice_frequencies
from fivestar_analysis.analysis.survey.compare import compare_choices, compare_groups
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.estimates import estimate_scores, satisfaction_by_level
from fivestar_analysis.analysis.survey.ipa import importance_performance
from fivestar_analysis.analysis.survey.ledger import income_satisfaction
from fivestar_analysis.analysis.survey.reliability import alpha_if_item_deleted, reliability
from fivestar_analysis.analysis.survey.scoring import item_quality, value_labels
from fivestar_analysis.analysis.survey.text import text_themes, theme_examples, top_terms
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding

__all__ = ["SurveyResults", "describe_survey"]


@dataclass(frozen=True)
class SurveyResults:
    """Every survey table of one county (aggregates only: no respondent-level rows).

    Attributes mirror the functions that fill them: ``item_quality``, ``value_labels``,
    ``estimates`` (county, group, township, level), ``by_level``, ``reliability``,
    ``alpha_if_deleted``, ``group_tests``/``group_pairs`` (by respondent group),
    ``township_tests``/``township_pairs``, ``level_tests``/``level_pairs``,
    ``choice_tests``, ``income_association``, ``ipa``, ``awareness``, ``choices``,
    ``terms``, ``themes``, ``examples``, and ``findings``.
    """

    year: int
    n_respondents: int
    k: int
    item_quality: pd.DataFrame
    value_labels: pd.DataFrame
    estimates: pd.DataFrame
    by_level: pd.DataFrame
    reliability: pd.DataFrame
    alpha_if_deleted: pd.DataFrame
    group_tests: pd.DataFrame
    group_pairs: pd.DataFrame
    township_tests: pd.DataFrame
    township_pairs: pd.DataFrame
    level_tests: pd.DataFrame
    level_pairs: pd.DataFrame
    choice_tests: pd.DataFrame
    income_association: pd.DataFrame
    ipa: pd.DataFrame
    awareness: pd.DataFrame
    choices: pd.DataFrame
    terms: pd.DataFrame
    themes: pd.DataFrame
    examples: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name (for exports)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), pd.DataFrame)}


def describe_survey(county: County, config: SurveyConfig | dict | None = None) -> SurveyResults:
    """Compute every survey table and finding of a county.

    Parameters
    ----------
    county
        A county with a survey and codebook (``ValueError`` otherwise).
    config
        Survey settings or overrides of ``resources/survey/config.yaml``.

    Returns
    -------
    SurveyResults
        A frozen bundle of tidy tables; every cell under k respondents is suppressed.
    """
    require_survey(county)
    cfg = load_survey_config(config)
    with shared_inputs():  # the respondent frame, cleaned items and scores, computed once
        return _describe(county, cfg)


def _describe(county: County, cfg: SurveyConfig) -> SurveyResults:
    groups = compare_groups(county, "group", config=cfg)
    towns = compare_groups(county, "township", config=cfg)
    levels = compare_groups(county, "level", config=cfg)
    aware = awareness_rates(county, cfg)
    return SurveyResults(
        year=county.meta.year,
        n_respondents=len(county.survey),
        k=cfg.k,
        item_quality=item_quality(county, cfg),
        value_labels=value_labels(county),
        estimates=estimate_scores(county, config=cfg),
        by_level=satisfaction_by_level(county, config=cfg),
        reliability=reliability(county, cfg),
        alpha_if_deleted=alpha_if_item_deleted(county, cfg),
        group_tests=groups.omnibus,
        group_pairs=groups.pairwise,
        township_tests=towns.omnibus,
        township_pairs=towns.pairwise,
        level_tests=levels.omnibus,
        level_pairs=levels.pairwise,
        choice_tests=compare_choices(county, "group", cfg),
        income_association=income_satisfaction(county, config=cfg),
        ipa=importance_performance(county, config=cfg),
        awareness=aware,
        choices=choice_frequencies(county, config=cfg),
        terms=top_terms(county, cfg),
        themes=text_themes(county, cfg),
        examples=theme_examples(county, cfg),
        findings=awareness_findings(county, aware, cfg),
    )
