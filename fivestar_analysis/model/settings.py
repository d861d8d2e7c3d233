"""Typed settings over the packaged YAML files, with deep merging of a user's overrides.

A packaged YAML file holds the defaults; a pydantic model says which keys exist and what
values they take; a user's overrides are merged into the defaults at any depth and the
result is validated, so a misspelt key or a share above 1 is refused with a message that
names it (an :class:`~fivestar_analysis.errors.InvalidArgument`) instead of being ignored.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from fivestar_analysis.errors import InvalidArgument

__all__ = ["deep_merge", "validated", "StarThresholds", "star_thresholds", "SurveySettings",
           "survey_settings"]


def deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in at every depth (mappings merge, others replace).

    >>> deep_merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}})
    {'a': {'x': 1, 'y': 3}}
    """
    out = copy.deepcopy(dict(base))
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


Share = Field(ge=0, le=1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Below(_Strict):
    """Small values are bad: ``high`` below ``high_below``, ``medium`` below ``medium_below``."""

    high_below: float = Share
    medium_below: float = Share


class From(_Strict):
    """Large values are bad: ``high`` from ``high_from``, ``medium`` from ``medium_from``."""

    high_from: float = Share
    medium_from: float = Share


class Lagging(_Strict):
    alpha: float = Field(gt=0, lt=1)
    min_branches: int = Field(ge=1)
    high_gap_from: float = Share
    medium_gap_from: float = Share


class Economy(From):
    alpha: float = Field(gt=0, lt=1)


class StarThresholds(_Strict):
    """The weak-link thresholds of ``resources/thresholds/stars.yaml``."""

    lowest_star: Below
    bottleneck_star: From
    lagging_township: Lagging
    collective_economy: Economy
    weak_lax: From
    weak_secretaries: From
    capstone_rule: From


# -- the survey analysis (resources/survey/config.yaml) ------------------------------------

Side = Literal["high", "low"]


class Scoring(_Strict):
    min_share_answered: float = Field(gt=0, le=1)
    dont_know_codes: tuple[float, ...] = ()
    dont_know_words: tuple[str, ...] = ()


class Privacy(_Strict):
    k: int = Field(ge=1)


class Estimates(_Strict):
    confidence: float = Field(gt=0, lt=1)


class Comparisons(_Strict):
    max_pairwise_groups: int = Field(default=60, ge=2)


class Quadrant(_Strict):
    importance: Side
    satisfaction: Side
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Crosshair(_Strict):
    importance: float
    satisfaction: float


class Ipa(_Strict):
    crosshair: Union[Literal["grand_mean", "county_grand_mean", "scale_midpoint"], Crosshair]
    quadrants: dict[str, Quadrant]

    @model_validator(mode="after")
    def _every_side_once(self) -> Ipa:
        sides = sorted((q.importance, q.satisfaction) for q in self.quadrants.values())
        if sides != sorted((a, b) for a in ("high", "low") for b in ("high", "low")):
            raise PydanticCustomError(
                "quadrants", "quadrants must cover each high/low combination exactly once")
        return self


class Awareness(_Strict):
    knows_code: float
    participated_code: float
    thresholds: dict[str, float] = {}

    @model_validator(mode="after")
    def _shares(self) -> Awareness:
        bad = [g for g, t in self.thresholds.items() if not 0 < t <= 1]
        if bad:
            raise PydanticCustomError("share", "thresholds of {groups} must be in (0, 1]",
                                      {"groups": ", ".join(bad)})
        return self


class LedgerLink(_Strict):
    min_respondents_per_branch: int = Field(ge=1)


class TextSettings(_Strict):
    top_n: int = Field(ge=1)
    min_term_length: int = Field(ge=1)
    examples_per_theme: int = Field(ge=0)
    themes: dict[str, tuple[str, ...]]


class SurveySettings(_Strict):
    """The settings of the survey analysis, as nested as ``resources/survey/config.yaml``."""

    scoring: Scoring
    privacy: Privacy
    estimates: Estimates
    comparisons: Comparisons = Comparisons()
    ipa: Ipa
    awareness: Awareness
    ledger: LedgerLink
    text: TextSettings


# -- reading and validating ----------------------------------------------------------------

@lru_cache(maxsize=4)
def _packaged(*parts: str) -> dict[str, Any]:
    path = resources.files("fivestar_analysis").joinpath("resources", *parts)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def validated(model: type[BaseModel], defaults: Mapping[str, Any],
              overrides: Mapping[str, Any] | None, what: str) -> Any:
    """``model`` over ``defaults`` with ``overrides`` deep-merged; a bad key or value is an
    :class:`~fivestar_analysis.errors.InvalidArgument` naming where it is."""
    merged = deep_merge(defaults, overrides)
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidArgument(f"invalid {what} ({where})") from None


def star_thresholds(overrides: Mapping[str, Any] | None = None) -> StarThresholds:
    """The packaged star thresholds with ``overrides`` deep-merged, validated."""
    return validated(StarThresholds, _packaged("thresholds", "stars.yaml"), overrides,
                     "thresholds")


def survey_settings(overrides: Mapping[str, Any] | None = None,
                    model: type[SurveySettings] = SurveySettings) -> SurveySettings:
    """The packaged survey settings with ``overrides`` deep-merged, validated."""
    return validated(model, _packaged("survey", "config.yaml"), overrides, "survey settings")
