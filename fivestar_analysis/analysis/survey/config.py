"""Settings of the survey analysis: packaged YAML defaults mirrored by a frozen dataclass.

The defaults live in ``resources/survey/config.yaml``; :func:`load_survey_config` merges a
mapping of overrides into them (nested keys merge, lists replace) and checks the values.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

import yaml

from fivestar_analysis.errors import InvalidArgument, UnknownName

__all__ = ["SurveyConfig", "load_survey_config", "resource_text"]

_SIDES = ("high", "low")


def resource_text(name: str) -> str:
    """Text of a packaged file in ``resources/survey``."""
    path = resources.files("fivestar_analysis") / "resources" / "survey" / name
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return yaml.safe_load(resource_text("config.yaml"))


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class SurveyConfig:
    """Validated settings; build with :func:`load_survey_config`."""

    min_share_answered: float = 0.5
    dont_know_codes: tuple[float, ...] = (9, 99, -9, 98)
    dont_know_words: tuple[str, ...] = ()
    k: int = 5
    confidence: float = 0.95
    max_pairwise_groups: int = 60
    ipa_crosshair: Any = "grand_mean"
    #: quadrant key -> {"importance": high/low, "satisfaction": high/low, "zh": …, "en": …}
    ipa_quadrants: dict[str, dict[str, str]] = field(default_factory=dict)
    knows_code: float = 1
    participated_code: float = 1
    awareness_thresholds: dict[str, float] = field(default_factory=dict)
    min_respondents_per_branch: int = 3
    top_n: int = 20
    min_term_length: int = 2
    examples_per_theme: int = 3
    themes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def quadrant_of(self, importance_high: bool, satisfaction_high: bool) -> str:
        """Key of the quadrant on the given sides of the crosshair."""
        want = ("high" if importance_high else "low", "high" if satisfaction_high else "low")
        for key, spec in self.ipa_quadrants.items():
            if (spec["importance"], spec["satisfaction"]) == want:
                return key
        raise UnknownName(want)

    def quadrant_label(self, key: str, language: str = "zh") -> str:
        spec = self.ipa_quadrants[key]
        return spec["en"] if language == "en" else spec["zh"]


def load_survey_config(overrides: Mapping[str, Any] | SurveyConfig | None = None) -> SurveyConfig:
    """Packaged defaults, with ``overrides`` (same nesting as the YAML) merged in.

    >>> load_survey_config({"privacy": {"k": 10}}).k
    10
    """
    if isinstance(overrides, SurveyConfig):
        return overrides
    raw = _merge(_defaults(), overrides or {})
    sc, pr, es, ipa = raw["scoring"], raw["privacy"], raw["estimates"], raw["ipa"]
    aw, led, tx = raw["awareness"], raw["ledger"], raw["text"]
    cfg = SurveyConfig(
        min_share_answered=float(sc["min_share_answered"]),
        dont_know_codes=tuple(float(c) for c in sc.get("dont_know_codes") or ()),
        dont_know_words=tuple(str(w) for w in sc.get("dont_know_words") or ()),
        k=int(pr["k"]),
        confidence=float(es["confidence"]),
        max_pairwise_groups=int((raw.get("comparisons") or {}).get("max_pairwise_groups", 60)),
        ipa_crosshair=ipa["crosshair"],
        ipa_quadrants={str(k): dict(v) for k, v in ipa["quadrants"].items()},
        knows_code=float(aw["knows_code"]),
        participated_code=float(aw["participated_code"]),
        awareness_thresholds={str(g): float(t) for g, t in (aw.get("thresholds") or {}).items()},
        min_respondents_per_branch=int(led["min_respondents_per_branch"]),
        top_n=int(tx["top_n"]),
        min_term_length=int(tx["min_term_length"]),
        examples_per_theme=int(tx["examples_per_theme"]),
        themes={str(t): tuple(str(w) for w in words) for t, words in tx["themes"].items()},
    )
    _check(cfg)
    return cfg


def _check(cfg: SurveyConfig) -> None:
    if not 0 < cfg.min_share_answered <= 1:
        raise InvalidArgument("scoring.min_share_answered must be in (0, 1]")
    if cfg.max_pairwise_groups < 2:
        raise InvalidArgument("comparisons.max_pairwise_groups must be at least 2")
    if cfg.k < 1:
        raise InvalidArgument("privacy.k must be at least 1")
    if not 0 < cfg.confidence < 1:
        raise InvalidArgument("estimates.confidence must be between 0 and 1")
    sides = sorted((q["importance"], q["satisfaction"]) for q in cfg.ipa_quadrants.values())
    if sides != sorted((a, b) for a in _SIDES for b in _SIDES):
        raise InvalidArgument("ipa.quadrants must cover each high/low combination exactly once")
    for key, q in cfg.ipa_quadrants.items():
        if not q.get("zh") or not q.get("en"):
            raise InvalidArgument(f"ipa quadrant {key!r} needs zh and en labels")
    ch = cfg.ipa_crosshair
    if not (ch in ("grand_mean", "county_grand_mean", "scale_midpoint")
            or (isinstance(ch, Mapping) and {"importance", "satisfaction"} <= set(ch))):
        raise InvalidArgument("ipa.crosshair must be grand_mean, county_grand_mean, scale_midpoint or "
                         "{importance: x, satisfaction: y}")
    for group, t in cfg.awareness_thresholds.items():
        if not 0 < t <= 1:
            raise InvalidArgument(f"awareness threshold of {group!r} must be in (0, 1]")
