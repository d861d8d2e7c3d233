"""Chart titles and axis labels in Chinese and English (resources/labels/charts.yaml)."""

from __future__ import annotations

from typing import Any

from fivestar_analysis.labels import label


def t(key: str, language: str, **fmt: Any) -> str:
    text = label(f"chart_{key}", language)
    return text.format(**fmt) if fmt else text


def lab(key: Any, language: str, rubric: Any = None) -> str:
    return label(key, language, rubric)
