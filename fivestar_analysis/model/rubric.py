"""The campaign rubric: stars per branch kind, the capstone rule, income tiers, rewards.

The rubric is data (packaged YAML under ``resources/rubrics``) mirrored by typed pydantic
models, so a county can pick another rubric or override single keys in ``county.yaml``.
"""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, Field, model_validator

from fivestar_analysis.errors import InvalidArgument, UnknownName

__all__ = [
    "Star",
    "KindSpec",
    "IncomeTier",
    "Rubric",
    "load_rubric",
    "available_rubrics",
]

KINDS = ("rural", "community")


class Localized(BaseModel):
    zh: str
    en: str

    def get(self, language: str = "zh") -> str:
        return self.en if language == "en" else self.zh


class Star(BaseModel):
    key: str
    zh: str
    en: str

    def label(self, language: str = "zh") -> str:
        return self.en if language == "en" else self.zh


class KindSpec(BaseModel):
    label: Localized
    stars: list[Star]

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.stars]


class IncomeTier(BaseModel):
    key: str
    lower: float
    upper: float | None
    zh: str
    en: str

    def label(self, language: str = "zh") -> str:
        return self.en if language == "en" else self.zh


class Reward(BaseModel):
    per_star_wan: float = 2.0
    per_promotion_wan: float = 2.0


class Honours(BaseModel):
    silver_years: int = 3
    gold_years: int = 5


class MentoringRule(BaseModel):
    mentor_level: int
    mentee_level: int
    min_mentees: int = 1
    #: most mentees per mentor (None: as many as an even share of the mentees needs)
    max_mentees: int | None = None


class Quality(BaseModel):
    income_outlier_log_iqr: float = 3.0


class Rubric(BaseModel):
    """A validated rubric. Build it with :func:`load_rubric`."""

    name: str
    title: Localized
    max_level: int = 5
    kinds: dict[str, KindSpec]
    capstone: str | None = "party_strong"
    income_tiers: list[IncomeTier]
    weak_village_below_wan: float = 5.0
    strong_village_from_wan: float = 20.0
    reward: Reward = Field(default_factory=Reward)
    honours: Honours = Field(default_factory=Honours)
    secretary_actions: dict[int, Localized] = Field(default_factory=dict)
    mentoring: list[MentoringRule] = Field(default_factory=list)
    quality: Quality = Field(default_factory=Quality)

    @model_validator(mode="after")
    def _check(self) -> Rubric:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise InvalidArgument(f"unknown branch kinds {sorted(unknown)}; use {KINDS}")
        for kind, spec in self.kinds.items():
            keys = spec.keys
            if len(set(keys)) != len(keys):
                raise InvalidArgument(f"duplicate star keys for {kind}: {keys}")
            if len(keys) != self.max_level:
                raise InvalidArgument(f"{kind} has {len(keys)} stars but max_level is {self.max_level}")
            if self.capstone is not None and self.capstone not in keys:
                raise InvalidArgument(f"capstone star {self.capstone!r} is not a {kind} star")
        return self

    # -- look-ups -------------------------------------------------------------------------
    def star_keys(self, kind: str) -> list[str]:
        """Star keys of a branch kind, in the rubric's order."""
        return self.kinds[kind].keys

    def all_star_keys(self) -> list[str]:
        """Every star key of any kind, each once, rural first."""
        seen: list[str] = []
        for spec in self.kinds.values():
            for key in spec.keys:
                if key not in seen:
                    seen.append(key)
        return seen

    def star(self, kind: str, key: str) -> Star:
        for s in self.kinds[kind].stars:
            if s.key == key:
                return s
        raise UnknownName(f"{key!r} is not a {kind} star")

    def star_label(self, key: str, kind: str | None = None, language: str = "zh") -> str:
        """Display name of a star; ``kind`` may be omitted for a key used by one kind only."""
        kinds = [kind] if kind else list(self.kinds)
        for k in kinds:
            for s in self.kinds[k].stars:
                if s.key == key:
                    return s.label(language)
        raise UnknownName(key)

    def star_names(self) -> dict[str, tuple[str, str]]:
        """Map every Chinese and English star name (and key) to ``(kind or '*', key)``.

        Names shared by both kinds (支部过硬星, 平安法治星) map to ``('*', key)``.
        """
        out: dict[str, tuple[str, str]] = {}
        for kind, spec in self.kinds.items():
            for s in spec.stars:
                for name in (s.zh, s.en, s.key):
                    prev = out.get(name)
                    out[name] = ("*", s.key) if prev and prev[0] != kind else (kind, s.key)
        return out

    def kind_label(self, kind: str, language: str = "zh") -> str:
        return self.kinds[kind].label.get(language)

    def income_tier_of(self, income_wan: float) -> str | None:
        """Key of the tier that holds ``income_wan`` (None for a missing income)."""
        if income_wan is None or income_wan != income_wan:  # NaN
            return None
        for tier in self.income_tiers:
            if tier.upper == 0 and tier.lower == 0:
                if income_wan == 0:
                    return tier.key
                continue
            if income_wan >= tier.lower and (tier.upper is None or income_wan < tier.upper):
                return tier.key
        return None


def available_rubrics() -> list[str]:
    """Names of the packaged rubrics."""
    folder = resources.files("fivestar_analysis") / "resources" / "rubrics"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_rubric(spec: str | dict[str, Any] | None = None) -> Rubric:
    """Load a packaged rubric by name, or a mapping ``{base: NAME, <overrides>}``.

    >>> load_rubric().star_label("industry")
    '产业兴旺星'
    """
    overrides: dict[str, Any] = {}
    name = "henan-2022"
    if isinstance(spec, str):
        name = spec
    elif isinstance(spec, dict):
        overrides = dict(spec)
        name = overrides.pop("base", name)
    if name not in available_rubrics():
        raise InvalidArgument(f"unknown rubric {name!r}; packaged rubrics: {available_rubrics()}")
    path = resources.files("fivestar_analysis") / "resources" / "rubrics" / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Rubric.model_validate(_deep_merge(data, overrides))
