"""One label map for every display string: column names, category values, chart text.

Labels live in packaged YAML files (``resources/labels/*.yaml``), merged in file-name
order; each entry maps a key to ``{zh: …, en: …}``. Star and income-tier names come from
the rubric, so a county's rubric override shows up in every label.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from fivestar_analysis.errors import InvalidArgument

__all__ = ["label", "labels"]


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    folder = resources.files("fivestar_analysis") / "resources" / "labels"
    merged: dict[str, dict[str, str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
            for key, value in data.items():
                if key in merged:
                    raise InvalidArgument(f"label {key!r} defined twice (again in {entry.name})")
                merged[str(key)] = value
    return merged


def label(key: Any, language: str = "zh", rubric: Any = None) -> str:
    """Display label of ``key`` in ``language``; star keys and tiers via the rubric.

    Unknown keys come back unchanged, so user-supplied names (townships) pass through.
    """
    k = str(key)
    if rubric is not None:
        for spec in rubric.kinds.values():
            for star in spec.stars:
                if star.key == k:
                    return star.label(language)
        for tier in rubric.income_tiers:
            if tier.key == k:
                return tier.label(language)
    entry = _table().get(k)
    if entry is None:
        return k
    return entry.get(language) or entry.get("zh") or k


def labels(keys: list[Any], language: str = "zh", rubric: Any = None) -> list[str]:
    return [label(k, language, rubric) for k in keys]
