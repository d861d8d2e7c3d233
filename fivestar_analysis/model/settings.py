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
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fivestar_analysis.errors import InvalidArgument

__all__ = ["deep_merge", "StarThresholds", "star_thresholds"]


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


@lru_cache(maxsize=1)
def _packaged_star_thresholds() -> dict[str, Any]:
    path = resources.files("fivestar_analysis") / "resources" / "thresholds" / "stars.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def star_thresholds(overrides: Mapping[str, Any] | None = None) -> StarThresholds:
    """The packaged star thresholds with ``overrides`` deep-merged, validated."""
    merged = deep_merge(_packaged_star_thresholds(), overrides)
    try:
        return StarThresholds.model_validate(merged)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidArgument(f"invalid thresholds ({where})") from None
