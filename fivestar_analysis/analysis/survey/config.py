"""Settings of the survey analysis: the packaged ``resources/survey/config.yaml`` under the
typed settings of :mod:`fivestar_analysis.model.settings`.

:func:`load_survey_config` deep-merges a mapping of overrides (same nesting as the YAML) into
the defaults and validates the result; :class:`SurveyConfig` adds the short names the
analysis functions read (``cfg.k``, ``cfg.confidence`` …).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from fivestar_analysis.errors import UnknownName
from fivestar_analysis.model.settings import Crosshair, Quadrant, SurveySettings, survey_settings

__all__ = ["SurveyConfig", "load_survey_config", "resource_text"]


def resource_text(name: str) -> str:
    """Text of a packaged file in ``resources/survey``."""
    path = resources.files("fivestar_analysis") / "resources" / "survey" / name
    return path.read_text(encoding="utf-8")


class SurveyConfig(SurveySettings):
    """Validated survey settings; build with :func:`load_survey_config`."""

    @property
    def min_share_answered(self) -> float:
        return self.scoring.min_share_answered

    @property
    def dont_know_codes(self) -> tuple[float, ...]:
        return self.scoring.dont_know_codes

    @property
    def dont_know_words(self) -> tuple[str, ...]:
        return self.scoring.dont_know_words

    @property
    def k(self) -> int:
        return self.privacy.k

    @property
    def confidence(self) -> float:
        return self.estimates.confidence

    @property
    def max_pairwise_groups(self) -> int:
        return self.comparisons.max_pairwise_groups

    @property
    def ipa_crosshair(self) -> str | dict[str, float]:
        ch = self.ipa.crosshair
        return ch.model_dump() if isinstance(ch, Crosshair) else ch

    @property
    def ipa_quadrants(self) -> dict[str, Quadrant]:
        return self.ipa.quadrants

    @property
    def knows_code(self) -> float:
        return self.awareness.knows_code

    @property
    def participated_code(self) -> float:
        return self.awareness.participated_code

    @property
    def awareness_thresholds(self) -> dict[str, float]:
        return self.awareness.thresholds

    @property
    def min_respondents_per_branch(self) -> int:
        return self.ledger.min_respondents_per_branch

    @property
    def top_n(self) -> int:
        return self.text.top_n

    @property
    def min_term_length(self) -> int:
        return self.text.min_term_length

    @property
    def examples_per_theme(self) -> int:
        return self.text.examples_per_theme

    @property
    def themes(self) -> dict[str, tuple[str, ...]]:
        return self.text.themes

    def quadrant_of(self, importance_high: bool, satisfaction_high: bool) -> str:
        """Key of the quadrant on the given sides of the crosshair."""
        want = ("high" if importance_high else "low", "high" if satisfaction_high else "low")
        for key, q in self.ipa.quadrants.items():
            if (q.importance, q.satisfaction) == want:
                return key
        raise UnknownName(f"no IPA quadrant for importance {want[0]}, satisfaction {want[1]}")

    def quadrant_label(self, key: str, language: str = "zh") -> str:
        q = self.ipa.quadrants[key]
        return q.en if language == "en" else q.zh


def load_survey_config(overrides: Mapping[str, Any] | SurveyConfig | None = None) -> SurveyConfig:
    """Packaged defaults, with ``overrides`` (same nesting as the YAML) merged in.

    >>> load_survey_config({"privacy": {"k": 10}}).k
    10
    """
    if isinstance(overrides, SurveyConfig):
        return overrides
    return survey_settings(overrides, model=SurveyConfig)
